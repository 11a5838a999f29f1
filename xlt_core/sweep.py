"""Sweep files (YAML): a grid of chains. Every list-valued key is a grid axis; the product is expanded into
chains of stages, and stages shared by several chains (an intermediate checkpoint) run once."""

from __future__ import annotations

import itertools
from pathlib import Path

from .config import StageConfig, chain
from .errors import XltError, one_of

# sweep key -> chain() argument; lists of values make grid axes
KEYS = {"model": "model", "models": "model", "intermediate": "intermediate", "target": "target",
        "languages": "languages", "seed": "seed", "seeds": "seed", "data": "data", "revision": "revision",
        "intermediate_size": "intermediate_size", "train_size": "train_size", "eval_size": "eval_size",
        "split": "split", "epochs": "epochs", "lr": "lr", "batch_size": "batch_size", "max_length": "max_length",
        "grad_accum": "grad_accum", "sampling": "sampling", "temperature": "temperature", "mlm": "mlm",
        "layer": "layer", "pooling": "pooling"}


def load_sweep(path) -> list[list[StageConfig]]:
    import yaml

    path = Path(path)
    try:
        spec = yaml.safe_load(path.read_text())
    except FileNotFoundError:
        raise XltError(f"sweep file {path} does not exist") from None
    except yaml.YAMLError as err:
        mark = getattr(err, "problem_mark", None)
        where = f" line {mark.line + 1}" if mark else ""
        raise XltError(f"sweep file {path}:{where} is not valid YAML ({getattr(err, 'problem', err)})") from None
    if not isinstance(spec, dict) or not spec:
        raise XltError(f"sweep file {path}: expected a mapping of options, e.g. 'target: [xnli]'")
    unknown = sorted(set(spec) - set(KEYS))
    if unknown:
        raise XltError(f"sweep file {path}: unknown key {unknown[0]!r}: allowed {one_of(sorted(KEYS))}")
    axes = {KEYS[k]: (v if isinstance(v, list) and k != "languages" else [v]) for k, v in spec.items()}
    empty = [k for k, v in axes.items() if not v]
    if empty:
        raise XltError(f"sweep file {path}: key {empty[0]!r} has no values: the grid is empty")
    names = list(axes)
    chains = []
    for values in itertools.product(*(axes[n] for n in names)):
        try:
            chains.append(chain(**dict(zip(names, values))))
        except XltError as err:
            raise XltError(f"sweep file {path}: {err}") from None
    return chains
