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


DEVICE_HELP = "auto, cpu, cuda, cuda:N or mps (default: auto: cuda when one is visible, else cpu)"


def _short(x: float) -> str:
    return f"{x:.0e}".replace("e-0", "e-")  # 2e-3, as the papers write learning rates


def _run_args(run) -> None:
    """`xlt run`'s options. Those whose default depends on the model or task default to None here, and their help
    says where the default comes from (config.MODEL_PRESETS, config.TASK_EPOCHS); those that apply to some chains
    only default to None too, so that only an explicit value is rejected where it does not apply."""
    from .config import BUCC_REPEATS, MODEL_PRESETS, POOLINGS, SAMPLINGS, TASK_EPOCHS, TINY_QA
    from .features import DOC_STRIDE, MAX_QUERY_LENGTH
    from .tasks import TARGET_TASKS

    tiny, xlmr = MODEL_PRESETS["tiny"], MODEL_PRESETS["large"]
    add = run.add_argument
    add("--model", default="tiny",
        help="tiny, xlm-roberta-base, xlm-roberta-large, a hub id or a folder (default: tiny, the embedded model)")
    add("--intermediate", default="mnli",
        help="none, a task, tasks trained together (mnli+squad; all = the nine), or trained one after the other "
             "(mnli>squad) (default: mnli)")
    add("--target", default="xnli", help=f"target task: {', '.join(TARGET_TASKS)} (default: xnli)")
    add("--languages", default="all", help="comma-separated ISO codes of the target's languages, or all (default: all)")
    add("--seed", type=int, default=0, help="seed of subsamples, head initialisation and batch order (default: 0)")
    add("--data", default="sample",
        help="sample, hub, or a local folder in the hub layout (default: sample, the embedded generated data)")
    add("--revision", help="hub revision for every source, with --data hub only (default: each source's own, as "
                           "xlt tasks lists: main, or refs/convert/parquet for hellaswag, cosmosqa and siqa)")
    add("--intermediate-size", type=_positive, help="intermediate training examples, subsampled (default: all)")
    add("--train-size", type=_positive, help="target training examples, subsampled (default: all)")
    add("--eval-size", type=_positive, help="evaluation examples per language (default: all)")
    add("--split", default="test", help="evaluation split: test or dev (default: test)")
    add("--epochs", type=float,
        help=f"training epochs (default: the task's, after jiant's X-STILTs recipe: "
             f"{', '.join(f'{task} {n}' for task, n in TASK_EPOCHS.items() if n != 2)}, 2 for the others; "
             f"x{tiny.epochs_scale:g} for tiny)")
    add("--lr", type=float, help=f"learning rate (default: the model preset's, {_short(tiny.lr)} for tiny, "
                                 f"{_short(xlmr.lr)} for XLM-R)")
    add("--batch-size", type=_positive,
        help=f"examples per batch (default: the model preset's, {xlmr.batch_size}; half that for QA and multiple "
             "choice)")
    add("--max-length", type=_positive,
        help=f"tokens per sequence (default: {tiny.max_length} for tiny, {xlmr.max_length} for XLM-R; QA: 128 for "
             "tiny, 384 for XLM-R)")
    add("--grad-accum", type=_positive, help="batches per optimizer step (default: 1)")
    add("--doc-stride", type=_positive,
        help=f"QA only: tokens from one context window's start to the next (default: {DOC_STRIDE}; "
             f"{TINY_QA['doc_stride']} for tiny)")
    add("--max-query-length", type=_positive,
        help=f"QA only: question tokens kept (default: {MAX_QUERY_LENGTH}; {TINY_QA['max_query_length']} for tiny)")
    add("--sampling", choices=SAMPLINGS,
        help="sampling of tasks trained together (mnli+squad, all) only (default: proportional)")
    add("--temperature", type=float, help="with --sampling temperature only: p ~ size^(1/T) (default: 2)")
    add("--mlm", type=float,
        help="share of intermediate steps spent on multilingual MLM, in [0, 1), with an intermediate task only "
             "(default: 0, none)")
    add("--select",
        help="which target-stage weights are kept, among those at the end of each epoch and of training: en-dev "
             "(best English dev score, the paper's), last, target-dev (best dev score in the target's other "
             "languages: not zero-shot) or average-K (the mean of the last K, K >= 2); trained targets only; "
             "intermediate stages always keep their best English dev score (default: en-dev)")
    add("--layer", type=int,
        help="retrieval targets (bucc2018, tatoeba) only: hidden layer to pool (default: 14/24 of the depth: "
             "1 for tiny, 14 for XLM-R large)")
    add("--pooling", choices=POOLINGS,
        help="retrieval targets only: mean (XTREME), mean_nospecial (jiant) or cls (default: mean)")
    add("--bucc-repeats", choices=BUCC_REPEATS,
        help="bucc2018 only: a sentence repeated in its file: official (XTREME: its pairs are dropped) or all-ids "
             "(paired under each of its ids) (default: official)")
    add("--device", default="auto", help=DEVICE_HELP)
    add("--no-ingest", action="store_true", help="do not add the scores to the database (default: add them)")
    _store_args(run)


