"""The three stage notebooks run through papermill, end to end, into results.duckdb."""

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb

from conftest import broken_model
from xlt_core.tasks import get_task

XLT = os.path.join(os.path.dirname(sys.executable), "xlt")
XNLI = set(get_task("xnli").languages)


def xlt(*args, cwd):
    proc = subprocess.run([XLT, *args], cwd=cwd, capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr[-3000:]
    return proc


def score_rows(db: Path):
    con = duckdb.connect(str(db), read_only=True)
    rows = con.execute("SELECT intermediate_task, target_task, language, metric, score FROM scores").fetchall()
    con.close()
    return rows


def test_demo_scores_every_language_and_reruns_as_a_no_op(demo_workdir, tmp_path):
    shutil.copytree(demo_workdir, tmp_path, dirs_exist_ok=True)
    stdout, stderr = (tmp_path / "demo.log").read_text().split("\n--- stderr ---\n")
    rows = score_rows(tmp_path / "results.duckdb")
    for inter in ("none", "mnli"):
        assert {lang for i, t, lang, m, s in rows if i == inter and t == "xnli" and m == "accuracy"} == XNLI
    assert all(0 <= s <= 100 for *_, s in rows)
    english = {i: s for i, t, lang, m, s in rows if lang == "en"}
    assert min(english.values()) > 60  # learnt the English task (chance is 33.3)
    # every stage wrote its run folder, with the executed notebook inside
    folders = [p for p in (tmp_path / "runs").iterdir() if not p.name.startswith(".")]
    assert len(folders) == 5 and stdout.count("[run]") == 5
    assert "WARNING" not in stderr  # kernels over Unix sockets: ipykernel has no TCP warning to print
    assert "train mnli: 100%" in stderr and "IProgress" not in stderr  # the kernels' bars, streamed
    for folder in folders:
        nb = json.loads((folder / "notebook.ipynb").read_text())
        assert nb["metadata"]["papermill"]["exception"] is None or nb["metadata"]["papermill"]["exception"] is False
        assert (folder / "cost.json").exists() and (folder / "config.json").exists()
    assert list((tmp_path / "runs").glob(".tmp-*")) == []
    second = xlt("demo", "--no-serve", cwd=tmp_path)
    assert second.stdout.count("[reuse]") == 5 and "[run]" not in second.stdout
    assert len(score_rows(tmp_path / "results.duckdb")) == len(rows)


def test_a_failing_stage_keeps_its_notebook_and_writes_no_run_folder(tmp_path):
    model = broken_model(tmp_path / "model")  # passes every check made before compute, fails loading its weights
    proc = subprocess.run([XLT, "run", "--intermediate", "none", "--model", str(model), "--train-size", "50",
                           "--epochs", "1"], cwd=tmp_path, capture_output=True, text=True, timeout=600)
    assert proc.returncode == 1
    assert "xlt: stage target-xnli-" in proc.stderr and "failed (" in proc.stderr
    kept = list((tmp_path / "runs" / ".failed").glob("target-xnli-*.ipynb"))
    assert len(kept) == 1 and str(kept[0]) in proc.stderr
    assert sorted(p.name for p in (tmp_path / "runs").iterdir()) == [".failed", ".locks"]
    assert not (tmp_path / "results.duckdb").exists()
