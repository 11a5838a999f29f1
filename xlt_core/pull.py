"""`xlt data pull` and `xlt data check`: the data a sweep or a run reads, copied into a folder that `--data DIR`
reads on a machine without internet (a cluster's compute nodes), and checked there before any compute.

pull  every source split the stages read (checks.reads), from the hub (at each source's revision, as a run with
      `--data hub` reads it) or from a folder in any layout `--data` reads, written as
      DIR/<repo>/<config>/<split>-NNNNN-of-NNNNN.parquet, with DIR/xlt-manifest.json recording per file the repo,
      config, split, revision, resolved commit, rows and SHA-256. Files are written under a temporary name and
      renamed; the manifest is rewritten (also atomically) after each split, so a killed pull resumes where it
      stopped: a split whose files match their recorded checksums is not fetched again.
check every file the stages read: present, readable, the task's columns and types, labels in the label set, the
      languages it must hold (data.check_split), and rows and SHA-256 as the manifest records them.
BUCC's original files (DIR/bucc2018/<lang>-en/<lang>-en.<sample|training>.<lang|en|gold>, with their distractors,
which data.bucc_original reads instead of the hub's gold pairs) travel too when the source folder holds them.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from dataclasses import dataclass
from pathlib import Path

from .data import check_split, hub_part, local_root, split_files, validate_data
from .errors import XltError, shown
from .tasks import TASKS, TaskSpec

MANIFEST = "xlt-manifest.json"


@dataclass(frozen=True)
class Part:
    """One split of one source: what a pull fetches as a unit (XNLI's one file serves its 15 languages)."""

    task: TaskSpec
    split: str  # ours: train, dev, test
    language: str | None
    name: str  # the source's split ("train_r1" of ANLI's "train_r1+train_r2+train_r3")

    @property
    def repo(self) -> str:
        return self.task.source.repo

    @property
    def config(self) -> str:
        return self.task.source.config_for(self.language)

    @property
    def key(self) -> tuple[str, str, str]:
        return self.repo, self.config, self.name


def parts_of(reads) -> list[Part]:
    """The source splits behind (task, split, language) reads, each once."""
    out = {}
    for task, split, lang in reads:
        for name in task.source.splits[split].split("+"):
            part = Part(task, split, lang, name)
            out.setdefault(part.key, part)
    return list(out.values())


# the manifest -------------------------------------------------------------------------------------------------
def read_manifest(root) -> dict:
    """DIR's manifest ({"files": {relative path: entry}, "reads": [[task, split, language], ...]}); empty when the
    folder has none. A manifest that is not the JSON xlt writes is one line."""
    path = Path(root) / MANIFEST
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {"files": {}, "reads": []}
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as err:
        raise XltError(f"manifest {path} is not readable JSON ({err}): remove it and pull again") from None
    if not isinstance(manifest, dict) or not isinstance(manifest.get("files"), dict):
        raise XltError(f"manifest {path} has no 'files' mapping: remove it and pull again")
    manifest.setdefault("reads", [])
    return manifest


def manifest_entries(root) -> dict[str, dict]:
    """Relative path -> what the manifest records of the file (nothing for a folder without one)."""
    try:
        return read_manifest(root)["files"]
    except XltError:
        return {}


def _write_manifest(root: Path, manifest: dict) -> None:
    tmp = root / f".{MANIFEST}.tmp-{os.getpid()}"
    tmp.write_text(json.dumps(manifest, indent=1, sort_keys=True), encoding="utf-8")
    os.replace(tmp, root / MANIFEST)


def sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _rows(path: Path) -> int:
    import pyarrow.parquet as pq

    return pq.ParquetFile(path).metadata.num_rows


# pull ---------------------------------------------------------------------------------------------------------
def check_pull_dir(directory, source: str) -> Path:
    """DIR is a folder or can be made, and is not the source itself."""
    path = Path(directory).absolute()
    existing = next(p for p in (path, *path.parents) if p.exists())
    if not existing.is_dir():
        raise XltError(f"data folder {shown(str(directory))}: {existing} is not a folder: give a folder to pull into "
                       "(made when missing)")
    root = local_root(source)
    if root is not None and path.exists() and path.resolve() == root.resolve():
        raise XltError(f"data folder {shown(str(directory))} is the source itself: pull into another folder")
    return path


def pull(directory, reads, source: str = "hub", revision: str | None = None, progress: bool = True) -> dict:
    """Fetch every source split of `reads` ((task, split, language) triples, as checks.reads gives them) into
    `directory` from `source` ("hub", "sample" or a folder `--data` reads); `revision` replaces every hub source's.
    Returns counts: fetched, kept (already there, checksums matching), files, rows."""
    import datasets
    from tqdm import tqdm

    datasets.disable_progress_bars()  # one bar: the pull's
    source = validate_data(source)
    root = check_pull_dir(directory, source)
    parts = parts_of(reads)
    for part in parts:  # before anything is written: what cannot be fetched at all
        if source == "hub" and part.task.source.local_only and local_root("hub", part.task) is None:
            raise XltError(f"task {part.task.name}: {part.task.description}: the hub does not serve it; set "
                           f"XLT_LICENSED_DATA=DIR to pull your copy, or pull from a folder that holds it (--source)")
    root.mkdir(parents=True, exist_ok=True)
    manifest = read_manifest(root)
    counts = {"fetched": 0, "kept": 0, "files": 0, "rows": 0}
    for part in tqdm(parts, desc=f"pull into {root}", unit="split", disable=not progress):
        entries = _entries_of(manifest, part)
        if not (entries and all(_intact(root / rel, entry) for rel, entry in entries.items())):
            for rel in entries:
                manifest["files"].pop(rel)
            entries = _fetch(root, part, source, revision)
            manifest["files"].update(entries)
            counts["fetched"] += 1
        else:
            counts["kept"] += 1
        counts["files"] += len(entries)
        counts["rows"] += sum(e["rows"] for e in entries.values())
        _write_manifest(root, manifest)
    for rel, origin_file in bucc_originals(local_root(source), reads).items():
        if not _intact(root / rel, manifest["files"].get(rel, {})):
            manifest["files"][rel] = _copy_original(origin_file, root / rel, source)
        counts["files"] += 1
    known = {tuple(r) for r in manifest["reads"]}
    manifest["reads"] += [[t.name, split, lang] for t, split, lang in reads if (t.name, split, lang) not in known]
    _write_manifest(root, manifest)
    return counts


def bucc_originals(folder: Path | None, reads) -> dict[str, Path]:
    """BUCC's original files in `folder` for the languages `reads` evaluate BUCC in: relative path -> file."""
    if folder is None:
        return {}
    langs = sorted({lang for task, _, lang in reads if task.name == "bucc2018" and lang})
    found = (f for lang in langs for f in sorted((folder / "bucc2018" / f"{lang}-en").glob(f"{lang}-en.*")))
    return {f.relative_to(folder).as_posix(): f for f in found if f.is_file()}


def _copy_original(origin_file: Path, dest: Path, source: str) -> dict:
    dest.parent.mkdir(parents=True, exist_ok=True)
    tmp = dest.parent / f".{dest.name}.tmp-{os.getpid()}"
    try:
        shutil.copyfile(origin_file, tmp)
        os.replace(tmp, dest)
    finally:
        tmp.unlink(missing_ok=True)
    lang_pair, name = dest.parent.name, dest.name
    return {"repo": "bucc2018", "config": lang_pair, "split": name.split(".")[1], "source": source,
            "rows": _lines(dest), "bytes": dest.stat().st_size, "sha256": sha256(dest)}


def _lines(path: Path) -> int:
    with open(path, "rb") as f:
        return sum(1 for _ in f)


def _entries_of(manifest: dict, part: Part) -> dict[str, dict]:
    return {rel: e for rel, e in manifest["files"].items()
            if (e.get("repo"), e.get("config"), e.get("split")) == part.key}


def _intact(path: Path, entry: dict) -> bool:
    return path.is_file() and path.stat().st_size == entry.get("bytes") and sha256(path) == entry.get("sha256")


def _fetch(root: Path, part: Part, source: str, revision: str | None) -> dict[str, dict]:
    """The part's files written into root (each under a temporary name, then renamed); their manifest entries."""
    folder = root / part.repo / part.config
    folder.mkdir(parents=True, exist_ok=True)
    for old in (*folder.glob(f"{part.name}-*.parquet"), *folder.glob(f".{part.name}-*.tmp-*")):
        old.unlink()  # a previous pull's files, replaced whole, and what a killed one left half-written
    origin = local_root(source, part.task)
    if origin is None:
        ds, read, commit = hub_part(part.repo, part.config, part.name, revision or part.task.source.revision,
                                    retry=revision is None)
        writes = [lambda tmp: ds.to_parquet(str(tmp))]
        about = {"source": "hub", "revision": read, "commit": commit}
    else:
        files = split_files(part.task, part.split, origin, part.language)[part.name]
        writes = [lambda tmp, f=f: shutil.copyfile(f, tmp) for f in files]
        about = {"source": source, "revision": None, "commit": None, **_origin_revision(source, origin, files[0])}
    entries = {}
    for i, write in enumerate(writes):
        dest = folder / f"{part.name}-{i:05d}-of-{len(writes):05d}.parquet"
        tmp = folder / f".{dest.name}.tmp-{os.getpid()}"
        try:
            write(tmp)
            os.replace(tmp, dest)
        finally:
            tmp.unlink(missing_ok=True)
        entries[dest.relative_to(root).as_posix()] = {
            "repo": part.repo, "config": part.config, "split": part.name, **about, "rows": _rows(dest),
            "bytes": dest.stat().st_size, "sha256": sha256(dest)}
    return entries


def _origin_revision(source: str, origin: Path, first: Path) -> dict:
    """What the source knows of a file's revision: the embedded generator's version, or the source folder's own
    manifest entry (a folder pulled before)."""
    if source == "sample":
        from .sample_data import SAMPLE_VERSION

        return {"revision": SAMPLE_VERSION}
    entry = manifest_entries(origin).get(first.relative_to(origin).as_posix(), {})
    return {k: entry[k] for k in ("revision", "commit") if entry.get(k)}


# check --------------------------------------------------------------------------------------------------------
def check(directory, reads=None) -> tuple[list[str], dict]:
    """Problems (one line each) with what `reads` need in `directory` (None: the reads its manifest records, and
    every file the manifest lists); and counts: files, rows, manifest (whether there was one)."""
    root = Path(directory)
    manifest = read_manifest(root)
    files, everything = manifest["files"], reads is None
    if everything:
        reads = [(TASKS[t], split, lang) for t, split, lang in manifest["reads"] if t in TASKS]
    problems, seen, rows = [], set(), 0
    for task, split, lang in reads:
        try:
            check_split(task, split, lang, str(root))
        except XltError as err:
            problems.append(str(err))
            continue
        for found in split_files(task, split, root, lang).values():
            for path in found:
                rel = path.relative_to(root).as_posix()
                if rel in seen:
                    continue
                seen.add(rel)
                rows += _rows(path)
                problems += _against_manifest(path, rel, files.get(rel), bool(files))
    for rel, path in bucc_originals(root, reads).items():
        seen.add(rel)
        lines = _lines(path)
        rows += lines
        entry = files.get(rel)
        if entry is None and files:
            problems.append(f"{path}: not in the manifest ({MANIFEST}): pull again")
        elif entry is not None and (lines, sha256(path)) != (entry.get("rows"), entry.get("sha256")):
            problems.append(f"{path}: differs from the manifest's rows and SHA-256: the file changed since it was "
                            "pulled; pull again")
    if everything:
        problems += [f"{root / rel}: listed in the manifest but missing: pull again" for rel in files
                     if rel not in seen and not (root / rel).is_file()]
    return list(dict.fromkeys(problems)), {"files": len(seen), "rows": rows, "manifest": bool(files),
                                           "reads": len(reads)}


def _against_manifest(path: Path, rel: str, entry: dict | None, has_manifest: bool) -> list[str]:
    if entry is None:
        return [f"{path}: not in the manifest ({MANIFEST}): pull again"] if has_manifest else []
    out = []
    if _rows(path) != entry.get("rows"):
        out.append(f"{path}: {_rows(path)} rows, the manifest records {entry.get('rows')}: pull again")
    digest = sha256(path)
    if digest != entry.get("sha256"):
        out.append(f"{path}: SHA-256 {digest[:12]}... differs from the manifest's {str(entry.get('sha256'))[:12]}...: "
                   "the file changed since it was pulled; pull again")
    return out
