"""The study table, as a paper's main table: one row per variant (model · intermediate training, the baseline among
them), the XTREME score and its group scores first, then the target tasks; each cell the score and, for variants
other than the baseline, the gain over the baseline of the same model and checkpoint selection rule. Pure functions
(pandas in, pandas or HTML out): the numbers come from report.study_table, the table `xlt report` prints, so the
dashboard and the report agree; here they are sorted, folded (data-size subsamples), marked (best per column, gains
whose interval crosses zero) and drawn as HTML with every cell linking to the runs behind it."""

from __future__ import annotations

import html
from urllib.parse import urlencode

import numpy as np
import pandas as pd

from .analysis import NOT_ZERO_SHOT, variant_label, with_labels
from .report import study_table
from .tasks import GROUPS, TASKS

# the short column headers, overall and groups first (report.study_table's column names -> shown names)
SUMMARY = {"xtreme": "XTREME", "classification": "cls", "tagging": "struct", "qa": "QA", "retrieval": "retr."}
SHORT = {**SUMMARY, "bucc2018": "bucc"}
LEGEND = ("XTREME: the overall score (mean of the tasks of the four groups); cls: sentence classification (pawsx, "
          "xnli); struct: structured prediction (udpos, panx); QA: question answering (xquad, mlqa, tydiqa); retr.: "
          "retrieval (bucc = bucc2018, tatoeba); then each target task.")
BASELINE = "baseline"  # the mark of a baseline row (intermediate task 'none')
COLUMNS = ["model", "variant", "intermediate_task", "intermediate_size", "sampling", "selection", "baseline",
           "subsample", "column", "score", "gain", "ci_low", "ci_high", "crosses_zero", "interval", "seeds",
           "examples", "min_examples", "partial", "best", "link"]


def header(column: str) -> str:
    """The short header of one of report.study_table's columns ('xtreme' -> 'XTREME', 'bucc2018' -> 'bucc')."""
    return SHORT.get(column, column)


def column_order(columns) -> list[str]:
    """Short headers in the table's order: XTREME and the groups first, then the target tasks as tasks.TASKS lists
    them; headers not present are left out."""
    present = set(columns)
    tasks = [header(t) for t in TASKS if t not in SUMMARY]
    return [c for c in [*SUMMARY.values(), *tasks] if c in present]


def targets_of(column: str) -> list[str]:
    """The target tasks behind a column (short header or report name): a group's tasks, every grouped task for
    XTREME, else the task itself."""
    name = {v: k for k, v in SHORT.items()}.get(column, column)
    if name == "xtreme":
        return [t for members in GROUPS.values() for t in members]
    return list(GROUPS.get(name, (name,)))


def runs_link(model: str, intermediate: str, column: str, split: str | None = None,
              metric: str | None = None) -> str:
    """The Runs page filtered to a cell's runs: /runs?model=..&inter=..&target=..(&split=..&metric=..), the URL
    parameters of dashboard/state.py. The baseline has no `inter` (the Runs page always keeps the baseline, and
    'none' is no choice there); a group or XTREME cell names each of its target tasks."""
    query = [("model", model)]
    if intermediate != "none":
        query.append(("inter", intermediate))
    query += [("target", t) for t in targets_of(column)]
    query += [(k, v) for k, v in (("split", split), ("metric", metric)) if v]
    return "/runs?" + urlencode(query)


def language_cell_html(cell, target: str, split: str, metric: str, seeds=()) -> str:
    """A clicked cell of the Languages heatmap (a row of analysis.by_language: variant, model, intermediate_task,
    language, name, gain, lo, hi, seeds, intermediate_size, selection) in one line of HTML: the variant, language,
    gain, interval and seeds, and a link to the Runs page filtered to the cell's runs (runs_link with the language
    and the sidebar's `seeds`). The Runs page filters no data size or selection rule: for a subsample or another rule
    the line says that the task's runs of every size and rule are listed together. Every value escaped."""
    from .charts import interval_text

    link = runs_link(cell["model"], cell["intermediate_task"], target, split, metric) + "&" + urlencode(
        [("lang", cell["language"]), *(("seed", str(s)) for s in seeds)])
    seeds_shown = cell.get("seeds")
    words = ", ".join(w for w in (interval_text(cell.get("lo"), cell.get("hi")),
                                  f"{int(seeds_shown)} seed(s)" if pd.notna(seeds_shown) else "") if w)
    mixed = pd.notna(cell.get("intermediate_size")) or cell.get("selection") not in (None, "en-dev")
    runs = f"the runs of {cell['model']} · {cell['intermediate_task']} on {target}, {cell['language']}"
    note = (f" (every data size and checkpoint rule of {cell['intermediate_task']}: the Runs table's columns tell "
            "them apart)" if mixed else "")
    return (f'<p class="xlt-cell">{html.escape(str(cell["variant"]))} on {html.escape(str(cell.get("name", "")))} '
            f'({html.escape(str(cell["language"]))}): gain {cell["gain"]:+.1f} ({html.escape(words)}). '
            f'<a href="{html.escape(link)}" target="_self">Open {html.escape(runs)}</a>{html.escape(note)}</p>')


