"""Load a split of a task, from the hub or from a local directory in the hub's own layout, through one function;
then turn it into canonical examples (pure functions per task type: columns mapped, labels by name).

`data` is where examples come from:
  "sample"  the embedded generated data (xlt_core.sample_data), in the hub layout, in the cache
  "hub"     `datasets.load_dataset(repo, config, revision=...)` at each source's revision (needs the hub or a
            pre-filled HF cache)
  a path    a local directory laid out like the hub (split_files): what `xlt data pull` writes, or what
            `hf download <repo> --repo-type dataset [--revision refs/convert/parquet] --local-dir <path>/<repo>` gives

Before any compute, check_split reads every local file a stage will load (only the columns the task uses) and
checks it against one table of expectations per task type (COLUMN_KINDS): readable, rows, types, UTF-8, labels.
"""

from __future__ import annotations

import functools
import hashlib
import os
import random
from pathlib import Path

from .config import existing_dir
from .errors import XltError, one_of, shown
from .tasks import LANGUAGES, TASKS, TaskSpec, check_split_languages


def validate_data(data: str) -> str:
    if data in ("sample", "hub"):
        return data
    path = existing_dir(data)
    if path is None:
        raise XltError(f"data source {shown(data)} is neither 'sample', 'hub' nor an existing directory")
    return str(path.resolve())


LICENSED = "XLT_LICENSED_DATA"  # a folder in the hub layout with the licensed data no hub serves (CCGbank)


def local_root(data: str, task: TaskSpec | None = None) -> Path | None:
    if data == "hub":
        if task is not None and task.source.local_only and os.environ.get(LICENSED):
            return Path(os.environ[LICENSED])
        return None
    if data == "sample":
        from .sample_data import sample_data_dir

        return sample_data_dir()
    return Path(data)


def split_files(task: TaskSpec, split: str, root: Path, language: str | None = None) -> dict[str, list[Path]]:
    """The local Parquet files of each source split of `split` ("a+b": a's, then b's), in the first of the layouts
    that has them, under <root>/<repo>/: <config>/<split>-*.parquet (the hub's own layout, what `xlt data pull`
    writes), <config>/<split>/*.parquet (the hub's Parquet conversion, PARQUET_EXPORT) and, for a repository of
    one config ("default"), data/<split>-*.parquet (as tau/commonsense_qa keeps its files)."""
    src = task.source
    repo, config = root / src.repo, src.config_for(language)
    out = {}
    for name in src.splits[split].split("+"):
        layouts = [(repo / config, f"{name}-*.parquet"), (repo / config / name, "*.parquet")]
        layouts += [(repo / "data", f"{name}-*.parquet")] if config == "default" else []
        found = next((files for folder, pattern in layouts if (files := sorted(folder.glob(pattern)))), None)
        if not found:
            licence = " (CCGbank is licensed by the LDC: xlt cannot download it; put your copy there)" \
                if src.local_only else ""
            expected = " or ".join(str(folder.relative_to(repo) / pattern) for folder, pattern in layouts)
            raise XltError(f"task {task.name}: no file for split {name!r} in {repo}: expected {expected}{licence}")
        out[name] = found
    return out


def local_files(task: TaskSpec, split: str, root: Path, language: str | None = None) -> list[Path]:
    return [f for files in split_files(task, split, root, language).values() for f in files]


SCRIPT_REFUSED = "Dataset scripts are no longer supported"  # how datasets >= 4 refuses a repository's script


