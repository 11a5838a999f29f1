"""Faults lose nothing and leave nothing behind: `xlt run` killed again and again at random moments ends with the
scores of an uninterrupted run and no process, temporary folder or training checkpoint left; a stage finished but
not renamed is kept; kernels and sweep workers die with their parent; a full disk or a read-only runs folder is one
line naming the path (exit 2), nothing half-written, and a rerun completes."""

import errno
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import time
from contextlib import contextmanager, suppress
from pathlib import Path

import pytest

import torch

from conftest import dead_owner
from xlt_core import cli
from xlt_core.config import chain
from xlt_core.pipeline import run_stage
from xlt_core.runner import ensure_kernel, execute_stage
from xlt_core.staging import reclaim
from xlt_core.storage import StorageError

XLT = os.path.join(os.path.dirname(sys.executable), "xlt")
SIZES = {"languages": "en,de", "intermediate_size": 200, "train_size": 200, "eval_size": 20}
RUN = ["run", "--intermediate", "mnli", "--target", "xnli", "--languages", "en,de", "--intermediate-size", "200",
       "--train-size", "200", "--eval-size", "20"]
CHECKPOINTS = {**os.environ, "XLT_CHECKPOINT_EVERY": "2"}


def stages():
    return chain(model="tiny", intermediate="mnli", target="xnli", **SIZES)


def xlt_run(runs: Path, **kwargs):
    return subprocess.run([XLT, *RUN, "--runs-dir", str(runs), "--db", str(runs.parent / "results.duckdb")],
                          capture_output=True, text=True, timeout=600, env=CHECKPOINTS, **kwargs)


@pytest.fixture(scope="module")
def reference(tmp_path_factory) -> Path:
    """The chain run once without interruption (directly, no papermill: the same stages, the same results)."""
    runs = tmp_path_factory.mktemp("reference") / "runs"
    code = ("import sys; from xlt_core.pipeline import run_stage; from xlt_core.config import chain\n"
            f"for cfg in chain(model='tiny', intermediate='mnli', target='xnli', **{SIZES!r}):\n"
            "    run_stage(cfg, sys.argv[1])\n")
    subprocess.run([sys.executable, "-c", code, str(runs)], check=True, capture_output=True, timeout=600)
    return runs


def scores(runs: Path) -> list:
    return json.loads((runs / stages()[-1].stage_id / "scores.json").read_text())


def leftovers(runs: Path) -> list[str]:
    """Temporary folders, training checkpoints and half-written files under runs/."""
    found = list(runs.glob(".tmp-*")) + list(runs.glob(".partial/*")) + list(runs.rglob("*.tmp"))
    return sorted(str(p.relative_to(runs)) for p in found)


