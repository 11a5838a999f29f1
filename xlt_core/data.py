"""Load a split of a task, from the hub or from a local directory in the hub's own layout, through one function;
then turn it into canonical examples (pure functions: column mapping, labels by name, subsampling).

`data` is where examples come from:
  "sample"  the embedded generated data (xlt_core.sample_data), in the hub layout, in the cache
  "hub"     `datasets.load_dataset(repo, config)` (needs the hub or a pre-filled HF cache)
  a path    a local directory laid out like the hub: <path>/<repo>/<config>/<split>-*.parquet
            (what `hf download <repo> --repo-type dataset --local-dir <path>/<repo>` gives)
"""

from __future__ import annotations

import hashlib
import random
from pathlib import Path

from .errors import XltError
from .tasks import TaskSpec

def validate_data(data: str) -> str:
    if data in ("sample", "hub"):
        return data
    path = Path(data).expanduser()
    if not path.is_dir():
        raise XltError(f"data source {data!r} is neither 'sample', 'hub' nor an existing directory")
    return str(path.resolve())


def local_root(data: str) -> Path | None:
    if data == "hub":
        return None
    if data == "sample":
        from .sample_data import sample_data_dir

        return sample_data_dir()
    return Path(data)


def local_files(task: TaskSpec, split: str, root: Path, language: str | None = None) -> list[Path]:
    src = task.source
    folder = root / src.repo / src.config.format(lang=language)
    name = src.splits[split]
    files = sorted(folder.glob(f"{name}-*.parquet")) or sorted((folder / name).glob("*.parquet"))
    if not files:
        raise XltError(f"task {task.name}: no file for split {name!r} in {folder} (expected {name}-*.parquet)")
    return files


def load_split(task: TaskSpec, split: str, language: str | None = None, data: str = "sample",
               revision: str | None = None):
    """The raw `datasets.Dataset` of (task, split, language), columns as in the source."""
    import datasets

    datasets.disable_progress_bars()
    if split not in task.source.splits:
        raise XltError(f"task {task.name} has no {split!r} split: it has {', '.join(task.source.splits)}")
    src = task.source
    root = local_root(data)
    if root is None:
        from .hub import cached_or_online, forced_offline

        config = src.config.format(lang=language)
        where = f"{src.repo}:{config}"

        def load(cache_only: bool):
            if cache_only:
                with forced_offline():
                    return datasets.load_dataset(src.repo, config, split=src.splits[split], revision=revision)
            return datasets.load_dataset(src.repo, config, split=src.splits[split], revision=revision)

        ds = cached_or_online(load, src.repo, "dataset")
    else:
        files = local_files(task, split, root, language)
        where = str(files[0])
        ds = datasets.load_dataset("parquet", data_files={"split": [str(f) for f in files]}, split="split")
    missing = [c for c in task.columns.values() if c not in ds.column_names]
    if src.language_column and src.language_column not in ds.column_names:
        missing.append(src.language_column)
    if missing:
        raise XltError(f"task {task.name}: {where}: missing column {missing[0]!r} (columns: {', '.join(ds.column_names)})")
    if src.language_column and language:
        ds = ds.filter(lambda langs: [x == language for x in langs], input_columns=src.language_column, batched=True)
    return ds


def label_ids(task: TaskSpec, ds) -> list[int | None]:
    """Gold labels as indices into `task.label_names`, mapped by NAME (sources order labels differently).
    Unlabelled rows (-1, None, '-', as in test splits and SNLI) become None."""
    import datasets

    col = task.columns["label"]
    feature = ds.features[col]
    values = ds[col]
    if isinstance(feature, datasets.ClassLabel):
        values = [feature.int2str(v) if v is not None and v >= 0 else None for v in values]
    index = {name: i for i, name in enumerate(task.label_names)}
    out = []
    for v in values:
        if v in (None, "-", "", -1):
            out.append(None)
        elif v not in index:
            raise XltError(f"task {task.name}: unknown label {v!r} in column {col!r}: expected one of {', '.join(index)}")
        else:
            out.append(index[v])
    return out


def examples(task: TaskSpec, ds) -> dict[str, list]:
    """Canonical columns (text_a, text_b, label) of a pair-classification split; unlabelled rows dropped."""
    labels = label_ids(task, ds)
    keep = [i for i, lab in enumerate(labels) if lab is not None]
    cols = {name: ds[src] for name, src in task.columns.items() if name != "label"}
    return {**{name: [col[i] for i in keep] for name, col in cols.items()}, "label": [labels[i] for i in keep]}


def subsample(n_total: int, size: int | None, seed: int) -> list[int]:
    """A deterministic subsample of `size` indices out of `n_total` (all when size is None or larger), sorted."""
    if size is None or size >= n_total:
        return list(range(n_total))
    return sorted(random.Random(seed).sample(range(n_total), size))


def take(columns: dict[str, list], indices: list[int]) -> dict[str, list]:
    return {k: [v[i] for i in indices] for k, v in columns.items()}


def data_revision(data: str, revision: str | None = None) -> str:
    """What identifies the data a score came from: the generator version, the hub revision, or a content hash."""
    if data == "sample":
        from .sample_data import SAMPLE_VERSION

        return SAMPLE_VERSION
    if data == "hub":
        return f"hub@{revision or 'main'}"
    digest = hashlib.sha256()
    for f in sorted(Path(data).rglob("*.parquet")):
        digest.update(str(f.relative_to(data)).encode())
        digest.update(f.read_bytes())
    return f"local:{digest.hexdigest()[:12]}"
