"""Checkpoint selection as a recorded choice (`select`): en-dev keeps the best English dev weights, last the final
ones, target-dev the best on the target's other languages (recorded as not zero-shot), average-k the mean of the
weights at the last k evaluation points; the rule is in the stage's config and its record; bad values fail in one
line before compute; a killed average-k stage resumes to the same weights."""

import json
from dataclasses import replace

import pytest
import torch

from xlt_core import pipeline, training
from xlt_core.cli import main
from xlt_core.config import StageConfig, TrainConfig, chain, check_options_apply, check_select
from xlt_core.errors import XltError
from xlt_core.training import CostMeter, TaskData, train

SMALL = dict(intermediate="none", target="xnli", languages="de", train_size=40, eval_size=10)


@pytest.fixture(scope="module")
def setup():
    """The tiny model's pieces for training XNLI directly: tokenizer, encoder weights, features (40 examples)."""
    from xlt_core.models import load_encoder, load_tokenizer
    from xlt_core.tasks import get_task
    from xlt_core.tasktypes import TYPES

    [target, _] = chain(**SMALL)
    spec = get_task("xnli")
    ex, names = pipeline.training_examples(target, spec)
    tokenizer = load_tokenizer("tiny")
    feats = TYPES[spec.type].encode(spec, ex, tokenizer, 64)
    return tokenizer, load_encoder("tiny").state_dict(), TaskData("xnli", TYPES[spec.type], feats, 40), names


def trained(setup, select: str, dev_scores=None, target_scores=None, epochs: float = 3.0):
    """Train on 40 examples, batch 16 (3 steps an epoch); every dev_score call returns the next scripted score
    (0 when none) and clones the weights it was called with."""
    from xlt_core.models import TaskModel, load_encoder

    tokenizer, weights, task, names = setup
    encoder = load_encoder("tiny")
    encoder.load_state_dict(weights)
    torch.manual_seed(0)
    model = TaskModel(encoder, {"xnli": ("pair_classification", list(names))})
    seen, scores, targets = [], iter(dev_scores or []), iter(target_scores or [])

    def dev_score(m):
        seen.append({k: v.detach().clone() for k, v in m.state_dict().items()})
        return next(scores, 0.0)

    cfg = TrainConfig(epochs=epochs, lr=2e-3, batch_size=16, max_length=64, select=select)
    result = train(model, [task], dev_score, cfg, 0, tokenizer.pad_token_id, torch.device("cpu"),
                   CostMeter(torch.device("cpu")),
                   target_dev_score=(lambda m: next(targets)) if target_scores else None)
    return model.state_dict(), seen, result


def same(a: dict, b: dict) -> bool:
    return a.keys() == b.keys() and all(torch.equal(a[k], b[k]) for k in a)


def test_average_k_keeps_the_mean_of_the_weights_at_the_last_k_evaluation_points(setup):
    kept, seen, result = trained(setup, "average-2")
    assert [row["step"] for row in result["history"]] == [3, 6, 9] and len(seen) == 4  # + the averaged weights
    assert result["selection"] == {"rule": "average-2", "steps": [6, 9], "score": 0.0}
    assert not same(seen[1], seen[2])  # the weights moved between the two points
    for name, value in kept.items():
        assert torch.allclose(value, (seen[1][name] + seen[2][name]) / 2, atol=1e-7), name
    assert same(kept, seen[3])  # the averaged weights are the ones scored once more: their dev score is recorded


def test_last_keeps_the_final_weights_and_en_dev_the_first_best(setup):
    kept, seen, result = trained(setup, "last", dev_scores=[0.9, 0.5, 0.1])
    assert same(kept, seen[2]) and len(seen) == 3
    assert result["selection"] == {"rule": "last", "steps": [9], "score": 0.1} and result["dev_score"] == 0.1
    kept, seen, result = trained(setup, "en-dev", dev_scores=[0.9, 0.5, 0.9])
    assert same(kept, seen[0]) and not same(kept, seen[2])  # the first best on ties
    assert result["selection"] == {"rule": "en-dev", "steps": [3], "score": 0.9} and result["dev_score"] == 0.9


def test_target_dev_keeps_the_best_target_score_and_records_both(setup):
    kept, seen, result = trained(setup, "target-dev", dev_scores=[0.9, 0.5, 0.1], target_scores=[0.2, 0.7, 0.3])
    assert same(kept, seen[1])
    assert result["history"][1] == {"step": 6, "dev_score": 0.5, "target_dev_score": 0.7}
    assert result["selection"] == {"rule": "target-dev", "steps": [6], "score": 0.7} and result["dev_score"] == 0.5


