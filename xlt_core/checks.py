"""Checks made before any stage runs, so that a bad input fails in one line (exit 2) with nothing computed or
written: every model is loadable, every split each stage will read exists with the task's columns."""

from __future__ import annotations

from pathlib import Path

from .config import StageConfig
from .data import LICENSED, bucc_original, check_split, local_root
from .errors import XltError
from .hub import available, unreachable
from .tasks import TASKS, TaskSpec, get_task, training_languages, training_task


def reads(cfg: StageConfig) -> list[tuple[TaskSpec, str, str]]:
    """The (task, split, language) triples a stage loads: for a training stage, every task trained together
    ("mnli+squad"), its training sources in all their training languages, its English dev data, and the MLM
    text when MLM is mixed in."""
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
    if cfg.train.mlm:
        out += [(TASKS["mlm"], "train", lang) for lang in training_languages(TASKS["mlm"])]
    return list({(t.name, split, lang): (t, split, lang) for t, split, lang in out}.values())


def preflight(stages: list[StageConfig]) -> None:
    for cfg in stages:
        if cfg.model != "tiny" and not Path(cfg.model).is_dir() and not available(cfg.model):
            raise unreachable(cfg.model, "model")
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
