"""Run folders, the source of truth: runs/<stage_id>/ holds config.json (written last), scores.json, cost.json,
checkpoint/, predictions/ and notebook.ipynb. Light on imports: the results store reads them too."""

from __future__ import annotations

import json
from pathlib import Path

from .errors import XltError


def run_folder(runs_dir, cfg) -> Path:
    return Path(runs_dir) / cfg.stage_id


def is_done(runs_dir, cfg) -> bool:
    return (run_folder(runs_dir, cfg) / "config.json").exists()


class BadRunFolder(XltError):
    """A run folder that cannot be read: half-written, corrupt, or not in the shape xlt writes. `xlt ingest` skips
    it with a warning; everywhere else it is one line, like any other bad data on disk."""

    def __init__(self, folder, problem: str):
        super().__init__(f"run folder {folder}: {problem}")


def finished_runs(runs_dir) -> list[Path]:
    """Finished run folders (temporary `.tmp-*` folders of running or killed stages are skipped). A `runs_dir` that
    is not a folder is the user's mistake (a typo in --runs-dir), not an empty study."""
    root = Path(runs_dir)
    if not root.is_dir():
        problem = "is not a folder" if root.exists() else "does not exist"
        raise XltError(f"runs folder {runs_dir} {problem}: give the folder that holds the run folders (--runs-dir)")
    return sorted(p for p in root.iterdir() if not p.name.startswith(".") and (p / "config.json").exists())


def _json(folder: Path, name: str, kind: type):
    """The content of one JSON file of a run folder, which must be a `kind` (dict or list)."""
    try:
        value = json.loads((folder / name).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise BadRunFolder(folder, f"{name} is missing") from None
    except json.JSONDecodeError as err:
        raise BadRunFolder(folder, f"{name} is not valid JSON ({err.msg} at line {err.lineno})") from None
    except UnicodeDecodeError:
        raise BadRunFolder(folder, f"{name} is not UTF-8 text") from None
    except OSError as err:
        raise BadRunFolder(folder, f"{name} cannot be read ({err.strerror})") from None
    if not isinstance(value, kind):
        raise BadRunFolder(folder, f"{name} holds a JSON {type(value).__name__}, not a {kind.__name__}")
    return value


def read_run(folder) -> dict:
    """config.json's record with the folder's scores, cost and path; BadRunFolder names the file that is missing,
    unreadable, not JSON or of the wrong shape (a run written by hand, or by a process killed mid-write)."""
    folder = Path(folder)
    record = _json(folder, "config.json", dict)
    record["scores"] = _json(folder, "scores.json", list) if (folder / "scores.json").exists() else []
    record["cost"] = _json(folder, "cost.json", dict)
    record["run_dir"] = str(folder.resolve())
    return record
