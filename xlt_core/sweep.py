"""Sweep files (YAML) and their plans. Top-level keys are defaults; `grids:` lists grids that override them (a
file without `grids:` is one grid). Every list-valued key is a grid axis; the product is expanded into chains of
stages, and a stage shared by several chains (an intermediate checkpoint) is planned and run once."""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from pathlib import Path

from .config import StageConfig, chain
from .errors import XltError, one_of

# sweep key -> chain() argument; lists of values make grid axes
KEYS = {"model": "model", "models": "model", "intermediate": "intermediate", "target": "target",
        "languages": "languages", "seed": "seed", "seeds": "seed", "data": "data", "revision": "revision",
        "intermediate_size": "intermediate_size", "train_size": "train_size", "eval_size": "eval_size",
        "split": "split", "epochs": "epochs", "lr": "lr", "batch_size": "batch_size", "max_length": "max_length",
        "grad_accum": "grad_accum", "sampling": "sampling", "temperature": "temperature", "mlm": "mlm",
        "layer": "layer", "pooling": "pooling", "bucc_repeats": "bucc_repeats",
        "doc_stride": "doc_stride", "max_query_length": "max_query_length", "select": "select"}


def _read(path: Path) -> dict:
    """The sweep file's top-level mapping; anything else given as FILE (a folder, a binary or unreadable file, bad
    YAML) is one line naming it."""
    import yaml

    try:
        spec = yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise XltError(f"sweep file {path} does not exist") from None
    except IsADirectoryError:
        raise XltError(f"sweep file {path} is a folder: give a YAML file, e.g. sweeps/demo.yaml") from None
    except UnicodeDecodeError:
        raise XltError(f"sweep file {path} is not UTF-8 text: give a YAML file, e.g. sweeps/demo.yaml") from None
    except OSError as err:
        raise XltError(f"sweep file {path} cannot be read ({err.strerror})") from None
    except yaml.YAMLError as err:
        mark = getattr(err, "problem_mark", None)
        where = f" line {mark.line + 1}" if mark else ""
        raise XltError(f"sweep file {path}:{where} is not valid YAML ({getattr(err, 'problem', err)})") from None
    if not isinstance(spec, dict) or not spec or not all(isinstance(key, str) for key in spec):
        raise XltError(f"sweep file {path}: expected a mapping of options, e.g. 'target: [xnli]'")
    return spec


def _options(path: Path, mapping: dict) -> dict:
    """A mapping of the file (its top level or one grid) with keys as chain() names ("seeds" -> "seed"); a key
    given twice under its two spellings ("model" and "models") is an error, not a silent choice."""
    bad = [k for k in mapping if not isinstance(k, str) or k not in KEYS]
    if bad:
        raise XltError(f"sweep file {path}: unknown key {bad[0]!r}: allowed {one_of(sorted(KEYS))}")
    out = {}
    for key, value in mapping.items():
        if KEYS[key] in out:
            twins = [k for k in mapping if KEYS[k] == KEYS[key]]
            raise XltError(f"sweep file {path}: {twins[0]!r} and {twins[1]!r} say the same: keep one")
        out[KEYS[key]] = value
    return out


def _expand(path: Path, grid: dict) -> list[list[StageConfig]]:
    axes = {k: (v if isinstance(v, list) and k != "languages" else [v]) for k, v in grid.items()}
    empty = [k for k, v in axes.items() if not v]
    if empty:
        raise XltError(f"sweep file {path}: key {empty[0]!r} has no values: the grid is empty")
    names = list(axes)
    chains = []
    for values in itertools.product(*(axes[n] for n in names)):
        options = dict(zip(names, values))
        try:
            options["languages"] = _languages_for(options.get("target", "xnli"), options.get("languages", "all"))
            chains.append(chain(**options))
        except XltError as err:
            raise XltError(f"sweep file {path}: {err}") from None
    return chains


