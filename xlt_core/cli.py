"""The `xlt` command. Every option is validated before any compute: a bad value gets one line naming it and
what is allowed, exit code 2, and nothing is written."""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from pathlib import Path

from .errors import XltError
from .paths import REPO_ROOT


class Parser(argparse.ArgumentParser):
    def error(self, message):  # one line, exit 2 (argparse prints usage + message)
        self.exit(2, f"{self.prog}: error: {message}\n")


def _positive(value: str) -> int:
    try:
        n = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{value!r} is not an integer") from None
    if n < 1:
        raise argparse.ArgumentTypeError(f"{value!r} must be a positive integer")
    return n


def _port(value: str) -> int:
    n = _positive(value)
    if n > 65535:
        raise argparse.ArgumentTypeError(f"{value!r} is not a port (1-65535)")
    return n


def _store_args(p):
    p.add_argument("--runs-dir", default="runs", help="run folders (default: runs)")
    p.add_argument("--db", default="results.duckdb", help="results database (default: results.duckdb)")


def build_parser() -> Parser:
    parser = Parser(prog="xlt", description="Zero-shot cross-lingual transfer after English intermediate training.")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=Parser)

    demo = sub.add_parser("demo", help="run the study on the embedded default, ingest, serve the dashboard")
    demo.add_argument("--no-serve", action="store_true", help="stop after writing results.duckdb")
    demo.add_argument("--port", type=_port, default=8501)
    demo.add_argument("--device", default="auto")
    _store_args(demo)

    run = sub.add_parser("run", help="one chain: [intermediate ->] target -> zero-shot evaluation")
    run.add_argument("--model", default="tiny", help="tiny, xlm-roberta-base, xlm-roberta-large, a hub id or a folder")
    run.add_argument("--intermediate", default="mnli",
                     help="none, a task, tasks trained together (mnli+squad; all = the nine), or trained one after "
                          "the other (mnli>squad)")
    run.add_argument("--target", default="xnli", help="target task")
    run.add_argument("--languages", default="all", help="comma-separated ISO codes, or all")
    run.add_argument("--seed", type=int, default=0)
    run.add_argument("--data", default="sample", help="sample, hub, or a local folder in the hub layout")
    run.add_argument("--revision", default=None, help="hub dataset revision (with --data hub)")
    run.add_argument("--intermediate-size", type=_positive, help="intermediate training examples (default: all)")
    run.add_argument("--train-size", type=_positive, help="target training examples (default: all)")
    run.add_argument("--eval-size", type=_positive, help="evaluation examples per language (default: all)")
    run.add_argument("--split", default="test", help="evaluation split: test or dev")
    run.add_argument("--epochs", type=float)
    run.add_argument("--lr", type=float)
    run.add_argument("--batch-size", type=_positive)
    run.add_argument("--max-length", type=_positive)
    run.add_argument("--grad-accum", type=_positive, help="batches per optimizer step (default 1)")
    run.add_argument("--sampling", default="proportional", help="multi-task sampling: proportional, temperature, uniform")
    run.add_argument("--temperature", type=float, default=2.0, help="temperature sampling: p ~ size^(1/T)")
    run.add_argument("--mlm", type=float, default=0.0, help="share of intermediate steps spent on multilingual MLM")
    run.add_argument("--layer", type=int, help="retrieval (bucc2018, tatoeba): hidden layer to pool (default 14/24 of depth)")
    run.add_argument("--pooling", default="mean", help="retrieval: mean (XTREME), mean_nospecial (jiant) or cls")
    run.add_argument("--device", default="auto")
    run.add_argument("--no-ingest", action="store_true", help="do not add the scores to the database")
    _store_args(run)

    ingest = sub.add_parser("ingest", help="add finished run folders to the results database (idempotent)")
    ingest.add_argument("--rebuild", action="store_true", help="recreate the database from the run folders")
    _store_args(ingest)

    dash = sub.add_parser("dashboard", help="serve the Streamlit dashboard")
    dash.add_argument("--port", type=_port, default=8501)
    dash.add_argument("--host", default="127.0.0.1")
    dash.add_argument("--db", default="results.duckdb")

    sub.add_parser("tasks", help="print the table of tasks")

    sweep = sub.add_parser("sweep", help="plan or run a sweep file (sweeps/*.yaml)")
    sweep_sub = sweep.add_subparsers(dest="sweep_command", required=True, parser_class=Parser)
    plan = sweep_sub.add_parser("plan", help="stages, how many are shared or done, estimated GPU-hours")
    srun = sweep_sub.add_parser("run", help="run what is missing")
    for p in (plan, srun):
        p.add_argument("file", help="a sweep file, e.g. sweeps/paper_grid.yaml")
        p.add_argument("--model", help="replace the file's model(s) with this one, e.g. tiny for a dry run")
        p.add_argument("--data", help="replace the file's data source: sample, hub or a folder")
        p.add_argument("--sizes", default="full", choices=("full", "tiny"),
                       help="tiny: cap every stage at a few dozen examples (a dry run before a cluster job)")
    _store_args(plan)
    srun.add_argument("--executor", choices=("local", "slurm"), default="local")
    srun.add_argument("--workers", type=_positive, default=1, help="stages at a time (one GPU each)")
    srun.add_argument("--device", default="auto")
    srun.add_argument("--partition", help="slurm partition")
    srun.add_argument("--gpus", type=_positive, default=1, help="slurm GPUs per job")
    srun.add_argument("--time", type=_positive, default=720, help="slurm time limit per job, minutes")
    srun.add_argument("--mem", type=_positive, default=64, help="slurm memory per job, GB")
    srun.add_argument("--cluster", choices=("slurm", "local", "debug"), help="submitit cluster (default: detect)")
    _store_args(srun)
    return parser


