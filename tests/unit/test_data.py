import time

import datasets
import pytest

from xlt_core.data import examples, label_index, load_split, local_files, subsample
from xlt_core.errors import XltError
from xlt_core.lexicon import LEXICON
from xlt_core.sample_data import MNLI_TRAIN, SIZES, sample_data_dir
from xlt_core.tasks import LANGUAGES, NLI_LABELS, get_task


def test_sample_data_has_the_hub_schema_and_layout():
    root = sample_data_dir()
    mnli = load_split(get_task("mnli"), "train", "en", "sample")
    assert set(mnli.column_names) == {"premise", "hypothesis", "label", "idx"}
    assert isinstance(mnli.features["label"], datasets.ClassLabel)  # restored from the Parquet metadata
    assert mnli.features["label"].names == list(NLI_LABELS)  # glue's order
    assert len(mnli) == MNLI_TRAIN
    assert local_files(get_task("mnli"), "dev", root)[0].name == "validation_matched-00000-of-00001.parquet"
    xnli = load_split(get_task("xnli"), "test", "th", "sample")
    assert set(xnli.column_names) == {"language", "sentence1", "sentence2", "gold_label"}
    assert set(xnli["language"]) == {"th"} and len(xnli) == SIZES["test"]
    assert set(xnli["gold_label"]) <= set(NLI_LABELS)


def test_sample_covers_every_xnli_language_with_several_scripts():
    xnli = get_task("xnli")
    assert set(LEXICON) == set(xnli.languages)
    scripts = {LANGUAGES[lang][1] for lang in xnli.languages}
    assert {"Latin", "Arabic", "Cyrillic", "Devanagari", "Thai", "Han", "Greek"} <= scripts


def test_a_local_directory_loads_through_the_same_function(tmp_path):
    root = sample_data_dir()
    same = load_split(get_task("xnli"), "dev", "zh", str(root))
    assert same["sentence1"] == load_split(get_task("xnli"), "dev", "zh", "sample")["sentence1"]


def test_labels_are_mapped_by_name_not_index():
    mnli = get_task("mnli")
    reordered = datasets.Dataset.from_dict(
        {"premise": ["a", "b", "c", "d"], "hypothesis": ["a", "b", "c", "d"], "label": [0, 1, 2, -1]},
        features=datasets.Features({"premise": datasets.Value("string"), "hypothesis": datasets.Value("string"),
                                    "label": datasets.ClassLabel(names=["contradiction", "entailment", "neutral"])}))
    # contradiction, entailment, neutral in the source's order -> our order entailment(0) neutral(1) contradiction(2)
    assert label_index(mnli, reordered, "label") == [2, 0, 1, None]
    ex = examples(mnli, reordered)
    assert ex["label"] == [2, 0, 1] and ex["text_a"] == ["a", "b", "c"]


def test_unknown_label_name_is_one_line():
    xnli = get_task("xnli")
    ds = datasets.Dataset.from_dict({"language": ["en"], "sentence1": ["a"], "sentence2": ["b"], "gold_label": ["maybe"]})
    with pytest.raises(XltError, match="unknown label 'maybe'"):
        label_index(xnli, ds, "gold_label")


def test_missing_column_and_missing_file_name_the_culprit(tmp_path):
    folder = tmp_path / "google" / "xtreme" / "XNLI"
    folder.mkdir(parents=True)
    datasets.Dataset.from_dict({"language": ["en"], "sentence1": ["a"], "gold_label": ["neutral"]}).to_parquet(
        str(folder / "test-00000-of-00001.parquet"))
    with pytest.raises(XltError, match="task xnli: .*test-00000-of-00001.parquet: missing column 'sentence2'"):
        load_split(get_task("xnli"), "test", "en", str(tmp_path))
    with pytest.raises(XltError, match="task xnli: no file for split 'validation'"):
        load_split(get_task("xnli"), "dev", "en", str(tmp_path))


def test_subsample_is_deterministic():
    assert subsample(1000, 10, seed=3) == subsample(1000, 10, seed=3)
    assert subsample(1000, 10, seed=3) != subsample(1000, 10, seed=4)
    assert subsample(5, 10, seed=0) == [0, 1, 2, 3, 4]
    assert subsample(5, None, seed=0) == [0, 1, 2, 3, 4]


