import pytest

from xlt_core.config import chain
from xlt_core.errors import XltError
from xlt_core.paths import REPO_ROOT
from xlt_core.sweep import load_sweep, overrides


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
    ("seed: 0\nseeds: [1]\n", "'seed' and 'seeds' say the same: keep one"),
    ("languages: 5\n", "languages 5: give ISO codes as a list"),
    ("languages: [[en]]\n", r"languages \[\['en'\]\]: give ISO codes"),
    ("grids:\n  - {1: 2}\n", "unknown key 1"),
])
def test_bad_sweep_files_name_the_file_and_key(tmp_path, text, message):
    f = tmp_path / "bad.yaml"
    f.write_text(text)
    with pytest.raises(XltError, match=message) as err:
        load_sweep(f)
    assert str(f) in str(err.value) and "\n" not in str(err.value)


def test_sizes_tiny_caps_sizes_and_a_model_swap_drops_what_fits_only_the_files_model(tmp_path):
    f = tmp_path / "s.yaml"
    f.write_text("model: xlm-roberta-large\nintermediate: [mnli]\ntarget: [tatoeba]\nlayer: 14\n"
                 "intermediate_size: [10, 1000, 5000]\n")
    chains = load_sweep(f, overrides("tiny", "sample", "tiny"))
    assert [ch[0].train.train_size for ch in chains] == [10, 48]  # 10 kept, 1000 and 5000 both capped to 48
    assert {ch[-1].layer for ch in chains} == {None}  # layer 14 of XLM-R large: the tiny model's default instead
    assert {ch[0].model for ch in chains} == {"tiny"}


def test_a_grid_overrides_the_top_level_under_either_spelling_and_an_override_beats_both(tmp_path):
    f = tmp_path / "s.yaml"
    f.write_text("model: xlm-roberta-large\nintermediate: [none]\ntarget: [tatoeba]\n"
                 "grids:\n  - models: [xlm-roberta-base, xlm-roberta-large]\n")
    assert [ch[0].model for ch in load_sweep(f)] == ["xlm-roberta-base", "xlm-roberta-large"]
    assert {ch[0].model for ch in load_sweep(f, overrides("tiny"))} == {"tiny"}


def test_local_cpu_workers_share_the_cores(tmp_path, monkeypatch):
    """Two CPU workers on a 4-core machine get two threads each (OMP/MKL), not four each spinning on all of them;
    a thread count the user set is kept."""
    import subprocess

    from xlt_core import executors

    seen = []
    monkeypatch.setattr(executors.os, "cpu_count", lambda: 4)
    monkeypatch.setattr(subprocess, "Popen", lambda argv, **kw: seen.append(kw["env"]) or object())
    monkeypatch.delenv("OMP_NUM_THREADS", raising=False)
    monkeypatch.delenv("MKL_NUM_THREADS", raising=False)
    launcher = executors.LocalLauncher(tmp_path, workers=2, device="cpu")
    cfg = chain(model="tiny", intermediate="none", target="xnli")[-1]
    launcher.start(cfg)
    assert seen[-1]["OMP_NUM_THREADS"] == seen[-1]["MKL_NUM_THREADS"] == "2"
    monkeypatch.setenv("OMP_NUM_THREADS", "3")
    launcher.start(cfg)
    assert seen[-1]["OMP_NUM_THREADS"] == "3" and seen[-1]["MKL_NUM_THREADS"] == "2"
    assert executors.LocalLauncher(tmp_path, workers=1, device="cpu").threads == 4