def _check_device(device: str) -> str:
    from .config import validate_device

    validate_device(device)
    if device.startswith("cuda"):
        import torch

        if not torch.cuda.is_available():
            raise XltError(f"device {device!r} asked for, but no CUDA device is visible: use --device cpu or auto")
    return device


def _execute(chains, args) -> None:
    from . import results
    from .checks import preflight
    from .runner import execute_chains

    preflight([cfg for stages in chains for cfg in stages])
    execute_chains(chains, args.runs_dir, device=args.device)
    if not getattr(args, "no_ingest", False):
        added = results.ingest(args.db, args.runs_dir)
        print(f"ingested into {args.db}: {added['runs']} new runs, {added['scores']} new scores "
              f"({added['total_scores']} scores in all)")


def _sweep(args) -> int:
    from .sweep import Plan, format_plan, load_sweep, overrides

    plan = Plan.of(load_sweep(args.file, overrides(args.model, args.data, args.sizes)))
    print(format_plan(plan, plan.summary(args.runs_dir), args.file))
    if args.sweep_command == "plan":
        return 0
    from . import results
    from .checks import preflight
    from .executors import LocalLauncher, SubmititLauncher, run_sweep

    _check_device(args.device)
    preflight(plan.stages)
    runs = Path(args.runs_dir).resolve()
    launcher = LocalLauncher(runs, args.workers, args.device) if args.executor == "local" else SubmititLauncher(
        runs, args.workers, args.device, cluster=args.cluster, partition=args.partition, gpus=args.gpus,
        timeout_min=args.time, mem_gb=args.mem)
    progress = run_sweep(plan.stages, runs, launcher)
    added = results.ingest(args.db, runs)
    print(f"ingested into {args.db}: {added['runs']} new runs, {added['scores']} new scores")
    for stage_id, message in progress.failed.items():
        print(f"xlt: stage {stage_id} failed: {message}", file=sys.stderr)
    return 1 if progress.failed else 0


def serve(db: str, port: int, host: str = "127.0.0.1") -> int:
    launcher = REPO_ROOT / "dashboard" / "serve.py"
    if not launcher.exists():
        raise XltError(f"dashboard not found at {launcher.parent}: install xlt from a checkout (pip install -e .)")
    env = {**os.environ, "XLT_DB": str(Path(db).resolve())}
    cmd = [sys.executable, str(launcher), "--server.address", host, "--server.port", str(port),
           "--server.headless", "true", "--browser.gatherUsageStats", "false"]
    print(f"Dashboard: http://{host}:{port}  (Ctrl-C to stop)", flush=True)
    try:
        return subprocess.call(cmd, env=env)
    except KeyboardInterrupt:
        return 0


def print_tasks() -> None:
    from .tasks import TASKS

    rows = [("name", "role", "type", "metric", "langs", "data source")]
    for t in TASKS.values():
        rows.append((t.name, t.role, t.type, t.metric, str(len(t.languages)), f"{t.source.repo}:{t.source.config}"))
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    for r in rows:
        print("  ".join(v.ljust(w) for v, w in zip(r, widths)).rstrip())


def main(argv=None) -> int:
    args = build_parser().parse_args(argv)
    try:
        if args.command == "tasks":
            print_tasks()
        elif args.command == "ingest":
            from . import results

            added = results.ingest(args.db, args.runs_dir, rebuild=args.rebuild)
            print(f"ingested into {args.db}: {added['runs']} new runs, {added['scores']} new scores")
        elif args.command == "sweep":
            return _sweep(args)
        elif args.command == "dashboard":
            return serve(args.db, args.port, args.host)
        elif args.command == "demo":
            from .sweep import load_sweep

            _check_device(args.device)
            _execute(load_sweep(REPO_ROOT / "sweeps" / "demo.yaml"), args)
            if not args.no_serve:
                return serve(args.db, args.port)
        elif args.command == "run":
            from .config import chain

            chains = [chain(model=args.model, intermediate=args.intermediate, target=args.target,
                            languages=args.languages, seed=args.seed, data=args.data, revision=args.revision,
                            intermediate_size=args.intermediate_size, train_size=args.train_size,
                            eval_size=args.eval_size, split=args.split, epochs=args.epochs, lr=args.lr,
                            batch_size=args.batch_size, max_length=args.max_length, layer=args.layer,
                            pooling=args.pooling, grad_accum=args.grad_accum, sampling=args.sampling,
                            temperature=args.temperature, mlm=args.mlm)]
            _check_device(args.device)
            _execute(chains, args)
    except XltError as err:
        print(f"xlt: error: {err}", file=sys.stderr)
        return err.exit_code
    except Exception as err:
        from .runner import StageFailed

        if isinstance(err, StageFailed):
            print(f"xlt: {err}", file=sys.stderr)
            return err.exit_code
        raise
    return 0


if __name__ == "__main__":
    sys.exit(main())