def hub_part(repo: str, config: str, split: str, revision: str, retry: bool = True):
    """One split of a hub dataset at `revision`, from the cache when the hub cannot be reached; a repository whose
    revision holds a loading script is read at PARQUET_EXPORT instead when `retry`. Returns the dataset, the
    revision read and the commit it resolved to (None when unknown)."""
    import datasets

    from .hub import cached_or_online, forced_offline
    from .tasks import PARQUET_EXPORT

    def at(rev: str):
        def load(cache_only: bool):
            if not cache_only:
                return datasets.load_dataset(repo, config, split=split, revision=rev)
            with forced_offline():
                return datasets.load_dataset(repo, config, split=split, revision=rev)
        return cached_or_online(load, repo, "dataset")

    try:
        ds, read = at(revision), revision
    except RuntimeError as err:
        if SCRIPT_REFUSED not in str(err):
            raise
        if not retry or revision == PARQUET_EXPORT:
            raise XltError(f"dataset {repo!r} at revision {revision!r} holds a loading script, which datasets >= 4 "
                           f"cannot run: give a revision without one, e.g. {PARQUET_EXPORT!r} (the hub's Parquet "
                           "conversion)") from None
        ds, read = at(PARQUET_EXPORT), PARQUET_EXPORT
    return ds, read, _commit(read, ds)


def _commit(revision: str, ds) -> str | None:
    """The commit a load resolved to: the revision itself when it is one, else the 40-hex folder of the cache
    `datasets` keeps per commit (<cache>/<owner>___<name>/<config>/<version>/<commit>/)."""
    import re

    if re.fullmatch(r"[0-9a-f]{40}", revision):
        return revision
    for item in getattr(ds, "cache_files", None) or []:
        found = [part for part in Path(item["filename"]).parts if re.fullmatch(r"[0-9a-f]{40}", part)]
        if found:
            return found[-1]
    return None


def _hub_split(task: TaskSpec, split: str, language: str | None, revision: str | None):
    """The split from the hub at `revision` (None: the source's own, retried at PARQUET_EXPORT if the hub refuses
    its script); every part read is remembered for the run's provenance (sources_read)."""
    import datasets

    src = task.source
    if src.local_only:
        raise XltError(f"task {task.name}: {task.description}; set {LICENSED}=DIR (or pass --data DIR) with "
                       f"DIR/{src.repo}/{src.config}/<split>-00000-of-00001.parquet")
    config = src.config_for(language)
    parts = []
    for name in src.splits[split].split("+"):
        ds, read, commit = hub_part(src.repo, config, name, revision or src.revision, retry=revision is None)
        _remember(repo=src.repo, config=config, split=name, revision=read, commit=commit)
        parts.append(ds)
    return datasets.concatenate_datasets(parts), f"{src.repo}:{config}"


_READ: dict[tuple, dict] = {}  # what this process has read since forget_sources(): the run's data provenance


def _remember(**source) -> None:
    _READ[tuple(source.get(k) for k in ("repo", "config", "split", "file"))] = source


def forget_sources() -> None:
    _READ.clear()


def sources_read() -> list[dict]:
    """Every hub split or local file read since forget_sources(): repo, config, split, the revision read and the
    commit it resolved to (for a local folder pulled by `xlt data pull`, as its manifest records them), the file."""
    return list(_READ.values())


def _remember_files(task: TaskSpec, language: str | None, root: Path, parts: dict[str, list[Path]]) -> None:
    for name, files in parts.items():
        _remember_local(root, files, task.source.repo, task.source.config_for(language), name)


def _remember_local(root: Path, files, repo: str, config: str, split: str) -> None:
    """Local files read, each with the revision, commit and SHA-256 the folder's manifest (xlt data pull) gives it."""
    from .pull import manifest_entries

    known = manifest_entries(root)
    for f in files:
        rel = f.relative_to(root).as_posix() if f.is_relative_to(root) else str(f)
        entry = known.get(rel, {})
        _remember(repo=repo, config=config, split=split, file=rel, revision=entry.get("revision"),
                  commit=entry.get("commit"), sha256=entry.get("sha256"))


