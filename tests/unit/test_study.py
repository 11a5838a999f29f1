"""The Overview's study table (xlt_core.study): pure functions over a small hand-made study, every expected value
worked out by hand -- cells, sort order, the best per column, greyed gains, folded subsamples, links and HTML."""

import html
import re
from urllib.parse import parse_qs, urlparse

import pandas as pd
import pytest

from xlt_core import study
from xlt_core.tasks import GROUPS, TASKS

GROUPED = [t for members in GROUPS.values() for t in members]  # the nine tasks of the XTREME score
# variant -> (data size, gain on every grouped task, exceptions {task: gain}); the baseline scores 50 everywhere
GAINS = {"squad": (None, 3.0, {}), "mnli": (None, 1.0, {"xnli": 2.0, "pawsx": 4.0, "udpos": 1.0}),
         "mnli · 1,000 ex.": (1000, 2.0, {"udpos": 5.0})}
CROSSING = {("mnli", "pawsx")}  # its interval [gain - 5, gain + 5] crosses zero; every other is [gain - 0.5, + 0.5]


def key(name: str) -> dict:
    task = name.split(" ")[0]
    return dict(model="L", model_size="large", intermediate_task=task, intermediate_size=GAINS.get(name, (None,))[0],
                sampling=None if task == "none" else "proportional", selection="en-dev")


def gain(name: str, task: str) -> float:
    _, every, exceptions = GAINS[name]
    return exceptions.get(task, every)


@pytest.fixture
def frames():
    """(results.study rows, gain summary rows as analysis.noise_floor gives them) of the hand-made study."""
    scores = [dict(key("none"), target_task=t, score=50.0, languages=len(TASKS[t].languages), seeds=3)
              for t in GROUPED]
    tests = []
    for name in GAINS:
        for t in GROUPED:
            g = gain(name, t)
            half = 5.0 if (name, t) in CROSSING else 0.5
            scores.append(dict(key(name), target_task=t, score=50.0 + g, languages=len(TASKS[t].languages), seeds=3))
            tests.append(dict(key(name), target_task=t, gain=g, ci_low=g - half, ci_high=g + half, ci_half=half,
                              seeds=3, examples=3000.0, min_examples=1000.0, interval="seeds (t)",
                              crosses_zero=g - half <= 0 <= g + half))
    frame = pd.DataFrame(scores)
    frame["intermediate_size"] = frame["intermediate_size"].astype("Int64")
    summary = pd.DataFrame(tests)
    summary["intermediate_size"] = summary["intermediate_size"].astype("Int64")
    return frame, summary


def cells(rows: pd.DataFrame) -> dict:
    return {(r.variant, r.column): r for r in rows.itertuples(index=False)}


def test_cells_hold_score_and_gain_worked_out_by_hand(frames):
    rows = study.study_rows(*frames, split="test", metric="headline")
    got = cells(rows)
    mnli_xnli = got[("mnli", "xnli")]
    assert (mnli_xnli.score, mnli_xnli.gain, mnli_xnli.ci_low, mnli_xnli.ci_high) == (52.0, 2.0, 1.5, 2.5)
    assert mnli_xnli.crosses_zero is False and mnli_xnli.interval == "seeds (t)" and mnli_xnli.seeds == 3
    # cls: the mean of pawsx (54) and xnli (52); its gain the mean of theirs, untested
    cls = got[("mnli", "cls")]
    assert (cls.score, cls.gain) == (53.0, 3.0) and pd.isna(cls.ci_low) and cls.crosses_zero is None
    assert cls.interval == "mean of task gains (no test)"
    # XTREME: the mean of the nine tasks: 50 + (2 + 4 + 7 x 1) / 9
    xtreme = got[("mnli", "XTREME")]
    assert xtreme.score == pytest.approx(50 + 13 / 9) and xtreme.gain == pytest.approx(13 / 9)
    # the baseline: its scores, no gain
    assert got[("none", "QA")].score == 50.0 and pd.isna(got[("none", "QA")].gain)
    assert rows["baseline"].tolist() == [v == "none" for v in rows["variant"]]
    assert set(rows.loc[rows["subsample"], "variant"]) == {"mnli · 1,000 ex."}


def test_columns_overall_and_groups_first_with_short_headers(frames):
    rows = study.study_rows(*frames)
    assert list(dict.fromkeys(rows["column"])) == ["XTREME", "cls", "struct", "QA", "retr.", "xnli", "pawsx", "udpos",
                                                  "panx", "xquad", "mlqa", "tydiqa", "bucc", "tatoeba"]
    assert study.column_order(["xcopa", "bucc", "QA", "XTREME"]) == ["XTREME", "QA", "bucc", "xcopa"]


