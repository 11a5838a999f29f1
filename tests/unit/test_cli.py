"""The `xlt` command: a local data folder filled step by step, and the table of tasks. The table of bad inputs is
test_bad_inputs.py."""

from xlt_core.cli import main
from xlt_core.tasks import TASKS


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


def test_tasks_table(capsys):
    assert main(["tasks"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0].split() == ["name", "role", "type", "metric", "langs", "data", "source", "revision"]
    rows = {line.split()[0]: line.split() for line in out[1:]}
    assert {name for name, row in rows.items() if row[-1] == "refs/convert/parquet"} == {"hellaswag", "cosmosqa", "siqa"}
    assert rows["xnli"][-1] == "main" and rows["ccg"][-2:] == ["(local", "files)"]
    assert any(line.split()[:5] == ["xnli", "target", "pair_classification", "accuracy", "15"] for line in out)
    assert any(line.split()[:5] == ["panx", "target", "tagging", "seqeval", "40"] for line in out)
    assert len(out) == 1 + len(TASKS)