# what each canonical column holds, per task type (a task's `columns` maps these names to its source's columns)
COLUMN_KINDS = {
    "pair_classification": {"text_a": "text", "text_b": "text", "label": "label"},
    "multiple_choice": {"premise": "text", "question": "text", "choices": "texts", "label": "label"},
    "span_qa": {"id": "text", "context": "text", "question": "text", "answers": "answers"},
    "tagging": {"tokens": "texts", "tags": "tags"},
    "retrieval": {"source": "text", "target": "text"},
    "mlm": {"text": "text"},
}
ITEM = {"texts": "text"}  # a list spread over several source columns ("choice1,choice2") has one item in each
BUCC_IDS = ("source_lang", "target_lang")  # the hub's bucc18 keeps its sentence ids in these columns
UNLABELLED = (None, "-", "", -1)  # how sources mark a row without a gold label


def expected_columns(task: TaskSpec) -> dict[str, str]:
    """Source column ("outer.inner" for a field of a struct column) -> kind (a key of KINDS)."""
    out = {}
    for name, spec in task.columns.items():
        kind, parts = COLUMN_KINDS[task.type][name], spec.split(",")
        out.update({col: kind if len(parts) == 1 else ITEM[kind] for col in parts})
    selector = task.source.language_from or ""
    if selector.startswith("column:"):
        out[selector.split(":", 1)[1]] = "text"
    if task.name == "bucc2018":
        out.update(dict.fromkeys(BUCC_IDS, "text"))
    return out


def check_columns(task: TaskSpec, columns: list[str], where: str) -> None:
    """One line naming the task, the file and the first missing column."""
    needed = list(dict.fromkeys(c.split(".")[0] for c in expected_columns(task)))
    missing = [c for c in needed if c not in columns]
    if missing:
        raise XltError(f"task {task.name}: {where}: missing column {missing[0]!r}: expected columns {one_of(needed)} "
                       f"(it has {one_of(columns)})")


def check_split(task: TaskSpec, split: str, language: str | None, data: str) -> None:
    """Before any compute: every local file of the split holds what the stages will read (check_file) and, where
    a file holds several languages, rows of `language`."""
    check_split_languages(task, split, [language])
    root = local_root(data, task)
    if root is None:
        return
    files = local_files(task, split, root, language)
    found = set().union(*(check_file(task, f) for f in files))
    selector = task.source.language_from or ""
    if not language or not selector:
        return
    if selector.startswith("column:"):
        wanted, column = language, selector.split(":", 1)[1]
    else:  # id_prefix, as load_split selects
        wanted, column = LANGUAGES[language][0].lower(), f"the prefixes of {task.columns['id']}"
    if wanted not in found:
        raise XltError(f"task {task.name}: {files[0]}: no rows for language {language!r} (looked for {wanted!r} in "
                       f"{column}): it holds {one_of(sorted(found))}")


# the Arrow types each kind of column may have ------------------------------------------------------------------
def _text(arrow) -> bool:
    import pyarrow.types as t

    return t.is_string(arrow) or t.is_large_string(arrow)


def _label(arrow) -> bool:
    import pyarrow.types as t

    return t.is_integer(arrow) or _text(arrow)


def _list_of(item):
    def test(arrow) -> bool:
        import pyarrow.types as t

        return (t.is_list(arrow) or t.is_large_list(arrow) or t.is_fixed_size_list(arrow)) and item(arrow.value_type)
    return test


def _answers(arrow) -> bool:
    import pyarrow.types as t

    if not t.is_struct(arrow) or {"text", "answer_start"} - {field.name for field in arrow}:
        return False
    return _list_of(_text)(arrow.field("text").type) and _list_of(t.is_integer)(arrow.field("answer_start").type)


KINDS = {"text": (_text, "string"), "texts": (_list_of(_text), "list<string>"), "label": (_label, "int or string"),
         "tags": (_list_of(_label), "list<int or string>"),
         "answers": (_answers, "struct<text: list<string>, answer_start: list<int>>")}


def check_file(task: TaskSpec, path: Path) -> frozenset:
    """Everything the stages will read in one Parquet file, checked before compute; a problem is one line naming
    the file. Returns what selects a language inside the file (check_split). Cached on the file's size and time
    of change: XNLI's one test file serves 15 languages."""
    stat = Path(path).stat()
    return _checked_file(task.name, str(path), stat.st_size, stat.st_mtime_ns)


