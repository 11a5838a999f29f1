"""Typed, validated configs. Every bad value fails here, with one line naming the value and what is allowed,
before anything is computed or written.

A stage config is normalised (defaults resolved, parents embedded) and hashed: the same config and seed give the
same stage id, so a finished stage is reused, never recomputed.
"""

from __future__ import annotations

import hashlib
import json
import math
import re
import sys
from dataclasses import MISSING, asdict, dataclass, fields
from pathlib import Path

from .errors import XltError, one_of, shown
from .features import DOC_STRIDE, MAX_QUERY_LENGTH
from .tasks import (TARGET_TASKS, TASKS, TRAINABLE, TaskSpec, check_split_languages, get_task, lacking_split,
                    means_all, resolve_languages)

STAGES = ("intermediate", "target", "evaluate")
SAMPLINGS = ("proportional", "temperature", "uniform")
EVALUATE_OUTPUTS = "scores+per-example"  # what an evaluate stage writes: part of its id (StageConfig.stage_id)
# Checkpoint selection of a target stage (TrainConfig.select): which weights training keeps, among those at its
# evaluation points (the end of each epoch and the end of training):
#   en-dev      the best English dev score (the paper's; first best on ties). The default.
#   last        the final weights.
#   target-dev  the best mean dev score over the target task's other languages: not zero-shot.
#   average-k   the uniform average of the weights at the last k evaluation points (k >= 2).
# Intermediate stages always select by English dev (of their task, or of the task that trains it).
SELECTS = ("en-dev", "last", "target-dev", "average-k")
AVERAGE = re.compile(r"^average-([1-9][0-9]*)$")
POOLINGS = ("mean", "mean_nospecial", "cls")
# How BUCC treats a sentence that occurs more than once in its file (under several ids):
#   official  XTREME's bucc_eval (read_sent2id): a repeated sentence keeps no id, so its mined pairs are dropped
#             and its gold pairs stay unreachable. The default: scores comparable with published ones.
#   all-ids   a repeated sentence's mined pairs count under each of its ids.
BUCC_REPEATS = ("official", "all-ids")
RETRIEVAL_TARGETS = tuple(name for name in TARGET_TASKS if TASKS[name].type == "retrieval")
SEED_LIMIT = 2 ** 32  # seeds below it suit torch, numpy and random alike
EVALUATE_ONLY = ("languages", "split", "eval_size", "layer", "pooling", "bucc_repeats")  # StageConfig fields of evaluate stages


@dataclass(frozen=True)
class ModelPreset:
    size: str  # the size class it is for: tiny | base | large (modelinfo: by the model's shape, not its name)
    lr: float
    batch_size: int
    max_length: int
    epochs_scale: float = 1.0  # multiplies a task's default number of epochs


# Training defaults by size class (xlt_core.modelinfo: 24 x 1024 large, 12 x 768 base, the embedded shape tiny; any
# other shape takes base's). The upstream X-STILTs recipe (jiant): lr 1e-5, batch 32; the tiny embedded model needs a
# larger step size.
MODEL_PRESETS = {
    "tiny": ModelPreset(size="tiny", lr=2e-3, batch_size=32, max_length=64, epochs_scale=2.0),
    "base": ModelPreset(size="base", lr=1e-5, batch_size=32, max_length=128),
    "large": ModelPreset(size="large", lr=1e-5, batch_size=32, max_length=128),
}
# the embedded tiny model's shape (xlt_core.models builds it; preflight checks layers and lengths against it
# without importing torch)
TINY_SHAPE = dict(hidden_size=64, num_hidden_layers=2, num_attention_heads=4, intermediate_size=256,
                  max_position_embeddings=258)
HUB_ID = re.compile(r"^[A-Za-z0-9][\w.-]*/[\w.-]+$")
# jiant X-STILTs recipe: XNLI 2, PAWS-X 5, POS 10, NER 10, QA 2 epochs; intermediate tasks 2 unless stated
TASK_EPOCHS = {"xnli": 2, "pawsx": 5, "udpos": 10, "panx": 10, "xquad": 2, "mlqa": 2, "tydiqa": 2}
TYPE_MAX_LENGTH = {"span_qa": 384}  # upstream QA windows: 384 tokens (question <= 64, a window every 128)
# tiny QA: 128-token windows, the question cut to 32 tokens and a window every 32 tokens, so that the sample
# contexts (a few sentences) span several windows and the max-context choice is exercised
TINY_QA = dict(max_length=128, max_query_length=32, doc_stride=32)
QA_SPECIAL_TOKENS = 4  # XLM-R's pair template <s> q </s></s> c </s>


