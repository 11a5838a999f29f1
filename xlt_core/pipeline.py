"""Stage functions, called by the stage notebooks (and directly by tests and benchmarks).

Each stage writes one run folder, `runs/<stage_id>/`, atomically: config.json (the full config, provenance and
the dev score used for model selection), checkpoint/ (safetensors), scores.json (per-language scores of an
evaluate stage), predictions/, cost.json, and, when run through papermill, notebook.ipynb. A finished stage is
never recomputed: its folder exists under its content-hash id.
"""

from __future__ import annotations

import json
from pathlib import Path

from tqdm.auto import tqdm

from .config import StageConfig
from .data import examples, load_split, subsample, take
from .errors import XltError
from .features import encode_pairs
from .paths import atomic_dir
from .provenance import collect, now
from .rundir import is_done, read_run, run_folder
from .tasks import get_task, training_task


def as_config(config) -> StageConfig:
    return config if isinstance(config, StageConfig) else StageConfig.from_dict(config)


def run_stage(config, runs_dir="runs", work_dir=None, device: str = "auto") -> dict:
    """Run one stage unless its run folder exists; return its record (config, dev score, scores, cost).

    work_dir: where to write (the papermill runner passes a temporary folder and renames it when the notebook is
    complete); None writes to a temporary folder here and renames it at the end.
    """
    cfg = as_config(config)
    final = run_folder(runs_dir, cfg)
    if is_done(runs_dir, cfg):
        return read_run(final)
    if cfg.parent is not None and not is_done(runs_dir, cfg.parent):
        raise XltError(f"stage {cfg.stage_id} needs {cfg.parent.stage_id} in {runs_dir} first: run the whole "
                       "chain (xlt run) or that stage")
    if work_dir is not None:
        _compute(cfg, Path(work_dir), Path(runs_dir), device)
        return read_run(work_dir)
    with atomic_dir(final) as tmp:
        _compute(cfg, tmp, Path(runs_dir), device)
    return read_run(final)


def _compute(cfg: StageConfig, out: Path, runs_dir: Path, device: str) -> None:
    from .training import CostMeter, pick_device

    started = now()
    meter = CostMeter(pick_device(device))
    result = STAGES[cfg.stage](cfg, out, runs_dir, meter)
    (out / "scores.json").write_text(json.dumps(result.pop("scores", []), indent=1))
    (out / "cost.json").write_text(json.dumps(meter.summary(), indent=1))
    record = {"stage_id": cfg.stage_id, "config": cfg.to_dict(), "intermediate_task": cfg.intermediate_task,
              "target_task": cfg.target_task, "model_size": cfg.model_size,
              "parent_id": cfg.parent.stage_id if cfg.parent else None,
              "provenance": collect(), "started_at": started, "finished_at": now(), **result}
    (out / "config.json").write_text(json.dumps(record, indent=1))  # written last: its presence means "done"


def encoded_split(cfg: StageConfig, task_name: str, split: str, language: str, tokenizer, max_length: int,
                  size: int | None = None) -> tuple[list[list[int]], list[int]]:
    """Token ids and gold labels of one split, subsampled deterministically by the stage seed."""
    spec = get_task(task_name)
    ex = examples(spec, load_split(spec, split, language, cfg.data))
    ex = take(ex, subsample(len(ex["label"]), size, cfg.seed))
    return encode_pairs(tokenizer, ex["text_a"], ex["text_b"], max_length), ex["label"]


def _train_stage(cfg: StageConfig, out: Path, runs_dir: Path, meter) -> dict:
    """Intermediate and target stages: encoder (pretrained, or the parent's) + a fresh head, trained on English."""
    from .models import TaskModel, load_encoder, load_tokenizer, save_task_model
    from .training import train

    spec = get_task(cfg.task)
    source = str(run_folder(runs_dir, cfg.parent) / "checkpoint" / "encoder") if cfg.parent else cfg.model
    tokenizer, encoder = load_tokenizer(source), load_encoder(source)
    t = cfg.train
    ids, labels = encoded_split(cfg, training_task(spec).name, "train", "en", tokenizer, t.max_length, t.train_size)
    dev_ids, dev_labels = encoded_split(cfg, spec.name, "dev", "en", tokenizer, t.max_length, t.dev_size)
    model = TaskModel(encoder, [spec])
    result = train(model, spec.name, ids, labels, dev_ids, dev_labels, t, cfg.seed, tokenizer.pad_token_id,
                   meter.device, meter, metric=spec.metric)
    save_task_model(model.cpu(), tokenizer, out / "checkpoint")
    return {"dev": {**result, "language": "en", "n_train": len(ids), "n_dev": len(dev_ids)}}


def _evaluate_stage(cfg: StageConfig, out: Path, runs_dir: Path, meter) -> dict:
    """Zero-shot: the target stage's model predicts every language of the task; predictions, then scores."""
    from .metrics import score
    from .models import load_task_model, load_tokenizer
    from .training import predict

    spec = get_task(cfg.task)
    checkpoint = run_folder(runs_dir, cfg.parent) / "checkpoint"
    tokenizer = load_tokenizer(str(checkpoint / "encoder"))
    model = load_task_model(checkpoint).to(meter.device)
    (out / "predictions").mkdir()
    rows = []
    for lang in tqdm(cfg.languages, desc=f"evaluate {spec.name}", unit="lang"):
        ids, golds = encoded_split(cfg, spec.name, cfg.split, lang, tokenizer, cfg.parent.train.max_length,
                                   cfg.eval_size)
        preds = predict(model, spec.name, ids, tokenizer.pad_token_id, meter.device, meter=meter)
        (out / "predictions" / f"{lang}.json").write_text(json.dumps({"predictions": preds, "golds": golds}))
        for metric, value in score(spec.metric, preds, golds).items():
            rows.append({"language": lang, "split": cfg.split, "metric": metric, "score": value, "n": len(golds)})
    return {"scores": rows}


STAGES = {"intermediate": _train_stage, "target": _train_stage, "evaluate": _evaluate_stage}