def test_rows_sort_by_overall_gain_baseline_first_subsamples_under_their_task(frames):
    rows = study.study_rows(*frames)
    # XTREME gains: squad 3, mnli 13/9 = 1.44, its subsample (8 x 2 + 5) / 9 = 2.33: still under mnli
    assert list(dict.fromkeys(rows["variant"])) == ["none", "squad", "mnli", "mnli · 1,000 ex."]
    assert list(dict.fromkeys(study.fold(rows, False)["variant"])) == ["none", "squad", "mnli"]
    assert len(study.fold(rows, True)) == len(rows)


def test_best_per_column_among_the_rows_shown(frames):
    shown = cells(study.table_rows(*frames))  # subsamples folded away
    best = {(v, c) for (v, c), r in shown.items() if r.best}
    # xnli: squad 53 > mnli 52 > none 50; pawsx: mnli 54 > squad 53; udpos: squad 53 > mnli 51
    assert {("squad", "xnli"), ("mnli", "pawsx"), ("squad", "udpos"), ("squad", "XTREME")} <= best
    assert ("mnli", "xnli") not in best and not any(v == "none" for v, _ in best)
    everything = cells(study.table_rows(*frames, subsamples=True))
    assert everything[("mnli · 1,000 ex.", "udpos")].best and not everything[("squad", "udpos")].best  # 55 > 53


def test_equal_shown_scores_are_all_best_and_not_zero_shot_never(frames):
    rows = pd.DataFrame({"model": ["L"] * 3, "column": ["xnli"] * 3, "score": [60.04, 59.96, 70.0],
                         "selection": ["en-dev", "en-dev", "target-dev"]})
    assert study.mark_best(rows)["best"].tolist() == [True, True, False]  # both read 60.0; target-dev is not zero-shot


def test_greyed_bold_and_escaped_html(frames):
    scores, summary = frames
    rows = study.table_rows(scores.assign(model="L<b>"), summary.assign(model="L<b>"), "test", "em")
    text = study.study_html(rows)
    assert 'data-model="L&lt;b&gt;"' in text and "L<b>" not in text
    tds = {}
    for tr in re.findall(r"<tr(?: class=\"[^\"]*\")?>(.*?)</tr>", text.split("<tbody>", 1)[1]):
        label = html.unescape(re.search(r'<span class="label">(.*?)</span>', tr).group(1))
        found = re.findall(r'<td(?: class="([^"]*)")?(?: title="[^"]*")?>(?:<a href="([^"]*)">)?'
                           r'(?:<span class="score">([^<]*)</span>)?(?: <span class="gain">([^<]*)</span>)?', tr)
        tds[label] = found[1:]  # the variant's own cell first
    heads = re.findall(r"<th[^>]*>(.*?)</th>", text)[1:]
    mnli = dict(zip(heads, tds["mnli"]))
    classes, link, score, gain_text = mnli["pawsx"]
    assert "grey" in classes.split() and "best" in classes.split() and (score, gain_text) == ("54.0", "(+4.0)")
    assert "grey" not in mnli["xnli"][0].split() and mnli["xnli"][2:] == ("52.0", "(+2.0)")
    assert dict(zip(heads, tds["none"]))["xnli"][2:] == ("50.0", "")  # the baseline: no gain
    query = parse_qs(urlparse(html.unescape(link)).query)
    assert query == {"model": ["L<b>"], "inter": ["mnli"], "target": ["pawsx"], "split": ["test"], "metric": ["em"]}
    # no scroll box of its own on a desktop (the page scrolls); on a phone the table scrolls sideways in its box
    desktop, phone = text.split("@media (max-width: 760px)")
    assert "overflow" not in desktop and "overflow-x: auto" in phone.split("</style>")[0]
    assert '<span class="mark">baseline</span>' in text


def test_links_name_the_runs_behind_a_cell():
    assert study.runs_link("m", "none", "xnli") == "/runs?model=m&target=xnli"  # the baseline: no inter
    url = study.runs_link("xlm-r", "mnli+squad", "QA", "dev", "f1")
    assert parse_qs(urlparse(url).query) == {"model": ["xlm-r"], "inter": ["mnli+squad"],
                                             "target": ["xquad", "mlqa", "tydiqa"], "split": ["dev"],
                                             "metric": ["f1"]}
    assert study.targets_of("XTREME") == GROUPED and study.targets_of("bucc") == ["bucc2018"]