def existing_dir(text) -> Path | None:
    """`text` as an existing directory, else None. An empty string is not taken for the current directory."""
    if not isinstance(text, str) or not text.strip():
        return None
    try:
        path = Path(text).expanduser()
    except RuntimeError:  # "~someone" with no such user
        return None
    return path if path.is_dir() else None


def validate_model(model: str) -> str:
    from .modelinfo import ALIASES

    named = ("tiny", *(alias for alias in ALIASES if "/" not in alias))
    if isinstance(model, str) and (model in named or HUB_ID.fullmatch(model) or existing_dir(model)):
        return model
    raise XltError(f"unknown model {shown(model)}: use one of {one_of(named)}, a hub id (owner/name) or a "
                   "local directory")


def model_size(model: str) -> str:
    """The size class of `model`, read from its config (xlt_core.modelinfo), not from its name."""
    from .modelinfo import model_size as size

    return size(model)


def _check(name: str, value, kind, low, high=None, above=False, allow_none=False) -> None:
    """One number of a config: an int (never a bool) or a finite float, at least `low` (above it when `above`)
    and below `high`. Finiteness comes first: NaN passes every comparison, and inf would train forever or not
    at all. The message says what is allowed: "lr must be a finite number > 0, got nan"."""
    if value is None and allow_none:
        return
    numeric = isinstance(value, (int, float)) and not isinstance(value, bool)
    fits = numeric and (isinstance(value, int) or kind is float and math.isfinite(value))
    if fits and (value > low if above else value >= low) and (high is None or value < high):
        return
    what = "an integer" if kind is int else "a finite number"
    limits = f"{'>' if above else '>='} {low}" if high is None else f"in {'(' if above else '['}{low}, {high})"
    raise XltError(f"{name} must be {what} {limits}, got {shown(value)}")


def _text(name: str, value) -> None:
    if not isinstance(value, str):
        raise XltError(f"{name} must be a string, got {shown(value)}")


def _keys(what: str, given, cls) -> dict:
    """`given` as keyword arguments of the dataclass `cls`: a mapping with no unknown and no missing key."""
    names = [f.name for f in fields(cls)]
    if not isinstance(given, dict):
        raise XltError(f"{what}s must be a mapping of {one_of(names)}, got {shown(given)}")
    unknown = sorted(map(str, set(given) - set(names)))
    if unknown:
        raise XltError(f"unknown {what} {unknown[0]!r}: allowed {one_of(names)}")
    required = [f.name for f in fields(cls) if f.default is MISSING]
    missing = [name for name in required if name not in given]
    if missing:
        raise XltError(f"{what} {missing[0]!r} is missing: required {one_of(required)}")
    return given


def evaluation_points(epochs: float) -> int:
    """How many times training scores its weights on dev data (the candidate checkpoints of selection): at the
    end of each whole epoch and at the end of training; xlt_core.training's loop gives the same count for any
    number of steps per epoch."""
    return max(1, math.floor(epochs) + (0 if float(epochs).is_integer() else 1))


def average_k(select: str) -> int | None:
    """k of 'average-k', None for the other rules."""
    match = AVERAGE.fullmatch(select) if isinstance(select, str) else None
    return int(match.group(1)) if match else None


def check_select(select, epochs: float) -> None:
    """A checkpoint selection rule (SELECTS) that training with `epochs` can follow: average-k needs k >= 2 and
    at least k evaluation points."""
    k = average_k(select)
    if select not in SELECTS[:-1] and (k is None or k < 2):
        raise XltError(f"unknown select {shown(select)}: choose {one_of(SELECTS[:-1])} or average-k with an "
                       "integer k >= 2 (e.g. average-2)")
    points = evaluation_points(epochs)
    if k is not None and k > points:
        raise XltError(f"select {select!r} averages the last {k} checkpoints, but {epochs:g} epochs give {points} "
                       "(at the end of each epoch and at the end of training): give at least "
                       f"{k} epochs or a smaller k")


