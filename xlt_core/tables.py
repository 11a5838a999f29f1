"""Tables as text for a terminal, Markdown, LaTeX (booktabs) or CSV: what `xlt compare` and `xlt report` print, ready
to paste into a paper. Pure functions over pandas DataFrames; numbers with one decimal unless a column says
otherwise."""

from __future__ import annotations

import csv
import io
import math
import re

import pandas as pd

FORMATS = ("text", "markdown", "latex", "csv")
NUMBER_LIKE = re.compile(r"^([-+<]?\d|\[[-+]?\d|–$)")
LATEX_SPECIAL = {"&": r"\&", "%": r"\%", "$": r"\$", "#": r"\#", "_": r"\_", "{": r"\{", "}": r"\}",
                 "~": r"\textasciitilde{}", "^": r"\textasciicircum{}", "\\": r"\textbackslash{}"}


def cell(value, digits: int = 1) -> str:
    """One value as text: numbers with `digits` decimals, missing values as an en dash."""
    if value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NA:
        return "–"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return f"{value:.{digits}f}"
    return str(value)


def p_value(p) -> str:
    """A p-value as papers print it: three decimals, '<0.001' below."""
    if p is None or (isinstance(p, float) and math.isnan(p)):
        return "–"
    return "<0.001" if p < 0.001 else f"{p:.3f}"


def _latex(text: str) -> str:
    return "".join(LATEX_SPECIAL.get(ch, ch) for ch in text)


def render(df: pd.DataFrame, fmt: str = "text", digits: dict | None = None, caption: str | None = None) -> str:
    """`df` as `fmt` (FORMATS). `digits`: decimals per column (default 1); text cells are kept as they are. CSV keeps
    full precision (a spreadsheet rounds for itself)."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt!r}: choose {', '.join(FORMATS)}")
    if fmt == "csv":
        out = io.StringIO()
        df.to_csv(out, index=False, quoting=csv.QUOTE_MINIMAL, lineterminator="\n")
        return out.getvalue()
    digits = digits or {}
    head = [str(c) for c in df.columns]
    rows = [[cell(v, digits.get(c, 1)) for c, v in zip(df.columns, row)] for row in df.itertuples(index=False)]
    numeric = [pd.api.types.is_numeric_dtype(df[c]) or all(NUMBER_LIKE.match(r[i]) for r in rows)
               for i, c in enumerate(df.columns)]  # right-aligned: numbers, also when written as text
    if fmt == "markdown":
        lines = ["| " + " | ".join(head) + " |", "|" + "|".join("---:" if n else ":---" for n in numeric) + "|"]
        lines += ["| " + " | ".join(r.replace("|", "\\|") for r in row) + " |" for row in rows]
        return (f"{caption}\n\n" if caption else "") + "\n".join(lines) + "\n"
    if fmt == "latex":
        spec = "".join("r" if n else "l" for n in numeric)
        body = [" & ".join(_latex(v) for v in row) + r" \\" for row in rows]
        lines = [r"\begin{table}[t]", r"\centering", rf"\begin{{tabular}}{{{spec}}}", r"\toprule",
                 " & ".join(_latex(h) for h in head) + r" \\", r"\midrule", *body, r"\bottomrule", r"\end{tabular}"]
        if caption:
            lines.append(rf"\caption{{{_latex(caption)}}}")
        return "\n".join([*lines, r"\end{table}"]) + "\n"
    widths = [max(len(h), *(len(r[i]) for r in rows)) if rows else len(h) for i, h in enumerate(head)]
    fit = (lambda text, i: text.rjust(widths[i]) if numeric[i] else text.ljust(widths[i]))
    lines = ["  ".join(fit(h, i) for i, h in enumerate(head)).rstrip(), "  ".join("-" * w for w in widths)]
    lines += ["  ".join(fit(v, i) for i, v in enumerate(row)).rstrip() for row in rows]
    return (f"{caption}\n" if caption else "") + "\n".join(lines) + "\n"
