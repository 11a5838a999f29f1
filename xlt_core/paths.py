"""Where things live: the cache (sample data, the tiny model), and atomic directory writes."""

from __future__ import annotations

import os
import shutil
import uuid
from contextlib import contextmanager
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent


def cache_dir() -> Path:
    """$XLT_CACHE, else ~/.cache/xlt. Holds generated sample data and the embedded tiny model."""
    return Path(os.environ.get("XLT_CACHE") or Path.home() / ".cache" / "xlt")


@contextmanager
def atomic_dir(final: Path):
    """Yield a temporary sibling directory; rename it to `final` when the block ends without error.

    If another process finished the same directory first, ours is discarded: the result is identical by
    construction (same content-hash name). A crash leaves only a `.tmp-*` directory, never a partial `final`.
    """
    final = Path(final)
    final.parent.mkdir(parents=True, exist_ok=True)
    tmp = final.parent / f".tmp-{final.name}-{uuid.uuid4().hex[:8]}"
    tmp.mkdir()
    try:
        yield tmp
        try:
            os.rename(tmp, final)
        except OSError:
            if not final.exists():
                raise
            shutil.rmtree(tmp, ignore_errors=True)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
