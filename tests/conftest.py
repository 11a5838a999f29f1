"""Shared fixtures. The whole session uses a fresh XLT_CACHE, so the tiny model and the sample data are built
exactly as on a new machine; stage subprocesses (papermill kernels) inherit it."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pytest

_CACHE = tempfile.mkdtemp(prefix="xlt-cache-")
os.environ["XLT_CACHE"] = _CACHE
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

REPO = Path(__file__).resolve().parent.parent

# tiny sizes: seconds per stage on 2 CPU cores
TINY = dict(intermediate_size=1000, train_size=1000, eval_size=40, epochs=2.0)


def tiny_chains(seed: int = 0, **overrides):
    from xlt_core.config import chain

    return [chain(model="tiny", intermediate=inter, target="xnli", seed=seed, **{**TINY, **overrides})
            for inter in ("none", "mnli")]


@pytest.fixture(scope="session")
def demo_runs(tmp_path_factory) -> Path:
    """Run folders of both demo chains (no intermediate, MNLI) at tiny sizes, run directly (no papermill)."""
    from xlt_core.pipeline import run_stage

    runs = tmp_path_factory.mktemp("runs")
    for stages in tiny_chains():
        for cfg in stages:
            run_stage(cfg, runs)
    return runs


@pytest.fixture(scope="session")
def demo_workdir(tmp_path_factory) -> Path:
    """A folder where `xlt demo --no-serve` ran, as a user runs it: runs/ and results.duckdb of the demo study."""
    import subprocess
    import sys

    work = tmp_path_factory.mktemp("demo")
    proc = subprocess.run([os.path.join(os.path.dirname(sys.executable), "xlt"), "demo", "--no-serve"], cwd=work,
                          capture_output=True, text=True, timeout=900)
    assert proc.returncode == 0, proc.stderr[-3000:]
    (work / "demo.log").write_text(proc.stdout + "\n--- stderr ---\n" + proc.stderr)
    return work


@pytest.fixture(scope="session")
def demo_db(demo_runs, tmp_path_factory) -> Path:
    from xlt_core import results

    db = tmp_path_factory.mktemp("db") / "results.duckdb"
    results.ingest(db, demo_runs)
    return db


@pytest.fixture(scope="session")
def synthetic_db(tmp_path_factory) -> Path:
    """A synthetic results database of about a million score rows (xlt_core.results.synthetic): the large case."""
    from xlt_core.results import synthetic

    db = tmp_path_factory.mktemp("synthetic") / "results.duckdb"
    synthetic.make(db, n_scores=1_000_000)
    return db


def serve(db):
    """The dashboard (dashboard/serve.py, what `xlt dashboard` runs) on `db` at a free port: (process, URL) once it
    answers. It serves the whole session: no file watcher polling the repository's files."""
    from dashboard.serve import start

    return start(db, ("--server.fileWatcherType", "none"))


def serving(db):
    """The dashboard served on `db` while a fixture yields from it, stopped afterwards."""
    proc, url = serve(db)
    try:
        yield url
    finally:
        proc.terminate()
        proc.wait(timeout=20)


# The dashboard served for the whole session, on the synthetic database and on the demo's: starting a server and
# warming its caches costs seconds, and each browser test opens its own page (a fresh Streamlit session), so the
# browser tests of every module share the two (each module keeps its own chromium: test_browser.browser).
@pytest.fixture(scope="session")
def server(synthetic_db):
    yield from serving(synthetic_db)


@pytest.fixture(scope="session")
def demo_server(demo_db):
    yield from serving(demo_db)


@pytest.fixture(scope="session")
def html_cells():
    """A parser of the overview's HTML tables (xlt_core.charts.html_table): text -> (header, rows), each row a list
    of (cell text, cell style)."""
    import html
    import re

    def parse(text: str):
        header = [html.unescape(h) for h in re.findall(r"<th(?: class=\"num\")?>(.*?)</th>", text)]
        body = text.split("<tbody>", 1)[1]
        cell = r'<td(?: class="num")?(?: style="([^"]*)")?>(.*?)</td>'
        rows = [[(html.unescape(t), s) for s, t in re.findall(cell, row)]
                for row in re.findall(r"<tr>(.*?)</tr>", body)]
        return header, rows

    return parse


def broken_model(folder: Path) -> Path:
    """A copy of the tiny model whose weights file is truncated (a corrupt download): it passes the checks made
    before compute (they never load weights), then fails inside the stage that loads it."""
    import shutil

    from xlt_core.models import tiny_model_dir

    shutil.copytree(tiny_model_dir(), folder)
    weights = folder / "model.safetensors"
    weights.write_bytes(weights.read_bytes()[:1000])
    return folder


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on now."""
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def dead_owner():
    """The owner record (xlt_core.staging.Owner) of a process of this host that has exited."""
    import subprocess

    from xlt_core.staging import Owner

    proc = subprocess.Popen(["sleep", "60"])
    owner = Owner.of(proc.pid)
    proc.kill()
    proc.wait()
    return owner