def build_parser() -> Parser:
    parser = Parser(prog="xlt", description="Zero-shot cross-lingual transfer after English intermediate training.")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=Parser)

    demo = sub.add_parser("demo", help="run the study on the embedded default, ingest, serve the dashboard")
    demo.add_argument("--no-serve", action="store_true",
                      help="stop after writing the database (default: serve the dashboard)")
    demo.add_argument("--port", type=_port, default=8501, help="dashboard port (default: 8501)")
    demo.add_argument("--device", default="auto", help=DEVICE_HELP)
    _store_args(demo)

    run = sub.add_parser("run", help="one chain: [intermediate ->] target -> zero-shot evaluation")
    _run_args(run)


    ingest = sub.add_parser("ingest", help="add finished run folders to the results database (idempotent)")
    ingest.add_argument("--rebuild", action="store_true",
                        help="recreate the database from the run folders (default: add only what is new)")
    _store_args(ingest)

    dash = sub.add_parser("dashboard", help="serve the Streamlit dashboard")
    dash.add_argument("--port", type=_port, default=8501, help="port to serve on (default: 8501)")
    dash.add_argument("--host", default="127.0.0.1",
                      help="address to listen on (default: 127.0.0.1, this machine only)")
    dash.add_argument("--db", default="results.duckdb", help="results database (default: results.duckdb)")

    sub.add_parser("tasks", help="print the table of tasks")

    sweep = sub.add_parser("sweep", help="plan or run a sweep file (sweeps/*.yaml)")
    sweep_sub = sweep.add_subparsers(dest="sweep_command", required=True, parser_class=Parser)
    plan = sweep_sub.add_parser("plan", help="stages, how many are shared or done, estimated GPU-hours")
    srun = sweep_sub.add_parser("run", help="run what is missing")
    for p in (plan, srun):
        p.add_argument("file", help="a sweep file, e.g. sweeps/paper_grid.yaml (required)")
        p.add_argument("--model", help="replace the file's model(s) with this one, e.g. tiny for a dry run "
                                       "(default: the file's)")
        p.add_argument("--data", help="replace the file's data source: sample, hub or a folder (default: the file's)")
        p.add_argument("--sizes", default="full", choices=("full", "tiny"),
                       help="tiny: cap every stage at a few dozen examples (default: full)")
        p.add_argument("--smoke", action="store_true",
                       help="a dry run before a cluster job: one chain of every regime in the file (its cheapest), "
                            "at --sizes tiny, on the embedded default model and data unless --model/--data say "
                            "otherwise (default: off)")
    _store_args(plan)
    srun.add_argument("--executor", choices=("local", "slurm"), default="local",
                      help="local subprocesses or Slurm jobs (default: local)")
    srun.add_argument("--workers", type=_positive, default=1, help="stages at a time, one GPU each (default: 1)")
    srun.add_argument("--device", default="auto", help=DEVICE_HELP)
    srun.add_argument("--partition", help="slurm partition (default: the cluster's default partition)")
    srun.add_argument("--gpus", type=_positive, default=1, help="slurm GPUs per job (default: 1)")
    srun.add_argument("--time", type=_positive, default=720, help="slurm time limit per job, minutes (default: 720)")
    srun.add_argument("--mem", type=_positive, default=64, help="slurm memory per job, GB (default: 64)")
    srun.add_argument("--cluster", choices=("slurm", "local", "debug"),
                      help="submitit cluster (default: detect: slurm where it is installed, else local)")
    _store_args(srun)
    _data_args(sub)
    _study_args(sub)
    return parser


