"""The training regimes on the tiny model: samplers, multi-task heads, sequential chains, MLM, translated data,
and a stage killed with SIGKILL that resumes to exactly the uninterrupted result."""

import json
import os
import random
import signal
import subprocess
import sys
import time

import pytest
import torch
from safetensors.torch import load_file

from xlt_core import pipeline
from xlt_core.config import chain
from xlt_core.errors import XltError
from xlt_core.training import sampling_probabilities

SMALL = dict(intermediate_size=120, train_size=120, eval_size=10, epochs=1.0, languages="en,zh")


def test_sampling_probabilities_exact():
    sizes = {"mnli": 100, "squad": 300}
    assert sampling_probabilities(sizes, "proportional") == {"mnli": 0.25, "squad": 0.75}
    # temperature 2: sqrt(100) = 10, sqrt(300) = 17.3205 -> 10 / 27.3205 = 0.36603
    temp = sampling_probabilities(sizes, "temperature", 2.0)
    assert temp["mnli"] == pytest.approx(10 / (10 + 300 ** 0.5)) == pytest.approx(0.366025, abs=1e-6)
    assert sampling_probabilities(sizes, "uniform") == {"mnli": 0.5, "squad": 0.5}
    # large T approaches uniform, T = 1 is proportional
    assert sampling_probabilities(sizes, "temperature", 1.0) == pytest.approx({"mnli": 0.25, "squad": 0.75})


def test_the_draws_depend_only_on_the_seed():
    probs = sampling_probabilities({"a": 100, "b": 300}, "proportional")

    def draws(seed):
        rng = random.Random(seed)
        return [rng.choices(list(probs), list(probs.values()))[0] for _ in range(4000)]

    assert draws(3) == draws(3) and draws(3) != draws(4)
    assert draws(3).count("b") / 4000 == pytest.approx(0.75, abs=0.03)


def test_multi_task_keeps_one_head_per_task(tmp_path):
    [inter, *_] = chain(intermediate="mnli+squad", target="xnli", **SMALL)
    record = pipeline.run_stage(inter, tmp_path)
    heads = json.loads((tmp_path / inter.stage_id / "checkpoint" / "heads.json").read_text())
    assert {name: h["type"] for name, h in heads.items()} == {"mnli": "pair_classification", "squad": "span_qa"}
    tensors = load_file(str(tmp_path / inter.stage_id / "checkpoint" / "heads.safetensors"))
    assert {k.split(".")[0] for k in tensors} == {"mnli", "squad"}
    assert record["dev"]["sampling"] == pytest.approx({"mnli": 0.5, "squad": 0.5})  # 120 examples each
    assert record["intermediate_task"] == "mnli+squad"


def test_a_sequential_chain_carries_the_encoder(tmp_path, monkeypatch):
    stages = chain(intermediate="mnli>squad", target="xnli", **SMALL)
    assert [c.stage for c in stages] == ["intermediate", "intermediate", "target", "evaluate"]
    pipeline.run_stage(stages[0], tmp_path)
    started = {}
    from xlt_core import models

    original = models.load_encoder

    def spy(source):
        encoder = original(source)
        started[source] = {k: v.clone() for k, v in encoder.state_dict().items()}
        return encoder

    monkeypatch.setattr(models, "load_encoder", spy)
    pipeline.run_stage(stages[1], tmp_path)
    [(source, weights)] = started.items()
    assert source == str(tmp_path / stages[0].stage_id / "checkpoint" / "encoder")
    after_link_1 = load_file(str(tmp_path / stages[0].stage_id / "checkpoint" / "encoder" / "model.safetensors"))
    assert all(torch.equal(weights[k], v) for k, v in after_link_1.items())
    after_link_2 = load_file(str(tmp_path / stages[1].stage_id / "checkpoint" / "encoder" / "model.safetensors"))
    assert any(not torch.equal(after_link_2[k], v) for k, v in after_link_1.items())  # link 2 trained on


