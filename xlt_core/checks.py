"""Checks made before any stage runs, so that a bad input fails in one line (exit 2) with nothing computed or
written: the environment variables the code reads, every model (its files, and the layer and length asked of
it), every file each stage will read (data.check_split), and the arguments of a stage job."""

from __future__ import annotations

import json
import os
from pathlib import Path

from .config import StageConfig, existing_dir, target_dev_languages, validate_device
from .data import LICENSED, bucc_original, check_split, local_root
from .errors import XltError, one_of, shown
from .hub import available, unreachable
from .rundir import is_done
from .tasks import TASKS, TaskSpec, get_task, training_languages, training_task

TOKENIZER_FILES = ("tokenizer.json", "sentencepiece.bpe.model", "spiece.model", "tokenizer.model", "vocab.json",
                   "vocab.txt")
WEIGHT_FILES = ("model.safetensors", "model.safetensors.index.json", "pytorch_model.bin",
                "pytorch_model.bin.index.json")


def _non_negative_int(value: str) -> bool:
    try:
        return int(value) >= 0  # parsed as pipeline.checkpoint_every parses it
    except ValueError:
        return False


def _nearest_existing(path) -> Path:
    """`path` if it exists, else its nearest existing ancestor: where a folder made on first use would start."""
    path = Path(path).absolute()
    return next(p for p in (path, *path.parents) if p.exists())


# variable -> (test of its value, what is allowed); where each is read: pipeline (the first two), data.local_root,
# paths.cache_dir, hub.offline_mode. An empty value means "not set" where the reader treats it so.
ENVIRONMENT = {
    "XLT_CHECKPOINT_EVERY": (_non_negative_int,
                             "a non-negative integer (training steps between checkpoints; 0: none)"),
    "XLT_COMPILE": (lambda v: v in ("0", "1"), "0 or 1"),
    LICENSED: (lambda v: not v or existing_dir(v) is not None, "an existing directory in the hub layout"),
    "XLT_CACHE": (lambda v: not v or _nearest_existing(v).is_dir(), "a directory, or a path where one can be made"),
    "HF_HUB_OFFLINE": (lambda v: v.lower() in ("", "0", "1", "true", "false", "yes", "no", "on", "off"),
                       "1, true, yes or on (offline); 0, false, no or off"),
}


def check_environment() -> None:
    for name, (test, allowed) in ENVIRONMENT.items():
        value = os.environ.get(name)
        if value is not None and not test(value):
            raise XltError(f"environment variable {name}={shown(value)}: expected {allowed}")


def check_runs_dir(runs_dir) -> None:
    """The folder of run folders exists as a folder or can be made (its nearest existing ancestor is a folder)."""
    if not str(runs_dir).strip():
        raise XltError("runs folder '' is empty: give a folder for the run folders (--runs-dir; made when missing)")
    existing = _nearest_existing(runs_dir)
    if not existing.is_dir():
        where = "" if existing == Path(runs_dir).absolute() else f": {existing}"
        raise XltError(f"runs folder {runs_dir}{where} is not a folder: give a folder for the run folders "
                       "(--runs-dir; made when missing)")


# models -------------------------------------------------------------------------------------------------------
def model_config(model: str) -> dict:
    """The model's shape (modelinfo.model_shape: its identity, read from its config without loading weights), once
    it is known that the model can be loaded: a folder must also hold tokenizer files and weights, a hub model must
    be in the Hugging Face cache or the hub must answer."""
    from .modelinfo import model_shape

    folder = None if model == "tiny" else existing_dir(model)
    if model != "tiny" and folder is None and not available(model):
        raise unreachable(model, "model")
    shape = model_shape(model)
    for what, names in (("tokenizer", TOKENIZER_FILES), ("weights", WEIGHT_FILES)) if folder else ():
        if not any((folder / name).is_file() for name in names):
            raise XltError(f"model folder {model} has no {what} file: expected one of {one_of(names)}")
    return shape


def check_shape(cfg: StageConfig, config: dict) -> None:
    """What a stage asks of the model's shape: the layer it pools exists, its sequences fit the positions
    (XLM-R's first two positions are taken by the padding offset)."""
    layers = config.get("num_hidden_layers")
    if cfg.layer is not None and isinstance(layers, int) and cfg.layer > layers:
        raise XltError(f"layer {cfg.layer} does not exist in model {cfg.model}: it has {layers} layers, "
                       f"choose 0-{layers}")
    positions = config.get("max_position_embeddings")
    if cfg.train is not None and isinstance(positions, int):
        longest = positions - 2 if "roberta" in config["model_type"] else positions
        if cfg.train.max_length > longest:
            raise XltError(f"max_length {cfg.train.max_length} is longer than model {cfg.model} takes: "
                           f"choose 8-{longest}")


