"""The training loop: one loop for single-task, multi-task (a sampler over tasks) and MLM co-training.
Dynamic padding over length-grouped batches, fused AdamW with linear warmup/decay,
gradient accumulation, bf16 autocast and TF32 on CUDA, checkpoint selection by a recorded rule (English dev by
default; TrainConfig.select), checkpoints every N steps that a rerun resumes from exactly, and a cost meter (time,
tokens, FLOPs, memory)."""

from __future__ import annotations

import math
import os
import random
import sys
import time
import zlib
from contextlib import suppress
from dataclasses import dataclass, field
from pathlib import Path

import torch
from tqdm import tqdm  # text bars: they stream from papermill kernels to the terminal or the sweep log

from .config import TrainConfig, average_k
from .errors import XltError
from .features import length_grouped_batches
from .models import TaskModel
from .storage import storage_errors


def pick_device(device: str = "auto") -> torch.device:
    dev = torch.device("cuda" if device == "auto" and torch.cuda.is_available() else
                       "cpu" if device == "auto" else device)
    if dev.type == "cuda":
        torch.backends.cuda.matmul.allow_tf32 = True
        torch.backends.cudnn.allow_tf32 = True
    return dev


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
    resumed_at_step: int | None = None

    def add(self, mask: torch.Tensor, flops_per_token: float = 0.0) -> None:
        real = int(mask.sum())
        self.real_tokens += real
        self.padded_tokens += mask.numel()
        self.train_flops += flops_per_token * real

    def state(self) -> dict:
        return {"real_tokens": self.real_tokens, "padded_tokens": self.padded_tokens, "train_flops": self.train_flops}

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
                "est_train_flops": self.train_flops, "peak_memory_mb": round(peak, 1), "steps": self.steps,
                "resumed_at_step": self.resumed_at_step}


def train_flops_per_token(config, seq_len: float) -> float:
    """6 x non-embedding parameters + 12 x layers x seq_len x hidden (attention) per real token."""
    h, layers, inter = config.hidden_size, config.num_hidden_layers, config.intermediate_size
    non_embedding = layers * (4 * h * h + 2 * h * inter)
    return 6 * non_embedding + 12 * layers * seq_len * h


def sampling_probabilities(sizes: dict[str, int], method: str = "proportional",
                           temperature: float = 2.0) -> dict[str, float]:
    """Probability of drawing each task's next batch: proportional to its size, to size^(1/T), or uniform."""
    weight = {"proportional": lambda n: n, "temperature": lambda n: n ** (1 / temperature),
              "uniform": lambda n: 1.0}[method]
    total = sum(weight(n) for n in sizes.values())
    return {name: weight(n) / total for name, n in sizes.items()}


@dataclass
class TaskData:
    """One task in training: its head name, its type adapter, its features and how many examples they came from
    (the size that sampling weighs: a long QA context makes several windows but is one example)."""

    name: str
    ttype: object
    feats: object
    examples: int = 0


class BatchStream:
    """Endless length-grouped batches of one task: a new order each pass (seeded by task and pass); its position
    (pass, index) is part of a checkpoint."""

    def __init__(self, task: TaskData, batch_size: int, seed: int, position=(0, 0)):
        self.task, self.batch_size, self.seed = task, batch_size, seed
        self.lengths = task.feats.lengths
        self.epoch, self.index = position
        self.batches = self._order()

    def _order(self):
        key = zlib.crc32(f"{self.task.name}/{self.seed}".encode())
        return length_grouped_batches(self.lengths, self.batch_size, seed=key + self.epoch)

    def next(self) -> list[int]:
        if self.index >= len(self.batches):
            self.epoch, self.index = self.epoch + 1, 0
            self.batches = self._order()
        batch = self.batches[self.index]
        self.index += 1
        return batch


