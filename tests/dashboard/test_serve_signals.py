"""`xlt dashboard` as a user runs it: stopped by SIGTERM or SIGINT (or its own death by SIGKILL), it leaves no
process and no open port; a database it cannot read, a port in use or a host that does not resolve is one line,
exit 2, and no address printed. Only 127.0.0.1; every wait is bounded."""

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request

import psutil
import pytest

from conftest import free_port

XLT = os.path.join(os.path.dirname(sys.executable), "xlt")
START_S, STOP_S = 90, 30


def port_is_free(port: int) -> bool:
    """Nothing answers on the port and it can be bound again (as the server binds: TIME_WAIT is no obstacle)."""
    with socket.socket() as s:
        if s.connect_ex(("127.0.0.1", port)) == 0:
            return False
    with socket.socket() as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def wait_until_up(proc: subprocess.Popen, port: int) -> None:
    deadline = time.monotonic() + START_S
    while time.monotonic() < deadline:
        assert proc.poll() is None, f"xlt dashboard exited with {proc.returncode}"
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=2)
            return
        except OSError:
            time.sleep(0.2)
    pytest.fail(f"the dashboard did not answer on port {port} within {START_S} s")


@pytest.fixture
def empty_db(tmp_path):
    import duckdb

    db = tmp_path / "results.duckdb"
    duckdb.connect(str(db)).close()  # a DuckDB file without results: the pages say how to fill it
    return db


@pytest.mark.parametrize("how", ["SIGTERM", "SIGINT", pytest.param("SIGKILL", marks=pytest.mark.skipif(
    not sys.platform.startswith("linux"), reason="the server dies with xlt through Linux's PR_SET_PDEATHSIG"))])
def test_a_stopped_dashboard_leaves_no_process_and_no_port(how, empty_db):
    port = free_port()
    proc = subprocess.Popen([XLT, "dashboard", "--db", str(empty_db), "--port", str(port)],
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    children = []
    try:
        wait_until_up(proc, port)
        children = psutil.Process(proc.pid).children(recursive=True)
        assert children, "the server runs in a process of its own"
        proc.send_signal(getattr(signal, how))
        code = proc.wait(timeout=STOP_S)
        _, alive = psutil.wait_procs(children, timeout=STOP_S)
        assert not alive, f"still running after {how}: {alive}"
        assert code == (-signal.SIGKILL if how == "SIGKILL" else 0)
        assert port_is_free(port)
    finally:  # whatever a failed assertion left behind
        for child in children:
            with contextlib.suppress(psutil.NoSuchProcess):
                child.kill()
        if proc.poll() is None:
            proc.kill()
        proc.communicate(timeout=STOP_S)


def run_dashboard(*argv) -> subprocess.CompletedProcess:
    return subprocess.run([XLT, "dashboard", *map(str, argv)], capture_output=True, text=True, timeout=60)


def test_a_database_it_cannot_read_is_one_line(tmp_path):
    (tmp_path / "random.duckdb").write_bytes(os.urandom(4096))
    (tmp_path / "folder.duckdb").mkdir()
    for db, message in [(tmp_path / "random.duckdb", "is not a DuckDB database"),
                        (tmp_path / "folder.duckdb", "is a folder: give a database file")]:
        proc = run_dashboard("--db", db, "--port", free_port())
        assert proc.returncode == 2 and proc.stderr.count("\n") == 1, proc.stderr
        assert proc.stderr.startswith("xlt: error: ") and message in proc.stderr and str(db) in proc.stderr
        assert "http" not in proc.stdout + proc.stderr


def test_an_unreadable_database_is_one_line(empty_db, monkeypatch, capsys):
    """Tests run as root, who reads any file: the OSError is simulated (in process: no server is started)."""
    from xlt_core.cli import main
    from xlt_core.results import store

    def refuse(path, *args, **kwargs):
        raise PermissionError(13, "Permission denied", str(path))

    monkeypatch.setattr(store, "open", refuse, raising=False)
    assert main(["dashboard", "--db", str(empty_db), "--port", str(free_port())]) == 2
    out, err = capsys.readouterr()
    assert err == f"xlt: error: results database {empty_db} cannot be read (Permission denied)\n" and not out


def test_a_port_in_use_is_one_line(empty_db):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        proc = run_dashboard("--db", empty_db, "--port", port)
    assert proc.returncode == 2 and proc.stderr == (
        f"xlt: error: --port {port} is in use on 127.0.0.1: choose another --port (1-65535) or stop what listens "
        "there\n")
    assert not proc.stdout


def test_a_host_that_does_not_resolve_is_one_line(empty_db):
    proc = run_dashboard("--db", empty_db, "--port", free_port(), "--host", "no-such-host.invalid")
    assert proc.returncode == 2 and proc.stderr.count("\n") == 1, proc.stderr
    assert proc.stderr.startswith("xlt: error: --host 'no-such-host.invalid' does not resolve")
    assert not proc.stdout


def test_a_server_that_cannot_start_says_why(tmp_path):
    """dashboard/serve.start, which the browser tests and the latency benchmark use: a server that exits at once is
    an error naming its exit code and its own message, not a page that never loads."""
    from dashboard.serve import start

    with pytest.raises(RuntimeError, match=r"(?s)exited with 2: .*No such option '--server\.nosuchoption'"):
        start(tmp_path / "results.duckdb", ("--server.nosuchoption", "1"), wait_s=30)
