"""Paired comparisons (xlt_core.compare), the paired table filled at ingest, and `xlt compare` / `xlt report` output
checked cell by cell against the run folders of the demo study."""

import io
import json
import zlib

import duckdb
import numpy as np
import pandas as pd
import pytest

from xlt_core import stats
from xlt_core.cli import main
from xlt_core.compare import compare_pairs, config_diff, parse_side
from xlt_core.config import chain
from xlt_core.errors import XltError
from xlt_core.results.examples import example_values
from xlt_core.tables import render


def rows(language: str, values, ids=None) -> pd.DataFrame:
    ids = ids or [f"q{i}" for i in range(len(values))]
    return pd.DataFrame({"language": language, "example": range(len(values)), "id": ids, "accuracy": values})


def test_compare_pairs_by_hand():
    """Two languages, two seeds. de: A 50 -> B 100 and 0 -> 50 (gains 50, 50); sw: 50 -> 50 and 50 -> 100 (0, 50).
    Per language, the mean over seeds: de +50, sw +25; task +37.5; seed-level task gains (50+0)/2 = 25 and
    (50+50)/2 = 50: t over two seeds, mean 37.5, se 12.5."""
    s0 = (0, pd.concat([rows("de", [0, 100]), rows("sw", [100, 0])]),
          pd.concat([rows("de", [100, 100]), rows("sw", [100, 0])]))
    s1 = (1, pd.concat([rows("de", [0, 0]), rows("sw", [0, 100])]),
          pd.concat([rows("de", [100, 0]), rows("sw", [100, 100])]))
    found = compare_pairs([s0, s1], "xnli", resamples=200)
    table = found["languages"].set_index("language")
    assert table.loc["de", "gain"] == pytest.approx(50.0) and table.loc["sw", "gain"] == pytest.approx(25.0)
    assert table.loc["de", "a"] == pytest.approx(25.0) and table.loc["de", "b"] == pytest.approx(75.0)
    assert list(table["seeds"]) == [2, 2] and list(table["n"]) == [2, 2]
    assert found["task"]["gain"] == pytest.approx(37.5)
    assert found["seeds"]["gain"] == pytest.approx(37.5) and found["seeds"]["se"] == pytest.approx(12.5)
    assert list(table["p_adjusted"]) == pytest.approx(stats.holm(list(table["p"])))
    # de's resamples: the mean of each seed's resamples, drawn from crc32("de/<seed>")
    reps = np.mean([stats.replicates([0, 100], [100, 100], "mean", 200, zlib.crc32(b"de/0")),
                    stats.replicates([0, 0], [100, 0], "mean", 200, zlib.crc32(b"de/1"))], axis=0)
    assert table.loc["de", "lo"] == pytest.approx(50.0 - np.quantile(np.abs(reps - 50.0), 0.95, method="higher"))
    assert found["correction"] == "Holm"


def test_runs_that_scored_other_examples_are_not_paired():
    a, b = rows("de", [0, 100], ids=["x", "y"]), rows("de", [100, 100], ids=["x", "z"])
    with pytest.raises(XltError, match="scored different examples"):
        compare_pairs([(0, a, b)], "xnli")


def test_what_differs_between_two_chains():
    none, mnli = chain(intermediate="none")[-1], chain(intermediate="mnli", train_size=500)[-1]
    diff = config_diff(none.to_dict(), mnli.to_dict())
    assert diff == [("intermediate.task", None, "mnli"), ("target.train.train_size", None, 500)]


def test_sides_are_parsed_or_refused_in_one_line():
    assert parse_side("mnli") == {"intermediate_task": "mnli"}
    assert parse_side("mnli>squad,select=last,size=large,intermediate_size=all") == {
        "intermediate_task": "mnli>squad", "selection": "last", "model_size": "large", "intermediate_size": None}
    assert parse_side("evaluate-xnli-0123") == {"run_id": "evaluate-xnli-0123"}
    for bad, message in (("mnli,colour=red", "unknown key 'colour'"), ("seed=x", "not a whole number"), ("", "empty")):
        with pytest.raises(XltError, match=message):
            parse_side(bad)


