import os
import subprocess
import sys

import pytest

from xlt_core.cli import main
from xlt_core.tasks import TASKS

BAD = [
    (["run", "--model", "xlmr-bse"], "unknown model 'xlmr-bse'"),
    (["run", "--target", "nope"], "unknown target task 'nope'"),
    (["run", "--intermediate", "nope"], "unknown intermediate task 'nope'"),
    (["run", "--languages", "en,xx"], "'xx' is not in xnli's list"),
    (["run", "--train-size", "-3"], "--train-size: '-3' must be a positive integer"),
    (["run", "--seed", "abc"], "--seed: invalid int value: 'abc'"),
    (["run", "--epochs", "many"], "--epochs: invalid float value"),
    (["run", "--device", "gpu0"], "unknown device 'gpu0'"),
    (["run", "--data", "/no/such/dir"], "data source '/no/such/dir'"),
    (["demo", "--port", "0"], "--port: '0' must be a positive integer"),
    (["dashboard", "--port", "70000"], "not a port"),
    (["frobnicate"], "invalid choice: 'frobnicate'"),
    (["run", "--model", "xlm-roberta-large"], "model 'xlm-roberta-large' is not in the local cache"),
    (["run", "--target", "tatoeba", "--languages", "en"], "'en' is not in tatoeba's list"),
    (["run", "--target", "bucc2018", "--languages", "de,xx"], "'xx' is not in bucc2018's list"),
    (["run", "--intermediate", "ccg", "--data", "hub"], "task ccg: CCGbank supertagging (LDC licence: local files only)"),
    (["run", "--data", "hub"], "dataset 'nyu-mll/glue' is not in the local cache"),
]


@pytest.mark.parametrize("argv, message", BAD)
def test_bad_input_is_one_line_exit_2_and_writes_nothing(argv, message, tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")  # the hub is never asked, here or anywhere
    try:
        code = main(argv)
    except SystemExit as exit_:
        code = exit_.code
    err = capsys.readouterr().err
    assert code == 2
    assert message in err and err.count("\n") == 1, err
    assert list(tmp_path.iterdir()) == []


def test_missing_local_file_and_column_fail_before_any_compute(tmp_path, monkeypatch, capsys):
    import datasets

    monkeypatch.chdir(tmp_path)
    data = tmp_path / "data"
    assert main(["run", "--data", str(data.mkdir() or data)]) == 2
    assert "task mnli: no file for split 'train'" in capsys.readouterr().err
    folder = data / "nyu-mll" / "glue" / "mnli"
    folder.mkdir(parents=True)
    datasets.Dataset.from_dict({"premise": ["a"], "label": [0]}).to_parquet(str(folder / "train-00000-of-00001.parquet"))
    capsys.readouterr()  # the progress bar of writing that file
    assert main(["run", "--data", str(data)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("xlt: error: task mnli:") and err.count("\n") == 1
    assert "train-00000-of-00001.parquet: missing column 'hypothesis'" in err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["data"]


def test_the_installed_command_exits_2(tmp_path):
    proc = subprocess.run([os.path.join(os.path.dirname(sys.executable), "xlt"), "run", "--model", "nope"],
                          cwd=tmp_path, capture_output=True, text=True)
    assert proc.returncode == 2 and proc.stderr.startswith("xlt: error: unknown model 'nope'")
    assert list(tmp_path.iterdir()) == []


def test_tasks_table(capsys):
    assert main(["tasks"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0].split() == ["name", "role", "type", "metric", "langs", "data", "source"]
    assert any(line.split()[:5] == ["xnli", "target", "pair_classification", "accuracy", "15"] for line in out)
    assert any(line.split()[:5] == ["panx", "target", "tagging", "seqeval", "40"] for line in out)
    assert len(out) == 1 + len(TASKS)
