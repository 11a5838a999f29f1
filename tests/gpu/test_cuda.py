"""The CUDA paths of the training engine: TF32, bf16 autocast, fused AdamW on the device, host-side token
counting, resuming from a checkpoint (CUDA RNG state included) and the out-of-memory message from a real CUDA OOM.

They run on the GPU where one is visible (`pytest tests/gpu`, then `python benchmarks/train_throughput.py --shape
large ...` for MFU); elsewhere, as in CI, the device-independent ones run on the CPU and the CUDA-only ones skip.
`XLT_TEST_DEVICE` picks the device (cuda, cuda:N or cpu)."""

from __future__ import annotations

import json
import os

import pytest
import torch

from xlt_core import pipeline, training
from xlt_core.config import chain
from xlt_core.errors import XltError

DEVICE = os.environ.get("XLT_TEST_DEVICE", "cuda" if torch.cuda.is_available() else "cpu")
CUDA = DEVICE.startswith("cuda")
pytestmark = pytest.mark.skipif(CUDA and not torch.cuda.is_available(), reason="needs a CUDA device")
cuda_only = pytest.mark.skipif(not CUDA, reason="CUDA only")

SMALL = dict(intermediate_size=200, train_size=200, eval_size=20, epochs=1.0, languages="en,de")


@cuda_only
def test_the_device_gets_tf32_matmuls():
    torch.backends.cuda.matmul.allow_tf32 = torch.backends.cudnn.allow_tf32 = False
    assert training.pick_device(DEVICE).type == "cuda"
    assert torch.backends.cuda.matmul.allow_tf32 and torch.backends.cudnn.allow_tf32


def test_a_stage_trains_in_bf16_with_fused_adamw_on_the_device(tmp_path, monkeypatch):
    seen = {"dtypes": set()}
    make = training._optimizer

    def spy(model, cfg, device):
        optimizer = make(model, cfg, device)
        seen["optimizer"], seen["params"] = optimizer, {p.device.type for p in model.parameters()}
        linear = next(m for m in model.encoder.modules() if isinstance(m, torch.nn.Linear))
        linear.register_forward_hook(lambda m, i, out: seen["dtypes"].add(out.dtype))
        return optimizer

    monkeypatch.setattr(training, "_optimizer", spy)
    [inter, *_] = chain(intermediate="mnli", target="xnli", **SMALL)
    record = pipeline.run_stage(inter, tmp_path, device=DEVICE)
    cost = json.loads((tmp_path / inter.stage_id / "cost.json").read_text())
    expected = "cuda" if CUDA else "cpu"
    assert seen["params"] == {expected} and cost["device"] == expected
    assert all(g["fused"] for g in seen["optimizer"].param_groups)
    assert seen["dtypes"] == ({torch.bfloat16} if CUDA else {torch.float32})
    assert cost["peak_memory_mb"] > 0 and cost["real_tokens"] > 0 and cost["real_tokens"] <= cost["padded_tokens"]
    assert cost["est_train_flops"] > 0 and record["dev"]["dev_score"] >= 0


def test_device_logits_match_the_cpu_within_bf16_precision():
    from xlt_core.models import TaskModel, load_encoder, load_tokenizer
    from xlt_core.tasks import get_task
    from xlt_core.tasktypes import TYPES

    spec = get_task("xnli")
    tok = load_tokenizer("tiny")
    torch.manual_seed(0)
    model = TaskModel.for_task(load_encoder("tiny"), spec).eval()
    enc = tok(["A man is playing a guitar."] * 3, ["Someone plays music.", "Nobody moves.", "A cat sleeps."])
    batch = TYPES[spec.type].collate([{"input_ids": x, "label": 0} for x in enc["input_ids"]], tok.pad_token_id)
    device = training.pick_device(DEVICE)
    with torch.inference_mode():
        on_cpu = model(spec.name, batch).float()
        model.to(device)
        with training.autocast(device):
            on_device = model(spec.name, training._to(batch, device)).float().cpu()
    torch.testing.assert_close(on_device, on_cpu, atol=0.05, rtol=0.05)


def test_a_stage_stopped_after_a_checkpoint_resumes_on_the_device(tmp_path, monkeypatch):
    [inter, *_] = chain(intermediate="mnli", target="xnli", **{**SMALL, "epochs": 2.0})
    straight = pipeline.run_stage(inter, tmp_path / "straight", device=DEVICE)
    save = training._save_checkpoint

    def save_then_die(*args):
        save(*args)
        raise KeyboardInterrupt("killed after the first checkpoint")

    monkeypatch.setenv("XLT_CHECKPOINT_EVERY", "3")
    monkeypatch.setattr(training, "_save_checkpoint", save_then_die)
    with pytest.raises(KeyboardInterrupt):
        pipeline.run_stage(inter, tmp_path / "resumed", device=DEVICE)
    monkeypatch.setattr(training, "_save_checkpoint", save)
    resumed = pipeline.run_stage(inter, tmp_path / "resumed", device=DEVICE)
    cost = json.loads((tmp_path / "resumed" / inter.stage_id / "cost.json").read_text())
    assert cost["resumed_at_step"] == 3
    a, b = (r["dev"]["history"] for r in (straight, resumed))
    assert [h["step"] for h in a] == [h["step"] for h in b]
    # bit-identical on CPU (tests/unit/test_regimes.py); CUDA kernels may sum in another order
    assert [h["dev_score"] for h in b] == pytest.approx([h["dev_score"] for h in a], abs=0.1)


@cuda_only
def test_a_real_cuda_out_of_memory_names_the_batch_size(tmp_path, monkeypatch):
    make, hog = training._optimizer, []

    def fill_the_device(model, cfg, device):  # the model is on the device: leave no room for a batch
        optimizer = make(model, cfg, device)
        torch.cuda.empty_cache()
        free, _ = torch.cuda.mem_get_info(device)
        hog.append(torch.empty(free - 2**20, dtype=torch.uint8, device=device))
        return optimizer

    monkeypatch.setattr(training, "_optimizer", fill_the_device)
    [inter, *_] = chain(intermediate="mnli", target="xnli", **{**SMALL, "batch_size": 64})
    try:
        with pytest.raises(XltError, match=r"CUDA out of memory with batch size 64 at max length \d+: lower "
                                           "--batch-size"):
            pipeline.run_stage(inter, tmp_path, device=DEVICE)
    finally:
        hog.clear()
        torch.cuda.empty_cache()
    assert not (tmp_path / inter.stage_id).exists()
