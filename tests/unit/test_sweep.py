import pytest

from xlt_core.config import chain
from xlt_core.errors import XltError
from xlt_core.paths import REPO_ROOT
from xlt_core.sweep import load_sweep


def test_demo_sweep_is_the_baseline_and_mnli_chains():
    chains = load_sweep(REPO_ROOT / "sweeps" / "demo.yaml")
    expected = [chain(model="tiny", intermediate=i, target="xnli", seed=0, data="sample") for i in ("none", "mnli")]
    assert [[c.stage_id for c in ch] for ch in chains] == [[c.stage_id for c in ch] for ch in expected]


def test_grid_expansion_shares_intermediate_stages(tmp_path):
    f = tmp_path / "s.yaml"
    f.write_text("intermediate: [none, mnli]\nseeds: [0, 1]\nlanguages: en,zh\ntrain_size: 100\n")
    chains = load_sweep(f)
    assert len(chains) == 4
    stages = {c.stage_id for ch in chains for c in ch}
    assert len(stages) == 10  # none: 2 stages x 2 seeds; mnli: 3 stages x 2 seeds
    assert all(ch[-1].languages == ("en", "zh") for ch in chains)


@pytest.mark.parametrize("text, message", [
    ("targets: [xnli]\n", "unknown key 'targets'"),
    ("target: [xnli\n", "line 2 is not valid YAML"),
    ("target: []\n", "key 'target' has no values: the grid is empty"),
    ("target: [nope]\n", "unknown target task 'nope'"),
    ("- a\n- b\n", "expected a mapping"),
])
def test_bad_sweep_files_name_the_file_and_key(tmp_path, text, message):
    f = tmp_path / "bad.yaml"
    f.write_text(text)
    with pytest.raises(XltError, match=message) as err:
        load_sweep(f)
    assert str(f) in str(err.value) and "\n" not in str(err.value)
