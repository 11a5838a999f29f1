"""Temporary folders that name their owner, what the next run reclaims of them, and a full disk or an unwritable
folder as one line naming the path, with nothing half-written left behind."""

import errno
import os
from pathlib import Path

import pytest

import torch

from conftest import dead_owner
from xlt_core import training
from xlt_core.paths import atomic_dir
from xlt_core.staging import Owner, parse, reclaim, temp_path
from xlt_core.storage import StorageError, cause, storage_errors


def tmp_folder(runs: Path, final: str, owner: Owner, complete: bool = False) -> Path:
    folder = runs / f".tmp-{final}@{owner.tag()}-0123abcd"
    folder.mkdir(parents=True)
    if complete:
        (folder / "config.json").write_text("{}")
    return folder


def test_a_temporary_name_carries_its_owner():
    final = Path("/r/target-xnli-0afc87fe9f60")
    tmp = temp_path(final)
    assert tmp.parent == final.parent and tmp.name.startswith(".tmp-target-xnli-0afc87fe9f60@")
    assert parse(tmp) == ("target-xnli-0afc87fe9f60", Owner.of(os.getpid()))
    assert temp_path(final) != tmp
    assert parse(Path("/r/.tmp-target-xnli-0afc87fe9f60-fbc9284a")) is None  # a name of an older version


def test_an_owner_is_gone_once_its_process_exited_or_its_pid_belongs_to_a_newer_one():
    me = Owner.of(os.getpid())
    assert me.start > 0 and not me.gone()
    assert dead_owner().gone()
    assert Owner(me.host, me.pid, me.start + 1).gone()  # the same pid, started at another time: reused
    assert not Owner("another-host", dead_owner().pid, 1).gone()  # its processes cannot be seen from here


def test_reclaim_keeps_what_live_or_remote_processes_own_and_promotes_finished_stages(tmp_path):
    runs, dead, me = tmp_path / "runs", dead_owner(), Owner.of(os.getpid())
    tmp_folder(runs, "target-a", dead)  # killed mid-stage: removed
    tmp_folder(runs, "target-b", dead, complete=True)  # killed between config.json and the rename: promoted
    tmp_folder(runs, "target-c", dead, complete=True)  # finished again by someone else meanwhile: removed
    (runs / "target-c").mkdir()
    live = tmp_folder(runs, "target-d", me)
    remote = tmp_folder(runs, "target-e", Owner("node-7", dead.pid, dead.start))
    old = runs / ".tmp-target-f-0123abcd"
    old.mkdir()
    for stage in ("target-b", "target-g"):
        (runs / ".partial" / stage).mkdir(parents=True)
    logged = []
    reclaim(runs, logged.append)
    assert sorted(p.name for p in runs.iterdir()) == sorted([".partial", "target-b", "target-c", live.name,
                                                             remote.name, old.name])
    assert (runs / "target-b" / "config.json").exists()
    assert [p.name for p in (runs / ".partial").iterdir()] == ["target-g"]  # its stage is not finished
    assert logged == ["[kept]  target-b (finished by a run killed before it was renamed)"]


def test_reclaim_of_a_missing_runs_folder_does_nothing(tmp_path):
    reclaim(tmp_path / "nowhere")
    assert list(tmp_path.iterdir()) == []


def test_the_cause_of_a_full_disk_is_found_whatever_library_reports_it():
    enospc = OSError(errno.ENOSPC, "No space left on device")
    wrapped = RuntimeError("[enforce fail at inline_container.cc:672] . unexpected pos 704 vs 598")
    wrapped.__context__ = enospc  # torch writing to a Python file
    assert cause(wrapped) is enospc
    rust = Exception("Error while serializing: I/O error: No space left on device (os error 28)")  # safetensors
    assert cause(rust).errno == errno.ENOSPC
    assert cause(OSError(errno.ENOENT, "No such file or directory")) is None
    assert cause(ValueError("bad value")) is None


def test_storage_errors_name_the_file_else_the_given_path_and_let_other_errors_pass(tmp_path):
    with pytest.raises(StorageError, match=f"^cannot write {tmp_path}/a.json: Read-only file system$"):
        with storage_errors(tmp_path):
            raise OSError(errno.EROFS, "Read-only file system", str(tmp_path / "a.json"))
    with pytest.raises(StorageError, match=f"^cannot write {tmp_path}: No space left on device$"):
        with storage_errors(tmp_path):
            raise OSError(errno.ENOSPC, "No space left on device")
    with pytest.raises(KeyError):
        with storage_errors(tmp_path):
            raise KeyError("x")
    assert StorageError("x").exit_code == 2


def test_atomic_dir_in_an_unwritable_folder_names_the_folder(tmp_path, monkeypatch):
    def refused(path, *args, **kwargs):
        raise PermissionError(errno.EACCES, "Permission denied", str(path))

    monkeypatch.setattr(os, "mkdir", refused)
    with pytest.raises(StorageError, match=f"^cannot write {tmp_path}: Permission denied$"):
        with atomic_dir(tmp_path / "stage"):
            pass


def test_atomic_dir_on_a_full_disk_names_the_file_and_leaves_nothing(tmp_path):
    with pytest.raises(StorageError, match=r"/scores\.json: No space left on device$"):
        with atomic_dir(tmp_path / "stage") as tmp:
            (tmp / "half.json").write_text("{")
            raise OSError(errno.ENOSPC, "No space left on device", str(tmp / "scores.json"))
    assert list(tmp_path.iterdir()) == []


def test_a_checkpoint_that_does_not_fit_leaves_the_last_one_whole(tmp_path, monkeypatch):
    model = torch.nn.Linear(4, 2)
    optimizer = torch.optim.AdamW(model.parameters())
    schedule = torch.optim.lr_scheduler.LambdaLR(optimizer, lambda step: 1.0)
    meter = training.CostMeter(torch.device("cpu"))
    folder = tmp_path / ".partial" / "target-x"
    save = lambda step: training._save_checkpoint(folder, model, optimizer, schedule, {"step": step}, None, meter)
    save(2)

    def full_disk(obj, f, *args, **kwargs):
        f.write(b"half a checkpoint")
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(torch, "save", full_disk)
    with pytest.raises(StorageError, match=f"^cannot write {folder}/state.pt.{os.getpid()}.tmp: No space left on device$"):
        save(4)
    assert [p.name for p in folder.iterdir()] == ["state.pt"]
    assert torch.load(folder / "state.pt", weights_only=False)["state"] == {"step": 2}


def test_an_owner_hidden_from_proc_is_alive_if_the_kernel_says_so(monkeypatch):
    """/proc mounted with hidepid (shared login nodes) hides other users' processes: ask the kernel before taking
    their folders for dead."""
    from xlt_core import staging

    owner = staging.Owner.of(os.getpid())
    monkeypatch.setattr(staging, "_stat", lambda pid: None)
    assert not owner.gone()  # this very process: os.kill(pid, 0) succeeds

    def someone_elses(pid, sig):
        raise PermissionError(1, "Operation not permitted")

    monkeypatch.setattr(os, "kill", someone_elses)
    assert not owner.gone()

    def no_such(pid, sig):
        raise ProcessLookupError(3, "No such process")

    monkeypatch.setattr(os, "kill", no_such)
    assert owner.gone()
