"""Run stages as papermill notebooks: each stage's notebook executes in a fresh kernel and is saved, executed,
inside its run folder. The folder is written under a temporary name and renamed when the notebook completes."""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
import time
import uuid
from pathlib import Path

from .config import StageConfig
from .paths import REPO_ROOT, atomic_dir
from .rundir import is_done, run_folder

NOTEBOOKS = {stage: REPO_ROOT / "notebooks" / "stages" / f"{stage}.ipynb" for stage in ("intermediate", "target", "evaluate")}
KERNEL = "xlt"


class StageFailed(Exception):
    """A stage's notebook raised; the executed notebook is kept for reading."""

    exit_code = 1


def ensure_kernel(name: str = KERNEL) -> str:
    """A Jupyter kernel named `name` that runs this very Python (registered in this environment if missing)."""
    from jupyter_client.kernelspec import KernelSpecManager, NoSuchKernel

    try:
        if KernelSpecManager().get_kernel_spec(name).argv[0] == sys.executable:
            return name
    except NoSuchKernel:
        pass
    from ipykernel.kernelspec import install

    install(kernel_name=name, display_name="Python (xlt)", prefix=sys.prefix)
    return name


def kernel_options() -> dict:
    """papermill's kernel arguments: the xlt kernel, talking over Unix sockets rather than TCP where the OS has them
    (no port opened on a shared node, and no plain-text-transport warning from ipykernel for every stage). Each
    kernel gets its own socket path, so parallel workers never meet; the kernel manager removes the files."""
    from traitlets.config import Config

    manager = {"transport": "tcp"}
    ip = os.path.join(tempfile.gettempdir(), f"xlt-kernel-{uuid.uuid4().hex[:12]}")
    if os.name == "posix" and len(ip) < 96:  # a Unix socket path has at most 107 bytes ("-N" is appended)
        manager = {"transport": "ipc", "ip": ip}
    return {"kernel_name": ensure_kernel(), "config": Config({"KernelManager": manager})}


def execute_stage(cfg: StageConfig, runs_dir, device: str = "auto", log=print) -> Path:
    """Execute the stage's notebook unless its run folder exists; return the run folder."""
    import papermill

    runs_dir = Path(runs_dir).resolve()
    final = run_folder(runs_dir, cfg)
    if is_done(runs_dir, cfg):
        log(f"[reuse] {cfg.stage_id}")
        return final
    log(f"[run]   {cfg.stage_id}")
    start = time.perf_counter()
    with atomic_dir(final) as tmp:
        try:
            papermill.execute_notebook(
                str(NOTEBOOKS[cfg.stage]), str(tmp / "notebook.ipynb"), **kernel_options(),
                parameters={"config": cfg.to_dict(), "runs_dir": str(runs_dir), "work_dir": str(tmp), "device": device},
                progress_bar=False, cwd=str(runs_dir), log_output=False,
                stderr_file=sys.stderr)  # the kernel's progress bars, as they come, to the terminal / sweep log
        except papermill.PapermillExecutionError as err:
            kept = runs_dir / ".failed" / f"{cfg.stage_id}.ipynb"
            kept.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy(tmp / "notebook.ipynb", kept)
            raise StageFailed(f"stage {cfg.stage_id} failed ({err.ename}: {err.evalue}); "
                              f"executed notebook: {kept}") from None
    log(f"[done]  {cfg.stage_id} in {time.perf_counter() - start:.1f}s")
    return final


def execute_chains(chains: list[list[StageConfig]], runs_dir, device: str = "auto", log=print) -> list[Path]:
    """Every stage of every chain, in order; a stage shared by several chains runs once."""
    done: dict[str, Path] = {}
    for stages in chains:
        for cfg in stages:
            if cfg.stage_id not in done:
                done[cfg.stage_id] = execute_stage(cfg, runs_dir, device, log)
    return list(done.values())


def run_stage_job(config: dict, runs_dir: str, device: str = "auto") -> str:
    """One stage as a job (a subprocess of the local executor, a Slurm job through submitit): its run folder."""
    return str(execute_stage(StageConfig.from_dict(config), runs_dir, device, log=lambda msg: print(msg, flush=True)))


if __name__ == "__main__":  # python -m xlt_core.runner CONFIG.json RUNS_DIR [DEVICE]
    import json

    try:
        run_stage_job(json.loads(Path(sys.argv[1]).read_text()), sys.argv[2], *(sys.argv[3:4] or ["auto"]))
    except StageFailed as err:
        print(f"xlt: {err}", file=sys.stderr)
        sys.exit(1)
