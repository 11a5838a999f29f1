"""Stage functions, called by the stage notebooks (and directly by tests and benchmarks).

Each stage writes one run folder, `runs/<stage_id>/`, atomically: config.json (the full config, the model's
identity (modelinfo: canonical name, size, parameters), provenance and the dev score used for model selection), checkpoint/ (safetensors), scores.json (per-language scores of an
evaluate stage), predictions/, cost.json, and, when run through papermill, notebook.ipynb. A finished stage is
never recomputed: its folder exists under its content-hash id.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from tqdm import tqdm  # text bars: they stream from papermill kernels to the terminal or the sweep log

from .config import StageConfig
from .data import bucc_original, examples, forget_sources, load_split, reindex_tags, revision_given, subsample, take
from .errors import XltError
from .paths import atomic_dir
from .provenance import collect, now
from .rundir import is_done, read_run, run_folder
from .staging import drop_partial, partial_dir, reclaim, stage_lock
from .storage import storage_errors
from .tasks import TASKS, TaskSpec, get_task, training_languages, training_task


def as_config(config) -> StageConfig:
    return config if isinstance(config, StageConfig) else StageConfig.from_dict(config)


def run_stage(config, runs_dir="runs", work_dir=None, device: str = "auto") -> dict:
    """Run one stage unless its run folder exists; return its record (config, dev score, scores, cost).

    work_dir: where to write (the papermill runner passes a temporary folder and renames it when the notebook is
    complete); None writes to a temporary folder here and renames it at the end, then drops the training checkpoint
    (in that order: a kill in between loses nothing).
    """
    cfg = as_config(config)
    if work_dir is None:  # called directly (tests, benchmarks, a notebook by hand): this process owns the stage
        reclaim(runs_dir)
        with stage_lock(runs_dir, cfg.stage_id):
            return _run_stage(cfg, runs_dir, None, device)
    return _run_stage(cfg, runs_dir, work_dir, device)


def _run_stage(cfg: StageConfig, runs_dir, work_dir, device: str) -> dict:
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
    drop_partial(runs_dir, cfg.stage_id)
    return read_run(final)


def _compute(cfg: StageConfig, out: Path, runs_dir: Path, device: str) -> None:
    """The stage's outputs in `out`, config.json last. A full disk or an unwritable folder is a StorageError (the
    papermill runner recognises it by name across the kernel boundary)."""
    from .modelinfo import identify
    from .training import CostMeter, pick_device

    model = identify(cfg.model)  # from its config: canonical name, size, preset, parameters (the same for an alias)
    started = now()
    forget_sources()  # the provenance lists the sources this stage reads
    meter = CostMeter(pick_device(device))
    with storage_errors(out):
        result = STAGES[cfg.stage](cfg, out, runs_dir, meter)
    write_json(out / "scores.json", result.pop("scores", []), indent=1)
    write_json(out / "cost.json", meter.summary(), indent=1)
    record = {"stage_id": cfg.stage_id, "config": cfg.to_dict(), "intermediate_task": cfg.intermediate_task,
              "target_task": cfg.target_task, "model_size": model.size, "model": model.to_dict(),
              "parent_id": cfg.parent.stage_id if cfg.parent else None,
              "provenance": collect(), "started_at": started, "finished_at": now(), **result}
    write_json(out / "config.json", record, indent=1)  # written last: its presence means "done"


def write_json(path: Path, value, **kwargs) -> None:
    """A JSON file of the run folder; a full disk names the file (a failed write's OSError names none)."""
    with storage_errors(path):
        path.write_text(json.dumps(value, **kwargs))


def example_ids(ex: dict) -> list[str]:
    """The examples' own ids (QA), else a fingerprint of each example's fields: what pairs two runs' per-example
    values and proves they scored the same examples."""
    import hashlib

    if "id" in ex:
        return [str(i) for i in ex["id"]]
    keys = sorted(ex)
    return [hashlib.sha1(json.dumps([row[k] for k in keys], ensure_ascii=False, default=str).encode()).hexdigest()[:16]
            for row in ({k: ex[k][i] for k in keys} for i in range(len(ex[keys[0]])))]


def write_items(path: Path, ids: list[str], predictions: list, items: dict[str, list], **meta) -> None:
    """predictions/<lang>.parquet: one row per evaluation example (its position, id, prediction as JSON) with the
    per-example values of its metric (results.examples reads them; xlt_core.stats tests gains on them)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    columns = {"example": pa.array(range(len(ids)), pa.int32()), "id": pa.array(ids, pa.string()),
               "prediction": pa.array([json.dumps(p, ensure_ascii=False) for p in predictions], pa.string()),
               **{name: pa.array(values) for name, values in items.items()}}
    table = pa.table(columns).replace_schema_metadata({"xlt": json.dumps(meta)})
    with storage_errors(path):
        pq.write_table(table, path)


def split_examples(cfg: StageConfig, spec: TaskSpec, split: str, language: str, size: int | None = None,
                   names=None) -> dict[str, list]:
    """Canonical examples of one split, subsampled deterministically by the stage seed."""
    ex = examples(spec, load_split(spec, split, language, cfg.data, revision_given(cfg.data_revision)))
    if names is not None and spec.type == "tagging":
        ex = reindex_tags(ex, names)
    first = next(iter(ex.values()))
    return take(ex, subsample(len(first), size, cfg.seed))


def train_split(cfg: StageConfig, spec: TaskSpec) -> dict[str, list]:
    """The canonical training examples of one task in all its training languages, joined."""
    parts = [examples(spec, load_split(spec, "train", lang, cfg.data, revision_given(cfg.data_revision)))
             for lang in training_languages(spec)]
    return {k: [v for part in parts for v in part[k]] for k in parts[0]}


def training_examples(cfg: StageConfig, spec: TaskSpec) -> tuple[dict[str, list], tuple[str, ...]]:
    """Training examples of `spec` (its train_task's, joined by its `mix` tasks as ANLI+ is), subsampled, and
    the label names (read from the data when the task lists none, as CCG)."""
    source = training_task(spec)
    parts = [train_split(cfg, t) for t in (source, *(TASKS[m] for m in source.mix))]
    ex = {k: [v for part in parts for v in part[k]] for k in parts[0]}
    names = spec.label_names
    if spec.type == "tagging" and not names:
        names = tuple(sorted({t for row in ex["tag_names"] for t in row}))
        ex = reindex_tags(ex, names)
    first = next(iter(ex.values()))
    return take(ex, subsample(len(first), cfg.train.train_size, cfg.seed)), names


def predictions_and_scores(model, head: str, spec: TaskSpec, ex: dict, tokenizer, max_length: int, lang: str, names,
                           device, meter=None, feats=None, options: dict | None = None) -> tuple[list, dict]:
    """Predict, then score: features (built here unless given, with the task type's encode `options`) -> the
    model's `head` -> per-example predictions -> `spec`'s metric."""
    from .tasktypes import TYPES
    from .training import run_model

    ttype = TYPES[spec.type]
    feats = feats or ttype.encode(spec, ex, tokenizer, max_length, **(options or {}))
    outputs = run_model(model, head, ttype, feats, tokenizer.pad_token_id, device, meter=meter)
    preds = ttype.decode(spec, ex, feats, outputs)
    return preds, ttype.score(spec, ex, preds, lang, names)


def _train_stage(cfg: StageConfig, out: Path, runs_dir: Path, meter) -> dict:
    """Intermediate and target stages: encoder (pretrained, or the parent's) + fresh heads, one per task, trained
    together (with MLM text mixed in when asked); English dev data (the training task's when the task has no
    English), averaged over tasks, scored after each epoch; the weights kept follow the target stage's
    `train.select` (intermediate stages: en-dev). The record's `dev` says which (`selection`) and whether the
    stage stayed zero-shot (target-dev scores the target languages' dev data)."""
    import torch

    from .models import TaskModel, load_encoder, load_tokenizer, save_task_model
    from .tasktypes import TYPES, MaskedLM, encode_options, headline
    from .training import TaskData, train

    source = str(run_folder(runs_dir, cfg.parent) / "checkpoint" / "encoder") if cfg.parent else cfg.model
    tokenizer, encoder = load_tokenizer(source), load_encoder(source)
    t = cfg.train
    specs = [get_task(name) for name in cfg.tasks]
    tasks, devs, heads = [], [], {}
    for spec in specs:
        train_ex, names = training_examples(cfg, spec)
        dev_spec = spec if "en" in spec.languages else training_task(spec)
        dev_ex = split_examples(cfg, dev_spec, "dev", "en", t.dev_size, names)
        feats = TYPES[spec.type].encode(spec, train_ex, tokenizer, t.max_length, **encode_options(spec, t))
        tasks.append(TaskData(spec.name, TYPES[spec.type], feats, len(next(iter(train_ex.values())))))
        dev_feats = TYPES[dev_spec.type].encode(dev_spec, dev_ex, tokenizer, t.max_length,  # once, not per epoch
                                                **encode_options(dev_spec, t))
        devs.append((spec, dev_spec, dev_ex, dev_feats, names))
        heads[spec.name] = (spec.type, list(names))
    mlm = None
    if t.mlm:
        masked = MaskedLM(tokenizer)
        mlm = TaskData("mlm", masked, masked.encode(TASKS["mlm"], train_split(cfg, TASKS["mlm"]), tokenizer,
                                                    t.max_length))
        heads["mlm"] = ("mlm", [])
    torch.manual_seed(cfg.seed)  # heads start from the same weights on every (re)run
    model = TaskModel(encoder, heads)
    compiled = os.environ.get("XLT_COMPILE", "0") == "1"  # opt-in: pays off on GPUs, not on a 2-core CPU
    if compiled:
        encoder.forward = torch.compile(encoder.forward, dynamic=True)  # module and weight names unchanged

    def dev_score(m) -> float:
        scores = [headline(dev_spec.metric, predictions_and_scores(m, spec.name, dev_spec, dev_ex, tokenizer,
                                                                   t.max_length, "en", names, meter.device,
                                                                   feats=dev_feats)[1])
                  for spec, dev_spec, dev_ex, dev_feats, names in devs]
        return sum(scores) / len(scores)

    dev_languages, target_dev = ("en",), None
    if t.select == "target-dev":  # a target stage: one task
        dev_languages, target_dev = _target_dev_score(cfg, specs[0], devs[0][4], tokenizer, meter.device)
    result = train(model, tasks, dev_score, t, cfg.seed, tokenizer.pad_token_id, meter.device, meter, mlm=mlm,
                   checkpoint=partial_dir(runs_dir, cfg.stage_id), checkpoint_every=checkpoint_every(),
                   target_dev_score=target_dev)
    result["selection"]["languages"] = list(dev_languages)
    save_task_model(model.cpu(), tokenizer, out / "checkpoint")
    return {"dev": {**result, "metric": "+".join(s.metric for s in specs), "language": "en",
                    "zero_shot": t.select != "target-dev",
                    "n_train": {task.name: len(task.feats.items) for task in tasks + ([mlm] if mlm else [])},
                    "attention": encoder.config._attn_implementation, "compiled": compiled}}


def _target_dev_score(cfg: StageConfig, spec: TaskSpec, names, tokenizer, device):
    """`select: target-dev`: (the languages, a function of the model giving the mean dev score over them): the
    target task's languages other than English with a dev split (config.target_dev_languages), `dev_size`
    examples each, features built once."""
    from .config import target_dev_languages
    from .tasktypes import TYPES, encode_options, headline

    t, languages = cfg.train, target_dev_languages(spec)
    data = []
    for lang in languages:
        ex = split_examples(cfg, spec, "dev", lang, t.dev_size, names)
        data.append((lang, ex, TYPES[spec.type].encode(spec, ex, tokenizer, t.max_length, **encode_options(spec, t))))

    def score(model) -> float:
        scores = [headline(spec.metric, predictions_and_scores(model, spec.name, spec, ex, tokenizer, t.max_length,
                                                               lang, names, device, feats=feats)[1])
                  for lang, ex, feats in data]
        return sum(scores) / len(scores)

    return languages, score


def checkpoint_every() -> int:
    """Steps between training checkpoints ($XLT_CHECKPOINT_EVERY, default 200; 0 turns them off)."""
    return int(os.environ.get("XLT_CHECKPOINT_EVERY", "200"))


def _evaluate_stage(cfg: StageConfig, out: Path, runs_dir: Path, meter) -> dict:
    """Zero-shot: predictions for every language of the task, then scores (retrieval: on the encoder itself)."""
    spec = get_task(cfg.task)
    (out / "predictions").mkdir()
    if spec.type == "retrieval":
        return {"scores": _retrieval_scores(cfg, spec, out, runs_dir, meter)}
    from .models import load_task_model, load_tokenizer
    from .tasktypes import TYPES, encode_options, metric_variant

    checkpoint = run_folder(runs_dir, cfg.parent) / "checkpoint"
    tokenizer = load_tokenizer(str(checkpoint / "encoder"))
    model = load_task_model(checkpoint).to(meter.device)
    names = model.head_specs[spec.name][1]
    rows = []
    for lang in tqdm(cfg.languages, desc=f"evaluate {spec.name}", unit="lang"):
        ex = split_examples(cfg, spec, cfg.split, lang, cfg.eval_size, names)
        preds, scores = predictions_and_scores(model, spec.name, spec, ex, tokenizer, cfg.parent.train.max_length,
                                               lang, names, meter.device, meter,
                                               options=encode_options(spec, cfg.parent.train))
        ttype = TYPES[spec.type]
        shown = [[names[t] for t in row] for row in preds] if spec.type == "tagging" else preds
        write_items(out / "predictions" / f"{lang}.parquet", example_ids(ex), shown,
                    ttype.items(spec, ex, preds, lang, names), task=spec.name, language=lang, split=cfg.split)
        variant = metric_variant(spec.metric, cfg.parent.train)
        n = len(next(iter(ex.values())))
        rows += [{"language": lang, "split": cfg.split, "metric": metric, "score": value, "n": n, "variant": variant}
                 for metric, value in scores.items()]
    return {"scores": rows}


def _retrieval_scores(cfg: StageConfig, spec: TaskSpec, out: Path, runs_dir: Path, meter) -> list[dict]:
    """BUCC: mine pairs of unique sentences, repeated sentences treated by `cfg.bucc_repeats` (official: dropped),
    threshold at the best-F1 midpoint on dev, F1 on the split.
    Tatoeba: top-1 accuracy of English queries. Layer and pooling go with every score."""
    from .models import load_encoder, load_tokenizer
    from .retrieval import bucc_candidates, bucc_f1, bucc_items, bucc_mine, bucc_threshold, sentence_ids, tatoeba_items
    from .tasktypes import default_layer, embed

    source = str(run_folder(runs_dir, cfg.parent) / "checkpoint" / "encoder") if cfg.parent else cfg.model
    tokenizer, encoder = load_tokenizer(source), load_encoder(source).to(meter.device)
    layer = cfg.layer if cfg.layer is not None else default_layer(encoder.config.num_hidden_layers)
    if layer > encoder.config.num_hidden_layers:
        raise XltError(f"layer {layer} does not exist: the encoder has {encoder.config.num_hidden_layers} layers")
    max_length = 512 if cfg.model_size != "tiny" else 128

    def vectors(texts):
        return embed(encoder, tokenizer, texts, layer, cfg.pooling, max_length, meter.device, meter=meter)

    def mined(ex):
        us, ids_s = sentence_ids(ex["source"], ex["source_id"], cfg.bucc_repeats)
        ut, ids_t = sentence_ids(ex["target"], ex["target_id"], cfg.bucc_repeats)
        cands = bucc_candidates(bucc_mine(vectors(us), vectors(ut)), ids_s, ids_t)
        return cands, set(ex.get("gold") or zip(ex["source_id"], ex["target_id"]))

    def bucc_split(split, lang):  # the original files (with distractors) when the data folder has them
        return bucc_original(cfg.data, lang, split) or split_examples(cfg, spec, split, lang, cfg.eval_size)

    rows = []
    for lang in tqdm(cfg.languages, desc=f"evaluate {spec.name}", unit="lang"):
        if spec.metric == "bucc":
            dev_cands, dev_gold = mined(bucc_split("dev", lang))
            threshold = bucc_threshold(dev_cands, dev_gold)
            ex = bucc_split(cfg.split, lang)
            cands, gold = mined(ex)
            scores = bucc_f1(cands, gold, threshold)
            items = bucc_items(cands, gold, threshold, list(dict.fromkeys(ex["source_id"])))
            ids = items.pop("id")
            kept: dict[str, list] = {}  # per source id, the target ids of its pairs at or above the threshold
            for s, t, score in cands:
                if score >= threshold:
                    kept.setdefault(s, []).append(t)
            preds, meta = [kept.get(i, []) for i in ids], {"threshold": threshold}
        else:
            ex = split_examples(cfg, spec, cfg.split, lang, cfg.eval_size)
            items = tatoeba_items(vectors(ex["target"]), vectors(ex["source"]))
            scores = {"accuracy": sum(items["accuracy"]) / len(items["accuracy"])}
            preds, ids, meta = items.pop("prediction"), example_ids(ex), {}
        write_items(out / "predictions" / f"{lang}.parquet", ids, preds, items, task=spec.name, language=lang,
                    split=cfg.split, **meta)
        rows += [{"language": lang, "split": cfg.split, "metric": metric, "score": value,
                  "n": len(ex["source"]), "layer": layer, "pooling": cfg.pooling,
                  "variant": f"repeats-{cfg.bucc_repeats}" if spec.metric == "bucc" else None}
                 for metric, value in scores.items()]
    return rows


STAGES = {"intermediate": _train_stage, "target": _train_stage, "evaluate": _evaluate_stage}
