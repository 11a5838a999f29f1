"""Compare: two variants (or two runs) side by side, as `xlt compare A B` shows them: per language the paired gain
of B over A with its interval and adjusted p-value, the task mean, the test over seeds, the runs used and the
config fields that differ. The numbers are xlt_core.compare.compare's own (data.comparison); this page only draws.

The pure parts (options, targets, the chart) are functions; the page runs when Streamlit runs this file."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go
from plotly.colors import get_colorscale

from xlt_core import charts, stats
from xlt_core.compare import DEFAULTS, _matches, parse_side
from xlt_core.errors import XltError
from xlt_core.tables import p_value

NUMBERS = ("gain", "lo", "hi", "se")
PALE = 0.4  # the opacity of a bar whose interval crosses zero
_SCALE = get_colorscale(charts.GAIN_SCALE)
LOSS, GAIN = _SCALE[0][1], _SCALE[-1][1]  # the two ends of the red-blue gain scale: red a loss, blue a gain


def side_ok(text) -> bool:
    """Whether `xlt compare` takes `text` as a side (an intermediate task, key=value pairs or a run id)."""
    try:
        parse_side(text)
    except XltError:
        return False
    return True


def side_options(variants: list[str], *wanted) -> list[str]:
    """The sides a selectbox offers: the intermediate tasks (the baseline 'none' first), then any other side a URL
    or the user gave that `xlt compare` takes (a run id, key=value pairs)."""
    options = sorted(variants, key=lambda v: (v != "none", v))
    return options + [w for w in dict.fromkeys(wanted) if w and w not in options and side_ok(w)]


def side_runs(runs: pd.DataFrame, text: str, split: str) -> pd.DataFrame:
    """The evaluate runs (results.compare_runs rows) a side names on `split` (a run id: that run, whatever its
    split), with compare.pick's rule for what a side does not say: all the data and en-dev selection where those
    leave something. Empty when the side matches nothing or is not one."""
    try:
        side = parse_side(text)
    except XltError:
        return runs.iloc[:0]
    rows = runs[_matches(runs, side)]
    if "run_id" not in side:
        rows = rows[rows["split"] == side.get("split", split)]
        settled = rows[_matches(rows, {k: v for k, v in DEFAULTS.items() if k not in side})]
        rows = settled if not settled.empty else rows
    return rows


def shared_targets(runs: pd.DataFrame, a: str, b: str, split: str) -> list[str]:
    """The target tasks both sides have runs of, on `split`."""
    return sorted(set(side_runs(runs, a, split)["target_task"]) & set(side_runs(runs, b, split)["target_task"]))


def default_b(options: list[str]) -> str:
    """Side B when the URL names none: MNLI (the study's first intermediate task) where there is one."""
    rest = [o for o in options if o != "none"]
    return "mnli" if "mnli" in rest else (rest or options)[0]


def delta_bars(rows: pd.DataFrame, title: str = "", yaxis: str = "gain of B over A (pts)") -> go.Figure:
    """Per-language gains (rows with `language`, `gain`, `lo`, `hi`) as bars with their 95% intervals, coloured by
    sign with the ends of the gain scale (blue: B higher, red: B lower), paler and hatched where the interval
    crosses zero. One trace per kind of bar; each bar's language is its x and its customdata."""
    fig = go.Figure()
    rows = rows.reset_index(drop=True)
    crosses = [stats.crosses_zero(None if pd.isna(lo) else lo, None if pd.isna(hi) else hi)
               for lo, hi in zip(rows["lo"], rows["hi"])]
    kinds = [(g >= 0, c) for g, c in zip(rows["gain"], crosses)]
    for up, cross in ((True, False), (False, False), (True, True), (False, True)):
        g = rows[[k == (up, cross) for k in kinds]]
        if g.empty:
            continue
        name = ("B higher" if up else "B lower") + (", interval crosses 0" if cross else "")
        fig.add_bar(x=g["language"], y=g["gain"], name=name, customdata=g[["language"]].to_numpy(),
                    error_y=dict(type="data", symmetric=False, array=(g["hi"] - g["gain"]).to_numpy(),
                                 arrayminus=(g["gain"] - g["lo"]).to_numpy(), thickness=1.2, width=3),
                    marker=dict(color=GAIN if up else LOSS, opacity=PALE if cross else 1.0,
                                pattern=dict(shape="/" if cross else "")),
                    hovertemplate="%{x}: %{y:+.1f} pts<extra>" + name + "</extra>")
    fig.add_hline(y=0, line_width=1, line_color="grey")
    fig.update_layout(title=title, yaxis_title=yaxis, xaxis_title="language", height=380,
                      xaxis=dict(categoryorder="array", categoryarray=list(rows["language"])))
    return fig


def shown(table: pd.DataFrame) -> pd.DataFrame:
    """The comparison table as the page shows it: p-values as papers print them (the numbers keep one decimal in
    the column formats; the downloads keep full precision)."""
    out = table.copy()
    for c in ("p", "p_adjusted"):
        out[c] = [p_value(None if pd.isna(p) else float(p)) for p in out[c]]
    return out


def seed_line(result: dict) -> str:
    """What `xlt compare` says about the seeds: the t test over seed-level task gains, or why there is none."""
    s = result["seeds"]
    if s:
        return (f"Over {s['seeds']} seeds (t test on seed-level task gains): {s['gain']:+.1f} "
                f"[{s['lo']:+.1f}, {s['hi']:+.1f}], p {p_value(s['p'])}.")
    return (f"One seed ({', '.join(map(str, result['seed_list']))}): no test over seeds; the interval covers the "
            "evaluation examples only.")


def main() -> None:
    import streamlit as st

    from dashboard import common, data
    from xlt_core.report import comparison as as_text

    db, f, values = common.context()
    st.header("Compare")
    runs = data.compare_runs(db)
    if runs is None or runs.empty:
        common.nothing("no evaluate runs to compare.")
        st.stop()
    variants = sorted(set(runs.loc[runs["split"] == f.split, "intermediate_task"]))
    if not variants:
        common.nothing(f"no evaluate runs on the {f.split} split to compare.")
        st.stop()
    url = st.session_state.get("page_choices", {})
    left, right, third = st.columns([2, 2, 1])
    options = side_options(variants, url.get("a"), url.get("b"), st.session_state.get("a"), st.session_state.get("b"))
    help_ = ("An intermediate task (none: no intermediate training), or as `xlt compare` takes a side: key=value "
             "pairs (mnli,select=last,size=large,intermediate_size=1000) or an evaluate run id; type one to add it.")
    a = left.selectbox("Side A", options, key=common.url_choice("a", options, "none" if "none" in options
                                                                else options[0]), accept_new_options=True, help=help_)
    b = right.selectbox("Side B", options, key=common.url_choice("b", options, default_b(options)),
                        accept_new_options=True, help=help_)
    targets = shared_targets(runs, a, b, f.split)
    if not targets:
        common.nothing(f"no target task has evaluate runs of both {a!r} and {b!r} on the {f.split} split.")
        st.stop()
    target = third.selectbox("Target task", targets, key=common.url_choice(
        "cmp_target", targets, "xnli" if "xnli" in targets else targets[0]))
    st.caption(f"B minus A on {target}, {f.split} split (the sidebar's split and QA metric apply; its other filters "
               "do not: the sides say which runs), computed as `xlt compare` computes it: runs paired by seed and "
               "evaluation examples, a paired bootstrap over the examples per language, p-values adjusted for the "
               "task's many languages.")
    found, table, error = data.comparison(db, a, b, f.split, target, f.metric)
    if found is None:
        used = pd.concat([side_runs(runs, a, f.split), side_runs(runs, b, f.split)])
        used = used[used["target_task"] == target]
        if len(used) and used["run_dir"].isna().all():
            error = ("the database records no run folders for them (the synthetic database has none), so there are "
                     "no per-example values to pair")
        fallback(db, f, a, b, target, error)
        return
    for r in found:
        langs, task = r["languages"], r["task"]
        st.subheader(f"{target} · {r['model']}")
        st.caption(f"B minus A, paired bootstrap over examples ({r['resamples']:,} resamples), p adjusted for "
                   f"{len(langs)} languages by {r['correction']}" +
                   (" · NOT ZERO-SHOT (target-dev selection)" if r["not_zero_shot"] else ""))
        cols = st.columns(4)
        cols[0].metric(f"A: {a}", f"{task['a']:.1f}")
        cols[1].metric(f"B: {b}", f"{task['b']:.1f}")
        cols[2].metric("B − A, task mean", f"{task['gain']:+.1f}", help="the mean over languages of the gains")
        cols[3].metric(f"95% interval (p {p_value(task['p'])})", f"[{task['lo']:+.1f}, {task['hi']:+.1f}]",
                       help="paired bootstrap over the examples of every language; p unadjusted")
        st.write(seed_line(r))
        common.caution(pd.DataFrame({"seeds": langs["seeds"], "examples": langs["n"]}))
        rows = table[(table["model"] == r["model"]) & (table["target_task"] == r["target_task"])
                     & (table["language"] != "avg")]
        st.plotly_chart(delta_bars(rows, f"{target} · {r['model']}: {b} minus {a}, by language"), width="stretch",
                        key=f"chart-compare-{r['model']}")
    st.caption("Each bar: a language's gain of B over A (mean over seeds) with its 95% paired-bootstrap interval; "
               "blue where B is higher, red where lower, paler and hatched where the interval crosses 0. The table "
               "is what `xlt compare --format csv` writes (the task mean as language avg, unadjusted).")
    st.dataframe(shown(table), hide_index=True, width="stretch",
                 column_config={c: st.column_config.NumberColumn(c, format="%.1f")
                                for c in (a, b, *NUMBERS) if c in table})
    common.downloads(table, f"compare_{a}_{b}_{target}_{f.split}", "Download the comparison (CSV)")
    st.subheader("Runs used and what differs")
    for r in found:
        st.write(f"**{r['model']}** · runs A: {', '.join(f'`{x}`' for x in r['runs_a'])}; "
                 f"runs B: {', '.join(f'`{x}`' for x in r['runs_b'])}")
        diff = pd.DataFrame([(k, "–" if va is None else str(va), "–" if vb is None else str(vb))
                             for k, va, vb in r["diff"]], columns=["config", f"A: {a}", f"B: {b}"])
        if diff.empty:
            st.caption("The configs do not differ.")
        else:
            st.dataframe(diff, hide_index=True, width="stretch")
            common.downloads(diff, f"config_diff_{a}_{b}_{r['model']}", "Download the differences (CSV)")
    with st.expander("As `xlt compare` prints it"):
        st.code(as_text(found, "text", a, b), language=None)


def fallback(db, f, a: str, b: str, target: str, error: str) -> None:
    """Where `xlt compare` cannot pair the runs (no per-example files: the synthetic database, runs from an older
    xlt): say so, and, for B against the baseline, draw the paired gains over it that ingest stored."""
    import dataclasses

    import streamlit as st

    from dashboard import common, data

    st.info(f"`xlt compare {a} {b}` cannot pair these runs here: {error.rstrip('.')}. Paired tests between two "
            "sides need the "
            "runs' per-example files (runs/<id>/predictions/<language>.parquet).", icon=":material/info:")
    try:
        side_a, side_b = parse_side(a), parse_side(b)
    except XltError:
        st.stop()
    if side_a != {"intermediate_task": "none"} or "run_id" in side_b or "intermediate_task" not in side_b:
        st.caption("The database stores paired tests against the baseline only: with side A `none` and side B an "
                   "intermediate task, this page shows those instead.")
        st.stop()
    tests = data.language_tests(db, dataclasses.replace(
        f, intermediate_tasks=(side_b["intermediate_task"],), target_tasks=(target,), languages=()))
    if tests is None or tests.empty:
        common.nothing(f"no stored paired tests of {b} against the baseline on {target}.")
        st.stop()
    rows = tests[_matches(tests, {k: v for k, v in side_b.items() if k in tests})]
    settled = rows[_matches(rows, {k: v for k, v in DEFAULTS.items() if k not in side_b})]
    rows = (settled if not settled.empty else rows).sort_values(["model", "variant", "language"])
    st.write(f"Shown instead: the paired gains of {b} over the baseline that ingest stored (table `paired`), per "
             "language the mean over seeds with its 95% interval (Student's t over seeds, or with one seed the "
             "paired bootstrap over examples). No adjusted p-values: those need the per-example files.")
    common.caution(rows)
    for variant, g in rows.groupby("variant", sort=False):
        st.plotly_chart(delta_bars(g, f"{target} · {variant} minus the baseline, by language (stored tests)",
                                   "gain over no intermediate training (pts)"), width="stretch",
                        key=f"chart-compare-{variant}")
    table = rows[["model", "variant", "target_task", "language", "gain", "lo", "hi", "interval", "seeds",
                  "examples"]].reset_index(drop=True)
    st.dataframe(table, hide_index=True, width="stretch",
                 column_config={c: st.column_config.NumberColumn(c, format="%.1f") for c in ("gain", "lo", "hi")})
    common.downloads(table, f"compare_{a}_{b}_{target}_{f.split}_stored", "Download the stored tests (CSV)")


if __name__ == "__main__":
    main()