def test_a_partial_task_is_marked_and_kept_out_of_its_group(frames):
    scores, summary = frames
    scores = scores.copy()
    scores.loc[(scores["intermediate_task"] == "squad") & (scores["target_task"] == "tatoeba"), "languages"] = 3
    got = cells(study.study_rows(scores, summary))
    assert got[("squad", "tatoeba")].partial and not got[("squad", "bucc")].partial
    assert ("squad", "retr.") not in got and ("squad", "XTREME") not in got  # no group score without all of it
    shown = study.table_rows(scores, summary)
    assert not cells(shown)[("squad", "tatoeba")].best  # 53 is the column's highest, but over other languages
    assert '<td class="partial"' in study.study_html(shown)


def test_no_gains_still_shows_the_scores(frames):
    scores, _ = frames
    rows = study.table_rows(scores, None)
    assert rows["gain"].isna().all() and rows.loc[rows["variant"] == "mnli", "score"].notna().all()
    assert study.study_rows(scores.iloc[:0], None).empty


def test_without_an_xtreme_score_rows_sort_by_mean_task_gain_and_orphans_go_last(frames):
    scores, summary = frames
    two = ["xnli", "xquad"]  # no group complete: no XTREME score
    scores, summary = scores[scores["target_task"].isin(two)], summary[summary["target_task"].isin(two)]
    rows = study.study_rows(scores, summary)
    assert set(rows["column"]) == {"xnli", "xquad"}
    # mean task gains: squad (3 + 3) / 2, mnli (2 + 1) / 2, its subsample (2 + 2) / 2 (under mnli all the same)
    assert list(dict.fromkeys(rows["variant"])) == ["none", "squad", "mnli", "mnli · 1,000 ex."]
    mnli_all = (scores["intermediate_task"] == "mnli") & scores["intermediate_size"].isna()
    alone = study.study_rows(scores[~mnli_all], summary)
    # a subsample whose variant on all its data is not shown: after every variant, and not folded away
    assert list(dict.fromkeys(alone["variant"])) == ["none", "squad", "mnli · 1,000 ex."]
    assert study.fold(alone, False).equals(alone)


def test_a_second_model_without_gains_leaves_the_first_ones_gains(frames):
    scores, summary = frames
    both = pd.concat([scores, scores.assign(model="S", model_size="small")], ignore_index=True)
    rows = study.study_rows(both, summary)  # gains for L only
    got = cells(rows[rows["model"] == "L"])
    assert got[("mnli", "xnli")].gain == 2.0  # labels stay without the model: each model's rows made on their own
    assert rows.loc[rows["model"] == "S", "gain"].isna().all() and rows["model"].unique().tolist() == ["L", "S"]


def test_a_heatmap_cell_names_itself_and_links_to_its_runs():
    """The Languages page's clicked cell: every value escaped, the link filtered to the cell's model, task, target,
    language and seeds; a subsample or another selection rule says that the task's runs are listed together."""
    cell = pd.Series({"variant": 'm · <b>"x"&y</b>', "model": "m&1", "intermediate_task": "mnli", "language": "sw",
                      "name": "Swahili", "gain": 1.2496, "lo": 0.5, "hi": 2.0, "seeds": 3.0,
                      "intermediate_size": float("nan"), "selection": "en-dev"})
    text = study.language_cell_html(cell, "xnli", "test", "em", seeds=(0, 2))
    assert "<b>" not in text and "&lt;b&gt;&quot;x&quot;&amp;y&lt;/b&gt;" in text
    assert ": gain +1.2 (95% interval [+0.5, +2.0], 3 seed(s))." in text and "every data size" not in text
    href = html.unescape(re.search(r'href="([^"]*)"', text).group(1))
    assert parse_qs(urlparse(href).query) == {"model": ["m&1"], "inter": ["mnli"], "target": ["xnli"],
                                              "split": ["test"], "metric": ["em"], "lang": ["sw"], "seed": ["0", "2"]}
    sub = study.language_cell_html({**cell, "intermediate_size": 1000.0, "lo": None, "hi": None}, "xnli", "test", "em")
    assert "no interval" in sub and "(every data size and checkpoint rule of mnli" in sub
    assert "every data size" in study.language_cell_html({**cell, "selection": "last"}, "xnli", "test", "em")