def _study_args(sub) -> None:
    """`xlt compare A B` and `xlt report`: paired tests and the study table, read from the results database."""
    from .stats import CORRECTIONS
    from .tables import FORMATS

    compare = sub.add_parser("compare", help="paired per-language gains of B over A with intervals and adjusted "
                                             "p-values, the task mean, and the config fields that differ")
    compare.add_argument("a", help="side A: an intermediate task (none, mnli, mnli>squad), key=value pairs "
                                   "(mnli,select=last,size=large,intermediate_size=1000,sampling=...,target=...) "
                                   "or an evaluate run id")
    compare.add_argument("b", help="side B, as A")
    compare.add_argument("--target", help="only this target task (default: every task both sides have)")
    compare.add_argument("--correction", choices=tuple(CORRECTIONS), default="holm",
                         help="adjustment of the p-values for the task's many languages: holm (family-wise) or bh "
                              "(Benjamini-Hochberg, false discovery rate) (default: holm)")
    report = sub.add_parser("report", help="the XTREME-style study table: per task, group and overall, gains over "
                                           "the baseline with significance marks")
    for p in (compare, report):
        p.add_argument("--split", default="test", help="evaluation split: test or dev (default: test)")
        p.add_argument("--metric", choices=("headline", "f1", "em"), default="headline",
                       help="QA scores as (EM+F1)/2, F1 or EM; other tasks keep their metric (default: headline)")
        p.add_argument("--format", choices=FORMATS, default="text",
                       help="text, markdown, latex or csv (default: text)")
        p.add_argument("--db", default="results.duckdb", help="results database (default: results.duckdb)")


def _study(args) -> int:
    """`xlt compare` / `xlt report`: the database must be there and hold evaluate runs."""
    from .report import comparison, study_report, study_table
    from .results import queries

    if args.split not in ("test", "dev"):
        raise XltError(f"unknown split {args.split!r}: choose test or dev")
    if queries.check_readable(args.db) != "ready":
        raise XltError(f"results database {args.db} has no scores ({queries.state(args.db)}): run a study "
                       "(xlt run, xlt sweep run) or xlt ingest --rebuild first")
    if args.command == "compare":
        from .compare import compare

        found = compare(args.db, args.a, args.b, args.split, args.target, args.metric, args.correction)
        print(comparison(found, args.format, args.a, args.b), end="")
        return 0
    from .analysis import gain_intervals

    f = queries.Filters(split=args.split, metric=args.metric)
    long = study_table(queries.study(args.db, f), gain_intervals(queries.paired_gains(args.db, f)))
    print(study_report(long, args.format, args.split), end="")
    return 0


def _data_args(sub) -> None:
    """`xlt data pull|check DIR`: what a sweep file or one chain reads, pulled into a folder or checked there."""
    data = sub.add_parser("data", help="pull the data a sweep or run reads into a folder (for machines without "
                                       "internet), or check such a folder")
    data_sub = data.add_subparsers(dest="data_command", required=True, parser_class=Parser)
    pull = data_sub.add_parser("pull", help="fetch every split a sweep or run reads into DIR, in the layout --data "
                                            "DIR reads, with a manifest; resumes where a killed pull stopped")
    check = data_sub.add_parser("check", help="check every file a sweep or run reads in DIR: readable, columns, "
                                              "types, labels, rows and checksums against the manifest")
    for p in (pull, check):
        p.add_argument("dir", help="the data folder (required)")
        p.add_argument("--sweep", help="a sweep file: the data of all its stages (default: none; see --target)")
        p.add_argument("--intermediate",
                       help="with --target: the chain's intermediate task(s), as xlt run takes them (default: mnli)")
        p.add_argument("--target", help="one chain's target task, as xlt run takes it (default: none"
                                        + ("" if p is pull else ": the reads DIR's manifest records") + ")")
        p.add_argument("--languages", help="with --target: the target's languages, as xlt run (default: all)")
        p.add_argument("--split", help="with --target: the evaluation split, test or dev (default: test)")
    pull.add_argument("--source", default="hub",
                      help="hub, sample (the embedded data) or a folder in any layout --data reads (default: hub)")
    pull.add_argument("--revision", help="hub revision for every source, with --source hub only (default: each "
                                         "source's own, as xlt tasks lists)")


