"""The filter state and its URL form, as pure functions (no Streamlit): what a shared link may set, and what is
ignored -- with a warning -- when it comes from somewhere else: unknown names, values the results do not have
(SQL fragments among them), overlong values and very long lists. Values only ever reach SQL as bound parameters."""

from __future__ import annotations

from xlt_core.results import Filters
from xlt_core.scoring import METRIC_CHOICES

# URL name -> (Filters field, the filter_values column it must come from, several values allowed)
PARAMS = {"model": ("models", "model", True), "size": ("model_sizes", "model_size", True),
          "inter": ("intermediate_tasks", "intermediate_task", True), "target": ("target_tasks", "target_task", True),
          "lang": ("languages", "language", True), "seed": ("seeds", "seed", True),
          "metric": ("metric", None, False), "split": ("split", "split", False)}
# URL name -> the page whose own choice it holds (a widget of that page, keyed by the same name): its options come
# from that page's data, so the page checks the value (choose) when it draws the widget
PAGE_PARAMS = {"subsamples": "overview",  # hide/show the data-size subsamples in the study table
               "lang_target": "languages", "lang_variant": "languages", "heat_rows": "languages",
               "gap_n": "languages", "gap_add": "languages", "size_variant": "model_size",
               "scaling_target": "scaling", "pub_systems": "published", "run": "runs", "run_lang": "runs",
               "a": "compare", "b": "compare", "cmp_target": "compare"}
PAGE_LISTS = {"gap_add"}  # page choices of several values (a multiselect): the parameter repeated
MAX_VALUES = 64  # more values than any list of the results has (40 languages): a longer list is not ours
MAX_LENGTH = 80  # characters of one value


def _show(value: str) -> str:
    return repr(value if len(value) <= 30 else value[:30] + "…")


def defaults(values: dict) -> dict:
    """The selection a fresh visit starts from: every value (empty lists), the test split when there is one."""
    splits = values.get("split") or ["test"]
    return {"models": [], "model_sizes": [], "intermediate_tasks": [], "target_tasks": [], "languages": [],
            "seeds": [], "metric": "headline", "split": "test" if "test" in splits else splits[0]}


def allowed(values: dict, field: str) -> list:
    """The values a field may take, as the widgets offer them (the baseline 'none' is always shown: no choice)."""
    column = next(c for f, c, _ in PARAMS.values() if f == field)
    if column is None:
        return list(METRIC_CHOICES)
    options = values.get(column, [])
    return [v for v in options if v != "none"] if field == "intermediate_tasks" else list(options)


def parse(query: dict[str, list[str]], values: dict) -> tuple[dict, list[str]]:
    """URL query parameters (name -> list of strings) -> (selection, warnings about what was ignored)."""
    selection, warnings = defaults(values), []
    for name, raw in query.items():
        if name in PAGE_PARAMS:
            continue  # checked by page_choices and the page itself
        if name not in PARAMS:
            warnings.append(f"ignored unknown URL parameter {_show(name)} "
                            f"(known: {', '.join([*PARAMS, *PAGE_PARAMS])})")
            continue
        field, _, several = PARAMS[name]
        if len(raw) > MAX_VALUES:
            warnings.append(f"ignored {name}: {len(raw)} values is more than the {MAX_VALUES} allowed")
            continue
        options = allowed(values, field)
        by_text = {str(o): o for o in options}
        kept = []
        for value in raw:
            if len(value) > MAX_LENGTH:
                warnings.append(f"ignored a {name} value of {len(value)} characters (at most {MAX_LENGTH})")
            elif value not in by_text:
                shown = ", ".join(map(str, options[:12])) + (", …" if len(options) > 12 else "")
                warnings.append(f"ignored {name}={_show(value)}: not in the results (allowed: {shown or 'none yet'})")
            elif by_text[value] not in kept:
                kept.append(by_text[value])
        if not kept:
            continue
        if several:
            selection[field] = kept
        else:
            if len(kept) > 1:
                warnings.append(f"{name} takes one value: kept {_show(str(kept[0]))}")
            selection[field] = kept[0]
    return selection, warnings


def page_choices(query: dict[str, list[str]]) -> tuple[dict, list[str]]:
    """The page-level choices of URL query parameters (name -> list of strings): one short value per name (a list
    of them for the names in PAGE_LISTS), not yet checked against the page's options (choose does that), and
    warnings about what was ignored."""
    choices, warnings = {}, []
    for name, raw in query.items():
        if name not in PAGE_PARAMS or not raw:
            continue
        if name in PAGE_LISTS:
            if len(raw) > MAX_VALUES:
                warnings.append(f"ignored {name}: {len(raw)} values is more than the {MAX_VALUES} allowed")
                continue
            long = [v for v in raw if len(v) > MAX_LENGTH]
            warnings += [f"ignored a {name} value of {len(v)} characters (at most {MAX_LENGTH})" for v in long]
            choices[name] = [v for v in raw if len(v) <= MAX_LENGTH]
            continue
        if len(raw) > 1:
            warnings.append(f"{name} takes one value: kept {_show(raw[0])}")
        if len(raw[0]) > MAX_LENGTH:
            warnings.append(f"ignored a {name} value of {len(raw[0])} characters (at most {MAX_LENGTH})")
        else:
            choices[name] = raw[0]
    return choices, warnings


def choose(name: str, wanted: str | None, options: list, default):
    """A page's choice from the URL (or from an earlier visit) if it is one of the page's options, else the page's
    default, with a warning when a wanted value was not among them: (value, warning or None)."""
    if wanted is None:
        return default, None
    by_text = {str(o): o for o in options}
    if str(wanted) in by_text:
        return by_text[str(wanted)], None
    shown = ", ".join(map(str, options[:12])) + (", …" if len(options) > 12 else "")
    return default, f"ignored {name}={_show(str(wanted))}: not a choice here (allowed: {shown or 'none yet'})"


def choose_many(name: str, wanted: list[str] | None, options: list) -> tuple[list, list[str]]:
    """A page's several choices (a multiselect) from the URL: those among the page's options, in the URL's order,
    and a warning for each one that is not: (values, warnings)."""
    by_text, kept, warnings = {str(o): o for o in options}, [], []
    for value in wanted or []:
        if value in by_text:
            kept += [] if by_text[value] in kept else [by_text[value]]
        else:
            shown = ", ".join(map(str, options[:12])) + (", …" if len(options) > 12 else "")
            warnings.append(f"ignored {name}={_show(value)}: not a choice here (allowed: {shown or 'none yet'})")
    return kept, warnings


def to_query(selection: dict, values: dict) -> dict[str, list[str]]:
    """The URL form of a selection: only what differs from the defaults, so a plain link stays plain."""
    base, out = defaults(values), {}
    for name, (field, _, several) in PARAMS.items():
        value = selection.get(field, base[field])
        if value != base[field] and value not in ([], None, ""):
            out[name] = [str(v) for v in value] if several else [str(value)]
    return out


def to_filters(selection: dict) -> Filters:
    return Filters(split=selection["split"], metric=selection["metric"],
                   **{f: tuple(selection[f]) for f, _, several in PARAMS.values() if several})
