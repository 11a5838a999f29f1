"""`xlt ingest` on broken input: a run folder that is half-written, corrupt, of another shape or with a NaN score is
skipped with one warning naming it while the others go in (exit 0); a database path that cannot be a DuckDB file
or cannot be written, or a runs folder that is not there, is one line, exit 2, at once (no waiting for a lock) and
writes nothing."""

import json
import math
import os
import subprocess
import sys
from pathlib import Path

import pytest

from xlt_core import results
from xlt_core.cli import main
from xlt_core.results import store

LANGUAGES = ("en", "de")


def write_run(runs: Path, run_id: str, scores=(0.5, 0.25)) -> Path:
    """A finished evaluate run folder in the shape pipeline._compute writes (the keys the store reads)."""
    folder = runs / run_id
    folder.mkdir(parents=True)
    record = {"stage_id": run_id, "parent_id": None, "model_size": "tiny", "intermediate_task": "none",
              "target_task": "xnli", "started_at": "2025-01-01T00:00:00", "finished_at": "2025-01-01T00:01:00",
              "config": {"stage": "evaluate", "model": "tiny", "task": "xnli", "seed": 0, "data": "sample",
                         "data_revision": "v1"},
              "provenance": {"git": {"commit": "abc", "dirty": False}, "packages": {"xlt": "0"}, "hardware": {}}}
    (folder / "scores.json").write_text(json.dumps([{"language": lang, "split": "test", "metric": "accuracy",
                                                     "score": score} for lang, score in zip(LANGUAGES, scores)]))
    (folder / "cost.json").write_text(json.dumps({"wall_s": 1.0, "device": "cpu"}))
    (folder / "config.json").write_text(json.dumps(record))
    return folder