def _keys(study: pd.DataFrame) -> pd.DataFrame:
    """Per (variant as report.study_table labels it, model) of one model's scores: the variant's key columns, its
    label and the set of its target tasks that miss some of their official languages."""
    named = with_labels(study)
    named["partial"] = [n < len(TASKS[t].languages) if t in TASKS else False
                        for t, n in zip(named["target_task"], named["languages"])]
    groups = named.groupby(["variant", "model"], sort=False)
    keys = groups.agg(intermediate_size=("intermediate_size", "first"), sampling=("sampling", "first"),
                      selection=("selection", "first"), task=("intermediate_task", "first")).reset_index()
    partial = named[named["partial"]].groupby(["variant", "model"])["target_task"].agg(set)
    keys["partial_tasks"] = [partial.get(k, set()) for k in zip(keys["variant"], keys["model"])]
    keys["label"] = [variant_label(i, n, s, None, sel) for i, n, s, sel in
                     zip(keys["task"], keys["intermediate_size"], keys["sampling"], keys["selection"])]
    return keys.drop(columns="task")


def study_rows(study: pd.DataFrame, summary: pd.DataFrame | None, split: str | None = None,
               metric: str | None = None) -> pd.DataFrame:
    """results.study and the gains with their intervals (analysis.noise_floor of gain_summary: `gain`, `ci_low`,
    `ci_high`, `seeds`, `examples`, `min_examples`, `interval`; None for none) -> the study table in long form,
    one row per variant and column that has a score (COLUMNS): `column` the short header, `score`, and for a
    variant other than the baseline `gain`, its interval and `crosses_zero` (tasks), or the mean of the tasks' gains
    without a test (groups and XTREME, `interval` says so), `baseline`, `subsample` (a data-size subsample),
    `partial` (the task misses official languages: kept out of the group scores), `link` (its runs). Rows in
    table order (sort_rows); `best` is left for mark_best. As in `xlt report`, a gain without an interval (one seed
    and no per-example files) is not shown, and neither are the group gains resting on it. Each model's rows are
    made on their own, so that a model without gains cannot put the others' out of step."""
    if study is None or study.empty:
        return pd.DataFrame(columns=COLUMNS)
    tests = pd.DataFrame() if summary is None or summary.empty else summary.rename(
        columns={"ci_low": "lo", "ci_high": "hi"})
    parts = []
    for model, scores in study.groupby("model", sort=True):  # one model at a time: labels without the model
        mine = tests[tests["model"] == model] if len(tests) else tests
        parts.append(study_table(scores, mine).merge(_keys(scores), on=["variant", "model"], how="left"))
    long = pd.concat(parts, ignore_index=True)
    long = long[long["score"].notna()].copy()
    partial = [c in p for c, p in zip(long["column"], long["partial_tasks"])]
    out = pd.DataFrame({
        "model": long["model"], "variant": long["label"], "intermediate_task": long["intermediate_task"],
        "intermediate_size": long["intermediate_size"], "sampling": long["sampling"],
        "selection": long["selection"], "baseline": long["intermediate_task"] == "none",
        "subsample": long["intermediate_size"].notna(), "column": long["column"].map(header),
        "score": long["score"].astype(float), "gain": long["gain"].astype(float),
        "ci_low": long["lo"].astype(float), "ci_high": long["hi"].astype(float),
        "crosses_zero": [None if s is None or pd.isna(s) else not s for s in long["significant"]],
        "interval": long["interval"], "seeds": long["seeds"], "examples": long["examples"],
        "min_examples": long["fewest_per_language"], "partial": partial, "best": False})
    out["link"] = [runs_link(m, i, c, split, metric) for m, i, c in
                   zip(out["model"], out["intermediate_task"], out["column"])]
    return sort_rows(out[COLUMNS])


