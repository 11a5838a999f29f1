"""The three stage notebooks run through papermill, end to end, into results.duckdb."""

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb

from xlt_core.sample_data import sample_data_dir
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


def test_demo_scores_every_language_and_reruns_as_a_no_op(tmp_path):
    first = xlt("demo", "--no-serve", cwd=tmp_path)
    rows = score_rows(tmp_path / "results.duckdb")
    for inter in ("none", "mnli"):
        assert {lang for i, t, lang, m, s in rows if i == inter and t == "xnli" and m == "accuracy"} == XNLI
    assert all(0 <= s <= 100 for *_, s in rows)
    english = {i: s for i, t, lang, m, s in rows if lang == "en"}
    assert min(english.values()) > 60  # learnt the English task (chance is 33.3)
    # every stage wrote its run folder, with the executed notebook inside
    folders = [p for p in (tmp_path / "runs").iterdir() if not p.name.startswith(".")]
    assert len(folders) == 5 and first.stdout.count("[run]") == 5
    assert "WARNING" not in first.stderr  # kernels over Unix sockets: ipykernel has no TCP warning to print
    assert "train mnli: 100%" in first.stderr and "IProgress" not in first.stderr  # the kernels' bars, streamed
    for folder in folders:
        nb = json.loads((folder / "notebook.ipynb").read_text())
        assert nb["metadata"]["papermill"]["exception"] is None or nb["metadata"]["papermill"]["exception"] is False
        assert (folder / "cost.json").exists() and (folder / "config.json").exists()
    assert list((tmp_path / "runs").glob(".tmp-*")) == []
    second = xlt("demo", "--no-serve", cwd=tmp_path)
    assert second.stdout.count("[reuse]") == 5 and "[run]" not in second.stdout
    assert len(score_rows(tmp_path / "results.duckdb")) == len(rows)


def test_run_a_language_subset_with_sizes(tmp_path):
    xlt("run", "--intermediate", "none", "--languages", "en,zh,ar", "--train-size", "200", "--eval-size", "10",
        "--epochs", "1", cwd=tmp_path)
    rows = score_rows(tmp_path / "results.duckdb")
    assert sorted(lang for *_, lang, m, s in rows) == ["ar", "en", "zh"]
    [evaluate] = [p for p in (tmp_path / "runs").glob("evaluate-*")]
    assert json.loads((evaluate / "scores.json").read_text())[0]["n"] == 10


def test_a_failing_stage_keeps_its_notebook_and_writes_no_run_folder(tmp_path):
    import datasets

    data = tmp_path / "data"
    shutil.copytree(sample_data_dir() / "nyu-mll", data / "nyu-mll")
    xnli = data / "google" / "xtreme" / "XNLI"
    shutil.copytree(sample_data_dir() / "google" / "xtreme" / "XNLI", xnli)
    # files and columns pass the checks made before compute; a label name unknown to NLI fails inside the stage
    datasets.Dataset.from_dict({"language": ["en"], "sentence1": ["a"], "sentence2": ["b"], "gold_label": ["maybe"]}
                               ).to_parquet(str(xnli / "validation-00000-of-00001.parquet"))
    proc = subprocess.run([XLT, "run", "--intermediate", "none", "--data", str(data), "--train-size", "50",
                           "--epochs", "1"], cwd=tmp_path, capture_output=True, text=True, timeout=600)
    assert proc.returncode == 1
    assert "failed (XltError: task xnli: unknown label 'maybe' in column 'gold_label'" in proc.stderr
    kept = list((tmp_path / "runs" / ".failed").glob("target-xnli-*.ipynb"))
    assert len(kept) == 1 and str(kept[0]) in proc.stderr
    assert [p.name for p in (tmp_path / "runs").iterdir()] == [".failed"]
    assert not (tmp_path / "results.duckdb").exists()
