import json
import re
import tomllib
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def test_environment_yml_lists_the_pyproject_dependencies():
    project = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]
    wanted = set(project["dependencies"]).union(*project["optional-dependencies"].values())
    text = (REPO / "environment.yml").read_text()
    pip_section = text.split("- pip:", 1)[1]
    listed = {m.strip() for m in re.findall(r"^\s+- (.+)$", pip_section, re.M)} - {"-e ."}
    assert listed == wanted
    assert "torch==2.13.0" in wanted


def test_notebooks_are_thin_and_parameterised():
    for path in sorted((REPO / "notebooks").rglob("*.ipynb")):
        nb = json.loads(path.read_text())
        code = [c for c in nb["cells"] if c["cell_type"] == "code"]
        tagged = [c for c in code if "parameters" in c.get("metadata", {}).get("tags", [])]
        assert len(tagged) == 1, path.name
        for cell in code:
            src = "".join(cell["source"])
            assert not cell.get("outputs"), f"{path.name} stored with outputs"
            assert not re.search(r"^\s*(def|class) ", src, re.M), f"{path.name} defines code"
            assert len(src.splitlines()) <= 15, f"{path.name} has a long cell"
    assert {p.stem for p in (REPO / "notebooks" / "stages").glob("*.ipynb")} == {"intermediate", "target", "evaluate"}
    assert {p.stem for p in (REPO / "notebooks" / "analysis").glob("*.ipynb")} == {
        "study_table", "data_scaling", "multilingual_cost", "model_size", "regimes", "claims"}