# processes ------------------------------------------------------------------------------------------------------
def stat(pid: int) -> tuple[int, int, str] | None:
    """(parent pid, start time, state) of a process, None when it is gone."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
    except OSError:
        return None
    return int(fields[1]), int(fields[19]), fields[0]


def descendants(root: int) -> dict[tuple[int, int], str]:
    """Every process under `root`: (pid, start time) -> command line."""
    tree = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit() and (info := stat(int(entry.name))) is not None:
            tree[int(entry.name)] = info
    found, frontier = {}, [root]
    while frontier:
        parent = frontier.pop()
        for pid, (ppid, start, _) in tree.items():
            if ppid == parent:
                cmd = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
                found[(pid, start)] = cmd
                frontier.append(pid)
    return found


def survivors(processes: dict[tuple[int, int], str], within_s: float = 5.0) -> list[str]:
    """The processes still running (zombies excepted) after waiting up to `within_s`."""
    deadline = time.monotonic() + within_s
    while True:
        alive = [cmd for (pid, start), cmd in processes.items()
                 if (info := stat(pid)) is not None and info[1] == start and info[2] != "Z"]
        if not alive or time.monotonic() > deadline:
            return alive
        time.sleep(0.1)


def wait_for_kernel(root: int, timeout_s: float = 120) -> None:
    deadline = time.monotonic() + timeout_s
    while not any("xlt_core.kernel" in cmd for cmd in descendants(root).values()):
        assert time.monotonic() < deadline, "no kernel started"
        time.sleep(0.1)


@contextmanager
def started(cmd: list[str], **kwargs):
    """A process in a session of its own; its process group is killed on the way out, whatever happened."""
    proc = subprocess.Popen(cmd, start_new_session=True, **kwargs)
    try:
        yield proc
    finally:
        with suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()


def kill_group(proc: subprocess.Popen) -> dict[tuple[int, int], str]:
    """SIGKILL the process group of `proc` (as a job scheduler or a closed terminal would); what ran under it."""
    tree = descendants(proc.pid)
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    return tree


# kills ----------------------------------------------------------------------------------------------------------
def test_killed_again_and_again_at_random_moments_the_chain_ends_as_an_uninterrupted_run(reference, tmp_path):
    seed = random.randrange(10**6)
    rng = random.Random(seed)
    runs = tmp_path / "runs"
    cmd = [XLT, *RUN, "--runs-dir", str(runs), "--db", str(tmp_path / "results.duckdb")]
    moments = []
    for attempt in range(3):
        with started(cmd, env=CHECKPOINTS, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL) as proc:
            if attempt == 0:  # once surely while a kernel trains; then anywhere in the chain
                wait_for_kernel(proc.pid)
                moments.append(round(rng.uniform(0, 2), 2))
            else:
                moments.append(round(rng.uniform(1, 25), 2))
            time.sleep(moments[-1])
            tree = kill_group(proc)
        assert attempt or any("xlt_core.kernel" in c for c in tree.values()), f"seed {seed}: no kernel was killed"
        assert survivors(tree) == [], f"seed {seed}, kills at {moments}: processes outlived `xlt run`"
    final = xlt_run(runs)
    assert final.returncode == 0, f"seed {seed}, kills at {moments}: {final.stderr[-2000:]}"
    assert scores(runs) == scores(reference), f"seed {seed}, kills at {moments}"
    assert leftovers(runs) == [], f"seed {seed}, kills at {moments}"
    finished = [sorted(p.name for p in d.iterdir() if not p.name.startswith(".")) for d in (runs, reference)]
    assert finished[0] == finished[1] and len(finished[0]) == 3


def test_a_stage_finished_but_not_yet_renamed_is_kept_not_recomputed(tmp_path):
    """A kill after a stage's config.json (written last) but before the rename of its folder and the removal of its
    training checkpoint: the next run renames the folder and drops the checkpoint, for both ways of running."""
    dead, inter = dead_owner(), stages()[0]
    ways = {"papermill": lambda runs: execute_stage(inter, runs, log=lambda m: None),
            "direct": lambda runs: run_stage(inter, runs)}
    for way, run in ways.items():
        runs = tmp_path / way
        tmp = runs / f".tmp-{inter.stage_id}@{dead.tag()}-0123abcd"
        tmp.mkdir(parents=True)
        record = {"stage_id": inter.stage_id, "finished_at": "before the kill"}
        (tmp / "cost.json").write_text("{}")
        (tmp / "config.json").write_text(json.dumps(record))
        (runs / ".partial" / inter.stage_id).mkdir(parents=True)
        (runs / ".partial" / inter.stage_id / "state.pt").write_bytes(b"the last checkpoint")
        run(runs)  # recomputing would take seconds and write another record
        assert json.loads((runs / inter.stage_id / "config.json").read_text()) == record
        assert leftovers(runs) == []


def test_a_killed_sweep_takes_its_workers_and_their_kernels_with_it(tmp_path):
    sweep = tmp_path / "sweep.yaml"
    sweep.write_text("intermediate: [none]\ntarget: [xnli]\nlanguages: en\ntrain_size: 200\neval_size: 20\n")
    with started([XLT, "sweep", "run", str(sweep)], cwd=tmp_path, stdout=subprocess.DEVNULL,
                 stderr=subprocess.DEVNULL) as proc:
        wait_for_kernel(proc.pid)
        tree = descendants(proc.pid)
        assert any("xlt_core.runner" in c for c in tree.values())
        os.kill(proc.pid, signal.SIGKILL)  # the sweep alone, not its process group
        proc.wait()
        assert survivors(tree) == []
    runs = tmp_path / "runs"
    assert list(runs.glob(".tmp-*")) != []  # the killed worker's stage
    reclaim(runs)
    assert leftovers(runs) == []


def test_a_kernel_started_as_jupyterlab_starts_it_dies_with_the_server(tmp_path):
    ensure_kernel()
    server = ("from jupyter_client.manager import start_new_kernel\n"
              "km, kc = start_new_kernel(kernel_name='xlt')\n"
              "out = []\n"
              "kc.execute_interactive('6 * 7', timeout=60, output_hook=out.append)\n"
              "[value] = [m['content']['data']['text/plain'] for m in out if m['msg_type'] == 'execute_result']\n"
              "print(value, km.provisioner.process.pid, flush=True)\n"
              "import time; time.sleep(600)\n")
    with started([sys.executable, "-c", server], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
                 cwd=tmp_path) as proc:
        value, pid = proc.stdout.readline().split()
        assert value == "42"
        kernel = {key: cmd for key, cmd in descendants(proc.pid).items() if key[0] == int(pid)}
        [cmd] = kernel.values()
        assert "-m xlt_core.kernel -f " in cmd and "--xlt-parent" not in cmd  # {connection_file} filled in, no flag
        proc.kill()
        proc.wait()
        assert survivors(kernel) == []


# a full disk, a read-only folder ------------------------------------------------------------------------------
@contextmanager
def tmpfs(path: Path, options: str):
    """A small tmpfs mounted at `path` (root only; skips where mounting is not allowed)."""
    path.mkdir()
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", options, "tmpfs", str(path)], capture_output=True)
    if mounted.returncode:
        pytest.skip(f"cannot mount a tmpfs here: {mounted.stderr.decode().strip()}")
    try:
        yield path
    finally:
        subprocess.run(["umount", "-l", str(path)], check=True)


def test_a_full_disk_mid_stage_is_one_line_and_a_rerun_completes_alike(tmp_path, monkeypatch):
    """Simulated (runs anywhere): the second training checkpoint, then the scores, do not fit."""
    target, evaluate = chain(model="tiny", intermediate="none", target="xnli", **SIZES)
    straight, runs = tmp_path / "straight", tmp_path / "runs"
    for cfg in (target, evaluate):
        run_stage(cfg, straight)
    monkeypatch.setenv("XLT_CHECKPOINT_EVERY", "2")
    saves, save = [], torch.save

    def second_save_fails(obj, f, *args, **kwargs):
        saves.append(f.name)
        if len(saves) == 2:
            f.write(b"half a checkpoint")
            raise OSError(errno.ENOSPC, "No space left on device")
        return save(obj, f, *args, **kwargs)

    monkeypatch.setattr(torch, "save", second_save_fails)
    partial = runs / ".partial" / target.stage_id
    with pytest.raises(StorageError, match=f"^cannot write {partial}/state.pt.{os.getpid()}.tmp: No space left on device$"):
        run_stage(target, runs)
    assert leftovers(runs) == [f".partial/{target.stage_id}"] and [p.name for p in partial.iterdir()] == ["state.pt"]
    monkeypatch.setattr(torch, "save", save)
    assert run_stage(target, runs)["cost"]["resumed_at_step"] == 2

    write_text = Path.write_text

    def scores_do_not_fit(path, *args, **kwargs):
        if path.name == "scores.json":
            raise OSError(errno.ENOSPC, "No space left on device")
        return write_text(path, *args, **kwargs)

    monkeypatch.setattr(Path, "write_text", scores_do_not_fit)
    with pytest.raises(StorageError, match=rf"^cannot write {runs}/\.tmp-{evaluate.stage_id}@[^/]+/scores\.json: "
                                           "No space left on device$"):
        run_stage(evaluate, runs)
    assert leftovers(runs) == [] and not (runs / evaluate.stage_id).exists()  # nothing half-written
    monkeypatch.setattr(Path, "write_text", write_text)
    assert run_stage(evaluate, runs)["scores"] == json.loads((straight / evaluate.stage_id / "scores.json").read_text())
    assert leftovers(runs) == []


def test_a_real_full_disk_is_one_line_exit_2_and_a_rerun_completes_alike(reference, tmp_path):
    """A tmpfs 2 MB larger than the intermediate stage (copied from the reference): it fits, the target stage's
    checkpoints (the whole encoder again) do not."""
    first = reference / stages()[0].stage_id
    size_kb = sum(f.stat().st_size for f in first.rglob("*") if f.is_file()) // 1024 + 2048
    with tmpfs(tmp_path / "disk", f"size={size_kb}k") as disk:
        runs = disk / "runs"
        shutil.copytree(reference / stages()[0].stage_id, runs / stages()[0].stage_id)
        full = xlt_run(runs)
        assert full.returncode == 2, full.stderr[-2000:]
        last = full.stderr.rstrip("\n").rpartition("\n")[2]
        assert last.startswith(f"xlt: error: cannot write {runs}/") and last.endswith(": No space left on device")
        assert "Traceback" not in full.stderr
        assert [p for p in leftovers(runs) if not p.startswith(".partial/")] == []  # no temporary folder or file
        subprocess.run(["mount", "-o", "remount,size=256m", str(disk)], check=True)  # space freed
        again = xlt_run(runs)
        assert again.returncode == 0, again.stderr[-2000:]
        assert scores(runs) == scores(reference) and leftovers(runs) == []


def test_a_read_only_runs_folder_is_one_line_naming_it_and_exit_2(tmp_path, monkeypatch, capsys):
    """Simulated (as root, chmod does not stop writes): creating the stage's temporary folder is refused."""
    runs = tmp_path / "runs"
    runs.mkdir()
    mkdir = os.mkdir

    def refused(path, *args, **kwargs):
        if Path(path).parent == runs:
            raise PermissionError(errno.EACCES, "Permission denied", str(path))
        return mkdir(path, *args, **kwargs)

    monkeypatch.setattr(os, "mkdir", refused)
    code = cli.main([*RUN, "--runs-dir", str(runs), "--db", str(tmp_path / "results.duckdb")])
    err = capsys.readouterr().err
    assert (code, err) == (2, f"xlt: error: cannot write {runs}: Permission denied\n")
    assert list(runs.iterdir()) == []


@contextmanager
def read_only(path: Path):
    """A read-only folder and the reason a write is refused: a read-only tmpfs as root (whom chmod does not stop),
    a folder without write permission for anyone else."""
    if os.geteuid() == 0:
        with tmpfs(path, "ro,size=1m"):
            yield "Read-only file system"
    else:
        path.mkdir(mode=0o555)
        yield "Permission denied"


def test_a_really_read_only_runs_folder_is_one_line_naming_it_and_exit_2(tmp_path):
    runs = tmp_path / "runs"
    with read_only(runs) as reason:
        proc = xlt_run(runs)
        assert (proc.returncode, proc.stderr) == (2, f"xlt: error: cannot write {runs}: {reason}\n")
        assert list(runs.iterdir()) == []
