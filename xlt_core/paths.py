"""Where things live: the cache (sample data, the tiny model), and atomic directory writes."""

from __future__ import annotations

import os
import shutil
from contextlib import contextmanager
from pathlib import Path

from .staging import promote, temp_path
from .storage import storage_errors

REPO_ROOT = Path(__file__).resolve().parent.parent


def cache_dir() -> Path:
    """$XLT_CACHE, else ~/.cache/xlt. Holds generated sample data and the embedded tiny model."""
    return Path(os.environ.get("XLT_CACHE") or Path.home() / ".cache" / "xlt")


@contextmanager
def atomic_dir(final: Path):
    """Yield a temporary sibling directory that names this process as its owner (staging); rename it to `final`
    when the block ends without error.

    If another process finished the same directory first, ours is discarded: the result is identical by
    construction (same content-hash name). An error removes the temporary directory, and a full disk or an
    unwritable folder becomes one StorageError naming the path; a kill leaves only a `.tmp-*` directory, never a
    partial `final`, which staging.reclaim removes (or promotes, when complete) once its owner is gone.
    """
    final = Path(final)
    tmp = temp_path(final)
    with storage_errors(final.parent, name_file=False):
        final.parent.mkdir(parents=True, exist_ok=True)
        tmp.mkdir()
    try:
        with storage_errors(tmp):
            yield tmp
            promote(tmp, final)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
