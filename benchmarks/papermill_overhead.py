"""What running a stage as a papermill notebook costs on top of calling the stage function directly: the same
evaluate stage (tiny model, 3 XNLI languages) run directly, through papermill in a fresh kernel (a sweep's stage
job), and through papermill in the kernel a chain's earlier stage left (`xlt run`, `xlt demo`: runner.ChainKernel,
torch and transformers already imported), side by side. Last line: key=value pairs."""

from __future__ import annotations

import shutil
import tempfile
import time
from pathlib import Path

from xlt_core.config import chain
from xlt_core.pipeline import run_stage
from xlt_core.runner import ChainKernel, execute_stage

REPEATS = 3


def main() -> None:
    root = Path(tempfile.mkdtemp(prefix="xlt-bench-"))
    target, evaluate = chain(intermediate="none", languages="en,de,zh", train_size=100, epochs=1.0)
    run_stage(target, root / "runs")  # the evaluate stage's parent, once
    quiet = lambda m: None  # noqa: E731
    timings = {"direct": [], "fresh kernel": [], "chain kernel": []}
    with ChainKernel() as kernel:
        execute_stage(target, root / "runs", log=quiet, kernel=kernel)  # a chain's earlier stage (a reuse: no work)
        with kernel.stage(root / "runs") as options:  # ... which started the kernel and imported what stages import
            options["kc"].execute_interactive("import torch, transformers, xlt_core.pipeline", silent=True)
        ways = (("direct", run_stage),
                ("fresh kernel", lambda c, r: execute_stage(c, r, log=quiet)),
                ("chain kernel", lambda c, r: execute_stage(c, r, log=quiet, kernel=kernel)))
        for _ in range(REPEATS):
            for way, fn in ways:
                shutil.rmtree(root / "runs" / evaluate.stage_id, ignore_errors=True)
                start = time.perf_counter()
                fn(evaluate, root / "runs")
                timings[way].append(time.perf_counter() - start)
    best = {way: min(t) for way, t in timings.items()}
    print(f"{'way':<14}{'best of ' + str(REPEATS):>12}")
    for way, t in best.items():
        print(f"{way:<14}{t:>11.2f}s")
    direct, fresh, warm = best["direct"], best["fresh kernel"], best["chain kernel"]
    print(f"direct_s={direct:.2f} papermill_s={fresh:.2f} overhead_s={fresh - direct:.2f} ratio={fresh / direct:.2f} "
          f"chain_kernel_s={warm:.2f} chain_overhead_s={warm - direct:.2f} fresh_vs_chain={fresh / warm:.2f}")
    shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
