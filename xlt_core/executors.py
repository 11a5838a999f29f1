"""Run a sweep's stages: each stage once its parent is done, at most N at a time; a failed stage is reported with
its executed notebook and skips only the stages that depend on it; a rerun does only what is missing.

local  one subprocess per stage (`python -m xlt_core.runner`), one GPU each through CUDA_VISIBLE_DEVICES, or CPU;
       a worker (and its kernel) dies with the sweep (kernel.die_with), killed or not
slurm  one Slurm job per stage through submitit (its `local` cluster runs the same jobs here, for tests)
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from .config import StageConfig
from .kernel import parent_flag
from .rundir import is_done
from .runner import ensure_kernel
from .staging import reclaim
from .storage import storage_errors


@dataclass
class Progress:
    done: list[str] = field(default_factory=list)
    failed: dict[str, str] = field(default_factory=dict)  # stage id -> reason (with the notebook's path)
    skipped: list[str] = field(default_factory=list)
    reused: int = 0

    def line(self, running: int, left: int) -> str:
        return (f"[sweep] done {len(self.done)} (reused {self.reused})  running {running}  "
                f"failed {len(self.failed)}  skipped {len(self.skipped)}  left {left}")


class LocalLauncher:
    """Stages as subprocesses; with GPUs, each worker owns one (CUDA_VISIBLE_DEVICES)."""

    def __init__(self, runs_dir: Path, workers: int, device: str = "auto"):
        self.runs_dir, self.device = runs_dir, device
        gpus = _gpu_count() if device in ("auto", "cuda") else 0
        self.slots = [str(i) for i in range(gpus)][:workers] if gpus else [None] * workers
        self.free = list(self.slots)
        self.threads = max(1, (os.cpu_count() or 1) // len(self.slots))  # CPU threads of a CPU worker

    def capacity(self) -> int:
        return len(self.free)

    def start(self, cfg: StageConfig):
        logs = self.runs_dir / ".logs"
        with storage_errors(logs):
            logs.mkdir(parents=True, exist_ok=True)
            (logs / f"{cfg.stage_id}.json").write_text(json.dumps(cfg.to_dict()))
            log = open(logs / f"{cfg.stage_id}.log", "w")
        slot = self.free.pop()
        env = dict(os.environ)
        device = self.device
        if slot is not None:
            env["CUDA_VISIBLE_DEVICES"], device = slot, "cuda"
        else:  # CPU workers share the cores instead of each spinning threads on all of them (unless the user chose)
            for name in ("OMP_NUM_THREADS", "MKL_NUM_THREADS"):
                env.setdefault(name, str(self.threads))
        proc = subprocess.Popen([sys.executable, "-m", "xlt_core.runner", str(logs / f"{cfg.stage_id}.json"),
                                 str(self.runs_dir), device, parent_flag()], stdout=log, stderr=subprocess.STDOUT,
                                env=env)
        return (proc, slot, log)

    def poll(self, handle):
        """None while running; else (ok, message)."""
        proc, slot, log = handle
        if proc.poll() is None:
            return None
        log.close()
        self.free.append(slot)
        ok = proc.returncode == 0
        return ok, "" if ok else _last_error(Path(log.name))


class SubmititLauncher:
    """Stages as Slurm jobs through submitit; cluster="local" runs them on this machine (tests)."""

    def __init__(self, runs_dir: Path, workers: int, device: str = "auto", cluster: str | None = None,
                 partition: str | None = None, gpus: int = 1, timeout_min: int = 720, mem_gb: int = 64):
        import submitit

        self.runs_dir, self.device, self.workers, self.running = runs_dir, device, workers, 0
        self.executor = submitit.AutoExecutor(folder=str(runs_dir / ".submitit"), cluster=cluster)
        params = {"timeout_min": timeout_min, "mem_gb": mem_gb}
        if self.executor.cluster == "slurm":
            params["gpus_per_node"] = gpus
            if partition:
                params["slurm_partition"] = partition
        self.executor.update_parameters(**params)

    def capacity(self) -> int:
        return self.workers - self.running

    def start(self, cfg: StageConfig):
        from .runner import run_stage_job

        self.running += 1
        return self.executor.submit(run_stage_job, cfg.to_dict(), str(self.runs_dir), self.device)

    def poll(self, job):
        if not job.done():
            return None
        self.running -= 1
        try:
            job.result()
            return True, ""
        except Exception as err:  # submitit re-raises the job's error with its traceback
            return False, _error_line(str(err))


def _gpu_count() -> int:
    try:
        import torch

        return torch.cuda.device_count()
    except ImportError:
        return 0


def _error_line(text: str) -> str:
    """The most telling line of a job's error: the last that names xlt's error or an exception."""
    lines = [ln for ln in text.strip().splitlines() if "StageFailed" in ln or "xlt:" in ln or "Error" in ln]
    return (lines[-1] if lines else text.strip().splitlines()[-1] if text.strip() else "").strip()


def _last_error(log: Path) -> str:
    lines = [ln for ln in log.read_text(errors="replace").splitlines() if ln.startswith("xlt:")]
    return lines[-1] if lines else f"see {log}"


def run_sweep(stages: list[StageConfig], runs_dir, launcher, log=print, poll_s: float = 0.2) -> Progress:
    """Every stage whose run folder is missing, parents first, as many at a time as the launcher takes. First what
    killed runs left in runs_dir is reclaimed, and the kernel registered once for all workers."""
    runs_dir = Path(runs_dir)
    reclaim(runs_dir, log)
    ensure_kernel()
    progress = Progress()
    pending = []
    for cfg in stages:
        if is_done(runs_dir, cfg):
            progress.done.append(cfg.stage_id)
            progress.reused += 1
        else:
            pending.append(cfg)
    running: dict[str, object] = {}
    log(progress.line(0, len(pending)))
    while pending or running:
        for cfg in list(pending):
            parent = cfg.parent.stage_id if cfg.parent else None
            if parent in progress.failed or parent in progress.skipped:
                pending.remove(cfg)
                progress.skipped.append(cfg.stage_id)
            elif (parent is None or parent in progress.done) and launcher.capacity() > 0:
                pending.remove(cfg)
                running[cfg.stage_id] = launcher.start(cfg)
                log(f"[start] {cfg.stage_id}")
        for stage_id, handle in list(running.items()):
            result = launcher.poll(handle)
            if result is None:
                continue
            del running[stage_id]
            ok, message = result
            if ok:
                progress.done.append(stage_id)
            else:
                progress.failed[stage_id] = message
                log(f"[failed] {stage_id}: {message}")
            log(progress.line(len(running), len(pending)))
        if running:
            time.sleep(poll_s)
    return progress
