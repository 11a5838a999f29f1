"""Start the dashboard's Streamlit server with the heavy modules already imported (pandas, DuckDB, plotly, xlt_core)
and the database read once, so that the first visitor does not wait for them: about 0.6 s on 2 cores. `xlt
dashboard` runs this; the arguments are streamlit's (`--server.port 8501` ...).

Usage: python dashboard/serve.py [streamlit options]
"""

import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def main(options: list[str]) -> int:
    from xlt_core import analysis, charts, results  # noqa: F401  (imported for their import time)

    results.counts(os.environ.get("XLT_DB", "results.duckdb"))  # a process's first DuckDB read is the slowest
    from streamlit.web import cli

    sys.argv = ["streamlit", "run", str(Path(__file__).with_name("app.py")), *options]
    return cli.main()


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