def sort_rows(rows: pd.DataFrame) -> pd.DataFrame:
    """Table order, per model: the baselines first (the en-dev selection rule first), then the variants on all their
    data by their gain in the XTREME score, largest first (without one: by the mean gain of their tasks; then by
    name), each followed by its data-size subsamples, smallest first; subsamples whose variant is not shown last.
    Within a variant, the columns in column_order."""
    if rows.empty:
        return rows
    variant = ["model", "variant"]
    per = rows.groupby(variant, sort=False).agg(
        intermediate_task=("intermediate_task", "first"), size=("intermediate_size", "first"),
        sampling=("sampling", "first"), selection=("selection", "first"), baseline=("baseline", "first")).reset_index()
    overall = rows[rows["column"] == SUMMARY["xtreme"]].set_index(variant)["gain"]
    tasks = rows[~rows["column"].isin(SUMMARY.values())].groupby(variant)["gain"].mean()
    per["overall"] = [overall.get(k, np.nan) for k in zip(per["model"], per["variant"])]
    per["mean"] = [tasks.get(k, np.nan) for k in zip(per["model"], per["variant"])]
    full = per[per["size"].isna() & ~per["baseline"]].sort_values(
        ["overall", "mean", "variant"], ascending=[False, False, True], na_position="last")
    rank = {}
    for i, row in enumerate(per[per["baseline"]].sort_values(
            "selection", key=lambda s: s.ne("en-dev"), kind="stable").itertuples()):
        rank[(row.model, row.variant)] = (0, i, 0)
    parents = {}
    for i, row in enumerate(full.itertuples()):
        rank[(row.model, row.variant)] = (1, i, 0)
        parents[family(row)] = i
    for row in per[per["size"].notna()].itertuples():
        parent = parents.get(family(row))
        rank[(row.model, row.variant)] = ((1, parent, float(row.size)) if parent is not None else
                                          (2, row.intermediate_task, float(row.size)))
    order = {c: i for i, c in enumerate(column_order(rows["column"]))}
    key = pd.Series([(str(m), rank[(m, v)], order[c]) for m, v, c in
                     zip(rows["model"], rows["variant"], rows["column"])], index=rows.index)
    return rows.loc[sorted(rows.index, key=lambda i: key[i])].reset_index(drop=True)


def family(row) -> tuple:
    """What a data-size subsample shares with its variant on all its data: model, intermediate task, sampling and
    selection rule (missing values as None, so that they compare equal)."""
    return tuple(None if pd.isna(x) else x for x in (row.model, row.intermediate_task, row.sampling, row.selection))


def fold(rows: pd.DataFrame, subsamples: bool) -> pd.DataFrame:
    """The rows shown: unless `subsamples`, without the data-size subsamples whose variant on all its data is in
    the table (they fold under it); a subsample without one (say, a study run on 1,000 examples only) stays."""
    if subsamples or rows.empty:
        return rows
    sub = rows["subsample"].astype(bool)
    full = {family(r) for r in rows[~sub & ~rows["baseline"].astype(bool)].itertuples(index=False)}
    under = sub & pd.Series([family(r) in full for r in rows.itertuples(index=False)], index=rows.index)
    return rows[~under].reset_index(drop=True)


def mark_best(rows: pd.DataFrame) -> pd.DataFrame:
    """`best`: the highest score of its column among a model's rows, as shown (one decimal: equal shown scores are
    all best). Never best: a checkpoint chosen on target-language dev data (analysis.NOT_ZERO_SHOT), and a task
    missing official languages (`partial`: a score over other languages)."""
    out = rows.copy()
    partial = out["partial"].astype(bool) if "partial" in out else pd.Series(False, index=out.index)
    comparable = (out["selection"] != NOT_ZERO_SHOT) & ~partial
    shown = out["score"].round(1).where(comparable)
    out["best"] = shown.eq(shown.groupby([out["model"], out["column"]]).transform("max")) & shown.notna()
    return out


def table_rows(study: pd.DataFrame, summary: pd.DataFrame | None, split: str | None = None,
               metric: str | None = None, subsamples: bool = False) -> pd.DataFrame:
    """What the Overview shows and offers for download: study_rows, folded, the best per column marked."""
    return mark_best(fold(study_rows(study, summary, split, metric), subsamples))


