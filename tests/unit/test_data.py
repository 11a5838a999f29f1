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
