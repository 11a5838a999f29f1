"""Run stages as papermill notebooks: each stage's notebook executes in a kernel and is saved, executed, inside its
run folder. The folder is written under a temporary name and renamed when the notebook completes; only then is the
stage's training checkpoint dropped. The kernel dies with the process that runs the stage (kernel.py).

A stage job (a sweep's worker) starts a fresh kernel. The stages one process runs in a row (`xlt run`, `xlt demo`)
share one (ChainKernel): started once, its namespace cleared and memory released between stages, so that torch and
transformers are imported once, not once a stage; a kernel that died is replaced."""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
import time
import uuid
from contextlib import contextmanager, nullcontext
from pathlib import Path

from .config import StageConfig
from .kernel import die_with, kernel_argv, parent_flag, take_parent
from .paths import REPO_ROOT, atomic_dir
from .rundir import is_done, run_folder
from .staging import drop_partial, reclaim, stage_lock
from .storage import StorageError

NOTEBOOKS = {stage: REPO_ROOT / "notebooks" / "stages" / f"{stage}.ipynb" for stage in ("intermediate", "target", "evaluate")}
KERNEL = "xlt"


class StageFailed(Exception):
    """A stage's notebook raised; the executed notebook is kept for reading."""

    exit_code = 1


def ensure_kernel(name: str = KERNEL) -> str:
    """A Jupyter kernel named `name` that runs this very Python through xlt's launcher (xlt_core.kernel: it dies with
    its parent); registered in this environment when missing or when its command differs (another Python, or a
    spec written before the launcher)."""
    from ipykernel.kernelspec import write_kernel_spec
    from jupyter_client.kernelspec import KernelSpecManager, NoSuchKernel

    manager = KernelSpecManager()
    try:
        if manager.get_kernel_spec(name).argv == kernel_argv():
            return name
    except NoSuchKernel:
        pass
    with tempfile.TemporaryDirectory() as tmp:
        spec = write_kernel_spec(Path(tmp) / name, overrides={"argv": kernel_argv(), "display_name": "Python (xlt)"})
        manager.install_kernel_spec(spec, name, prefix=sys.prefix, replace=True)
    return name


def kernel_options() -> dict:
    """papermill's kernel arguments: the xlt kernel, talking over Unix sockets rather than TCP where the OS has them
    (no port opened on a shared node, and no plain-text-transport warning from ipykernel for every stage). Each
    kernel gets its own socket path, so parallel workers never meet; the kernel manager removes the files. The
    kernel is told this process is its parent, to die with it."""
    from traitlets.config import Config

    manager = {"transport": "tcp"}
    ip = os.path.join(tempfile.gettempdir(), f"xlt-kernel-{uuid.uuid4().hex[:12]}")
    if os.name == "posix" and len(ip) < 96:  # a Unix socket path has at most 107 bytes ("-N" is appended)
        manager = {"transport": "ipc", "ip": ip}
    return {"kernel_name": ensure_kernel(), "config": Config({"KernelManager": manager}),
            "extra_arguments": [parent_flag()]}


# what a kernel runs between two stages: the previous stage's variables go, and with them its model's memory
RESET = """%reset -f
import gc, sys
gc.collect()
if "torch" in sys.modules and sys.modules["torch"].cuda.is_available():
    sys.modules["torch"].cuda.empty_cache()
"""


class ChainKernel:
    """One kernel for the stages that this process runs one after another. `stage(cwd)` gives papermill's kernel
    arguments for the next stage: the running kernel, its namespace cleared, or a new one where there is none or
    the last one died (out of memory, killed), with a client of the stage's own. `close()` shuts the kernel down."""

    def __init__(self):
        self.km = None

    @contextmanager
    def stage(self, cwd: Path):
        from jupyter_client.manager import KernelManager

        fresh = kernel_options()
        if self.km is None or not self.km.is_alive():
            self.close()
            self.km = KernelManager(kernel_name=fresh["kernel_name"], config=fresh["config"])
            self.km.start_kernel(extra_arguments=fresh["extra_arguments"], cwd=str(cwd))
            started = True
        else:
            started = False
        client = self.km.client()
        client.start_channels()
        try:
            client.wait_for_ready(timeout=120)
            if not started:
                client.execute_interactive(RESET, silent=True, timeout=300)
            yield {"km": self.km, "kc": client, "kernel_name": fresh["kernel_name"]}
        finally:
            client.stop_channels()

    def close(self) -> None:
        if self.km is not None and self.km.has_kernel:
            self.km.shutdown_kernel(now=True)
        self.km = None

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