# the table as HTML --------------------------------------------------------------------------------------------------
STUDY_CSS = """<style>
table.xlt-study {border-collapse: collapse; font-size: 0.8rem; width: 100%; table-layout: auto}
table.xlt-study th, table.xlt-study td {padding: 0.2rem 0.3rem; border-bottom: 1px solid rgba(128, 128, 128, 0.25);
  text-align: right; vertical-align: top; white-space: nowrap}
table.xlt-study th {border-bottom: 2px solid rgba(128, 128, 128, 0.6); position: sticky; top: 3.75rem; z-index: 1;
  color: inherit; background-color: rgba(128, 128, 128, 0.2); backdrop-filter: blur(10px)}
table.xlt-study th.variant, table.xlt-study td.variant {text-align: left; white-space: normal; min-width: 8rem}
table.xlt-study .tasks {border-left: 2px solid rgba(128, 128, 128, 0.6)}
table.xlt-study td a {color: inherit; text-decoration: none; display: block}
table.xlt-study td a:hover {text-decoration: underline}
table.xlt-study .score {display: block}
table.xlt-study .gain {display: block; font-size: 0.72rem; opacity: 0.8}
table.xlt-study td.best .score {font-weight: 700}
table.xlt-study td.grey {background-color: rgba(128, 128, 128, 0.15); color: rgb(128, 128, 128)}
table.xlt-study td.partial .score {font-style: italic}
table.xlt-study tr.baseline td {border-bottom: 2px solid rgba(128, 128, 128, 0.6)}
table.xlt-study tr.baseline td.variant {font-weight: 600}
table.xlt-study .mark {font-weight: 400; font-size: 0.7rem; border: 1px solid rgba(128, 128, 128, 0.6);
  border-radius: 0.3rem; padding: 0 0.2rem; margin-left: 0.3rem}
table.xlt-study tr.subsample td.variant {padding-left: 1.2rem}
@media (max-width: 760px) {  /* a phone: the table scrolls sideways inside its own box, the header scrolls with it */
  div.xlt-scroll {overflow-x: auto; border: 1px solid rgba(128, 128, 128, 0.3); border-radius: 0.5rem}
  table.xlt-study th {position: static}
}
</style>"""


def cell_text(score, gain) -> tuple[str, str]:
    """A cell's two lines: the score with one decimal, and the gain as '(+2.3)' (empty without one)."""
    return f"{score:.1f}", ("" if gain is None or pd.isna(gain) else f"({gain:+.1f})")


def _title(r) -> str:
    """A cell's hover text: what its numbers are."""
    parts = [f"{r.variant}, {r.column}: score {r.score:.2f}"]
    if not pd.isna(r.gain):
        parts.append(f"gain {r.gain:+.2f}" + ("" if pd.isna(r.ci_low) else
                                               f", 95% interval [{r.ci_low:+.2f}, {r.ci_high:+.2f}]"))
    if isinstance(r.interval, str):
        parts.append(r.interval)
    if not pd.isna(r.seeds):
        parts.append(f"{int(r.seeds)} seed{'s' if r.seeds != 1 else ''}")
    if r.partial:
        parts.append("missing some official languages")
    return "; ".join(parts)


def study_html(rows: pd.DataFrame) -> str:
    """One model's rows of table_rows as an HTML table (class xlt-study, data-model its model): a row per variant
    (the baseline marked), a column per short header that has a score; in each cell the score and, under it, the
    gain, linked to the cell's runs; bold: the best of its column; grey: a gain whose 95% interval crosses zero;
    italic: a task missing official languages. Every text and link escaped."""
    if rows.empty:
        return ""
    columns = column_order(rows["column"])
    model = str(rows["model"].iloc[0])
    first_task = next((c for c in columns if c not in SUMMARY.values()), None)
    tasks_class = ' class="tasks"'
    head = ['<th class="variant">variant</th>'] + [
        f'<th{tasks_class if c == first_task else ""}>{html.escape(c)}</th>' for c in columns]
    body = []
    for (variant,), cells in rows.groupby(["variant"], sort=False):
        by_column = {r.column: r for r in cells.itertuples(index=False)}
        first = cells.iloc[0]
        classes = " ".join(c for c, on in ((BASELINE, first["baseline"]), ("subsample", first["subsample"])) if on)
        mark = f'<span class="mark">{BASELINE}</span>' if first["baseline"] else ""
        tds = [f'<td class="variant"><span class="label">{html.escape(str(variant))}</span>{mark}</td>']
        for c in columns:
            r = by_column.get(c)
            css = [x for x, on in (("tasks", c == first_task), ("best", r is not None and r.best),
                                   ("grey", r is not None and r.crosses_zero is True),
                                   ("partial", r is not None and r.partial)) if on]
            attr = f' class="{" ".join(css)}"' if css else ""
            if r is None:
                tds.append(f"<td{attr}></td>")
                continue
            score, gain = cell_text(r.score, r.gain)
            gain_span = f' <span class="gain">{html.escape(gain)}</span>' if gain else ""
            tds.append(f'<td{attr} title="{html.escape(_title(r))}"><a href="{html.escape(r.link)}">'
                       f'<span class="score">{html.escape(score)}</span>{gain_span}</a></td>')
        row_class = f' class="{classes}"' if classes else ""
        body.append(f'<tr{row_class}>{"".join(tds)}</tr>')
    return (f'{STUDY_CSS}<div class="xlt-scroll"><table class="xlt-study" data-model="{html.escape(model)}"><thead>'
            f'<tr>{"".join(head)}</tr></thead><tbody>{"".join(body)}</tbody></table></div>')