def target_dev_languages(spec: TaskSpec) -> tuple[str, ...]:
    """The languages whose dev data `select: target-dev` scores: the target task's languages other than English
    with a dev split of their own (not the test data under another name, as XQuAD's and TyDiQA's only split)."""
    splits = spec.source.splits
    if "dev" not in splits or splits["dev"] == splits.get("test"):
        return ()
    return tuple(lang for lang in spec.languages if lang != "en" and spec.source.has_split("dev", lang))


@dataclass(frozen=True)
class TrainConfig:
    epochs: float
    lr: float
    batch_size: int
    max_length: int
    train_size: int | None = None  # deterministic subsample of the English training data (None = all)
    dev_size: int | None = 500  # English dev examples used for model selection (jiant: the first 500)
    warmup_ratio: float = 0.1
    weight_decay: float = 0.01
    grad_accum: int = 1  # optimizer step every N batches (effective batch = batch_size x grad_accum)
    sampling: str = "proportional"  # multi-task: proportional | temperature | uniform
    temperature: float = 2.0  # multi-task, temperature sampling: p ~ size^(1/T)
    mlm: float = 0.0  # share of steps spent on masked LM over multilingual text (continued MLM co-training)
    doc_stride: int = DOC_STRIDE  # QA: tokens from one context window's start to the next
    max_query_length: int = MAX_QUERY_LENGTH  # QA: question tokens kept
    select: str = "en-dev"  # checkpoint selection (SELECTS): target stages only; intermediate stages use en-dev

    def __post_init__(self):
        _check("epochs", self.epochs, float, 0, above=True)
        _check("lr", self.lr, float, 0, above=True)
        _check("batch_size", self.batch_size, int, 1)
        _check("max_length", self.max_length, int, 8)
        _check("train_size", self.train_size, int, 1, allow_none=True)
        _check("dev_size", self.dev_size, int, 1, allow_none=True)
        _check("warmup_ratio", self.warmup_ratio, float, 0, 1)
        _check("weight_decay", self.weight_decay, float, 0)
        _check("grad_accum", self.grad_accum, int, 1)
        _check("temperature", self.temperature, float, 0, above=True)
        _check("mlm", self.mlm, float, 0, 1)  # a share of the steps
        _check("doc_stride", self.doc_stride, int, 1)
        _check("max_query_length", self.max_query_length, int, 1)
        if not isinstance(self.sampling, str) or self.sampling not in SAMPLINGS:
            raise XltError(f"unknown sampling {shown(self.sampling)}: choose {one_of(SAMPLINGS)}")
        check_select(self.select, self.epochs)

    def check_qa_window(self) -> None:
        """A QA window holds the question (at most max_query_length tokens), the special tokens and at least one
        context token."""
        least = self.max_query_length + QA_SPECIAL_TOKENS + 1
        if self.max_length < least:
            raise XltError(f"max_length {self.max_length} leaves no room for the context in a QA window after "
                           f"max_query_length {self.max_query_length} and {QA_SPECIAL_TOKENS} special tokens: "
                           f"choose max_length >= {least} or max_query_length <= "
                           f"{max(1, self.max_length - QA_SPECIAL_TOKENS - 1)}")

    @classmethod
    def defaults(cls, model: str, task: str, **overrides) -> "TrainConfig":
        """The preset's options for training `task`; tasks trained together ("mnli+squad") get the longest
        length and the smallest batch any of them needs (SQuAD's 384-token windows in `all`), the first one's
        epochs."""
        from .modelinfo import preset_name

        preset = MODEL_PRESETS[preset_name(model_size(model))]
        kinds = {get_task(name).type for name in task.split("+")}
        tiny_qa = TINY_QA["max_length"] if "span_qa" in kinds else preset.max_length
        max_length = tiny_qa if preset.size == "tiny" else \
            max(TYPE_MAX_LENGTH.get(kind, preset.max_length) for kind in kinds)
        base = dict(epochs=TASK_EPOCHS.get(task.split("+")[0], 2) * preset.epochs_scale, lr=preset.lr,
                    batch_size=preset.batch_size // (2 if kinds & {"span_qa", "multiple_choice"} else 1),
                    max_length=max_length)
        if preset.size == "tiny":  # every tiny stage: QA may be trained with another task (mnli+squad)
            base.update(doc_stride=TINY_QA["doc_stride"], max_query_length=TINY_QA["max_query_length"])
        _keys("training option", {**base, **overrides}, cls)
        return cls(**{**base, **{k: v for k, v in overrides.items() if v is not None or k == "train_size"}})