def _optimizer(model: torch.nn.Module, cfg: TrainConfig, device: torch.device):
    decay, no_decay = [], []
    for name, p in model.named_parameters():
        (no_decay if p.ndim < 2 or "LayerNorm" in name or "layer_norm" in name else decay).append(p)
    groups = [{"params": decay, "weight_decay": cfg.weight_decay}, {"params": no_decay, "weight_decay": 0.0}]
    return torch.optim.AdamW(groups, lr=cfg.lr, fused=True)  # fused kernels on CUDA and CPU (3x foreach on CPU)


def _to(batch: dict, device: torch.device) -> dict:
    """A collated (CPU) batch on the device; on CUDA through pinned memory, so the copy does not block the host."""
    if device.type == "cpu":
        return batch
    pin = device.type == "cuda"
    return {k: (v.pin_memory() if pin else v).to(device, non_blocking=pin) if torch.is_tensor(v) else v
            for k, v in batch.items()}


def run_model(model: TaskModel, task: str, ttype, feats, pad_id: int, device: torch.device, batch_size: int = 128,
              meter: CostMeter | None = None) -> list:
    """The task type's raw outputs per feature item, in item order; batches sorted by length, inference mode."""
    model.eval()
    out = [None] * len(feats.items)
    with torch.inference_mode(), autocast(device):
        for batch_ids in length_grouped_batches(feats.lengths, batch_size):
            batch = ttype.collate([feats.items[i] for i in batch_ids], pad_id)
            if meter:  # counted on the host copy: no device sync
                meter.add(batch["attention_mask"])
            batch = _to(batch, device)
            for i, o in zip(batch_ids, ttype.outputs(model(task, batch), batch)):
                out[i] = o
    return out


def evaluation_steps(total: int, steps_per_epoch: int) -> list[int]:
    """The steps after which training scores its weights on dev data: the end of each epoch and the end of
    training (as many as config.evaluation_points(epochs))."""
    return list(range(steps_per_epoch, total + 1, steps_per_epoch)) + ([total] if total % steps_per_epoch else [])


def _add_weights(total: dict | None, model: torch.nn.Module) -> dict:
    """`total` plus the model's weights: floating tensors summed in float32, others (integer buffers) the last."""
    weights = model.state_dict()
    if total is None:
        return {k: v.detach().float().clone() if v.is_floating_point() else v.detach().clone()
                for k, v in weights.items()}
    for k, v in weights.items():
        if v.is_floating_point():
            total[k] += v.detach().float()
        else:
            total[k] = v.detach().clone()
    return total


def _mean_weights(total: dict, k: int, model: torch.nn.Module) -> dict:
    like = model.state_dict()
    return {name: (v / k).to(like[name].dtype) if v.is_floating_point() else v for name, v in total.items()}