def _languages_for(target: str, languages) -> str:
    """In a sweep, a language list means "these, where the target task has them" (Tatoeba has no English)."""
    from .tasks import get_task

    if languages in (None, "all"):
        return "all"
    if not isinstance(languages, (str, list)) or isinstance(languages, list) and not all(
            isinstance(x, str) for x in languages):
        raise XltError(f"languages {languages!r}: give ISO codes as a list ([de, fr]) or a string ('de,fr'), or all")
    wanted = [x.strip() for x in (languages.split(",") if isinstance(languages, str) else languages)]
    spec = get_task(target, "target")
    kept = [lang for lang in wanted if lang in spec.languages]
    if not kept:
        raise XltError(f"none of the languages {', '.join(wanted)} is in {target}'s list ({', '.join(spec.languages)})")
    return ",".join(kept)


# `--sizes tiny`: caps that make any sweep a dry run of minutes on the embedded default (every stage, every
# regime, every language; few examples each). A size the file gives that is smaller is kept.
SIZES = {"tiny": {"intermediate_size": 48, "train_size": 48, "eval_size": 12}, "full": {}}
# options that name a position or a token count of one model: dropped with --model
MODEL_SHAPED = ("layer", "max_length", "doc_stride", "max_query_length")


def overrides(model: str | None = None, data: str | None = None, sizes: str = "full") -> dict:
    """What `xlt sweep ... --model tiny --data sample --sizes tiny` changes in every grid: model and data replace
    the file's (with the options that only fit the file's model), sizes are caps."""
    if sizes not in SIZES:
        raise XltError(f"unknown sizes {sizes!r}: choose {one_of(SIZES)}")
    swap = {"model": model, **{k: None for k in MODEL_SHAPED}} if model else {}
    return {**swap, **({"data": data} if data else {}), **{k: ("cap", v) for k, v in SIZES[sizes].items()}}


def _overridden(grid: dict, override: dict) -> dict:
    out = dict(grid)
    for key, value in override.items():
        if isinstance(value, tuple):  # ("cap", n): the file's sizes, none above n
            given = out.get(key)
            values = given if isinstance(given, list) else [given]
            capped = [min(v, value[1]) if isinstance(v, int) and not isinstance(v, bool) else value[1] for v in values]
            out[key] = list(dict.fromkeys(capped))
        else:
            out[key] = value
    return out


def load_sweep(path, override: dict | None = None) -> list[list[StageConfig]]:
    """The chains of a sweep file; `override` (see overrides()) swaps the model and data and caps sizes."""
    path = Path(path)
    spec = _read(path)
    grids = spec.pop("grids", None)
    if grids is None:
        grids = [{}]
    elif not isinstance(grids, list) or not grids or not all(isinstance(g, dict) for g in grids):
        raise XltError(f"sweep file {path}: key 'grids' must be a non-empty list of mappings")
    top = _options(path, spec)
    return [c for g in grids for c in _expand(path, _overridden({**top, **_options(path, g)}, override or {}))]


# the plan -------------------------------------------------------------------------------------------------------
TOKENS_PER_EXAMPLE = {"pair_classification": 60, "multiple_choice": 4 * 64, "span_qa": 1.3 * 384, "tagging": 48,
                      "retrieval": 40, "mlm": 60}
GPU_PEAK, ASSUMED_MFU = 989e12, 0.4  # H100 dense bf16; the training engine's target


def stage_flops(cfg: StageConfig) -> float:
    """Estimated FLOPs of one stage: 6 x non-embedding parameters per training token, 2 x per evaluated token."""
    from .modelinfo import model_shape
    from .tasks import APPROX_SIZES, TASKS

    shape = model_shape(cfg.model)  # the model's own config (modelinfo), whatever its name
    layers, h = shape["num_hidden_layers"], shape["hidden_size"]
    ffn = shape["intermediate_size"] or 4 * h
    per_token = layers * (4 * h * h + 2 * h * ffn)
    if cfg.stage == "evaluate":
        spec = TASKS[cfg.task]
        n = APPROX_SIZES[cfg.task][1] if cfg.data == "hub" else 100
        n = min(n, cfg.eval_size or n) * len(cfg.languages) * (2 if spec.metric == "bucc" else 1)
        return 2 * per_token * n * TOKENS_PER_EXAMPLE[spec.type]
    total = 0.0
    for name in cfg.tasks:
        spec = TASKS[name]
        source = TASKS[spec.train_task] if spec.train_task else spec
        n = APPROX_SIZES[source.name][0] if cfg.data == "hub" else 600
        n = min(n, cfg.train.train_size or n)
        total += 6 * per_token * n * cfg.train.epochs * TOKENS_PER_EXAMPLE[spec.type] * (1 + cfg.train.mlm)
    return total