@dataclass(frozen=True)
class StageConfig:
    """One stage of a chain. `parent` is embedded whole, so the id of a stage covers everything it depends on."""

    stage: str
    model: str
    task: str
    seed: int = 0
    data: str = "sample"
    data_revision: str = ""
    train: TrainConfig | None = None  # intermediate and target stages
    parent: "StageConfig | None" = None  # target: the intermediate stage (None = no intermediate); evaluate: target
    languages: tuple[str, ...] = ()  # evaluate
    split: str = "test"  # evaluate
    eval_size: int | None = None  # evaluate: cap on examples per language (None = all)
    layer: int | None = None  # evaluate, retrieval: hidden layer pooled (None = 14/24 of the depth)
    pooling: str = "mean"  # evaluate, retrieval: mean | mean_nospecial | cls
    bucc_repeats: str = "official"  # evaluate, BUCC: a sentence repeated in its file (retrieval.BUCC_REPEATS)

    def __post_init__(self):
        from .data import validate_data

        for name in ("stage", "model", "task", "data", "data_revision", "split", "pooling", "bucc_repeats"):
            _text(name, getattr(self, name))
        if self.stage not in STAGES:
            raise XltError(f"unknown stage {self.stage!r}: choose one of {one_of(STAGES)}")
        validate_model(self.model)
        validate_data(self.data)
        _check("seed", self.seed, int, 0, SEED_LIMIT)
        if self.stage == "intermediate":
            for name in self.tasks:
                if name not in TRAINABLE:
                    raise XltError(f"unknown intermediate task {name!r}: choose one of {one_of(TRAINABLE)}")
            twice = [name for name in self.tasks if self.tasks.count(name) > 1]
            if twice:
                raise XltError(f"intermediate task {twice[0]!r} listed twice in {self.task!r}: give each task once")
        spec = get_task(self.tasks[0] if self.stage == "intermediate" else self.task,
                        None if self.stage == "intermediate" else "target")
        if self.stage == "evaluate":
            self._check_evaluate(spec)
        else:
            self._check_training(spec)
        if self.stage in ("target", "intermediate") and self.parent is not None and self.parent.stage != "intermediate":
            raise XltError(f"a {self.stage} stage's parent must be an intermediate stage (or none)")
        if self.parent is not None and self.parent.model != self.model:
            raise XltError(f"model {self.model!r} differs from its parent stage's model {self.parent.model!r}")

    def _check_evaluate(self, spec: TaskSpec) -> None:
        if self.train is not None:
            raise XltError("train does not apply to an evaluate stage: it applies only to intermediate and target "
                           f"stages, got {shown(self.train)}")
        object.__setattr__(self, "languages", languages_of(spec, self.languages))
        if self.split not in spec.source.splits or self.split == "train":
            raise XltError(f"split {self.split!r} is not allowed for {spec.name}: choose "
                           f"{one_of(s for s in spec.source.splits if s != 'train')}")
        check_split_languages(spec, self.split, self.languages)
        _check("eval_size", self.eval_size, int, 1, allow_none=True)
        _check("layer", self.layer, int, 0, allow_none=True)
        if self.pooling not in POOLINGS:
            raise XltError(f"unknown pooling {self.pooling!r}: choose {one_of(POOLINGS)}")
        if self.bucc_repeats not in BUCC_REPEATS:
            raise XltError(f"unknown bucc_repeats {self.bucc_repeats!r}: choose {one_of(BUCC_REPEATS)}")
        if self.bucc_repeats != "official" and spec.metric != "bucc":
            raise XltError(f"bucc_repeats {self.bucc_repeats!r} does not apply to {spec.name}: it applies only to "
                           "bucc2018")
        wanted = "intermediate" if spec.type == "retrieval" else "target"
        if spec.type != "retrieval" and self.parent is None or \
                self.parent is not None and self.parent.stage != wanted:
            raise XltError(f"an evaluate stage of {spec.name} needs a{'n' if wanted[0] == 'i' else ''} "
                           f"{wanted} stage as its parent" + (" (or none)" if wanted == "intermediate" else ""))

    def _check_training(self, spec: TaskSpec) -> None:
        if not isinstance(self.train, TrainConfig):
            raise XltError(f"a {self.stage} stage needs training options, got {shown(self.train)}")
        if self.stage == "target" and spec.type == "retrieval":
            raise XltError(f"target {spec.name} has no target stage (it is scored on the encoder): targets with "
                           f"one are {one_of(n for n in TARGET_TASKS if n not in RETRIEVAL_TARGETS)}")
        if any(TASKS[name].type == "span_qa" for name in self.tasks):
            self.train.check_qa_window()
        if self.stage == "intermediate" and self.train.select != "en-dev":
            raise XltError(f"select {self.train.select!r} does not apply to an intermediate stage: intermediate "
                           "stages select by English dev (en-dev); select applies only to target stages")
        if self.train.select == "target-dev" and not target_dev_languages(spec):
            raise XltError(f"select 'target-dev' needs dev data in a language other than English, and {spec.name} "
                           f"has none (its dev split is its test data): choose en-dev, last or average-k for it")
        for f in fields(self):
            if f.name in EVALUATE_ONLY and getattr(self, f.name) != f.default:
                raise XltError(f"{f.name} {shown(getattr(self, f.name))} does not apply to a {self.stage} stage: "
                               "it applies only to evaluate stages")

    # identity ---------------------------------------------------------------------------------------------
    def to_dict(self) -> dict:
        d = asdict(self)
        d["parent"] = self.parent.to_dict() if self.parent else None
        d["languages"] = list(self.languages)
        return d

    @classmethod
    def from_dict(cls, d: dict) -> "StageConfig":
        """The inverse of to_dict, and what a stage job reads from its JSON file: every key and value is checked,
        each mistake in one line."""
        d = dict(_keys("stage option", d, cls))
        if d.get("train") is not None:
            d["train"] = TrainConfig(**_keys("training option", d["train"], TrainConfig))
        if d.get("parent") is not None:
            d["parent"] = cls.from_dict(d["parent"])
        languages = d.get("languages") or ()
        if not isinstance(languages, (list, tuple)):
            raise XltError(f"languages must be a list of language codes, got {shown(languages)}")
        d["languages"] = tuple(languages)
        return cls(**d)

    @property
    def stage_id(self) -> str:
        """The hash of the normalised config, parents included. The default selection rule (en-dev) is left out, so
        stages trained before rules could be chosen keep their ids and are reused; an evaluate stage's hash also
        names what it writes (EVALUATE_OUTPUTS), so one made before per-example files existed is made again
        (evaluation only: its training stages are reused)."""
        d = self.to_dict()
        node = d
        while node:
            if (node.get("train") or {}).get("select") == "en-dev":
                del node["train"]["select"]
            node = node.get("parent")
        if self.stage == "evaluate":
            d["outputs"] = EVALUATE_OUTPUTS
        digest = hashlib.sha256(json.dumps(d, sort_keys=True, separators=(",", ":")).encode()).hexdigest()
        return f"{self.stage}-{self.task}-{digest[:12]}"

    # what a score needs to be read -------------------------------------------------------------------------
    @property
    def tasks(self) -> tuple[str, ...]:
        """The tasks trained together in this stage ("mnli+squad" -> ("mnli", "squad"))."""
        return tuple(self.task.split("+"))

    @property
    def intermediate_task(self) -> str:
        """The chain's intermediate training, seen from any stage: 'none' (the baseline), 'mnli', 'mnli+squad'
        (multi-task; 'all' for the nine), 'mnli>squad' (MNLI, then SQuAD), with '+mlm' when MLM was mixed in."""
        from .tasks import INTERMEDIATE_TASKS

        if self.stage != "intermediate":
            return self.parent.intermediate_task if self.parent else "none"
        label = "all" if sorted(self.tasks) == sorted(INTERMEDIATE_TASKS) else self.task
        label += "+mlm" if self.train.mlm else ""
        return f"{self.parent.intermediate_task}>{label}" if self.parent else label

    @property
    def target_task(self) -> str | None:
        return None if self.stage == "intermediate" else self.task

    @property
    def model_size(self) -> str:
        return model_size(self.model)


