"""Sweeps end to end: plan counts, the local executor with two workers, a failing stage that only skips its own
dependents, submitit's local executor, and a sweep killed halfway that a rerun finishes."""

import os
import signal
import subprocess
import sys
from pathlib import Path

import duckdb

from conftest import broken_model
from xlt_core.executors import SubmititLauncher, run_sweep
from xlt_core.sweep import Plan, load_sweep

XLT = os.path.join(os.path.dirname(sys.executable), "xlt")
TINY = "languages: en,zh\nintermediate_size: 60\ntrain_size: 60\neval_size: 5\nepochs: 1.0\n"


def sweep_file(tmp_path, body: str) -> Path:
    f = tmp_path / "sweep.yaml"
    f.write_text(body + TINY)
    return f


def test_plan_counts_shared_and_done_stages(tmp_path):
    plan = Plan.of(load_sweep(sweep_file(tmp_path, "intermediate: [none, mnli]\ntarget: [xnli, tatoeba]\n")))
    s = plan.summary(tmp_path / "runs")
    # none: target+evaluate (xnli), evaluate (tatoeba); mnli: intermediate, target+evaluate, evaluate
    assert (s["chains"], s["stages"], s["done"], s["to_run"]) == (4, 7, 0, 7)
    assert s["by_stage"] == {"intermediate": 1, "target": 2, "evaluate": 4}
    assert s["reused"] == 1 and s["saved_by_reuse"] == 1  # the MNLI checkpoint serves both targets


def test_local_executor_with_two_workers_isolates_a_failure(tmp_path):
    model = broken_model(tmp_path / "model")  # passes the checks made before compute, fails loading its weights
    f = sweep_file(tmp_path, f"intermediate: [none]\ngrids:\n  - {{target: [xnli], model: {model}}}\n"
                             "  - {target: [tatoeba], model: tiny}\n")
    proc = subprocess.run([XLT, "sweep", "run", str(f), "--workers", "2"], cwd=tmp_path, capture_output=True,
                          text=True, timeout=600)
    out = proc.stdout
    assert proc.returncode == 1
    assert out.index("[start] evaluate-tatoeba") < out.index("running 1") and out.count("[start]") == 2  # at once
    assert "[failed] target-xnli-" in out and ".failed/target-xnli-" in out
    assert "skipped 1" in out  # evaluate-xnli depends on the failed stage; tatoeba did not
    [log] = (tmp_path / "runs" / ".logs").glob("evaluate-tatoeba-*.log")
    assert "evaluate tatoeba: 100%" in log.read_text()  # the kernel's progress bar, streamed to the stage's log
    con = duckdb.connect(str(tmp_path / "results.duckdb"), read_only=True)
    assert con.execute("SELECT DISTINCT target_task FROM scores").fetchall() == [("tatoeba",)]
    con.close()


def test_submitit_local_executor(tmp_path):
    plan = Plan.of(load_sweep(sweep_file(tmp_path, "intermediate: [none]\ntarget: [tatoeba]\n")))
    runs = tmp_path / "runs"
    progress = run_sweep(plan.stages, runs, SubmititLauncher(runs, workers=1, cluster="local"), log=lambda m: None)
    assert len(progress.done) == 1 and not progress.failed
    assert (runs / plan.stages[0].stage_id / "notebook.ipynb").exists()
    assert list((runs / ".submitit").iterdir())  # submitit's own job folders


def test_a_killed_sweep_reruns_only_what_is_missing(tmp_path):
    f = sweep_file(tmp_path, "intermediate: [mnli]\ntarget: [xnli]\n")  # 3 stages in a row
    proc = subprocess.Popen([XLT, "sweep", "run", str(f)], cwd=tmp_path, stdout=subprocess.PIPE, text=True,
                            start_new_session=True)
    for line in proc.stdout:
        if line.startswith("[sweep] done 1 "):
            break
    os.killpg(proc.pid, signal.SIGKILL)  # the sweep and the stage it was running
    proc.wait()
    done_before = [p.name for p in (tmp_path / "runs").iterdir() if not p.name.startswith(".")]
    assert 1 <= len(done_before) < 3
    again = subprocess.run([XLT, "sweep", "run", str(f)], cwd=tmp_path, capture_output=True, text=True, timeout=600)
    assert again.returncode == 0
    n = len(done_before)
    assert f"done {n} (reused {n})" in again.stdout.splitlines()[4]
    assert again.stdout.count("[start]") == 3 - n
    con = duckdb.connect(str(tmp_path / "results.duckdb"), read_only=True)
    rows = con.execute("SELECT count(*), count(DISTINCT (run_id, language, metric)) FROM scores").fetchone()
    con.close()
    assert rows[0] == rows[1] == 2  # 1 chain x 2 languages, no duplicates