def test_mlm_co_training_and_translated_data(tmp_path):
    [inter, *_] = chain(intermediate="mnli", target="xnli", mlm=0.3, **SMALL)
    record = pipeline.run_stage(inter, tmp_path)
    assert record["intermediate_task"] == "mnli+mlm" and record["dev"]["n_train"]["mlm"] > 0
    heads = json.loads((tmp_path / inter.stage_id / "checkpoint" / "heads.json").read_text())
    assert list(heads) == ["mnli"]  # the MLM head is a training aid, never passed on
    [mt, *_] = chain(intermediate="xnli_mt", target="xnli", **SMALL)
    ex, _ = pipeline.training_examples(mt, pipeline.get_task("xnli_mt"))
    assert len(ex["text_a"]) == 120 and any("。" in t for t in ex["text_a"])  # drawn from all 15 languages


def test_subsample_is_the_same_for_the_same_seed():
    spec = pipeline.get_task("squad")
    [a, *_] = chain(intermediate="squad", intermediate_size=50, seed=1)
    [b, *_] = chain(intermediate="squad", intermediate_size=50, seed=1)
    [c, *_] = chain(intermediate="squad", intermediate_size=50, seed=2)
    ids = [pipeline.training_examples(cfg, spec)[0]["id"] for cfg in (a, b, c)]
    assert ids[0] == ids[1] != ids[2] and len(ids[0]) == 50


def test_out_of_memory_names_the_batch_size(monkeypatch, tmp_path):
    from xlt_core import tasktypes

    def boom(self, out, batch):
        raise torch.cuda.OutOfMemoryError("CUDA out of memory")

    monkeypatch.setattr(tasktypes.PairClassification, "loss", boom)
    [inter, *_] = chain(intermediate="mnli", batch_size=24, **SMALL)
    with pytest.raises(XltError, match="CUDA out of memory with batch size 24 .* lower --batch-size"):
        pipeline.run_stage(inter, tmp_path)


RUN = ("import sys, json; from xlt_core.config import StageConfig; from xlt_core.pipeline import run_stage;"
       "run_stage(StageConfig.from_dict(json.loads(sys.argv[1])), sys.argv[2])")


def test_killed_stage_resumes_to_exactly_the_uninterrupted_result(tmp_path):
    [inter, *_] = chain(intermediate="mnli+squad", target="xnli", intermediate_size=300, epochs=2.0, mlm=0.2,
                        languages="en")
    env = {**os.environ, "XLT_CHECKPOINT_EVERY": "4"}
    args = [sys.executable, "-c", RUN, json.dumps(inter.to_dict())]
    subprocess.run(args + [str(tmp_path / "straight")], env={**env, "XLT_CHECKPOINT_EVERY": "0"}, check=True,
                   capture_output=True)
    proc = subprocess.Popen(args + [str(tmp_path / "killed")], env=env, stderr=subprocess.DEVNULL)
    state = tmp_path / "killed" / ".partial" / inter.stage_id / "state.pt"
    deadline = time.time() + 120
    while not state.exists() and time.time() < deadline and proc.poll() is None:
        time.sleep(0.05)
    assert state.exists(), "no checkpoint was written before the stage ended"
    time.sleep(0.3)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    assert not (tmp_path / "killed" / inter.stage_id).exists()  # nothing finished, nothing half-written
    subprocess.run(args + [str(tmp_path / "killed")], env=env, check=True, capture_output=True)
    straight, resumed = (tmp_path / d / inter.stage_id for d in ("straight", "killed"))
    a, b = (json.loads((d / "config.json").read_text())["dev"] for d in (straight, resumed))
    assert a["history"] == b["history"] and a["dev_score"] == b["dev_score"]
    assert json.loads((resumed / "cost.json").read_text())["resumed_at_step"] > 0
    for part in ("encoder/model.safetensors", "heads.safetensors"):
        x, y = (load_file(str(d / "checkpoint" / part)) for d in (straight, resumed))
        assert x.keys() == y.keys() and all(torch.equal(x[k], y[k]) for k in x)
    assert not (tmp_path / "killed" / ".partial" / inter.stage_id).exists()  # cleaned up once finished


def test_compile_is_opt_in_and_recorded(tmp_path, monkeypatch):
    calls = []
    monkeypatch.setattr(torch, "compile", lambda fn, **kw: calls.append(kw) or fn)  # the plumbing, not inductor
    [inter, *_] = chain(intermediate="mnli", **SMALL)
    monkeypatch.setenv("XLT_COMPILE", "1")
    record = pipeline.run_stage(inter, tmp_path)
    assert calls == [{"dynamic": True}] and record["dev"]["compiled"] is True
    assert record["dev"]["attention"] == "sdpa"