def execute_stage(cfg: StageConfig, runs_dir, device: str = "auto", log=print, kernel: ChainKernel | None = None
                  ) -> Path:
    """Execute the stage's notebook unless its run folder exists; return the run folder. First, what killed runs left
    in runs_dir is reclaimed (staging.reclaim): a stage finished but not renamed is kept, not run again. `kernel`: a
    ChainKernel to run it in (default: a fresh kernel, shut down after the stage)."""
    runs_dir = Path(runs_dir).resolve()
    reclaim(runs_dir, log)
    with stage_lock(runs_dir, cfg.stage_id, log):
        return _execute_locked(cfg, runs_dir, device, log, kernel)


def _execute_locked(cfg: StageConfig, runs_dir: Path, device: str, log, kernel: ChainKernel | None) -> Path:
    import papermill
    from nbclient.exceptions import DeadKernelError

    final = run_folder(runs_dir, cfg)
    if is_done(runs_dir, cfg):
        log(f"[reuse] {cfg.stage_id}")
        return final
    log(f"[run]   {cfg.stage_id}")
    start = time.perf_counter()
    with atomic_dir(final) as tmp:
        try:
            with kernel.stage(runs_dir) if kernel else nullcontext(kernel_options()) as options:
                papermill.execute_notebook(
                    str(NOTEBOOKS[cfg.stage]), str(tmp / "notebook.ipynb"), **options,
                    parameters={"config": cfg.to_dict(), "runs_dir": str(runs_dir), "work_dir": str(tmp),
                                "device": device},
                    progress_bar=False, cwd=str(runs_dir), log_output=False,
                    stderr_file=sys.stderr)  # the kernel's progress bars, as they come, to the terminal / sweep log
        except papermill.PapermillExecutionError as err:
            if err.ename == StorageError.__name__:  # a full disk: one line, as outside a kernel
                raise StorageError(err.evalue) from None
            raise StageFailed(f"stage {cfg.stage_id} failed ({err.ename}: {err.evalue}); "
                              f"executed notebook: {keep_notebook(tmp, runs_dir, cfg)}") from None
        except DeadKernelError:  # killed on its own (the OOM killer, a crash in native code)
            raise StageFailed(f"stage {cfg.stage_id} failed: its kernel died (out of memory?); executed notebook: "
                              f"{keep_notebook(tmp, runs_dir, cfg)}; rerun to resume from its last checkpoint") from None
    drop_partial(runs_dir, cfg.stage_id)
    log(f"[done]  {cfg.stage_id} in {time.perf_counter() - start:.1f}s")
    return final


def keep_notebook(tmp: Path, runs_dir: Path, cfg: StageConfig) -> Path:
    """Keep a failed stage's executed notebook (as far as it got) where the user can read it."""
    kept = runs_dir / ".failed" / f"{cfg.stage_id}.ipynb"
    kept.parent.mkdir(parents=True, exist_ok=True)
    if (tmp / "notebook.ipynb").exists():
        shutil.copy(tmp / "notebook.ipynb", kept)
    return kept


def execute_chains(chains: list[list[StageConfig]], runs_dir, device: str = "auto", log=print) -> list[Path]:
    """Every stage of every chain, in order, in one kernel (ChainKernel); a stage shared by several chains runs
    once."""
    done: dict[str, Path] = {}
    with ChainKernel() as kernel:
        for stages in chains:
            for cfg in stages:
                if cfg.stage_id not in done:
                    done[cfg.stage_id] = execute_stage(cfg, runs_dir, device, log, kernel)
    return list(done.values())


def run_stage_job(config: dict, runs_dir: str, device: str = "auto") -> str:
    """One stage as a job (a subprocess of the local executor, a Slurm job through submitit): its run folder."""
    return str(execute_stage(StageConfig.from_dict(config), runs_dir, device, log=lambda msg: print(msg, flush=True)))


if __name__ == "__main__":  # python -m xlt_core.runner CONFIG.json RUNS_DIR [DEVICE] [--xlt-parent=PID]
    from .checks import stage_job
    from .errors import XltError

    parent, argv = take_parent(sys.argv)
    if parent:  # started by a sweep: dies with it
        die_with(parent)
    try:
        run_stage_job(*stage_job(argv[1:]))
    except XltError as err:  # a bad argument or config, found before papermill starts: one line, exit 2
        print(f"xlt: error: {err}", file=sys.stderr)
        sys.exit(err.exit_code)
    except StageFailed as err:
        print(f"xlt: {err}", file=sys.stderr)
        sys.exit(1)
