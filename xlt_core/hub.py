"""Access to the Hugging Face hub that fails fast with one line when the hub cannot be reached.

Without this, transformers and datasets retry for 20-50 s and end in a traceback. We first try the local cache
(so a pre-filled HF_HOME works offline), then probe the endpoint once (3 s), and only then go online.
"""

from __future__ import annotations

import functools
import os
import socket
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlparse

from .errors import XltError

OFFLINE_HELP = {
    "dataset": "on a machine with internet access, `xlt data pull DIR` (with the run's --target or a --sweep) and "
               "pass --data DIR here; the embedded default needs no download (--data sample)",
    "model": "on a machine with internet access, `hf download {name} --local-dir DIR` and pass --model DIR here; "
             "the embedded default needs no download (--model tiny)",
}


def offline_mode() -> bool:
    return os.environ.get("HF_HUB_OFFLINE", "0").lower() in ("1", "true", "yes", "on")  # as huggingface_hub reads it


@functools.lru_cache(maxsize=None)
def hub_reachable(timeout: float = 3.0) -> bool:
    """One TCP connection attempt to the hub endpoint; cached for the process."""
    if offline_mode():
        return False
    from huggingface_hub import constants

    url = urlparse(constants.ENDPOINT)
    port = url.port or (443 if url.scheme == "https" else 80)
    try:
        with socket.create_connection((url.hostname, port), timeout=timeout):
            return True
    except OSError:
        return False


def unreachable(name: str, what: str) -> XltError:
    reason = "HF_HUB_OFFLINE is set" if offline_mode() else "the hub cannot be reached"
    return XltError(f"{what} {name!r} is not in the local cache and {reason}: " + OFFLINE_HELP[what].format(name=name))


def cached_or_online(load, name: str, what: str):
    """Call `load(cache_only)`: from the cache alone when the hub is offline or unreachable (one line if that
    fails), online otherwise."""
    if offline_mode() or not hub_reachable():
        try:
            return load(True)
        except Exception as cache_miss:  # each library raises its own type for "not cached"
            raise unreachable(name, what) from cache_miss
    return load(False)


@contextmanager
def forced_offline():
    """Make huggingface_hub and datasets read their caches only, whatever HF_HUB_OFFLINE said at import time."""
    import datasets.config
    from huggingface_hub import constants

    saved = datasets.config.HF_HUB_OFFLINE, constants.HF_HUB_OFFLINE
    datasets.config.HF_HUB_OFFLINE = constants.HF_HUB_OFFLINE = True
    try:
        yield
    finally:
        datasets.config.HF_HUB_OFFLINE, constants.HF_HUB_OFFLINE = saved


def available(repo: str, repo_type: str = "model") -> bool:
    """Whether `repo` can be loaded: in the local cache, or the hub answers. A dataset counts as cached when any
    revision of it is in the hub cache (a source read at refs/convert/parquet has no dataset card there) or
    `datasets` prepared it before."""
    from huggingface_hub import constants, try_to_load_from_cache

    if not offline_mode() and hub_reachable():
        return True
    if repo_type == "model":
        return isinstance(try_to_load_from_cache(repo, "config.json"), str)
    import datasets.config

    snapshots = Path(constants.HF_HUB_CACHE) / f"datasets--{repo.replace('/', '--')}" / "snapshots"
    prepared = Path(datasets.config.HF_DATASETS_CACHE) / repo.replace("/", "___")
    return (snapshots.is_dir() and any(snapshots.iterdir())) or prepared.is_dir()
