"""The paths users take, as they take them: every `xlt` command of README.md, read from the README itself and run
as a subprocess in README order in one working folder, on the embedded default at tiny sizes; and every sweep file
in sweeps/ planned, pre-flighted and dry-run (`--smoke`: one chain of every regime it contains, end to end)."""

import os
import re
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import duckdb
import pytest

from conftest import free_port
from xlt_core.cli import build_parser, run_chain
from xlt_core.tasks import get_task

REPO = Path(__file__).resolve().parents[2]
XLT = os.path.join(os.path.dirname(sys.executable), "xlt")
# a size the README gives that is larger is capped to these; one it gives that is smaller is kept
TINY = {"--intermediate-size": 48, "--train-size": 48, "--eval-size": 12}


def readme_commands() -> list[list[str]]:
    """The `xlt` lines of the README's bash blocks, as argv lists (comments dropped, quotes honoured)."""
    blocks = re.findall(r"```bash\n(.*?)```", (REPO / "README.md").read_text(), re.S)
    lines = [shlex.split(line, comments=True) for block in blocks for line in block.splitlines()]
    return [argv[1:] for argv in lines if argv and argv[0] == "xlt"]


def _set(argv: list[str], option: str, value) -> list[str]:
    if option in argv:
        i = argv.index(option)
        return argv[:i + 1] + [str(value)] + argv[i + 2:]
    return argv + [option, str(value)]


def on_embedded_default(argv: list[str], port: int) -> list[str]:
    """The command as it runs here: the embedded model and data, the CPU, tiny sizes, a free port; sweeps as their
    --smoke dry run with two local workers (Slurm through submitit's local cluster); data pulled from the embedded
    data."""
    if argv[0] == "run":
        argv = _set(_set(_set(argv, "--model", "tiny"), "--data", "sample"), "--device", "cpu")
        a = build_parser().parse_args(argv)
        applies = {"--intermediate-size": a.intermediate != "none", "--eval-size": True,
                   "--train-size": get_task(a.target).type != "retrieval"}
        for option, cap in TINY.items():
            given = int(argv[argv.index(option) + 1]) if option in argv else cap
            argv = _set(argv, option, min(given, cap)) if applies[option] else argv
    elif argv[:2] == ["sweep", "plan"]:
        argv = argv + ["--model", "tiny", "--data", "sample", "--sizes", "tiny"]
    elif argv[:2] == ["data", "pull"]:  # from the embedded data instead of the hub
        argv = _set(argv, "--source", "sample")
    elif argv[:2] == ["sweep", "run"]:
        argv = argv + ([] if "--smoke" in argv else ["--smoke"])
        argv = argv + ([] if "--workers" in argv else ["--workers", "2"])  # the two cores here, a thread each
        argv = argv + (["--cluster", "local"] if "slurm" in argv else [])
    if argv[0] in ("dashboard", "demo") and "--no-serve" not in argv:
        argv = _set(argv, "--port", port)
    return argv


def port_open(port: int) -> bool:
    with socket.socket() as s:
        return s.connect_ex(("127.0.0.1", port)) == 0


def serve_then_stop(argv: list[str], port: int, cwd: Path) -> str:
    """Start a serving command, wait for the dashboard to answer, stop it as a supervisor would (SIGTERM)."""
    proc = subprocess.Popen([XLT, *argv], cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.time() + 300
    while time.time() < deadline and proc.poll() is None:
        try:
            if urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=2).status == 200:
                break
        except OSError:
            time.sleep(0.5)
    assert proc.poll() is None, proc.communicate()[1][-3000:]
    proc.send_signal(signal.SIGTERM)
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 0, err[-3000:]
    deadline = time.time() + 20
    while port_open(port) and time.time() < deadline:
        time.sleep(0.2)
    assert not port_open(port), f"port {port} still open after SIGTERM of {argv}"
    return out + err


def expected_evaluate_stage(argv: list[str]) -> str:
    """The evaluate stage id an `xlt run` command must leave behind, from its own options."""
    return run_chain(build_parser().parse_args(argv))[-1].stage_id


def test_readme_lists_the_commands_users_need():
    commands = {" ".join(argv[:2]) if argv[0] in ("sweep", "data") else argv[0] for argv in readme_commands()}
    assert commands == {"run", "ingest", "tasks", "sweep plan", "sweep run", "demo", "dashboard", "data pull",
                        "data check", "compare", "report"}


