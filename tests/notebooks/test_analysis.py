"""Every analysis notebook (and explore.ipynb) runs through papermill on demo results and draws its figures."""

import json
from pathlib import Path

import papermill
import pytest

from xlt_core.runner import kernel_options

NOTEBOOKS = sorted((Path(__file__).resolve().parents[2] / "notebooks").glob("analysis/*.ipynb")) + \
    [Path(__file__).resolve().parents[2] / "notebooks" / "explore.ipynb"]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_analysis_notebook_runs_on_demo_results(path, demo_db, tmp_path):
    out = tmp_path / path.name
    papermill.execute_notebook(str(path), str(out), parameters={"db": str(demo_db)}, **kernel_options(),
                               progress_bar=False, cwd=str(path.parent))
    cells = json.loads(out.read_text())["cells"]
    outputs = [o for c in cells if c["cell_type"] == "code" for o in c.get("outputs", [])]
    assert not [o for o in outputs if o.get("output_type") == "error"]
    kinds = {k for o in outputs for k in o.get("data", {})}
    assert "text/html" in kinds  # tables
    if path.stem not in ("claims",):
        assert "application/vnd.plotly.v1+json" in kinds  # figures
    if path.stem == "study_table":  # the dashboard overview's gain heatmap, as a coloured HTML table
        assert any("xlt-gains" in "".join(o.get("data", {}).get("text/html", "")) for o in outputs)
