"""Ingest throughput: score rows per second into results.duckdb, for a fresh database and for a re-ingest of the
same run folders (idempotent: every row is already there), side by side. Last line: key=value pairs."""

from __future__ import annotations

import json
import shutil
import tempfile
import time
from pathlib import Path

from xlt_core import results
from xlt_core.config import chain
from xlt_core.pipeline import run_stage

COPIES = 400  # evaluate runs (15 XNLI languages each)


def main() -> None:
    root = Path(tempfile.mkdtemp(prefix="xlt-bench-"))
    for cfg in chain(intermediate="none", train_size=100, eval_size=10, epochs=1.0):
        record = run_stage(cfg, root / "seed")
    src = Path(record["run_dir"])
    runs = root / "runs"
    runs.mkdir()
    for i in range(COPIES):
        dst = runs / f"evaluate-xnli-bench{i:05d}"
        shutil.copytree(src, dst, ignore=shutil.ignore_patterns("predictions", "notebook.ipynb"))
        rec = json.loads((dst / "config.json").read_text())
        rec["stage_id"] = dst.name
        (dst / "config.json").write_text(json.dumps(rec))
    db = root / "bench.duckdb"
    start = time.perf_counter()
    added = results.ingest(db, runs)
    fresh = time.perf_counter() - start
    start = time.perf_counter()
    again = results.ingest(db, runs)
    repeat = time.perf_counter() - start
    rows = added["scores"]
    print(f"{'ingest':<10}{'runs':>6}{'score rows':>12}{'seconds':>9}{'rows/s':>9}")
    print(f"{'fresh':<10}{added['runs']:>6}{rows:>12}{fresh:>9.2f}{rows / fresh:>9.0f}")
    print(f"{'repeat':<10}{again['runs']:>6}{again['scores']:>12}{repeat:>9.2f}{rows / repeat:>9.0f}")
    print(f"runs={COPIES} score_rows={rows} fresh_rows_per_s={rows / fresh:.0f} repeat_rows_per_s={rows / repeat:.0f} "
          f"repeat_vs_fresh={fresh / repeat:.2f}")
    shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
