"""The training loop: dynamic padding over length-grouped batches, AdamW with linear warmup/decay, bf16 autocast
on CUDA, model selection on English dev data only, and a cost meter (time, tokens, FLOPs, memory)."""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field

import torch
from tqdm.auto import tqdm

from .config import TrainConfig
from .features import length_grouped_batches, pad_batch
from .metrics import score
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


def predict(model: TaskModel, task: str, ids: list[list[int]], pad_id: int, device: torch.device,
            batch_size: int = 128, meter: CostMeter | None = None) -> list[int]:
    """Argmax class per example; batches sorted by length, inference mode."""
    model.eval()
    out = [0] * len(ids)
    with torch.inference_mode(), autocast(device):
        for batch in length_grouped_batches([len(x) for x in ids], batch_size):
            input_ids, mask = pad_batch([ids[i] for i in batch], pad_id)
            if meter:
                meter.add(mask)
            logits = model(task, input_ids.to(device), mask.to(device))
            for i, p in zip(batch, logits.argmax(-1).tolist()):
                out[i] = p
    return out


def train(model: TaskModel, task: str, ids: list[list[int]], labels: list[int], dev_ids: list[list[int]],
          dev_labels: list[int], cfg: TrainConfig, seed: int, pad_id: int, device: torch.device,
          meter: CostMeter, metric: str = "accuracy") -> dict:
    """Train `model`'s `task` head and encoder; score English dev at each epoch end; keep the best weights.
    Returns {"dev_score": best, "metric": metric, "history": [...]}."""
    from transformers import get_linear_schedule_with_warmup

    torch.manual_seed(seed)
    model.to(device)
    steps_per_epoch = math.ceil(len(ids) / cfg.batch_size)
    total = max(1, math.ceil(cfg.epochs * steps_per_epoch))
    optimizer = _optimizer(model, cfg, device)
    schedule = get_linear_schedule_with_warmup(optimizer, int(cfg.warmup_ratio * total), total)
    lengths = [len(x) for x in ids]
    flops = train_flops_per_token(model.encoder.config, sum(lengths) / max(1, len(lengths)))
    labels_t = torch.tensor(labels, dtype=torch.long)
    best, best_state, history, step = -1.0, None, [], 0
    bar = tqdm(total=total, desc=f"train {task}", unit="step", mininterval=1.0)
    epoch = 0
    while step < total:
        model.train()
        for batch in length_grouped_batches(lengths, cfg.batch_size, seed=seed * 1000 + epoch):
            input_ids, mask = pad_batch([ids[i] for i in batch], pad_id)
            with autocast(device):
                logits = model(task, input_ids.to(device), mask.to(device))
            loss = torch.nn.functional.cross_entropy(logits.float(), labels_t[batch].to(device))
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            optimizer.step()
            schedule.step()
            optimizer.zero_grad(set_to_none=True)
            meter.add(mask, flops)
            step += 1
            meter.steps = step
            elapsed = time.perf_counter() - meter.start
            bar.set_postfix(loss=f"{loss.item():.3f}", tok_s=f"{meter.real_tokens / max(elapsed, 1e-9):.0f}", refresh=False)
            bar.update()
            if step >= total:
                break
        epoch += 1
        preds = predict(model, task, dev_ids, pad_id, device)
        dev = score(metric, preds, dev_labels)[metric]
        history.append({"epoch": epoch, "step": step, "dev_score": dev})
        if dev > best:
            best = dev
            best_state = {k: v.detach().clone() for k, v in model.state_dict().items()}
    bar.close()
    model.load_state_dict(best_state)
    return {"dev_score": best, "metric": metric, "history": history}
