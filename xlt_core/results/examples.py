"""Reading the per-example values that evaluate stages write, `runs/<id>/predictions/<lang>.parquet` (one row per
evaluation example: its position, id, prediction and the values its metric is made of), with DuckDB straight from
the files. The paired tests of xlt_core.stats start from these."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pandas as pd

from ..errors import XltError

# the per-example value columns and how they combine into a language's score (stats.KINDS)
F1_COUNTS = ("tp", "n_pred", "n_gold")


def files(run_dir) -> list[Path]:
    return sorted((Path(run_dir) / "predictions").glob("*.parquet"))


def example_values(run_dir, languages=None, con=None) -> pd.DataFrame:
    """Every per-example row of an evaluate run (or of the `languages` given), with its `language` (from the file
    name), without the predictions. A run written before xlt kept per-example values has no such files: an XltError
    says so."""
    paths = [p for p in files(run_dir) if languages is None or p.stem in languages]
    if not paths:
        raise XltError(f"run {Path(run_dir).name} has no per-example values (predictions/<language>.parquet): "
                       "it was evaluated by an older xlt; run its evaluate stage again")
    con = con or duckdb.connect()
    columns = [c for c in con.execute("DESCRIBE SELECT * FROM read_parquet(?, union_by_name = true)",
                                      [[str(p) for p in paths]]).df()["column_name"] if c != "prediction"]
    df = con.execute(f"""SELECT regexp_extract(filename, '([^/\\\\]+)[.]parquet$', 1) AS language,
                                {", ".join(f'"{c}"' for c in columns)}
                         FROM read_parquet(?, filename = true, union_by_name = true)
                         ORDER BY language, example""", [[str(p) for p in paths]]).df()
    return df


def predictions(run_dir, language: str, limit: int | None = None) -> pd.DataFrame:
    """One language's rows with their predictions (JSON text), in example order: for reading what a run said."""
    path = Path(run_dir) / "predictions" / f"{language}.parquet"
    if not path.exists():
        raise XltError(f"run {Path(run_dir).name} has no predictions for {language!r}")
    return duckdb.connect().execute("SELECT * FROM read_parquet(?) ORDER BY example LIMIT ?",
                                    [str(path), limit]).df()