def chain(model: str = "tiny", intermediate: str = "mnli", target: str = "xnli", languages="all", seed: int = 0,
          data: str = "sample", intermediate_size: int | None = None, train_size: int | None = None,
          eval_size: int | None = None, split: str = "test", epochs: float | None = None, lr: float | None = None,
          batch_size: int | None = None, max_length: int | None = None, revision: str | None = None,
          layer: int | None = None, pooling: str | None = None, grad_accum: int | None = None,
          doc_stride: int | None = None, max_query_length: int | None = None,
          sampling: str | None = None, temperature: float | None = None, mlm: float | None = None,
          bucc_repeats: str | None = None, select: str | None = None) -> list[StageConfig]:
    """The stages of one chain: [intermediate -> ...] target -> evaluate (retrieval: [intermediate] -> evaluate).
    `intermediate`: none | a task | tasks trained together "mnli+squad" ("all" = the nine) | a sequence of those,
    trained one after the other, "mnli>squad". Validates everything first. An option left None takes its default
    (pooling mean, bucc_repeats official; sampling, temperature, mlm and select as in TrainConfig), stored as
    such: the stage ids are the same. `select` (checkpoint selection) goes to the target stage only: intermediate
    stages select by English dev."""
    from .data import data_revision, validate_data

    model = validate_model(model)
    links = parse_intermediate(intermediate)
    if target not in TARGET_TASKS:
        raise XltError(f"unknown target task {shown(target)}: choose one of {one_of(TARGET_TASKS)}")
    languages = languages_with_split(get_task(target), languages, split)
    data = validate_data(data)
    common = dict(model=model, seed=seed, data=data, data_revision=data_revision(data, revision))
    opts = dict(epochs=epochs, lr=lr, batch_size=batch_size, max_length=max_length, grad_accum=grad_accum,
                doc_stride=doc_stride, max_query_length=max_query_length)
    inter_opts = dict(sampling=sampling, temperature=temperature, mlm=mlm)
    stages = []
    parent = None
    for link in links:  # a sequential chain carries the encoder from link to link
        parent = StageConfig(stage="intermediate", task=link, parent=parent,
                             train=TrainConfig.defaults(model, link, train_size=intermediate_size,
                                                        **opts, **inter_opts), **common)
        stages.append(parent)
    if get_task(target).type != "retrieval":  # BUCC and Tatoeba are scored on the intermediate encoder itself
        parent = StageConfig(stage="target", task=target, parent=parent,
                             train=TrainConfig.defaults(model, target, train_size=train_size, select=select, **opts),
                             **common)
        stages.append(parent)
    ev = StageConfig(stage="evaluate", task=target, parent=parent, languages=languages, split=split,
                     eval_size=eval_size, layer=layer, pooling="mean" if pooling is None else pooling,
                     bucc_repeats="official" if bucc_repeats is None else bucc_repeats, **common)
    return stages + [ev]


