"""Start the dashboard's Streamlit server with the heavy modules already imported (pandas, DuckDB, plotly, xlt_core)
and the database read once, so that the first visitor does not wait for them: about 0.6 s on 2 cores. `xlt
dashboard` runs this; the arguments are streamlit's (`--server.port 8501` ...).

Usage: python dashboard/serve.py [streamlit options]. start() runs it in a subprocess on a free local port (the
tests and benchmarks/dashboard_latency.py serve the dashboard with it).
"""

import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def start(db, options: tuple[str, ...] = (), wait_s: float = 60) -> tuple[subprocess.Popen, str]:
    """This server on `db` in a subprocess, at a free port of 127.0.0.1, headless, without usage statistics, with
    the streamlit `options` added: (process, URL without a trailing slash) once it answers its health check. The
    caller stops the process. RuntimeError, with the end of the server's output, when it exits or does not answer
    within `wait_s`."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    log = tempfile.TemporaryFile()  # the server's messages, read back only if it fails to start
    proc = subprocess.Popen([sys.executable, str(Path(__file__).resolve()), "--server.address", "127.0.0.1",
                             "--server.port", str(port), "--server.headless", "true",
                             "--browser.gatherUsageStats", "false", *options],
                            env={**os.environ, "XLT_DB": str(db)}, stdout=subprocess.DEVNULL,
                            stderr=log)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + wait_s
    while time.monotonic() < deadline and proc.poll() is None:
        try:
            urllib.request.urlopen(url + "/_stcore/health", timeout=2)
            return proc, url
        except OSError:
            time.sleep(0.3)
    exited = proc.poll()
    if exited is None:
        proc.kill()
        proc.wait()
    log.seek(0)
    said = log.read().decode(errors="replace")[-2000:]
    why = f"exited with {exited}" if exited is not None else f"did not answer within {wait_s:g} s"
    raise RuntimeError(f"the dashboard on {db} {why}: {said}")


def main(options: list[str]) -> int:
    from xlt_core import analysis, charts, language_charts, results  # noqa: F401  (for their import time)

    results.counts(os.environ.get("XLT_DB", "results.duckdb"))  # a process's first DuckDB read is the slowest
    from streamlit.web import cli

    sys.argv = ["streamlit", "run", str(Path(__file__).with_name("app.py")), *options]
    return cli.main()


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