def test_tables_in_every_format():
    df = pd.DataFrame({"language": ["de", "a_b"], "gain": [1.25, -0.5], "note": ["x|y", "50%"]})
    assert render(df, "markdown").splitlines()[1:] == ["|:---|---:|:---|", "| de | 1.2 | x\\|y |",
                                                       "| a_b | -0.5 | 50% |"]
    latex = render(df, "latex")
    assert r"a\_b & -0.5 & 50\% \\" in latex and r"\begin{tabular}{lrl}" in latex
    assert pd.read_csv(io.StringIO(render(df, "csv")))["gain"].tolist() == [1.25, -0.5]  # full precision
    assert render(df, "text").splitlines()[2] == "de         1.2  x|y"


def per_language(run_dir) -> dict:
    """Accuracy per language recomputed from a run's per-example file."""
    df = example_values(run_dir)
    return df.groupby("language")["accuracy"].mean().to_dict()


def test_ingest_pairs_the_demo_runs_with_their_baseline(demo_db):
    con = duckdb.connect(str(demo_db), read_only=True)
    runs = dict(con.execute("SELECT intermediate_task, run_dir FROM runs WHERE stage = 'evaluate'").fetchall())
    paired = con.execute("SELECT * FROM paired WHERE metric = 'headline'").df()
    stored = con.execute("SELECT intermediate_task, language, score FROM scores").df()
    base, mnli = per_language(runs["none"]), per_language(runs["mnli"])
    for r in paired.itertuples(index=False):
        if r.language == "avg":
            continue
        assert r.a == pytest.approx(base[r.language]) and r.b == pytest.approx(mnli[r.language])
        assert r.gain == pytest.approx(mnli[r.language] - base[r.language]) and r.lo <= r.gain <= r.hi
        score = stored[(stored.intermediate_task == "mnli") & (stored.language == r.language)]["score"].item()
        assert r.b == pytest.approx(score)  # the per-example values make the stored score
    avg = paired[paired.language == "avg"].iloc[0]
    assert avg.gain == pytest.approx(np.mean([mnli[k] - base[k] for k in base]))
    assert len(paired) == len(base) + 1


def test_xlt_compare_on_the_demo_cell_by_cell(demo_db, capsys):
    assert main(["compare", "none", "mnli", "--db", str(demo_db), "--format", "csv"]) == 0
    table = pd.read_csv(io.StringIO(capsys.readouterr().out))
    con = duckdb.connect(str(demo_db), read_only=True)
    paired = con.execute("SELECT language, a, b, gain, lo, hi, p, p_adjusted FROM paired WHERE metric = 'headline'"
                         ).df().set_index("language")
    table = table.set_index("language")
    assert set(table.index) == set(paired.index)
    for lang, row in table.iterrows():  # compare computes on demand what ingest stored: the same numbers
        for ours, theirs in (("none", "a"), ("mnli", "b"), ("gain", "gain"), ("lo", "lo"), ("hi", "hi"),
                             ("p", "p")):
            assert row[ours] == pytest.approx(paired.loc[lang, theirs]), (lang, ours)
        if lang != "avg":
            assert row["p_adjusted"] == pytest.approx(paired.loc[lang, "p_adjusted"]), lang
    assert set(table["correction"].dropna()) == {"Holm"} and not table["not_zero_shot"].any()
    assert main(["compare", "none", "mnli", "--db", str(demo_db)]) == 0
    text = capsys.readouterr().out
    de = next(line for line in text.splitlines() if line.startswith("de "))
    d = paired.loc["de"]
    assert de.split()[1:6] == [f"{d.a:.1f}", f"{d.b:.1f}", f"{d.gain:+.1f}", f"[{d.lo:+.1f},", f"{d.hi:+.1f}]"]
    assert "caution: fewer than 300 examples in some language; a single seed" in text
    assert "intermediate.task" in text