def languages_with_split(spec: TaskSpec, languages, split: str) -> tuple[str, ...]:
    """languages_of; with 'all', less the languages whose source lacks `split` (UD-POS has no dev split in kk, th,
    tl, yo), said once on stderr. A language named explicitly is kept, for StageConfig to reject in one line."""
    chosen, lacking = languages_of(spec, languages), lacking_split(spec, split)
    if not (lacking and means_all(languages)):
        return chosen
    line = (f"xlt: warning: {spec.name} has no {split!r} split for {one_of(lacking)} in its source: they are left "
            f"out, its other {len(chosen) - len(lacking)} languages are used")
    if line not in _SAID:
        _SAID.add(line)
        print(line, file=sys.stderr)
    return tuple(lang for lang in chosen if lang not in lacking)


_SAID: set[str] = set()  # warnings already printed by this process


def languages_of(spec: TaskSpec, languages) -> tuple[str, ...]:
    """The task's languages that `languages` names ('all', a comma-separated string or a list). An empty list is
    a mistake, not a way of saying 'all'."""
    listed = isinstance(languages, (list, tuple)) and all(isinstance(x, str) for x in languages)
    if not (isinstance(languages, str) or listed):
        raise XltError(f"languages must be 'all', a comma-separated string or a list of codes, got "
                       f"{shown(languages)}")
    if not "".join(languages).replace(",", "").strip():
        raise XltError(f"no language given ({shown(languages)}) for {spec.name}: choose from "
                       f"{one_of(spec.languages)} or 'all'")
    return resolve_languages(spec, languages)