def truncate(path: Path) -> None:
    path.write_text(path.read_text()[: len(path.read_text()) // 2])


def set_json(name: str, value):
    return lambda folder: (folder / name).write_text(json.dumps(value))


def set_score(value):
    return lambda folder: (folder / "scores.json").write_text(
        json.dumps([{"language": "en", "split": "test", "metric": "accuracy", "score": value}]))


BROKEN = {  # case -> (how the folder is broken, what the warning says)
    "config truncated": (lambda f: truncate(f / "config.json"), "config.json is not valid JSON"),
    "config not JSON": (lambda f: (f / "config.json").write_text("{nope"), "config.json is not valid JSON"),
    "config not UTF-8": (lambda f: (f / "config.json").write_bytes(b"\xff\xfe{}"), "config.json is not UTF-8"),
    "config a list": (set_json("config.json", []), "config.json holds a JSON list, not a dict"),
    "config keys missing": (set_json("config.json", {"stage_id": "x"}), "no 'config'"),
    "config of another shape": (lambda f: (f / "config.json").write_text(
        (f / "config.json").read_text().replace('"config": {', '"config": ["x"], "old": {')), "not in the shape"),
    "scores truncated": (lambda f: truncate(f / "scores.json"), "scores.json is not valid JSON"),
    "scores a dict": (set_json("scores.json", {"en": 0.5}), "scores.json holds a JSON dict, not a list"),
    "score entries not dicts": (set_json("scores.json", ["en"]), "not in the shape"),
    "score key missing": (set_json("scores.json", [{"language": "en"}]), "no 'split'"),
    "cost missing": (lambda f: (f / "cost.json").unlink(), "cost.json is missing"),
    "cost truncated": (lambda f: truncate(f / "cost.json"), "cost.json is not valid JSON"),
    "cost a folder": (lambda f: (f / "cost.json").unlink() or (f / "cost.json").mkdir(), "cost.json cannot be read"),
    "cost key missing": (set_json("cost.json", {"device": "cpu"}), "no 'wall_s'"),
    "score NaN": (set_score(math.nan), "score nan for en (accuracy) is not a finite number"),
    "score infinite": (set_score(math.inf), "score inf for en"),
    "score -infinite": (set_score(-math.inf), "score -inf for en"),
    "score null": (set_score(None), "score None for en"),
    "score a string": (set_score("0.5"), "score '0.5' for en"),
    "seed a string": (lambda f: (f / "config.json").write_text((f / "config.json").read_text().replace(
        '"seed": 0', '"seed": "abc"')), "seed 'abc' is not of the type xlt writes (int)"),
    "language a number": (set_json("scores.json", [{"language": 7, "split": "test", "metric": "accuracy",
                                                    "score": 0.5}]), "language 7 is not of the type xlt writes (str)"),
    "wall_s a string": (set_json("cost.json", {"wall_s": "1s", "device": "cpu"}),
                        "wall_s '1s' is not of the type xlt writes (int or float)"),
}


def ingest(*argv) -> int:
    try:
        return main(["ingest", *map(str, argv)])
    except SystemExit as exit_:
        return exit_.code


@pytest.fixture
def waits(monkeypatch):
    """Every pause of the lock retry loop: none may happen unless another process holds the database."""
    calls = []
    monkeypatch.setattr(store, "_wait", lambda: calls.append(1))
    return calls


@pytest.mark.parametrize("case", BROKEN)
def test_a_broken_run_folder_is_skipped_with_one_warning(case, tmp_path, capsys, waits):
    runs, db = tmp_path / "runs", tmp_path / "r.duckdb"
    good = [write_run(runs, f"evaluate-good{i}") for i in range(2)]
    bad = write_run(runs, "evaluate-bad")
    breaks, message = BROKEN[case]
    breaks(bad)
    assert ingest("--runs-dir", runs, "--db", db) == 0
    out, err = capsys.readouterr()
    assert err.count("\n") == 1 and err.startswith(f"xlt: warning: skipped run folder {bad}:"), err
    assert message in err, err
    assert out.strip().endswith("run folders skipped: 1"), out
    assert results.counts(db) == {"runs": 2, "scores": 2 * len(LANGUAGES)}
    assert sorted(results.runs(db)["run_id"]) == [g.name for g in good]
    assert not waits


def test_a_fixed_folder_goes_in_on_the_next_ingest(tmp_path, capsys):
    runs, db = tmp_path / "runs", tmp_path / "r.duckdb"
    write_run(runs, "evaluate-good")
    bad = write_run(runs, "evaluate-late", scores=(math.nan, 0.1))
    assert ingest("--runs-dir", runs, "--db", db) == 0
    assert "score nan for en" in capsys.readouterr().err
    (bad / "scores.json").write_text(json.dumps([{"language": "en", "split": "test", "metric": "accuracy",
                                                  "score": 0.3}]))
    assert ingest("--runs-dir", runs, "--db", db) == 0
    out, err = capsys.readouterr()
    assert not err and "1 new runs, 1 new scores" in out and out.strip().endswith("skipped: 0")
    assert results.counts(db) == {"runs": 2, "scores": 3}


def bad_databases(tmp_path: Path) -> dict[str, tuple[Path, str]]:
    """case -> (--db, what the error says)"""
    (tmp_path / "random.duckdb").write_bytes(bytes(range(256)) * 20)
    (tmp_path / "empty.duckdb").write_bytes(b"")
    (tmp_path / "folder.duckdb").mkdir()
    os.mkfifo(tmp_path / "pipe.duckdb")  # opening it to read would block
    (tmp_path / "afile").write_text("not a folder")
    return {
        "random bytes": (tmp_path / "random.duckdb", "is not a DuckDB database"),
        "empty file": (tmp_path / "empty.duckdb", "is not a DuckDB database"),
        "a folder": (tmp_path / "folder.duckdb", "is a folder: give a database file"),
        "a pipe": (tmp_path / "pipe.duckdb", "is not a DuckDB database"),
        "a file as its folder": (tmp_path / "afile" / "results.duckdb", "afile is not a folder"),
        "no such folder": (tmp_path / "nowhere" / "results.duckdb", "nowhere does not exist"),
    }


@pytest.mark.parametrize("case", ["random bytes", "empty file", "a folder", "a pipe", "a file as its folder",
                                  "no such folder"])
def test_a_bad_database_is_one_line_at_once_and_writes_nothing(case, tmp_path, capsys, waits):
    runs = tmp_path / "runs"
    write_run(runs, "evaluate-good")
    db, message = bad_databases(tmp_path)[case]
    before = sorted(tmp_path.rglob("*"))
    assert ingest("--runs-dir", runs, "--db", db) == 2
    out, err = capsys.readouterr()
    assert err.count("\n") == 1 and err.startswith("xlt: error: ") and message in err, err
    assert str(db) in err and not out
    assert not waits, "waited as if another process held the database"
    assert sorted(tmp_path.rglob("*")) == before


@pytest.mark.parametrize("rebuild", [False, True])
def test_rebuild_does_not_delete_a_file_that_is_not_a_database(rebuild, tmp_path, capsys):
    runs, db = tmp_path / "runs", tmp_path / "notes.txt"
    write_run(runs, "evaluate-good")
    db.write_text("my notes\n" * 10)
    assert ingest("--runs-dir", runs, "--db", db, *(["--rebuild"] if rebuild else [])) == 2
    assert "is not a DuckDB database" in capsys.readouterr().err
    assert db.read_text() == "my notes\n" * 10


def test_an_unwritable_folder_is_one_line(tmp_path, capsys, waits, monkeypatch):
    """Tests run as root, which writes in a read-only folder: the OSError is simulated."""
    runs, db = tmp_path / "runs", tmp_path / "ro" / "results.duckdb"
    write_run(runs, "evaluate-good")
    db.parent.mkdir()

    def refuse(self, *args, **kwargs):
        raise PermissionError(13, "Permission denied", str(self))

    monkeypatch.setattr(Path, "touch", refuse)
    assert ingest("--runs-dir", runs, "--db", db) == 2
    err = capsys.readouterr().err
    assert err == f"xlt: error: results database {db}: cannot write in {db.parent} (Permission denied)\n"
    assert not waits and list(db.parent.iterdir()) == []


@pytest.mark.skipif(not Path("/proc/self").is_dir(), reason="needs Linux /proc")
def test_a_place_nothing_can_be_written_is_one_line(tmp_path, capsys, waits):
    runs = tmp_path / "runs"
    write_run(runs, "evaluate-good")
    assert ingest("--runs-dir", runs, "--db", "/proc/xlt-results.duckdb") == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "cannot write in /proc" in err and not waits


def test_a_corrupt_duckdb_file_is_one_line_without_retries(tmp_path, capsys, waits):
    import duckdb

    runs, db = tmp_path / "runs", tmp_path / "r.duckdb"
    write_run(runs, "evaluate-good")
    con = duckdb.connect(str(db))
    con.execute("CREATE TABLE t AS SELECT range AS x FROM range(10000)")
    con.close()
    data = bytearray(db.read_bytes())
    data[12:] = bytes(len(data) - 12)  # the header's magic bytes stay, the rest is gone
    db.write_bytes(bytes(data))
    assert ingest("--runs-dir", runs, "--db", db) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith(f"xlt: error: cannot open results database {db}:"), err
    assert not waits


def test_only_another_process_lock_is_waited_for(tmp_path, capsys, waits):
    runs, db = tmp_path / "runs", tmp_path / "r.duckdb"
    write_run(runs, "evaluate-good")
    holder = subprocess.Popen([sys.executable, "-c", "import duckdb, sys; con = duckdb.connect(sys.argv[1]); "
                               "print('held', flush=True); sys.stdin.read()", str(db)],
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline() == "held\n"
        assert ingest("--runs-dir", runs, "--db", db) == 2
    finally:
        holder.communicate(timeout=30)
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "stayed locked by another process" in err, err
    assert len(waits) == store.OPEN_ATTEMPTS - 1
    assert ingest("--runs-dir", runs, "--db", db) == 0  # once the other process lets go


@pytest.mark.parametrize("runs_dir, message", [("nowhere", "runs folder {} does not exist"),
                                               ("afile", "runs folder {} is not a folder")])
def test_a_runs_folder_that_is_not_there_creates_nothing(runs_dir, message, tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "afile").write_text("x")
    assert ingest("--runs-dir", runs_dir) == 2
    err = capsys.readouterr().err
    assert err == f"xlt: error: {message.format(runs_dir)}: give the folder that holds the run folders (--runs-dir)\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["afile"]


def test_a_write_that_fails_half_way_is_one_line_and_leaves_the_database_as_it_was(tmp_path, capsys, monkeypatch):
    """A full disk while DuckDB writes (simulated where the derived tables are filled, after the rows went in): one
    line naming the database, exit 2, and the transaction undone (the runs already there are all that is there)."""
    import duckdb

    runs, db = tmp_path / "runs", tmp_path / "results.duckdb"
    write_run(runs, "evaluate-a")
    assert ingest("--runs-dir", runs, "--db", db) == 0
    write_run(runs, "evaluate-b")

    def full(con):
        raise duckdb.IOException("Could not write file: No space left on device")

    monkeypatch.setattr(store, "fill_derived", full)
    capsys.readouterr()
    assert ingest("--runs-dir", runs, "--db", db) == 2
    err = capsys.readouterr().err
    assert err == f"xlt: error: cannot write results database {db}: Could not write file: No space left " \
                  "on device; nothing was written\n", err
    con = duckdb.connect(str(db), read_only=True)
    assert con.execute("SELECT run_id FROM runs").fetchall() == [("evaluate-a",)]
    con.close()


def test_a_rebuild_that_fails_half_way_keeps_the_old_database(tmp_path, capsys, monkeypatch):
    """--rebuild writes a new database beside the old one and replaces it only when complete."""
    import duckdb

    runs, db = tmp_path / "runs", tmp_path / "results.duckdb"
    write_run(runs, "evaluate-a")
    assert ingest("--runs-dir", runs, "--db", db) == 0

    def full(con):
        raise duckdb.IOException("Could not write file: No space left on device")

    monkeypatch.setattr(store, "fill_derived", full)
    assert ingest("--runs-dir", runs, "--db", db, "--rebuild") == 2
    assert sorted(p.name for p in tmp_path.iterdir()) == ["results.duckdb", "results.duckdb.lock", "runs"]
    con = duckdb.connect(str(db), read_only=True)
    assert con.execute("SELECT run_id FROM runs").fetchall() == [("evaluate-a",)]
    con.close()
    monkeypatch.undo()
    write_run(runs, "evaluate-b")
    assert ingest("--runs-dir", runs, "--db", db, "--rebuild") == 0
    con = duckdb.connect(str(db), read_only=True)
    assert con.execute("SELECT run_id FROM runs ORDER BY run_id").fetchall() == [("evaluate-a",), ("evaluate-b",)]
    con.close()
