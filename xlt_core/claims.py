"""The claims of xlt_core/reference/claims.csv, evaluated on reproduced scores: supported, refuted, or not enough
data, with the measured value. Pure functions over the per-language cells of results.claim_cells (mean and spread
over seeds, computed in SQL). Gains compare an intermediate variant with 'none' for the same model, on the languages
both have."""

from __future__ import annotations

from collections import defaultdict
from statistics import mean

from .tasks import GROUPS

TOLERANCE = 1.0  # a claimed gain counts as reproduced when the measured one is at most this many points lower
NINE = [t for members in GROUPS.values() for t in members]


def cells_from_frame(df) -> dict:
    """The cells of results.claim_cells (model, intermediate_task, target_task, language, score, spread)."""
    out = defaultdict(dict)
    for r in df.itertuples(index=False):
        out[(r.model, r.intermediate_task, r.target_task)][r.language] = (r.score, r.spread)
    return out


def gains_from_cells(scores: dict) -> dict:
    """(model, intermediate, target) -> {language: (mean, std over seeds)}  ->  (model, intermediate) ->
    {target: (gain, seed noise)}."""
    out = defaultdict(dict)
    for (model, inter, target), langs in scores.items():
        base = scores.get((model, "none", target))
        if inter == "none" or not base:
            continue
        shared = [lang for lang in langs if lang in base]
        if shared:
            gain = mean(langs[lang][0] for lang in shared) - mean(base[lang][0] for lang in shared)
            noise = max(mean(langs[lang][1] for lang in shared), mean(base[lang][1] for lang in shared))
            out[(model, inter)][target] = (gain, noise)
    return out


def _verdict(measured, claimed):
    if measured is None:
        return "not enough data"
    return "supported" if measured >= claimed - TOLERANCE else "refuted"


def _average_gain(gains, inter):
    per_model = [mean(g for g, _ in targets.values()) for (m, i), targets in gains.items() if i == inter]
    return mean(per_model) if per_model else None


def _share(gains, target, test) -> tuple[float | None, int]:
    """Share of intermediate variants whose gain on `target` passes `test`; how many were compared."""
    found = [test(*targets[target]) for (m, i), targets in gains.items() if target in targets]
    return (sum(found) / len(found) if found else None), len(found)


def verdicts(gains: dict, split: str) -> list[dict]:
    """Each claim's status, measured value and how it was measured, from gains_from_cells' mapping."""
    out = []

    def add(cid, status, measured, detail):
        out.append({"claim_id": cid, "status": status, "measured": measured, "detail": f"{detail} ({split} split)"})

    for cid, inter, claimed in (("c1", "squad", 8.2), ("c2", "mnli", 7.5), ("c3", "hellaswag", 7.0), ("c4", "all", 8.7)):
        m = _average_gain(gains, inter)
        add(cid, _verdict(m, claimed), m, f"mean gain over target tasks after {inter}: claimed {claimed}")
    best = {}
    for (model, inter), targets in gains.items():
        for t, (g, _) in targets.items():
            best[(model, t)] = max(best.get((model, t), float("-inf")), g)
    models = {m for m, _ in best}
    complete = [m for m in models if all((m, t) in best for t in NINE)]
    m = mean(mean(best[(model, t)] for t in NINE) for model in complete) if complete else None
    add("c5", _verdict(m, 5.4), m, "best intermediate per target task, XTREME average gain over the nine: claimed 5.4")
    for cid, target_set, rule, text in (
            ("c6", ("bucc2018", "tatoeba"), lambda g, n: g > 0, "positive gain on BUCC and Tatoeba"),
            ("c7", ("tydiqa",), lambda g, n: g > 0, "positive TyDiQA gain"),
            ("c8", ("xnli",), lambda g, n: g <= max(0.5, n), "XNLI gain <= 0 or within seed noise")):
        shares = [_share(gains, t, rule) for t in target_set]
        if any(s is None or n < 2 for s, n in shares):
            add(cid, "not enough data", None, f"share of intermediate tasks with {text}: needs 2 or more")
        else:
            low = min(s for s, _ in shares)
            add(cid, "supported" if low > 0.5 else "refuted", low, f"share of intermediate tasks with {text}")
    for cid, other, text in (("c9", lambda i: f"{i}+mlm", "English-only minus English+MLM"),
                             ("c10", lambda i: "xnli_mt" if i == "mnli" else None, "English MNLI minus translated")):
        diffs = [mean(gains[(m, i)][t][0] - gains[(m, other(i))][t][0] for t in gains[(m, i)] if t in gains[(m, other(i))])
                 for (m, i) in gains if other(i) and (m, other(i)) in gains
                 and set(gains[(m, i)]) & set(gains[(m, other(i))])]
        d = mean(diffs) if diffs else None
        add(cid, "not enough data" if d is None else "supported" if d > 0 else "refuted", d, f"{text}, mean gain")
    return out