def _data(args) -> int:
    """`xlt data pull|check`: every option checked before anything is fetched or read."""
    from .pull import check, check_pull_dir, pull

    reads = _data_reads(args)
    if args.data_command == "pull":
        if reads is None:
            raise XltError("nothing to pull: give --sweep FILE or --target TASK (with --intermediate, --languages, "
                           "--split as xlt run takes them)")
        if args.revision is not None and args.source != "hub":
            raise XltError(f"revision {args.revision!r} does not apply to source {args.source!r}: it applies only "
                           "with --source hub")
        check_pull_dir(args.dir, args.source)
        counts = pull(args.dir, reads[0], args.source, args.revision or reads[1])
        print(f"pulled into {args.dir}: {counts['fetched']} splits fetched, {counts['kept']} already there; "
              f"{counts['files']} files, {counts['rows']} rows")
        return 0
    from .config import existing_dir

    if existing_dir(args.dir) is None:
        raise XltError(f"data folder {args.dir!r} is not an existing folder: give a folder made by xlt data pull")
    problems, counts = check(args.dir, None if reads is None else reads[0])
    for line in problems:
        print(line)
    if not counts["reads"]:
        raise XltError(f"nothing to check in {args.dir}: it has no manifest listing what was pulled; give --sweep "
                       "FILE or --target TASK")
    if problems:
        print(f"xlt: {len(problems)} problem(s) in {args.dir}", file=sys.stderr)
        return 1
    manifest = "rows and checksums as the manifest records" if counts["manifest"] else "no manifest to compare"
    print(f"{args.dir}: {counts['files']} files, {counts['rows']} rows: every split of {counts['reads']} reads "
          f"present and valid; {manifest}")
    return 0


def _data_reads(args):
    """(the (task, split, language) reads of --sweep or the chain options, the hub revision they name) or None."""
    from .checks import reads
    from .data import revision_given

    chain_options = {k: getattr(args, k) for k in ("intermediate", "target", "languages", "split")}
    if args.sweep is not None and any(v is not None for v in chain_options.values()):
        given = next(k for k, v in chain_options.items() if v is not None)
        raise XltError(f"--{given} does not apply with --sweep {args.sweep}: give a sweep file or one chain's options")
    if args.sweep is not None:
        from .sweep import load_sweep, overrides

        stages = [cfg for stages in load_sweep(args.sweep, overrides("tiny", "hub")) for cfg in stages]
    elif args.target is not None:
        from .config import chain

        stages = chain(intermediate=args.intermediate or "mnli", target=args.target,
                       languages=args.languages or "all", split=args.split or "test", data="hub")
    else:
        given = next((k for k, v in chain_options.items() if v is not None), None)
        if given:
            raise XltError(f"--{given} {getattr(args, given)!r} needs --target: give the chain's target task")
        return None
    revisions = {revision_given(cfg.data_revision) for cfg in stages}
    if len(revisions) > 1:
        raise XltError(f"sweep file {args.sweep} names several revisions ({', '.join(sorted(map(str, revisions)))}): "
                       "pull one revision at a time")
    found = list({(t.name, split, lang): (t, split, lang) for cfg in stages for t, split, lang in reads(cfg)}.values())
    return found, revisions.pop()


def _check_device(device: str) -> str:
    from .config import validate_device

    validate_device(device)
    if device in ("auto", "cpu"):
        return device
    import torch

    if device == "mps" and not torch.backends.mps.is_available():
        raise XltError("device 'mps' asked for, but MPS is not available here: use --device cpu or auto")
    count, index = torch.cuda.device_count(), int(device.partition(":")[2] or 0)
    if device.startswith("cuda") and index >= count:
        seen = f"only {count} CUDA device(s) are visible (cuda:0 to cuda:{count - 1})" if count else \
            "no CUDA device is visible"
        raise XltError(f"device {device!r} asked for, but {seen}: use --device cpu or auto")
    return device