# data ---------------------------------------------------------------------------------------------------------
def reads(cfg: StageConfig) -> list[tuple[TaskSpec, str, str]]:
    """The (task, split, language) triples a stage loads: for a training stage, every task trained together
    ("mnli+squad"), its training sources in all their training languages, its English dev data (and, selecting by
    target-dev, the dev data of the target's other languages), and the MLM text when MLM is mixed in."""
    if cfg.stage == "evaluate":
        spec = get_task(cfg.task)
        splits = [cfg.split] + (["dev"] if spec.metric == "bucc" and cfg.split != "dev" else [])
        return [(spec, split, lang) for split in splits for lang in cfg.languages]
    out = []
    for name in cfg.tasks:
        spec = get_task(name)
        source = training_task(spec)
        out += [(t, "train", lang) for t in (source, *(TASKS[m] for m in source.mix)) for lang in training_languages(t)]
        out.append((spec if "en" in spec.languages else source, "dev", "en"))
        if cfg.stage == "target" and cfg.train.select == "target-dev":  # selection on the other languages' dev
            out += [(spec, "dev", lang) for lang in target_dev_languages(spec)]
    if cfg.train.mlm:
        out += [(TASKS["mlm"], "train", lang) for lang in training_languages(TASKS["mlm"])]
    return list({(t.name, split, lang): (t, split, lang) for t, split, lang in out}.values())


def check_reads(cfg: StageConfig) -> None:
    """Every split the stage reads: local files in full (data.check_split); on the hub, only what is possible
    without downloading: that the dataset is cached or the hub answers."""
    for spec, split, lang in reads(cfg):
        if cfg.data == "hub" and spec.source.local_only:
            if not local_root("hub", spec):
                raise XltError(f"task {spec.name}: {spec.description}; set {LICENSED}=DIR (or pass --data DIR) "
                               f"with DIR/{spec.source.repo}/{spec.source.config}/<split>-00000-of-00001.parquet")
            check_split(spec, split, lang, cfg.data)
        elif cfg.data == "hub":
            if not available(spec.source.repo, "dataset"):
                raise unreachable(spec.source.repo, "dataset")
        elif not (spec.name == "bucc2018" and bucc_original(cfg.data, lang, split)):
            check_split(spec, split, lang, cfg.data)


def preflight(stages: list[StageConfig]) -> None:
    """Everything the stages need, checked before the first one runs."""
    check_environment()
    configs = {}
    for cfg in stages:
        if cfg.model not in configs:
            configs[cfg.model] = model_config(cfg.model)
        check_shape(cfg, configs[cfg.model])
        check_reads(cfg)


# a stage job --------------------------------------------------------------------------------------------------
def stage_job(argv: list[str]) -> tuple[dict, str, str]:
    """The arguments of `python -m xlt_core.runner CONFIG.json RUNS_DIR [DEVICE]` (a sweep worker, a Slurm job),
    checked before papermill starts: a JSON stage config whose parent stage is done, a runs folder, a known
    device, a sane environment. Returns (config, runs folder, device) for runner.run_stage_job."""
    if not 2 <= len(argv) <= 3:
        raise XltError(f"expected CONFIG.json RUNS_DIR [DEVICE], got {len(argv)} argument(s)")
    path, runs_dir, device = Path(argv[0]), argv[1], (argv[2:] or ["auto"])[0]
    try:
        cfg = StageConfig.from_dict(_read_json(path))
    except XltError as err:
        raise XltError(f"stage config {path}: {err}") from None
    validate_device(device)
    check_runs_dir(runs_dir)
    if cfg.parent is not None and not is_done(runs_dir, cfg.parent):
        raise XltError(f"stage {cfg.stage_id} needs its parent {cfg.parent.stage_id} done in {runs_dir}: run the "
                       "chain in order (xlt run, xlt sweep run)")
    check_environment()
    return cfg.to_dict(), runs_dir, device


def _read_json(path: Path):
    allowed = "expected a JSON stage config as xlt writes (runs/.logs/<stage_id>.json)"
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise XltError(f"does not exist: {allowed}") from None
    except IsADirectoryError:
        raise XltError(f"is a folder: {allowed}") from None
    except UnicodeDecodeError:
        raise XltError(f"is not UTF-8 text: {allowed}") from None
    except json.JSONDecodeError as err:
        raise XltError(f"line {err.lineno} is not valid JSON ({err.msg}): {allowed}") from None
    except OSError as err:
        raise XltError(f"cannot be read ({err.strerror}): {allowed}") from None
