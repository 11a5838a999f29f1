import os
import subprocess
import sys

import pytest

from xlt_core.cli import main

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