def test_hub_offline_is_one_fast_line(monkeypatch):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    start = time.perf_counter()
    with pytest.raises(XltError, match="dataset 'google/xtreme' is not in the local cache .*HF_HUB_OFFLINE"):
        load_split(get_task("xnli"), "test", "en", "hub")
    assert time.perf_counter() - start < 15  # no 20-50 s retry loop


# hub revisions and local layouts -------------------------------------------------------------------------------
def test_sources_with_a_loading_script_on_main_are_read_from_the_parquet_export():
    from xlt_core.tasks import PARQUET_EXPORT, TASKS

    pinned = {name for name, spec in TASKS.items() if spec.source.revision != "main"}
    assert pinned == {"hellaswag", "cosmosqa", "siqa"}
    assert {TASKS[n].source.revision for n in pinned} == {PARQUET_EXPORT} == {"refs/convert/parquet"}
    assert {TASKS[n].source.repo for n in pinned} == {"Rowan/hellaswag", "allenai/cosmos_qa", "allenai/social_i_qa"}


def _as_layout(root, layout: str, task: str, split_map: dict[str, str]):
    """The sample files of `task` laid out in `root` as the hub ("hub"), the hub's Parquet conversion ("export":
    <config>/<split>/0000.parquet) or a one-config repository's data/ folder ("data")."""
    import shutil

    spec = get_task(task)
    for split in split_map:
        for name in spec.source.splits[split].split("+"):
            src = sample_data_dir() / spec.source.repo / spec.source.config_for("en") / f"{name}-00000-of-00001.parquet"
            repo = root / spec.source.repo
            dest = {"hub": repo / spec.source.config_for("en") / src.name,
                    "export": repo / spec.source.config_for("en") / name / "0000.parquet",
                    "data": repo / "data" / src.name}[layout]
            dest.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(src, dest)


@pytest.mark.parametrize("layout", ["hub", "export", "data"])
def test_every_local_layout_loads_and_checks_the_same(tmp_path, layout):
    from xlt_core.data import check_split

    task = get_task("commonsenseqa")  # tau/commonsense_qa keeps its files under data/ on the hub
    _as_layout(tmp_path, layout, "commonsenseqa", {"train": "train", "dev": "validation"})
    for split in ("train", "dev"):
        check_split(task, split, "en", str(tmp_path))
        assert load_split(task, split, "en", str(tmp_path)).to_dict() == load_split(task, split, "en", "sample").to_dict()
    where = {"hub": "default/validation-00000-of-00001.parquet", "export": "default/validation/0000.parquet",
             "data": "data/validation-00000-of-00001.parquet"}[layout]
    assert local_files(task, "dev", tmp_path)[0] == tmp_path / "tau" / "commonsense_qa" / where


def test_the_parquet_export_layout_holds_a_multilingual_file_and_a_missing_split_names_every_layout(tmp_path):
    from xlt_core.data import check_split

    _as_layout(tmp_path, "export", "xnli", {"test": "test"})
    check_split(get_task("xnli"), "test", "th", str(tmp_path))
    assert set(load_split(get_task("xnli"), "test", "th", str(tmp_path))["language"]) == {"th"}
    with pytest.raises(XltError) as err:
        load_split(get_task("xnli"), "dev", "th", str(tmp_path))
    assert str(err.value) == (f"task xnli: no file for split 'validation' in {tmp_path / 'google' / 'xtreme'}: "
                              "expected XNLI/validation-*.parquet or XNLI/validation/*.parquet")


def test_datasets_finds_the_splits_of_the_parquet_export_layout(tmp_path):
    """On the hub, `load_dataset(repo, "default", revision=PARQUET_EXPORT)` resolves data files with the same
    default patterns as a local folder: <config>/<split>/0000.parquet must give each split its own file."""
    _as_layout(tmp_path, "export", "hellaswag", {"train": "train", "dev": "validation"})
    folder = str(tmp_path / "Rowan" / "hellaswag")
    for split, rows in (("train", SIZES["train"]), ("validation", SIZES["dev"])):
        assert len(datasets.load_dataset(folder, "default", split=split)) == rows


class _Hub:
    """datasets.load_dataset as the hub answers in 2026: a repository whose revision holds a loading script is
    refused with datasets' own RuntimeError; other revisions load (from the sample files)."""

    def __init__(self, scripts: set[str]):
        self.scripts, self.calls, self.load = scripts, [], datasets.load_dataset

    def __call__(self, repo, config, split, revision):
        self.calls.append((repo, config, split, revision))
        if revision in self.scripts:
            raise RuntimeError(f"Dataset scripts are no longer supported, but found {repo.split('/')[1]}.py")
        path = sample_data_dir() / repo / config / f"{split}-00000-of-00001.parquet"
        return self.load("parquet", data_files=str(path), split="train")


