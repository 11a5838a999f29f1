"""Temporary folders that name their owner, their promotion, and the clean-up of those whose owner died.

Whatever must appear whole (a run folder, the cached tiny model) is written under a temporary name and renamed
when complete (paths.atomic_dir). The name carries its owner, `.tmp-<final>@<host>-<pid>-<start>-<random>`, where
<start> is the process's start time (from /proc; 0 where there is none), so that a pid reused by a later process is
not taken for the owner. In the name rather than in a file inside: a temporary folder never exists without its owner,
and nothing has to be taken out of it before it is promoted.

`reclaim(runs_dir)` runs at the start of every stage and sweep: the temporary folders of processes of this host that
are gone are promoted when complete (config.json, written last, is there: a stage killed between its end and the
rename) and removed otherwise; folders of live processes or of other hosts (a shared filesystem on a cluster) are
left alone. Training checkpoints (`.partial/<stage_id>`) go once their stage's folder exists.
"""

from __future__ import annotations

import os
import re
import shutil
import socket
import uuid
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path

PREFIX = ".tmp-"


@dataclass(frozen=True)
class Owner:
    host: str
    pid: int
    start: int  # clock ticks after boot (/proc/<pid>/stat field 22); 0: unknown

    @classmethod
    def of(cls, pid: int) -> "Owner":
        """A running process of this host."""
        return cls(_host(), pid, _start(pid) or 0)

    def tag(self) -> str:
        return f"{self.host}-{self.pid}-{self.start}"

    def gone(self) -> bool:
        """A process of this host that no longer runs (a zombie, or another process under its pid, is not it)."""
        if self.host != _host():
            return False
        if not Path("/proc/self/stat").exists():
            return not _signalable(self.pid)
        stat = _stat(self.pid)
        if stat is None:  # no /proc entry: gone, or hidden from us (hidepid on a shared node): ask the kernel
            return not _signalable(self.pid)
        state, start = stat
        return state in ("Z", "X") or self.start != 0 and start != self.start


def _host() -> str:
    """This machine as its processes see it: the host name, and the pid namespace where /proc tells (containers that
    share a host name and a folder do not see each other's processes)."""
    name = re.sub(r"[^A-Za-z0-9.-]", "_", socket.gethostname())[:64] or "localhost"
    with suppress(OSError):
        name += "." + re.sub(r"\D", "", os.readlink("/proc/self/ns/pid"))
    return name


def _stat(pid: int) -> tuple[str, int] | None:
    """A process's state letter and start time (/proc/<pid>/stat); None when /proc shows no such process."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
    except OSError:
        return None
    return fields[0], int(fields[19])


def _start(pid: int) -> int | None:
    """A running process's start time; None when it is gone, a zombie, or there is no /proc."""
    stat = _stat(pid)
    return None if stat is None or stat[0] in ("Z", "X") else stat[1]


def _signalable(pid: int) -> bool:
    """Whether a process exists, where there is no /proc; elsewhere than POSIX, assumed (os.kill would kill it)."""
    if os.name != "posix":
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # alive, and someone else's
        pass
    return True


def temp_path(final: Path) -> Path:
    """A fresh temporary sibling of `final` that names this process as its owner."""
    return final.parent / f"{PREFIX}{final.name}@{Owner.of(os.getpid()).tag()}-{uuid.uuid4().hex[:8]}"


def parse(tmp: Path) -> tuple[str, Owner] | None:
    """The final name and the owner of a temporary folder; None for other names (such as those of older versions)."""
    body = tmp.name[len(PREFIX):] if tmp.name.startswith(PREFIX) else ""
    final, _, tag = body.rpartition("@")
    parts = tag.rsplit("-", 3)
    if not final or len(parts) != 4 or not (parts[1].isdigit() and parts[2].isdigit()):
        return None
    return final, Owner(parts[0], int(parts[1]), int(parts[2]))


def promote(tmp: Path, final: Path) -> None:
    """Rename a complete temporary folder to its final name. If another process finished the same folder first,
    ours is discarded: the content is identical by construction (same content-hash name)."""
    try:
        os.rename(tmp, final)
    except OSError:
        if not final.exists():
            raise
        shutil.rmtree(tmp, ignore_errors=True)


@contextmanager
def stage_lock(runs_dir, stage_id: str, log=None):
    """Held while a stage runs, so that two processes given the same stage (two `xlt run`s or sweeps on one runs
    folder) do not train it side by side into one checkpoint: the second waits, then finds it done."""
    from filelock import FileLock, Timeout

    from .storage import storage_errors

    locks = Path(runs_dir) / ".locks"
    lock = FileLock(str(locks / f"{stage_id}.lock"))
    with storage_errors(runs_dir, name_file=False):  # a read-only runs folder: one line naming it
        locks.mkdir(parents=True, exist_ok=True)
        try:
            lock.acquire(timeout=0)
        except Timeout:
            if log:
                log(f"[wait]  {stage_id} (another process is running it)")
            lock.acquire()
    try:
        yield
    finally:
        lock.release()


def partial_dir(runs_dir, stage_id: str) -> Path:
    """Where a training stage keeps the checkpoint it resumes from when killed."""
    return Path(runs_dir) / ".partial" / stage_id


def drop_partial(runs_dir, stage_id: str) -> None:
    """Remove a stage's training checkpoint: only once its run folder has its final name."""
    shutil.rmtree(partial_dir(runs_dir, stage_id), ignore_errors=True)


def reclaim(runs_dir, log=None) -> None:
    """Promote the complete temporary folders of dead processes of this host, remove their other ones, and remove the
    training checkpoints of finished stages. Silent about what it cannot remove (a read-only folder)."""
    runs = Path(runs_dir)
    if not runs.is_dir():
        return
    for tmp in runs.glob(PREFIX + "*"):
        found = parse(tmp)
        if found is None or not found[1].gone():
            continue
        final = runs / found[0]
        if (tmp / "config.json").exists() and not final.exists():
            with suppress(OSError):  # a read-only folder: the stage's own run says so, in one line
                promote(tmp, final)
                if log:
                    log(f"[kept]  {found[0]} (finished by a run killed before it was renamed)")
        else:
            shutil.rmtree(tmp, ignore_errors=True)
    for partial in (runs / ".partial").glob("*"):
        if (runs / partial.name / "config.json").exists():
            shutil.rmtree(partial, ignore_errors=True)
