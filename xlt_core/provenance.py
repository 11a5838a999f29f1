"""Where a score came from: code version, library versions, hardware. Stored with every run."""

from __future__ import annotations

import platform
import subprocess
from datetime import datetime, timezone
from importlib import metadata

from .paths import REPO_ROOT

PACKAGES = ("xlt", "torch", "transformers", "datasets", "tokenizers", "safetensors", "papermill", "duckdb", "numpy")


def git_state() -> dict:
    def git(*args):
        return subprocess.run(["git", *args], cwd=REPO_ROOT, capture_output=True, text=True, timeout=10)

    try:
        head = git("rev-parse", "HEAD")
        dirty = git("status", "--porcelain", "--untracked-files=no")
    except (OSError, subprocess.TimeoutExpired):
        return {"commit": None, "dirty": None}
    if head.returncode != 0:
        return {"commit": None, "dirty": None}
    return {"commit": head.stdout.strip(), "dirty": bool(dirty.stdout.strip())}


def package_versions() -> dict:
    out = {}
    for name in PACKAGES:
        try:
            out[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            out[name] = None
    return out


def hardware() -> dict:
    import os

    info = {"platform": platform.platform(), "python": platform.python_version(), "cpus": os.cpu_count()}
    try:
        import torch

        if torch.cuda.is_available():
            info["gpu"] = torch.cuda.get_device_name(0)
            info["gpus"] = torch.cuda.device_count()
    except ImportError:
        pass
    return info


def now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def collect() -> dict:
    """Code, libraries, hardware, and every data source the stage read: repo, config, split, the revision read and
    the commit it resolved to (data.sources_read)."""
    from .data import sources_read

    return {"git": git_state(), "packages": package_versions(), "hardware": hardware(), "data": sources_read()}