@pytest.fixture
def hub(monkeypatch):
    import xlt_core.hub

    monkeypatch.delenv("HF_HUB_OFFLINE", raising=False)
    monkeypatch.setattr(xlt_core.hub, "hub_reachable", lambda: True)
    fake = _Hub({"main"})
    monkeypatch.setattr(datasets, "load_dataset", fake)
    return fake


def test_a_source_refused_for_its_script_is_retried_at_the_parquet_export_and_recorded(hub):
    import dataclasses

    from xlt_core.data import forget_sources, sources_read
    from xlt_core.tasks import PARQUET_EXPORT

    hellaswag = get_task("hellaswag")
    forget_sources()
    assert len(load_split(hellaswag, "dev", "en", "hub")) == SIZES["dev"]  # pinned: one call, at the export
    assert hub.calls == [("Rowan/hellaswag", "default", "validation", PARQUET_EXPORT)]
    on_main = dataclasses.replace(hellaswag, source=dataclasses.replace(hellaswag.source, revision="main"))
    hub.calls.clear()
    assert len(load_split(on_main, "train", "en", "hub")) == SIZES["train"]
    assert hub.calls == [("Rowan/hellaswag", "default", "train", "main"),
                         ("Rowan/hellaswag", "default", "train", PARQUET_EXPORT)]
    assert [(s["repo"], s["split"], s["revision"]) for s in sources_read()] == [
        ("Rowan/hellaswag", "validation", PARQUET_EXPORT), ("Rowan/hellaswag", "train", PARQUET_EXPORT)]


def test_a_revision_given_is_read_as_given_and_a_script_there_is_one_line(hub):
    from xlt_core.data import sources_read

    load_split(get_task("xnli"), "test", "de", "hub", revision="v1")
    assert hub.calls == [("google/xtreme", "XNLI", "test", "v1")]
    assert sources_read()[-1]["revision"] == "v1"
    with pytest.raises(XltError) as err:
        load_split(get_task("hellaswag"), "dev", "en", "hub", revision="main")
    assert str(err.value) == ("dataset 'Rowan/hellaswag' at revision 'main' holds a loading script, which datasets "
                              ">= 4 cannot run: give a revision without one, e.g. 'refs/convert/parquet' (the hub's "
                              "Parquet conversion)")


def test_the_commit_a_hub_load_resolved_to_is_read_from_the_cache_path():
    from types import SimpleNamespace

    from xlt_core.data import _commit

    sha = "0123456789abcdef0123456789abcdef01234567"
    cached = SimpleNamespace(cache_files=[{"filename": f"/c/Rowan___hellaswag/default/0.0.0/{sha}/x-train.arrow"}])
    assert _commit("refs/convert/parquet", cached) == sha
    assert _commit("main", SimpleNamespace(cache_files=[])) is None
    assert _commit("f" * 40, SimpleNamespace(cache_files=[])) == "f" * 40


def test_data_revision_names_the_hub_revision_given():
    from xlt_core.data import data_revision, revision_given

    assert data_revision("hub") == "hub" and revision_given("hub") is None
    assert data_revision("hub", "v1") == "hub@v1" and revision_given("hub@v1") == "v1"
    assert revision_given(data_revision("sample")) is None


def test_local_files_load_without_asking_the_hub_anything(monkeypatch):
    """datasets counts every load_dataset("parquet") on the hub (a HEAD request, up to 5 s without internet):
    loading local files sends nothing, and the setting is left as it was."""
    import datasets
    import datasets.load

    calls = []

    class Session:
        def head(self, *args, **kwargs):
            calls.append(args)

    monkeypatch.setattr(datasets.load, "get_session", lambda: Session())
    monkeypatch.setattr(datasets.config, "HF_UPDATE_DOWNLOAD_COUNTS", True)
    monkeypatch.setattr(datasets.config, "HF_HUB_OFFLINE", False)
    load_split(get_task("xnli"), "test", "de", "sample")
    assert calls == [] and datasets.config.HF_UPDATE_DOWNLOAD_COUNTS is True