def test_xlt_report_on_the_demo_cell_by_cell(demo_db, capsys):
    assert main(["report", "--db", str(demo_db), "--format", "csv"]) == 0
    table = pd.read_csv(io.StringIO(capsys.readouterr().out))
    con = duckdb.connect(str(demo_db), read_only=True)
    scores = con.execute("SELECT intermediate_task, avg(score) FROM scores GROUP BY 1").fetchall()
    xnli = table[table["column"] == "xnli"].set_index("intermediate_task")
    for inter, mean in scores:
        assert xnli.loc[inter, "score"] == pytest.approx(mean)
    avg = con.execute("SELECT gain, lo, hi, p FROM paired WHERE language = 'avg' AND metric = 'headline'").fetchone()
    assert (xnli.loc["mnli", "gain"], xnli.loc["mnli", "lo"], xnli.loc["mnli", "hi"]) == pytest.approx(avg[:3])
    assert bool(xnli.loc["mnli", "significant"]) == (not stats.crosses_zero(avg[1], avg[2]))
    assert pd.isna(xnli.loc["none", "gain"])
    for fmt in ("text", "markdown", "latex"):
        assert main(["report", "--db", str(demo_db), "--format", fmt]) == 0
        out = capsys.readouterr().out
        cell = f"{xnli.loc['mnli', 'score']:.1f} ({avg[0]:+.1f}{'*' if xnli.loc['mnli', 'significant'] else ''})"
        assert cell in out, (fmt, cell)


def test_compare_and_report_refuse_bad_input_in_one_line(demo_db, tmp_path, capsys):
    for argv, message in ((["compare", "none", "squad"], "no evaluate run matches 'squad'"),
                          (["compare", "none", "mnli", "--split", "train"], "unknown split 'train'"),
                          (["report", "--db", str(tmp_path / "none.duckdb")], "has no scores")):
        argv = argv + ([] if "--db" in argv else ["--db", str(demo_db)])
        assert main(argv) == 2
        err = capsys.readouterr().err.strip()
        assert message in err and len(err.splitlines()) == 1, err



@pytest.mark.parametrize("target", ["bucc2018", "tatoeba"])
def test_retrieval_stages_write_the_values_of_every_language(target, tmp_path):
    """Per-example values of every language of a retrieval stage (BUCC: counts per source sentence; Tatoeba: 0/100
    per English query) give back each stored score."""
    from xlt_core.pipeline import run_stage
    from xlt_core.rundir import run_folder

    [evaluate] = chain(intermediate="none", target=target, languages="de,fr,ru", eval_size=30)
    record = run_stage(evaluate, tmp_path)
    values = example_values(run_folder(tmp_path, evaluate))
    assert sorted(set(values["language"])) == ["de", "fr", "ru"]
    for lang, rows in values.groupby("language"):
        stored = {r["metric"]: r["score"] for r in record["scores"] if r["language"] == lang}
        if target == "bucc2018":
            tp, pred, gold = rows["tp"].sum(), rows["n_pred"].sum(), rows["n_gold"].sum()
            assert stored["f1"] == pytest.approx(200 * tp / (pred + gold) if pred + gold else 0.0), lang
        else:
            assert stored["accuracy"] == pytest.approx(rows["accuracy"].mean()) and len(rows) == 30, lang


def test_a_database_of_an_older_xlt_is_rebuilt_not_mixed(demo_runs, tmp_path):
    from xlt_core import results

    db = tmp_path / "old.duckdb"
    con = duckdb.connect(str(db))
    con.execute("CREATE TABLE runs (run_id VARCHAR PRIMARY KEY, stage VARCHAR)")  # no selection, no pair_key
    con.close()
    with pytest.raises(XltError, match=r"written by an older xlt: rebuild it .*xlt ingest --rebuild"):
        results.ingest(db, demo_runs)
    results.ingest(db, demo_runs, rebuild=True)
    assert duckdb.connect(str(db), read_only=True).execute("SELECT count(*) FROM paired").fetchone()[0] > 0


def test_evaluate_stages_of_older_xlt_are_made_again_their_training_reused():
    """The default selection rule leaves training stage ids as they were; evaluate ids name their outputs."""
    import hashlib

    intermediate, target, evaluate = chain(intermediate="mnli", languages="de")
    for cfg, changed in ((intermediate, False), (target, False), (evaluate, True)):
        d = cfg.to_dict()
        node = d
        while node:  # the config as xlt wrote it before selection rules and per-example files
            (node.get("train") or {}).pop("select", None)
            node = node.get("parent")
        old = hashlib.sha256(json.dumps(d, sort_keys=True, separators=(",", ":")).encode()).hexdigest()[:12]
        assert (cfg.stage_id != f"{cfg.stage}-{cfg.task}-{old}") == changed
    assert chain(intermediate="none", select="last")[0].stage_id != chain(intermediate="none")[0].stage_id