def smoke(chains: list[list[StageConfig]]) -> list[list[StageConfig]]:
    """A dry run of a sweep: the cheapest chain (by estimated compute) of every regime in it (none, single,
    multi-task per sampling, sequential, +MLM, translated), then of every target task type not yet met (pairs,
    tagging, QA, retrieval, multiple choice: each has its own features, head and scorer), then of every checkpoint
    selection rule not yet met (en-dev, last, target-dev, average-k: each keeps other weights). Together with the checks
    made before compute, which read every data file of every stage, it meets the code paths the full sweep will."""
    from .analysis import regime
    from .tasks import TASKS

    def cheapest(keyed) -> dict:
        best: dict = {}
        for key, stages in keyed:
            cost = sum(stage_flops(c) for c in stages)
            if key not in best or cost < best[key][0]:
                best[key] = (cost, stages)
        return {key: stages for key, (_, stages) in best.items()}

    def regime_of(stages):
        inter = [c for c in stages if c.stage == "intermediate"]
        kind = regime(stages[-1].intermediate_task)
        return kind, inter[-1].train.sampling if kind == "multi-task" else ""

    def target_type(stages):
        return TASKS[stages[-1].task].type

    def selection(stages):
        return next((c.train.select for c in stages if c.stage == "target"), "en-dev")

    picked = list(cheapest((regime_of(s), s) for s in chains).values())
    for aspect in (target_type, selection):  # then every task type and checkpoint selection rule not yet met
        met = {aspect(s) for s in picked}
        picked += [s for kind, s in cheapest((aspect(s), s) for s in chains).items() if kind not in met]
    return picked


@dataclass
class Plan:
    chains: list[list[StageConfig]]
    stages: list[StageConfig]  # each stage once, parents before children

    @classmethod
    def of(cls, chains: list[list[StageConfig]]) -> "Plan":
        seen: dict[str, StageConfig] = {}
        for stages in chains:
            for cfg in stages:
                seen.setdefault(cfg.stage_id, cfg)
        return cls(chains, list(seen.values()))

    def summary(self, runs_dir) -> dict:
        from .rundir import is_done

        uses = {}
        for stages in self.chains:
            for cfg in stages:
                uses[cfg.stage_id] = uses.get(cfg.stage_id, 0) + 1
        done = [c for c in self.stages if is_done(runs_dir, c)]
        todo = [c for c in self.stages if not is_done(runs_dir, c)]
        by_stage = {s: sum(c.stage == s for c in self.stages) for s in ("intermediate", "target", "evaluate")}
        return {"chains": len(self.chains), "stages": len(self.stages), "by_stage": by_stage,
                "reused": sum(1 for n in uses.values() if n > 1), "saved_by_reuse": sum(n - 1 for n in uses.values()),
                "done": len(done), "to_run": len(todo),
                "gpu_hours": sum(stage_flops(c) for c in todo) / (GPU_PEAK * ASSUMED_MFU) / 3600}


def format_plan(plan: Plan, summary: dict, path) -> str:
    lines = [f"sweep {path}: {summary['chains']} chains -> {summary['stages']} stages "
             f"({', '.join(f'{n} {s}' for s, n in summary['by_stage'].items())})",
             f"  shared: {summary['reused']} stages serve several chains ({summary['saved_by_reuse']} runs saved)",
             f"  done: {summary['done']}   to run: {summary['to_run']}",
             f"  estimated compute to run: {summary['gpu_hours']:.2f} GPU-hours "
             f"(H100 bf16 at {ASSUMED_MFU:.0%} MFU; approximate dataset sizes)"]
    return "\n".join(lines)