def train(model: TaskModel, tasks: list[TaskData], dev_score, cfg: TrainConfig, seed: int, pad_id: int,
          device: torch.device, meter: CostMeter, mlm: TaskData | None = None, checkpoint: Path | None = None,
          checkpoint_every: int = 0, target_dev_score=None) -> dict:
    """Train the encoder and the tasks' heads. Each micro-batch comes from one task, drawn by `cfg.sampling`
    (MLM takes a `cfg.mlm` share of draws); every `cfg.grad_accum` micro-batches make one optimizer step; one
    "epoch" is as many steps as one pass over every task. `dev_score(model)` (English dev) is called after each
    epoch and at the end (and `target_dev_score(model)` there too, when given); `cfg.select` picks the weights
    kept: en-dev the best English dev score (first best on ties), last the final weights, target-dev the best
    target_dev_score, average-k the mean of the weights at the last k of those points (whose English dev score is
    then computed once). The record's `selection` says which steps' weights were kept and their score. With
    `checkpoint`, the whole training state is saved there every `checkpoint_every` steps and training resumes from
    it when it exists."""
    from transformers import get_linear_schedule_with_warmup

    torch.manual_seed(seed)
    model.to(device)
    micro_per_epoch = sum(math.ceil(len(t.feats.items) / cfg.batch_size) for t in tasks)
    steps_per_epoch = max(1, math.ceil(micro_per_epoch / cfg.grad_accum))
    total = max(1, math.ceil(cfg.epochs * steps_per_epoch))
    optimizer = _optimizer(model, cfg, device)
    schedule = get_linear_schedule_with_warmup(optimizer, int(cfg.warmup_ratio * total), total)
    probs = sampling_probabilities({t.name: t.examples or len(t.feats.items) for t in tasks}, cfg.sampling,
                                   cfg.temperature)
    all_tasks = tasks + ([mlm] if mlm else [])
    flops = {t.name: train_flops_per_token(model.encoder.config, sum(t.feats.lengths) / max(1, len(t.feats.items)))
             for t in all_tasks}
    points = evaluation_steps(total, steps_per_epoch)
    last_k = average_k(cfg.select)
    if last_k is not None and last_k > len(points):  # config.check_select says so before compute
        raise XltError(f"select {cfg.select!r} averages the last {last_k} checkpoints, but training has "
                       f"{len(points)}: give more epochs or a smaller k")
    if cfg.select == "target-dev" and target_dev_score is None:
        raise ValueError("select 'target-dev' needs a target_dev_score function")
    averaged = set(points[-last_k:]) if last_k else set()
    by_target = cfg.select == "target-dev"
    state = {"step": 0, "best": -float("inf"), "chosen": None, "history": [], "positions": {},
             "sampler": random.Random(seed).getstate()}
    kept = None  # the best weights so far (en-dev, target-dev) or the running float32 sum (average-k)
    saved = load_checkpoint(checkpoint) if checkpoint else None
    if saved is not None:
        model.load_state_dict(saved["model"])
        optimizer.load_state_dict(saved["optimizer"])
        schedule.load_state_dict(saved["schedule"])
        torch.set_rng_state(saved["torch_rng"])
        if saved["cuda_rng"] is not None and torch.cuda.is_available():
            torch.cuda.set_rng_state_all(saved["cuda_rng"])
        state, kept = saved["state"], saved["kept"]
        for k, v in saved["meter"].items():
            setattr(meter, k, v)
        meter.resumed_at_step = state["step"]
    streams = {t.name: BatchStream(t, cfg.batch_size, seed, state["positions"].get(t.name, (0, 0))) for t in all_tasks}
    sampler = random.Random()
    sampler.setstate(state["sampler"])
    names, weights = list(probs), [probs[n] for n in probs]
    bar = tqdm(total=total, initial=state["step"], desc=f"train {'+'.join(t.name for t in tasks)}", unit="step",
               mininterval=1.0)
    by_name = {t.name: t for t in all_tasks}
    shown = -math.inf
    try:
        while state["step"] < total:
            model.train()
            for _ in range(cfg.grad_accum):
                name = mlm.name if mlm and sampler.random() < cfg.mlm else sampler.choices(names, weights)[0]
                task = by_name[name]
                batch_ids = streams[name].next()
                batch = task.ttype.collate([task.feats.items[i] for i in batch_ids], pad_id)
                meter.add(batch["attention_mask"], flops[name])  # on the host copy: no device sync
                batch = _to(batch, device)
                with autocast(device):
                    loss = task.ttype.loss(model(name, batch), batch) / cfg.grad_accum
                loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            optimizer.step()
            schedule.step()
            optimizer.zero_grad(set_to_none=True)
            state["step"] += 1
            meter.steps = state["step"]
            now = time.perf_counter()
            if now - shown >= 1.0 or state["step"] == total:  # loss.item() waits for the device: once a second
                shown = now
                bar.set_postfix(loss=f"{loss.item() * cfg.grad_accum:.3f}",
                                tok_s=f"{meter.real_tokens / max(now - meter.start, 1e-9):.0f}", refresh=False)
            bar.update()
            if state["step"] % steps_per_epoch == 0 or state["step"] == total:
                row = {"step": state["step"], "dev_score": dev_score(model)}
                if target_dev_score is not None:
                    row["target_dev_score"] = target_dev_score(model)
                state["history"].append(row)
                score = row["target_dev_score" if by_target else "dev_score"]
                if cfg.select in ("en-dev", "target-dev") and score > state["best"]:
                    state["best"], state["chosen"] = score, state["step"]
                    kept = {k: v.detach().clone() for k, v in model.state_dict().items()}
                elif state["step"] in averaged:
                    kept = _add_weights(kept, model)
            if checkpoint and checkpoint_every and state["step"] % checkpoint_every == 0 and state["step"] < total:
                state["positions"] = {n: (s.epoch, s.index) for n, s in streams.items()}
                state["sampler"] = sampler.getstate()
                _save_checkpoint(checkpoint, model, optimizer, schedule, state, kept, meter)
    except torch.cuda.OutOfMemoryError:
        raise XltError(f"CUDA out of memory with batch size {cfg.batch_size} at max length {cfg.max_length}: lower "
                       "--batch-size (add --grad-accum N to keep the effective batch size)") from None
    finally:
        bar.close()  # ends the bar's line, also when an error follows it on the terminal
    history = state["history"]
    if cfg.select == "last":
        steps, dev = [total], history[-1]["dev_score"]
        score = dev
    elif last_k is not None:
        model.load_state_dict(_mean_weights(kept, last_k, model))
        steps, dev = sorted(averaged), dev_score(model)
        score = dev
    else:
        model.load_state_dict(kept)
        steps, score = [state["chosen"]], state["best"]
        dev = next(row["dev_score"] for row in history if row["step"] == state["chosen"])
    return {"dev_score": dev, "history": history, "steps": total, "sampling": probs if len(tasks) > 1 else None,
            "selection": {"rule": cfg.select, "steps": steps, "score": score}}