@functools.lru_cache(maxsize=128)
def _checked_file(name: str, path: str, size: int, mtime_ns: int) -> frozenset:
    """Readable, non-empty, the task's columns with the types their kinds need, valid UTF-8, gold labels in the
    task's label set. Reads only the columns the task uses."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    task, where = TASKS[name], f"task {name}: {path}"
    expected = expected_columns(task)
    try:
        parquet = pq.ParquetFile(path)
        check_columns(task, parquet.schema_arrow.names, path)
        _check_types(parquet.schema_arrow, expected, where)
        if parquet.metadata.num_rows == 0:
            raise XltError(f"{where}: no rows: expected at least one example")
        table = parquet.read(columns=list(dict.fromkeys(c.split(".")[0] for c in expected)))
    except (pa.ArrowException, OSError) as err:
        raise XltError(f"{where}: not a readable Parquet file ({err}): expected Parquet in the hub layout") from None
    features = _features(parquet.schema_arrow, where)
    for column, kind in expected.items():
        values = table.column(column.split(".")[0])
        _check_valid(values, column, kind, where)
        if kind in ("label", "tags"):
            _check_labels(task, values, features[column], column, kind, where)
    return _selectors(task, table)


def _check_types(schema, expected: dict[str, str], where: str) -> None:
    import pyarrow.types as t

    for column, kind in expected.items():
        outer, _, inner = column.partition(".")
        arrow = schema.field(outer).type
        if inner:
            arrow = arrow.field(inner).type if t.is_struct(arrow) and arrow.get_field_index(inner) >= 0 else None
        test, allowed = KINDS[kind]
        if arrow is None or not test(arrow):
            raise XltError(f"{where}: column {column!r} is {arrow or 'missing'}: expected {allowed}")


def _check_valid(values, column: str, kind: str, where: str) -> None:
    """Arrow's full validation, for UTF-8 in every string (pyarrow reads invalid bytes without a word); and a
    value in every row, which only a label may lack."""
    import pyarrow as pa

    for chunk in values.chunks:
        try:
            chunk.validate(full=True)
        except pa.ArrowInvalid as err:
            raise XltError(f"{where}: column {column!r} is not valid ({err}): expected UTF-8 text") from None
    if kind != "label" and values.null_count:
        raise XltError(f"{where}: column {column!r} has {values.null_count} missing (null) values: expected a value "
                       "in every row")


def _features(schema, where: str):
    """The `datasets` features stored in the file (ClassLabel names), as load_split will see them."""
    import datasets

    try:
        return datasets.Features.from_arrow_schema(schema)
    except (ValueError, TypeError, KeyError) as err:
        raise XltError(f"{where}: unreadable datasets features in the Parquet metadata ({err})") from None


def _check_labels(task: TaskSpec, values, feature, column: str, kind: str, where: str) -> None:
    """Gold labels are the task's, by name as label_index maps them: a ClassLabel id must be in range and name a
    label of the task; rows without a label (-1, '', '-') pass, tags must all be labelled. CCG lists no labels
    (they are read from its training data): any tag passes."""
    import datasets
    import pyarrow.compute as pc

    if kind == "tags":
        values, feature = pc.list_flatten(values), getattr(feature, "feature", None)
    names = feature.names if isinstance(feature, datasets.ClassLabel) else None
    for value in pc.unique(values).to_pylist():
        if kind == "label" and value in UNLABELLED:
            continue
        if names is not None and not (isinstance(value, int) and 0 <= value < len(names)):
            raise XltError(f"{where}: label {shown(value)} in column {column!r} is not a class id: expected "
                           f"0-{len(names) - 1} ({one_of(names)})" + (" or -1 for no label" if kind == "label" else ""))
        label = names[value] if names is not None else value
        if task.label_names and str(label) not in task.label_names:
            raise XltError(f"{where}: unknown label {shown(label)} in column {column!r}: expected one of "
                           f"{one_of(task.label_names)}" + (" (-1, '' or '-' for no label)" if kind == "label" else ""))


def _selectors(task: TaskSpec, table) -> frozenset:
    """The values that select a language inside the file: its language column's, or the heads of TyDiQA's ids
    ("english" of "english-123-0")."""
    import pyarrow.compute as pc

    selector = task.source.language_from or ""
    if selector.startswith("column:"):
        return frozenset(pc.unique(table.column(selector.split(":", 1)[1])).to_pylist())
    if selector == "id_prefix":
        heads = pc.list_element(pc.split_pattern(table.column(task.columns["id"]), "-", max_splits=1), 0)
        return frozenset(pc.unique(heads).to_pylist())
    return frozenset()


def load_split(task: TaskSpec, split: str, language: str | None = None, data: str = "sample",
               revision: str | None = None):
    """The raw `datasets.Dataset` of (task, split, language), columns as in the source."""
    import datasets

    datasets.disable_progress_bars()
    if split not in task.source.splits:
        raise XltError(f"task {task.name} has no {split!r} split: it has {', '.join(task.source.splits)}")
    if language is not None and language not in task.languages:
        raise XltError(f"language {language!r} is not in {task.name}'s list: choose from {', '.join(task.languages)}")
    check_split_languages(task, split, [language])
    root = local_root(data, task)
    if root is None:
        ds, where = _hub_split(task, split, language, revision)
    else:
        parts = split_files(task, split, root, language)
        files = [f for found in parts.values() for f in found]
        where = str(files[0])
        # local files: no request to the hub's download counter (without internet it waits up to 5 s per load)
        counting, datasets.config.HF_UPDATE_DOWNLOAD_COUNTS = datasets.config.HF_UPDATE_DOWNLOAD_COUNTS, False
        try:
            ds = datasets.load_dataset("parquet", data_files={"split": [str(f) for f in files]}, split="split")
        finally:
            datasets.config.HF_UPDATE_DOWNLOAD_COUNTS = counting
        _remember_files(task, language, root, parts)
    check_columns(task, ds.column_names, where)
    selector = task.source.language_from or ""
    if selector.startswith("column:") and language:
        ds = ds.filter(lambda values: [v == language for v in values], input_columns=selector.split(":", 1)[1],
                       batched=True)
    elif selector == "id_prefix" and language:
        prefix = LANGUAGES[language][0].lower() + "-"
        ds = ds.filter(lambda ids: [i.startswith(prefix) for i in ids], input_columns=task.columns["id"], batched=True)
    return ds


# canonical examples, per task type ----------------------------------------------------------------------------
def label_index(task: TaskSpec, ds, column: str, names: tuple[str, ...] | None = None) -> list[int | None]:
    """Gold labels as indices into the task's label names, mapped by NAME (sources order labels differently).
    Unlabelled rows (-1, None, '-', '') become None."""
    import datasets

    names = names if names is not None else task.label_names
    feature = ds.features[column]
    values = _column(ds, column)
    if isinstance(feature, datasets.ClassLabel):
        values = [feature.int2str(v) if v is not None and v >= 0 else None for v in values]
    index = {name: i for i, name in enumerate(names)}
    out = []
    for v in values:
        if v in UNLABELLED:
            out.append(None)
            continue
        key = v if isinstance(v, str) else str(v)
        if key not in index:
            raise XltError(f"task {task.name}: unknown label {v!r} in column {column!r}: expected one of {', '.join(index)}")
        out.append(index[key])
    return out


def _keep(columns: dict[str, list], labels: list) -> dict[str, list]:
    keep = [i for i, lab in enumerate(labels) if lab is not None]
    return {**{k: [v[i] for i in keep] for k, v in columns.items()}, "label": [labels[i] for i in keep]}


def pair_examples(task: TaskSpec, ds) -> dict[str, list]:
    """text_a, text_b, label; unlabelled rows dropped."""
    c = task.columns
    return _keep({"text_a": _column(ds, c["text_a"]), "text_b": _column(ds, c["text_b"])},
                 label_index(task, ds, c["label"]))


def _column(ds, spec: str) -> list:
    """A column as a list, a nested field ("choices.text") or several columns zipped ("choice1,choice2")."""
    if "," in spec:
        return [list(row) for row in zip(*(list(ds[c]) for c in spec.split(",")))]
    if "." in spec:
        outer, inner = spec.split(".")
        return [row[inner] for row in ds[outer]]
    return list(ds[spec])


def choice_examples(task: TaskSpec, ds) -> dict[str, list]:
    """context (premise and question), choices (list), label (index of the right choice)."""
    c = task.columns
    contexts = _column(ds, c["premise"]) if "premise" in c else [""] * len(ds)
    if "question" in c:
        contexts = [f"{p} {q}".strip() for p, q in zip(contexts, _column(ds, c["question"]))]
    return _keep({"context": contexts, "choices": _column(ds, c["choices"])}, label_index(task, ds, c["label"]))


def qa_examples(task: TaskSpec, ds) -> dict[str, list]:
    """id, context, question, answer_starts, answer_texts (lists; empty for unanswerable questions)."""
    c = task.columns
    answers = _column(ds, c["answers"])
    return {"id": _column(ds, c["id"]), "context": _column(ds, c["context"]), "question": _column(ds, c["question"]),
            "answer_starts": [a["answer_start"] for a in answers], "answer_texts": [a["text"] for a in answers]}


def tag_examples(task: TaskSpec, ds, names: tuple[str, ...] | None = None) -> dict[str, list]:
    """tokens (words) and tags (indices into the label names, by name; None for a tag unknown to `names`)."""
    import datasets

    c = task.columns
    feature = ds.features[c["tags"]]
    inner = getattr(feature, "feature", None)
    if isinstance(feature, list):
        inner = feature[0]
    tags = _column(ds, c["tags"])
    if isinstance(inner, datasets.ClassLabel):
        tags = [[inner.int2str(t) for t in row] for row in tags]
    names = names if names is not None else task.label_names
    index = {n: i for i, n in enumerate(names)}
    return {"tokens": _column(ds, c["tokens"]), "tags": [[index.get(t) for t in row] for row in tags],
            "tag_names": [list(row) for row in tags]}


def retrieval_examples(task: TaskSpec, ds) -> dict[str, list]:
    """source (the other language) and target (English) sentences, stripped; for BUCC also their ids and the gold
    pairs (the hub's bucc18 holds only gold pairs, with the ids in its *_lang columns)."""
    c = task.columns
    out = {"source": [s.strip() for s in _column(ds, c["source"])], "target": [t.strip() for t in _column(ds, c["target"])]}
    if task.name == "bucc2018":
        out["source_id"], out["target_id"] = _column(ds, "source_lang"), _column(ds, "target_lang")
    return out


BUCC_SPLITS = {"dev": "sample", "test": "training"}  # as XTREME: the sample data tunes, the training data tests


def bucc_original(data: str, language: str, split: str) -> dict | None:
    """BUCC 2018 from its original files, distractors included, when `data` holds them:
    <data>/bucc2018/<lang>-en/<lang>-en.<sample|training>.{<lang>,en,gold} ("id<TAB>sentence"; gold
    "src_id<TAB>en_id"). Returns source/target sentences and ids and the gold pairs, or None."""
    if data in ("sample", "hub"):
        return None
    folder = Path(data) / "bucc2018" / f"{language}-en"
    if not folder.is_dir():
        return None
    stem = folder / f"{language}-en.{BUCC_SPLITS[split]}"

    def read(suffix):
        path = Path(f"{stem}.{suffix}")
        if not path.exists():
            raise XltError(f"task bucc2018: {path} is missing (original BUCC files: {stem.name}.<lang|en|gold>)")
        try:
            lines = path.read_text(encoding="utf-8").splitlines()
        except (OSError, UnicodeDecodeError) as err:
            raise XltError(f"task bucc2018: {path} is not readable UTF-8 text ({err}): expected 'id<TAB>sentence' "
                           "lines") from None
        untabbed = next((n for n, line in enumerate(lines, 1) if line and "\t" not in line), None)
        if untabbed:
            raise XltError(f"task bucc2018: {path}: line {untabbed} has no tab: expected 'id<TAB>sentence' lines")
        return [line.split("\t", 1) for line in lines if line]

    src, trg, gold = read(language), read("en"), read("gold")
    _remember_local(Path(data), [Path(f"{stem}.{suffix}") for suffix in (language, "en", "gold")], "bucc2018",
                    f"{language}-en", BUCC_SPLITS[split])
    return {"source": [s.strip() for _, s in src], "source_id": [i for i, _ in src], "target": [t.strip() for _, t in trg],
            "target_id": [i for i, _ in trg], "gold": [tuple(g) for g in gold]}


EXAMPLES = {"pair_classification": pair_examples, "multiple_choice": choice_examples, "span_qa": qa_examples,
            "tagging": tag_examples, "retrieval": retrieval_examples,
            "mlm": lambda task, ds: {"text": _column(ds, task.columns["text"])}}


def examples(task: TaskSpec, ds) -> dict[str, list]:
    return EXAMPLES[task.type](task, ds)


def reindex_tags(ex: dict[str, list], names) -> dict[str, list]:
    """Tag indices against `names` (a tag vocabulary read from training data, as CCG's); unknown tags -> None."""
    index = {n: i for i, n in enumerate(names)}
    return {**ex, "tags": [[index.get(t) for t in row] for row in ex["tag_names"]]}


def subsample(n_total: int, size: int | None, seed: int) -> list[int]:
    """A deterministic subsample of `size` indices out of `n_total` (all when size is None or larger), sorted."""
    if size is None or size >= n_total:
        return list(range(n_total))
    return sorted(random.Random(seed).sample(range(n_total), size))


def take(columns: dict[str, list], indices: list[int]) -> dict[str, list]:
    return {k: [v[i] for i in indices] for k, v in columns.items()}


def data_revision(data: str, revision: str | None = None) -> str:
    """What identifies the data a score came from: the generator version; for the hub "hub" (every source at the
    revision the table of tasks gives it) or "hub@<revision>" (every source at the one given); for a folder a hash
    of its Parquet files' names and contents. The revision and commit each source resolved to are recorded apart,
    in the run's provenance (sources_read)."""
    if data == "sample":
        from .sample_data import SAMPLE_VERSION

        return SAMPLE_VERSION
    if data == "hub":
        return f"hub@{revision}" if revision else "hub"
    files = sorted(Path(data).rglob("*.parquet"))
    try:
        listing = tuple((str(f.relative_to(data)), f.stat().st_size, f.stat().st_mtime_ns) for f in files)
    except OSError as err:
        raise XltError(f"data source {data}: {err.filename} cannot be read ({err.strerror}): expected readable "
                       "files") from None
    return _folder_digest(data, listing)


@functools.lru_cache(maxsize=16)
def _folder_digest(data: str, listing: tuple) -> str:
    """The content hash of a folder's Parquet files, once per process while no file changes (a sweep asks it for
    every chain)."""
    digest = hashlib.sha256()
    for rel, _, _ in listing:
        digest.update(rel.encode())
        try:
            with open(Path(data) / rel, "rb") as f:
                for block in iter(lambda: f.read(1 << 20), b""):
                    digest.update(block)
        except OSError as err:
            raise XltError(f"data source {data}: {Path(data) / rel} cannot be read ({err.strerror}): expected "
                           "readable files") from None
    return f"local:{digest.hexdigest()[:12]}"


def revision_given(data_revision: str) -> str | None:
    """The revision a data_revision names for every hub source ("hub@v1" -> "v1"), None otherwise."""
    return data_revision[4:] if data_revision.startswith("hub@") else None