def _execute(chains, args, port: int | None = None) -> None:
    """Check everything first (the device; the stages' environment, models and data; the runs folder; the port the
    demo will serve on; the database), then run the stages and ingest their scores."""
    from . import results
    from .checks import check_runs_dir, preflight
    from .runner import execute_chains

    _check_device(args.device)
    preflight([cfg for stages in chains for cfg in stages])
    check_runs_dir(args.runs_dir)
    if port is not None:
        _check_listen("127.0.0.1", port)
    if not getattr(args, "no_ingest", False):
        results.check_writable(args.db)  # last: it makes the database's lock file
    execute_chains(chains, args.runs_dir, device=args.device)
    if not getattr(args, "no_ingest", False):
        added = results.ingest(args.db, args.runs_dir)
        print(f"ingested into {args.db}: {added['runs']} new runs, {added['scores']} new scores "
              f"({added['total_scores']} scores in all)")


def _sweep(args) -> int:
    from .sweep import Plan, format_plan, load_sweep, overrides, smoke

    if args.smoke:
        args.model, args.data, args.sizes = args.model or "tiny", args.data or "sample", "tiny"
    chains = load_sweep(args.file, overrides(args.model, args.data, args.sizes))
    plan = Plan.of(smoke(chains) if args.smoke else chains)
    print(format_plan(plan, plan.summary(args.runs_dir), args.file))
    if args.sweep_command == "plan":
        return 0
    from . import results
    from .checks import preflight
    from .executors import LocalLauncher, SubmititLauncher, run_sweep

    _check_device(args.device)
    preflight(plan.stages)
    results.check_writable(args.db)  # a --db that cannot be written fails now, not after the sweep
    runs = Path(args.runs_dir).resolve()
    launcher = LocalLauncher(runs, args.workers, args.device) if args.executor == "local" else SubmititLauncher(
        runs, args.workers, args.device, cluster=args.cluster, partition=args.partition, gpus=args.gpus,
        timeout_min=args.time, mem_gb=args.mem)
    progress = run_sweep(plan.stages, runs, launcher)
    added = results.ingest(args.db, runs)
    print(f"ingested into {args.db}: {added['runs']} new runs, {added['scores']} new scores; "
          f"run folders skipped: {added['skipped']}")
    for stage_id, message in progress.failed.items():
        print(f"xlt: stage {stage_id} failed: {message}", file=sys.stderr)
    return 1 if progress.failed else 0


def _check_listen(host: str, port: int) -> None:
    """Bind what `host` resolves to, as the server will, and let go: a host that does not resolve or is not this
    machine's, or a port in use, is one line now instead of a traceback after the address is printed."""
    import errno
    import socket

    try:
        addresses = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
    except socket.gaierror as err:
        raise XltError(f"--host {host!r} does not resolve ({err.strerror}): give a name or address of this "
                       "machine, e.g. 127.0.0.1") from None
    failures = []
    for family, kind, proto, _, address in addresses:
        with socket.socket(family, kind, proto) as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as the server: TIME_WAIT is no obstacle
            try:
                probe.bind(address)
            except OSError as err:
                if err.errno == errno.EADDRINUSE:
                    raise XltError(f"--port {port} is in use on {host}: choose another --port (1-65535) or stop "
                                   "what listens there") from None
                failures.append(err)
    if len(failures) == len(addresses):  # e.g. an address of another machine
        raise XltError(f"--host {host!r}: cannot listen there ({failures[0].strerror}): give an address of this "
                       "machine, e.g. 127.0.0.1") from None


PR_SET_PDEATHSIG = 1  # prctl's option number, from <linux/prctl.h>


def _die_with_parent(prctl, parent: int) -> None:
    """Run in the server's process before it starts (Linux): the kernel sends it SIGTERM when xlt dies, even by
    SIGKILL, so that no server outlives the command that started it (and if xlt is already gone, it stops now)."""
    import signal

    prctl(PR_SET_PDEATHSIG, int(signal.SIGTERM))
    if os.getppid() != parent:
        os.kill(os.getpid(), signal.SIGTERM)


