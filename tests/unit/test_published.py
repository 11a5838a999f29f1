"""The published reference numbers: each with its source, the same number from two sources kept and compared
(analysis.published_vs_reproduced names the other value where they disagree; the reference README lists them)."""

from pathlib import Path
from statistics import mean

import pandas as pd
import pytest

from xlt_core import analysis

REFERENCE = Path(__file__).resolve().parents[2] / "xlt_core" / "reference"
KEY = ["model", "intermediate_task", "target_task", "language", "metric", "split"]
CHUNG = "Chung et al. 2021"


@pytest.fixture(scope="module")
def published():
    return pd.read_csv(REFERENCE / "published_results.csv")


def no_runs():
    return pd.DataFrame(columns=["model", "model_size", "target_task", "split", "metric", "language", "score",
                                 "seeds"])


def test_each_number_once_per_source(published):
    assert published["source"].str.len().gt(0).all() and published["score"].between(0, 100).all()
    assert not published.duplicated([*KEY, "source"]).any()


def test_x_stilts_from_both_sources(published):
    rows = published[published["intermediate_task"] == "best-per-target (X-STILTs)"]
    mt5 = rows[rows["source"].str.contains("multilingual-t5")].set_index("target_task")
    chung = rows[rows["source"].str.startswith(CHUNG)].set_index(["target_task", "metric"])
    assert mt5["score"].to_dict() == {"xnli": 80.4, "pawsx": 87.7, "panx": 64.7, "xquad": 77.2, "mlqa": 72.3,
                                      "tydiqa": 76.0}
    assert set(mt5.loc[["xquad", "mlqa", "tydiqa"], "metric"]) == {"f1"}  # the README's QA columns are F1
    assert chung["score"].to_dict() == {
        ("xnli", "accuracy"): 80.0, ("udpos", "f1"): 74.9, ("panx", "f1"): 64.0, ("pawsx", "accuracy"): 87.9,
        ("xquad", "exact_match"): 63.3, ("xquad", "f1"): 78.7, ("mlqa", "exact_match"): 53.7, ("mlqa", "f1"): 72.4,
        ("tydiqa", "exact_match"): 59.5, ("tydiqa", "f1"): 76.0}
    # the per-task numbers give back the category averages and overall score of the paper (QA as (EM+F1)/2)
    s = chung["score"]
    groups = [mean([s["xnli", "accuracy"], s["pawsx", "accuracy"]]), mean([s["udpos", "f1"], s["panx", "f1"]]),
              mean([(s[t, "exact_match"] + s[t, "f1"]) / 2 for t in ("xquad", "mlqa", "tydiqa")])]
    assert groups == pytest.approx([83.9, 69.4, 67.2], abs=0.1) and mean(groups) == pytest.approx(73.5, abs=0.1)
    xlmr = published[published["source"].str.startswith(CHUNG) & (published["intermediate_task"] == "none")]
    assert len(xlmr) == 10 and set(xlmr["model"]) == {"xlm-roberta-large"}


def test_disagreeing_sources_are_named_beside_each_number_and_in_the_readme(published):
    table = analysis.published_vs_reproduced(published, no_runs())
    stilts = table[table["system"].str.startswith("X-STILTs")].set_index(["system", "target_task", "metric"])
    assert stilts.loc[("X-STILTs", "xnli", "accuracy"), "disagrees"].startswith(f"80.0 in {CHUNG}")
    assert stilts.loc[("X-STILTs (RemBERT paper)", "xnli", "accuracy"), "disagrees"].startswith(
        "80.4 in github google-research/multilingual-t5")
    tydiqa = stilts.loc[("X-STILTs", "tydiqa", "f1")]
    assert tydiqa["disagrees"] == "" and tydiqa["also_in"].startswith(CHUNG)  # 76.0 in both
    # every number two sources report differently: flagged on both rows and listed in the README's table
    found = {}
    for key, g in published.groupby(KEY):
        if g["score"].nunique() > 1:
            found[key] = sorted(g["score"].unique())
    flagged = table[table["disagrees"] != ""]
    assert len(found) == 8 and len(flagged) == sum(
        len(published.merge(pd.DataFrame([key], columns=KEY))) for key in found)
    lines = [line for line in (REFERENCE / "README.md").read_text().splitlines() if line.startswith("| ")]
    for key, values in found.items():
        assert any(all(f" {v} (" in line for v in values) for line in lines), (key, values)


def test_only_published_baselines_are_set_beside_ours(published):
    """Ours are baselines (no intermediate task): X-STILTs, XLM-R large trained with the best intermediate task per
    target, is never compared with them, whatever runs of XLM-R large we have."""
    ours = pd.DataFrame([dict(model="xlm-roberta-large", model_size="large", target_task="xnli", split="test",
                              metric="accuracy", language=lang, score=79.0, seeds=3) for lang in ("en", "de")])
    table = analysis.published_vs_reproduced(published, ours)
    xnli = table[(table["model"] == "xlm-roberta-large") & (table["target_task"] == "xnli") &
                 (table["language"] == "avg") & (table["metric"] == "accuracy") & (table["split"] == "test")]
    stilts = xnli[xnli["system"].str.startswith("X-STILTs")]
    assert set(stilts["published"]) == {80.4, 80.0} and stilts["reproduced"].isna().all()
    assert stilts["difference"].isna().all() and (stilts["our_languages"] == 0).all()
    xlmr = xnli[xnli["system"].str.startswith("XLM-R")]
    assert len(xlmr) >= 1 and (xlmr["reproduced"] == 79.0).all() and (xlmr["our_languages"] == 2).all()
    assert table.loc[table["reproduced"].notna(), "system"].str.startswith("XLM-R").all()
