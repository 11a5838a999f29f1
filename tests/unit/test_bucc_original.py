"""BUCC from the original files: distractor sentences take part in the mining, gold pairs come from .gold."""

import random

import pytest

from xlt_core.config import chain
from xlt_core.data import bucc_original
from xlt_core.errors import XltError
from xlt_core.pipeline import run_stage
from xlt_core.sample_data import parallel, sentence


def write_bucc(root, lang="de", n_pairs=30, n_distract=40):
    folder = root / "bucc2018" / f"{lang}-en"
    folder.mkdir(parents=True)
    for split in ("sample", "training"):
        rng = random.Random(split)
        src, trg, gold = [], [], []
        for i in range(n_pairs):
            s, t = parallel((lang, "en"), rng)
            src.append((f"{lang}-{split}-{i:06d}", s))
            trg.append((f"en-{split}-{i + 500:06d}", t))
            gold.append((src[-1][0], trg[-1][0]))
        src += [(f"{lang}-{split}-{i:06d}", sentence(lang, "time", rng)) for i in range(n_pairs, n_pairs + n_distract)]
        trg += [(f"en-{split}-{i:06d}", sentence("en", "neg", rng)) for i in range(n_distract)]
        for suffix, rows in ((lang, src), ("en", trg), ("gold", gold)):
            (folder / f"{lang}-en.{split}.{suffix}").write_text("".join(f"{a}\t{b}\n" for a, b in rows))
    return root


def test_reads_the_original_layout(tmp_path):
    ex = bucc_original(str(write_bucc(tmp_path)), "de", "test")
    assert len(ex["source"]) == 70 and len(ex["target"]) == 70 and len(ex["gold"]) == 30
    assert ex["gold"][0] == ("de-training-000000", "en-training-000500")
    assert bucc_original("sample", "de", "test") is None


def test_a_missing_original_file_is_one_line(tmp_path):
    write_bucc(tmp_path)
    (tmp_path / "bucc2018" / "de-en" / "de-en.training.gold").unlink()
    with pytest.raises(XltError, match="de-en.training.gold is missing"):
        bucc_original(str(tmp_path), "de", "test")


def test_mining_against_distractors_end_to_end(tmp_path):
    data = write_bucc(tmp_path / "data")
    [evaluate] = chain(intermediate="none", target="bucc2018", languages="de", data=str(data))
    record = run_stage(evaluate, tmp_path / "runs")
    scores = {s["metric"]: s for s in record["scores"]}
    assert scores["f1"]["n"] == 70  # every sentence, distractors included, took part
    assert scores["f1"]["layer"] == 1 and scores["f1"]["pooling"] == "mean"
    assert 0 <= scores["f1"]["score"] <= 100
