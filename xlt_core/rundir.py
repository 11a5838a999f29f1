"""Run folders, the source of truth: runs/<stage_id>/ holds config.json (written last), scores.json, cost.json,
checkpoint/, predictions/ and notebook.ipynb. Light on imports: the results store reads them too."""

from __future__ import annotations

import json
from pathlib import Path


def run_folder(runs_dir, cfg) -> Path:
    return Path(runs_dir) / cfg.stage_id


def is_done(runs_dir, cfg) -> bool:
    return (run_folder(runs_dir, cfg) / "config.json").exists()


def finished_runs(runs_dir) -> list[Path]:
    """Finished run folders (temporary `.tmp-*` folders of running or killed stages are skipped)."""
    root = Path(runs_dir)
    if not root.is_dir():
        return []
    return sorted(p for p in root.iterdir() if not p.name.startswith(".") and (p / "config.json").exists())


def read_run(folder) -> dict:
    folder = Path(folder)
    record = json.loads((folder / "config.json").read_text())
    scores = folder / "scores.json"
    record["scores"] = json.loads(scores.read_text()) if scores.exists() else []
    record["cost"] = json.loads((folder / "cost.json").read_text())
    record["run_dir"] = str(folder.resolve())
    return record