def check_options_apply(intermediate: str, target: str, data: str, **given) -> None:
    """Reject an option given (not None) for a chain that would not use it, as `xlt run --target xnli --layer 5`:
    such a value is a mistake the user should hear about. Only `xlt run` asks this: a sweep sets options for
    whole grids (and `--sizes tiny` caps every stage), where an option may fit some chains only. Options not in
    the table below (model, languages, seed, split, eval_size) apply to every chain."""
    links = parse_intermediate(intermediate)
    sampling = given.get("sampling")
    retrieval = get_task(target, "target").type == "retrieval"
    trained = bool(links) or not retrieval
    multi = any("+" in link for link in links)
    qa = any(TASKS[name].type == "span_qa" for name in [target, *"+".join(links).split("+")] if name)
    where = {  # option -> (applies to this chain, what the chain is, where the option applies)
        "revision": (data == "hub", f"data {data!r}", "with data 'hub'"),
        "layer": (retrieval, f"target {target}", f"to the retrieval targets {one_of(RETRIEVAL_TARGETS)}"),
        "pooling": (retrieval, f"target {target}", f"to the retrieval targets {one_of(RETRIEVAL_TARGETS)}"),
        "bucc_repeats": (target == "bucc2018", f"target {target}", "to bucc2018"),
        "intermediate_size": (bool(links), "intermediate 'none'", "with an intermediate task"),
        "mlm": (bool(links), "intermediate 'none'", "with an intermediate task"),
        "sampling": (multi, f"intermediate {intermediate!r}", "to tasks trained together, as mnli+squad or all"),
        "temperature": (sampling == "temperature", f"sampling {sampling or 'proportional'!r}",
                        "with sampling 'temperature'"),
        "train_size": (not retrieval, f"target {target} (scored on the encoder, never trained)",
                       "to the targets that are trained"),
        "select": (not retrieval, f"target {target} (scored on the encoder, never trained)",
                   "to the targets that are trained (intermediate stages select by English dev)"),
        **{name: (trained, f"intermediate 'none' and target {target} (nothing is trained)",
                  "to chains that train: an intermediate task or a trained target")
           for name in ("epochs", "lr", "batch_size", "max_length", "grad_accum")},
        **{name: (qa, f"intermediate {intermediate!r} and target {target} (no QA task is trained)",
                  f"to chains that train a QA task: {one_of(n for n, t in TASKS.items() if t.type == 'span_qa')}")
           for name in ("doc_stride", "max_query_length")},
    }
    for name, (applies, chain_is, place) in where.items():
        if given.get(name) is not None and not applies:
            raise XltError(f"{name} {shown(given[name])} does not apply to {chain_is}: it applies only {place}")


def parse_intermediate(text: str) -> list[str]:
    """'none' -> []; 'mnli>squad+qqp' -> ['mnli', 'squad+qqp']; 'all' -> the nine intermediate tasks together."""
    from .tasks import INTERMEDIATE_TASKS

    if not isinstance(text, str) or not text.strip():
        raise XltError(f"no intermediate task given ({shown(text)}): choose none, all or one of {one_of(TRAINABLE)}")
    if text == "none":
        return []
    links = []
    for link in text.split(">"):
        names = INTERMEDIATE_TASKS if link == "all" else tuple(x.strip() for x in link.split("+"))
        for name in names:
            if name not in TRAINABLE:
                raise XltError(f"unknown intermediate task {name!r}: choose none, all or one of {one_of(TRAINABLE)} "
                               "(join with + to train together, > to train one after the other)")
        links.append("+".join(names))
    return links


DEVICE = re.compile(r"^(auto|cpu|cuda(:\d+)?|mps)$")


def validate_device(device: str) -> str:
    if not isinstance(device, str) or not DEVICE.fullmatch(device):
        raise XltError(f"unknown device {shown(device)}: use auto, cpu, cuda, cuda:N or mps")
    return device