def _run_until_stopped(cmd: list[str], env: dict) -> int:
    """Run the server until it exits. SIGTERM and SIGINT are passed on to it and waited for, so that stopping xlt
    stops the server and frees its port; in a session of its own, it gets a terminal's Ctrl-C once, from here.
    Stopped by a signal is a clean exit (0)."""
    import functools
    import signal

    preexec = None
    if sys.platform.startswith("linux"):
        import ctypes

        preexec = functools.partial(_die_with_parent, ctypes.CDLL(None).prctl, os.getpid())
    proc = subprocess.Popen(cmd, env=env, start_new_session=True, preexec_fn=preexec)
    stopped = []

    def forward(signum, _frame):
        stopped.append(signum)
        proc.send_signal(signum)

    previous = {sig: signal.signal(sig, forward) for sig in (signal.SIGTERM, signal.SIGINT)}
    try:
        code = proc.wait()
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    return 0 if stopped else code


def serve(db: str, port: int, host: str = "127.0.0.1") -> int:
    """Serve the dashboard until it stops or xlt is told to stop. The database, the host and the port are checked
    first: a mistake is one line (exit 2), and no address is printed for a server that cannot start."""
    from . import results

    launcher = REPO_ROOT / "dashboard" / "serve.py"
    if not launcher.exists():
        raise XltError(f"dashboard not found at {launcher.parent}: install xlt from a checkout (pip install -e .)")
    results.check_readable(db)  # a missing database is fine: the pages say how to fill one
    _check_listen(host, port)
    env = {**os.environ, "XLT_DB": str(Path(db).resolve())}
    cmd = [sys.executable, str(launcher), "--server.address", host, "--server.port", str(port),
           "--server.headless", "true", "--browser.gatherUsageStats", "false"]
    print(f"Dashboard: http://{host}:{port}  (Ctrl-C to stop)", flush=True)
    return _run_until_stopped(cmd, env)


def print_tasks() -> None:
    from .tasks import TASKS

    rows = [("name", "role", "type", "metric", "langs", "data source", "revision")]
    for t in TASKS.values():
        rows.append((t.name, t.role, t.type, t.metric, str(len(t.languages)), f"{t.source.repo}:{t.source.config}",
                     "(local files)" if t.source.local_only else t.source.revision))
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    for r in rows:
        print("  ".join(v.ljust(w) for v, w in zip(r, widths)).rstrip())


def run_chain(args) -> list:
    """The stages of `xlt run`'s chain, from its parsed options (every option is checked, and rejected where it
    does not apply to the chain)."""
    import inspect

    from .config import chain, check_options_apply

    options = {name: getattr(args, name) for name in inspect.signature(chain).parameters}
    check_options_apply(**options)
    return chain(**options)


def main(argv=None) -> int:
    args = build_parser().parse_args(argv)
    try:
        if args.command == "tasks":
            print_tasks()
        elif args.command == "ingest":
            from . import results

            added = results.ingest(args.db, args.runs_dir, rebuild=args.rebuild)
            print(f"ingested into {args.db}: {added['runs']} new runs, {added['scores']} new scores; "
                  f"run folders skipped: {added['skipped']}")
        elif args.command == "sweep":
            return _sweep(args)
        elif args.command == "data":
            return _data(args)
        elif args.command == "dashboard":
            return serve(args.db, args.port, args.host)
        elif args.command == "demo":
            from .sweep import load_sweep

            _execute(load_sweep(REPO_ROOT / "sweeps" / "demo.yaml"), args, port=None if args.no_serve else args.port)
            if not args.no_serve:
                return serve(args.db, args.port)
        elif args.command == "run":
            _execute([run_chain(args)], args)
        elif args.command in ("compare", "report"):
            return _study(args)
    except KeyboardInterrupt:  # Ctrl-C: what finished is kept; a rerun resumes the stage from its checkpoint
        print("xlt: interrupted; rerun the same command to resume", file=sys.stderr)
        return 130
    except BrokenPipeError:  # `xlt sweep plan ... | head`: the reader has gone, nothing more to say
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
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