def run(argv: list[str], cwd: Path) -> subprocess.CompletedProcess:
    start = time.time()
    proc = subprocess.run([XLT, *argv], cwd=cwd, capture_output=True, text=True, timeout=900)
    print(f"{time.time() - start:6.1f} s  xlt {shlex.join(argv)}")  # shown with -s, or on failure
    return proc


@pytest.fixture(scope="module")
def work(demo_workdir, tmp_path_factory) -> Path:
    """A clone's root where the demo ran: the README's commands run here, then every sweep's dry run (a stage two
    of them share, the same baseline say, runs once)."""
    work = tmp_path_factory.mktemp("work")
    shutil.copytree(demo_workdir, work, dirs_exist_ok=True)  # `xlt demo` reruns the demo's stages as a no-op
    (work / "sweeps").symlink_to(REPO / "sweeps")  # where users type the README's commands
    return work


def test_every_readme_command_runs_on_the_embedded_default(work):
    commands = [on_embedded_default(argv, free_port()) for argv in readme_commands()]
    runs = [argv for argv in commands if argv[0] == "run"]
    for argv in commands:
        if argv[0] in ("dashboard", "demo") and "--no-serve" not in argv:
            output = serve_then_stop(argv, int(argv[argv.index("--port") + 1]), work)
            assert "Traceback" not in output
            continue
        proc = run(argv, work)
        assert proc.returncode == 0, f"xlt {shlex.join(argv)}\n{proc.stderr[-3000:]}"
        assert "Traceback" not in proc.stderr, proc.stderr[-3000:]
        if argv[0] == "run":
            stage = work / "runs" / expected_evaluate_stage(argv)
            assert (stage / "config.json").exists(), f"xlt {shlex.join(argv)} left no {stage.name}"
            assert "ingested into results.duckdb" in proc.stdout
        if argv[0] == "tasks":
            assert "xnli" in proc.stdout and "hellaswag" in proc.stdout
        if argv[0] == "compare":
            assert "paired bootstrap over examples" in proc.stdout and "avg" in proc.stdout
        if argv[0] == "report":
            assert "| none |" in proc.stdout
    con = duckdb.connect(str(work / "results.duckdb"), read_only=True)
    labels = {r[0] for r in con.execute("SELECT DISTINCT intermediate_task FROM runs").fetchall()}
    first = con.execute("SELECT language, n FROM scores WHERE run_id = ? ORDER BY language",
                        [expected_evaluate_stage(runs[0])]).fetchall()
    con.close()
    assert {"none", "mnli", "mnli+squad", "mnli>squad", "mnli+mlm", "xnli_mt", "all"} <= labels
    assert first == [("de", 12), ("en", 12), ("zh", 12)]  # the first example's languages, at the tiny eval size
    assert not list((work / "runs").glob(".tmp-*"))


SWEEPS = sorted((REPO / "sweeps").glob("*.yaml"))


@pytest.mark.parametrize("path", SWEEPS, ids=[p.stem for p in SWEEPS])
def test_every_sweep_file_plans_preflights_and_runs_its_smoke_chains(path, work):
    from xlt_core.analysis import regime
    from xlt_core.checks import preflight
    from xlt_core.sweep import Plan, load_sweep, overrides, smoke

    chains = load_sweep(path, overrides("tiny", "sample", "tiny"))
    preflight(Plan.of(chains).stages)  # every stage of the whole file, on the embedded default
    plan = subprocess.run([XLT, "sweep", "plan", str(path), "--model", "tiny", "--data", "sample", "--sizes", "tiny"],
                          cwd=work, capture_output=True, text=True, timeout=300)
    assert plan.returncode == 0 and f"{len(chains)} chains" in plan.stdout, plan.stderr[-3000:]

    dry = smoke(chains)
    for kind in (lambda c: regime(c[-1].intermediate_task), lambda c: get_task(c[-1].task).type):
        assert {kind(c) for c in dry} == {kind(c) for c in chains}  # every regime, every target task type
    proc = run(["sweep", "run", str(path), "--smoke", "--workers", "2"], work)
    assert proc.returncode == 0, proc.stderr[-3000:]
    for stages in dry:
        assert (work / "runs" / stages[-1].stage_id / "config.json").exists()
    assert not list((work / "runs").glob(".tmp-*"))