def load_checkpoint(folder: Path) -> dict | None:
    """The checkpoint a killed run left, or None. One that cannot be read (written by another version, or damaged
    on disk) is set aside with a warning and the stage trains from the start: it must not block every rerun."""
    path = folder / "state.pt"
    if not path.exists():
        return None
    try:
        return torch.load(path, weights_only=False)
    except Exception as err:  # torch raises several types for a damaged file
        print(f"xlt: warning: cannot resume from {path} ({type(err).__name__}); training from the start",
              file=sys.stderr)
        with suppress(OSError):
            path.replace(path.with_suffix(".unreadable"))
        return None


def _save_checkpoint(folder: Path, model, optimizer, schedule, state, kept, meter) -> None:
    """Everything a resumed run needs to continue exactly (`kept`: the weights selection keeps so far, or the
    running sum it averages). Written to a temporary file, synced, then renamed over the last one: a checkpoint is
    never half-written. On a full disk the temporary file goes, the last checkpoint stays for the rerun, and a
    StorageError names the file."""
    tmp = folder / f"state.pt.{os.getpid()}.tmp"
    try:
        with storage_errors(tmp):
            folder.mkdir(parents=True, exist_ok=True)
            with open(tmp, "wb") as f:  # a Python file: torch's own writer reports a full disk without its errno
                torch.save({"model": model.state_dict(), "optimizer": optimizer.state_dict(),
                            "schedule": schedule.state_dict(), "torch_rng": torch.get_rng_state(),
                            "cuda_rng": torch.cuda.get_rng_state_all() if torch.cuda.is_available() else None,
                            "state": state, "kept": kept, "meter": meter.state()}, f)
                f.flush()
                os.fsync(f.fileno())  # network filesystems report a full disk or quota here, not on write
            tmp.replace(folder / "state.pt")
    except BaseException:
        with suppress(OSError):
            tmp.unlink(missing_ok=True)
        raise