def test_the_rule_is_in_the_stage_config_and_its_record_and_target_dev_is_not_zero_shot(tmp_path):
    [target, evaluate] = chain(**SMALL, select="target-dev")
    target = replace(target, train=replace(target.train, dev_size=20))  # 20 dev examples in each of 15 languages
    evaluate = replace(evaluate, parent=target)
    record = pipeline.run_stage(target, tmp_path)
    on_disk = json.loads((tmp_path / target.stage_id / "config.json").read_text())
    assert on_disk["config"]["train"]["select"] == "target-dev" and on_disk["dev"] == record["dev"]
    dev = record["dev"]
    assert dev["zero_shot"] is False and set(dev["selection"]) == {"rule", "steps", "score", "languages"}
    assert dev["selection"]["rule"] == "target-dev" and "en" not in dev["selection"]["languages"]
    assert "de" in dev["selection"]["languages"] and all("target_dev_score" in row for row in dev["history"])
    chosen = next(row for row in dev["history"] if row["step"] == dev["selection"]["steps"][0])
    assert dev["selection"]["score"] == chosen["target_dev_score"] and dev["dev_score"] == chosen["dev_score"]
    pipeline.run_stage(evaluate, tmp_path)
    [inter, default, _] = chain(**{**SMALL, "intermediate": "mnli"})
    assert inter.train.select == default.train.select == "en-dev"


def test_a_killed_average_k_stage_resumes_to_the_same_weights(tmp_path, monkeypatch):
    from safetensors.torch import load_file

    [target, _] = chain(**SMALL, select="average-3")  # tiny xnli: 4 epochs of 2 steps
    straight = pipeline.run_stage(target, tmp_path / "straight")
    save = training._save_checkpoint

    def save_then_die(*args):
        save(*args)
        raise KeyboardInterrupt("killed after a checkpoint inside the averaged points")

    monkeypatch.setenv("XLT_CHECKPOINT_EVERY", "5")  # after step 5: the sum holds step 4's weights
    monkeypatch.setattr(training, "_save_checkpoint", save_then_die)
    with pytest.raises(KeyboardInterrupt):
        pipeline.run_stage(target, tmp_path / "resumed")
    monkeypatch.setattr(training, "_save_checkpoint", save)
    resumed = pipeline.run_stage(target, tmp_path / "resumed")
    assert resumed["cost"]["resumed_at_step"] == 5 and resumed["dev"]["selection"]["steps"] == [4, 6, 8]
    assert resumed["dev"]["history"] == straight["dev"]["history"]
    assert resumed["dev"]["dev_score"] == straight["dev"]["dev_score"]
    a, b = (load_file(str(tmp_path / d / target.stage_id / "checkpoint" / "heads.safetensors"))
            for d in ("straight", "resumed"))
    assert a.keys() == b.keys() and all(torch.equal(a[k], b[k]) for k in a)


@pytest.mark.parametrize("value", ["best", "average-1", "average-0", "average-02", "average", 2, None])
def test_a_bad_rule_is_one_line_naming_it(value):
    with pytest.raises(XltError, match=r"^unknown select .*: choose en-dev, last, target-dev or average-k with an "
                                       r"integer k >= 2 \(e\.g\. average-2\)$"):
        check_select(value, 4.0)


def test_wrong_places_and_too_few_checkpoints_fail_before_compute():
    check_select("average-3", 2.5)  # 2.5 epochs: after epochs 1 and 2, and at the end
    with pytest.raises(XltError, match=r"^select 'average-4' averages the last 4 checkpoints, but 2.5 epochs give 3 "
                                       r"\(.*\): give at least 4 epochs or a smaller k$"):
        chain(**SMALL, epochs=2.5, select="average-4")
    with pytest.raises(XltError, match="^select 'target-dev' needs dev data in a language other than English, and "
                                       "xquad has none"):
        chain(intermediate="none", target="xquad", select="target-dev")
    with pytest.raises(XltError, match="^select 'last' does not apply to target tatoeba"):
        check_options_apply("mnli", "tatoeba", "sample", select="last")
    [inter, *_] = chain(intermediate="mnli", target="xnli")
    with pytest.raises(XltError, match="^select 'last' does not apply to an intermediate stage"):
        StageConfig.from_dict({**inter.to_dict(), "train": {**inter.to_dict()["train"], "select": "last"}})


def test_xlt_run_with_too_few_checkpoints_exits_2_with_one_line(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    assert main(["run", "--intermediate", "none", "--select", "average-9", "--runs-dir", "runs"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("xlt: error: select 'average-9' averages the last 9 checkpoints, but 4 epochs give 4")
    assert err.count("\n") == 1 and list(tmp_path.iterdir()) == []
    assert main(["run", "--target", "tatoeba", "--select", "en-dev"]) == 2
    assert "select 'en-dev' does not apply to target tatoeba" in capsys.readouterr().err
