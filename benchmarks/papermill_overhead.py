"""What running a stage as a papermill notebook costs on top of calling the stage function directly: the same
evaluate stage (tiny model, 3 XNLI languages) both ways, side by side. Last line: key=value pairs."""

from __future__ import annotations

import shutil
import tempfile
import time
from pathlib import Path

from xlt_core.config import chain
from xlt_core.pipeline import run_stage
from xlt_core.runner import execute_stage

REPEATS = 3


def main() -> None:
    root = Path(tempfile.mkdtemp(prefix="xlt-bench-"))
    target, evaluate = chain(intermediate="none", languages="en,de,zh", train_size=100, epochs=1.0)
    run_stage(target, root / "runs")  # the evaluate stage's parent, once
    timings = {"direct": [], "papermill": []}
    for _ in range(REPEATS):
        for way, fn in (("direct", run_stage), ("papermill", lambda c, r: execute_stage(c, r, log=lambda m: None))):
            shutil.rmtree(root / "runs" / evaluate.stage_id, ignore_errors=True)
            start = time.perf_counter()
            fn(evaluate, root / "runs")
            timings[way].append(time.perf_counter() - start)
    direct, nb = min(timings["direct"]), min(timings["papermill"])
    print(f"{'way':<12}{'best of ' + str(REPEATS):>12}")
    print(f"{'direct':<12}{direct:>11.2f}s\n{'papermill':<12}{nb:>11.2f}s")
    print(f"direct_s={direct:.2f} papermill_s={nb:.2f} overhead_s={nb - direct:.2f} ratio={nb / direct:.2f}")
    shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
