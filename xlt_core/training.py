"""The training loop: dynamic padding over length-grouped batches, AdamW with linear warmup/decay, bf16 autocast
on CUDA, model selection on English dev data only, and a cost meter (time, tokens, FLOPs, memory)."""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field

import torch
from tqdm.auto import tqdm

from .config import TrainConfig
from .features import length_grouped_batches
from .models import TaskModel


def pick_device(device: str = "auto") -> torch.device:
    if device == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    return torch.device(device)


def autocast(device: torch.device):
    return torch.autocast("cuda", dtype=torch.bfloat16) if device.type == "cuda" else torch.autocast("cpu", enabled=False)


@dataclass
class CostMeter:
    """What a stage cost: wall time, real and padded tokens, estimated FLOPs, peak memory."""

    device: torch.device
    start: float = field(default_factory=time.perf_counter)
    real_tokens: int = 0
    padded_tokens: int = 0
    train_flops: float = 0.0
    steps: int = 0

    def add(self, mask: torch.Tensor, flops_per_token: float = 0.0) -> None:
        real = int(mask.sum())
        self.real_tokens += real
        self.padded_tokens += mask.numel()
        self.train_flops += flops_per_token * real

    def summary(self) -> dict:
        if self.device.type == "cuda":
            peak = torch.cuda.max_memory_allocated(self.device) / 2**20
            name = torch.cuda.get_device_name(self.device)
        else:
            import resource

            peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
            name = "cpu"
        return {"wall_s": round(time.perf_counter() - self.start, 3), "device": self.device.type, "device_name": name,
                "real_tokens": self.real_tokens, "padded_tokens": self.padded_tokens,
                "est_train_flops": self.train_flops, "peak_memory_mb": round(peak, 1), "steps": self.steps}


def train_flops_per_token(config, seq_len: float) -> float:
    """6 x non-embedding parameters + 12 x layers x seq_len x hidden (attention) per real token."""
    h, layers, inter = config.hidden_size, config.num_hidden_layers, config.intermediate_size
    non_embedding = layers * (4 * h * h + 2 * h * inter)
    return 6 * non_embedding + 12 * layers * seq_len * h


def _optimizer(model: torch.nn.Module, cfg: TrainConfig, device: torch.device):
    decay, no_decay = [], []
    for name, p in model.named_parameters():
        (no_decay if p.ndim < 2 or "LayerNorm" in name or "layer_norm" in name else decay).append(p)
    groups = [{"params": decay, "weight_decay": cfg.weight_decay}, {"params": no_decay, "weight_decay": 0.0}]
    fused = {"fused": True} if device.type == "cuda" else {"foreach": True}
    return torch.optim.AdamW(groups, lr=cfg.lr, **fused)


def run_model(model: TaskModel, task: str, ttype, feats, pad_id: int, device: torch.device, batch_size: int = 128,
              meter: CostMeter | None = None) -> list:
    """The task type's raw outputs per feature item, in item order; batches sorted by length, inference mode."""
    model.eval()
    out = [None] * len(feats.items)
    with torch.inference_mode(), autocast(device):
        for batch_ids in length_grouped_batches(feats.lengths, batch_size):
            batch = _to(ttype.collate([feats.items[i] for i in batch_ids], pad_id), device)
            if meter:
                meter.add(batch["attention_mask"])
            for i, o in zip(batch_ids, ttype.outputs(model(task, batch), batch)):
                out[i] = o
    return out


def _to(batch: dict, device: torch.device) -> dict:
    return {k: v.to(device, non_blocking=True) if torch.is_tensor(v) else v for k, v in batch.items()}


def train(model: TaskModel, task: str, ttype, feats, dev_score, cfg: TrainConfig, seed: int, pad_id: int,
          device: torch.device, meter: CostMeter) -> dict:
    """Train `model`'s `task` head and its encoder on `feats`; call `dev_score(model)` (English dev) at each
    epoch end and keep the best weights. Returns {"dev_score": best, "history": [...]}."""
    from transformers import get_linear_schedule_with_warmup

    torch.manual_seed(seed)
    model.to(device)
    lengths = feats.lengths
    steps_per_epoch = math.ceil(len(lengths) / cfg.batch_size)
    total = max(1, math.ceil(cfg.epochs * steps_per_epoch))
    optimizer = _optimizer(model, cfg, device)
    schedule = get_linear_schedule_with_warmup(optimizer, int(cfg.warmup_ratio * total), total)
    flops = train_flops_per_token(model.encoder.config, sum(lengths) / max(1, len(lengths)))
    best, best_state, history, step, epoch = -float("inf"), None, [], 0, 0
    bar = tqdm(total=total, desc=f"train {task}", unit="step", mininterval=1.0)
    while step < total:
        model.train()
        for batch_ids in length_grouped_batches(lengths, cfg.batch_size, seed=seed * 1000 + epoch):
            batch = _to(ttype.collate([feats.items[i] for i in batch_ids], pad_id), device)
            with autocast(device):
                loss = ttype.loss(model(task, batch), batch)
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            optimizer.step()
            schedule.step()
            optimizer.zero_grad(set_to_none=True)
            meter.add(batch["attention_mask"], flops)
            step += 1
            meter.steps = step
            elapsed = time.perf_counter() - meter.start
            bar.set_postfix(loss=f"{loss.item():.3f}", tok_s=f"{meter.real_tokens / max(elapsed, 1e-9):.0f}",
                            refresh=False)
            bar.update()
            if step >= total:
                break
        epoch += 1
        dev = dev_score(model)
        history.append({"epoch": epoch, "step": step, "dev_score": dev})
        if dev > best:
            best = dev
            best_state = {k: v.detach().clone() for k, v in model.state_dict().items()}
    bar.close()
    model.load_state_dict(best_state)
    return {"dev_score": best, "history": history}
