"""BUCC with sentences repeated in their files. XTREME's bucc_eval (its read_sent2id and read_candidate2score,
written out below as the reference) keeps an id only for a sentence that occurs once: a repeated sentence's mined
pairs are dropped and its gold pairs stay unreachable. That is the default ("official"); "all-ids" pairs a repeated
sentence under each of its ids and is recorded as such."""

import random

import numpy as np
import pytest

from xlt_core.config import chain, check_options_apply
from xlt_core.errors import XltError
from xlt_core.pipeline import run_stage
from xlt_core.retrieval import bucc_candidates, bucc_f1, bucc_mine, bucc_threshold, sentence_ids, unify
from xlt_core.sample_data import parallel


def test_sentence_ids_by_hand():
    texts, ids = ["a", "b", "a", "c"], ["s1", "s2", "s3", "s4"]
    assert sentence_ids(texts, ids) == (["a", "b", "c"], [[], ["s2"], ["s4"]])
    assert sentence_ids(texts, ids, "all-ids") == (["a", "b", "c"], [["s1", "s3"], ["s2"], ["s4"]])
    mined = [(0, 1, 2.0), (1, 0, 1.5)]  # unique source 0 ("a", repeated) -> target 1, source 1 -> target 0
    assert bucc_candidates(mined, [[], ["s2"]], [["t1"], ["t2"]]) == [("s2", "t1", 1.5)]
    assert bucc_candidates(mined, [["s1", "s3"], ["s2"]], [["t1"], ["t2"]]) == \
        [("s1", "t2", 2.0), ("s3", "t2", 2.0), ("s2", "t1", 1.5)]


# the reference: XTREME third_party/utils_retrieve.py, its logic on in-memory lists ---------------------------------
def official_sent2id(sentences, ids):
    repeated, sent2id = set(), {}
    for i, sent in zip(ids, sentences):
        if sent in sent2id:
            repeated.add(sent)
        else:
            sent2id[sent] = i
    for sent in repeated:
        del sent2id[sent]
    return sent2id


def official_scores(lines, src, src_ids, trg, trg_ids, gold):
    """lines: (score, src sentence, trg sentence) as mine_bitext writes them. Returns F1 x 100 as bucc_eval does,
    threshold optimised on the same gold (as XTREME does on the sample split)."""
    s2i, t2i = official_sent2id(src, src_ids), official_sent2id(trg, trg_ids)
    cand = {}
    for score, s, t in lines:
        if s in s2i and t in t2i:
            key = (s2i[s], t2i[t])
            cand[key] = max(score, cand.get(key, score))
    items = sorted(cand.items(), key=lambda x: -x[1])
    ncorrect = nextract = 0
    threshold, best = 0, 0
    for i in range(len(items)):
        nextract += 1
        ncorrect += items[i][0] in gold
        if ncorrect:
            p, r = ncorrect / nextract, ncorrect / len(gold)
            if 2 * p * r / (p + r) > best:
                # the reference reads items[i + 1], an IndexError when the last candidate is the best cut: xlt
                # (and this copy) take the last score there
                after = items[i + 1][1] if i + 1 < len(items) else items[i][1]
                best, threshold = 2 * p * r / (p + r), (items[i][1] + after) / 2
    mined = {k for k, v in cand.items() if v >= threshold}
    n = len(gold & mined)
    p, r = n / len(mined), n / len(gold)
    return 100 * 2 * p * r / (p + r), threshold


@pytest.mark.parametrize("seed", range(20))
def test_official_treatment_matches_the_reference(seed):
    rng = np.random.default_rng(seed)
    n = 40
    src = [f"s{i}" for i in range(n)] + [f"x{i}" for i in range(10)]  # 10 distractors in each language
    trg = [f"t{i}" for i in range(n + 10)]
    for i in rng.choice(n, 6, replace=False):  # repeated sentences: the same text under another id
        src[i] = src[(i + 1) % n]
    for i in rng.choice(n, 4, replace=False):
        trg[i] = trg[(i + 3) % n]
    src_ids, trg_ids = [f"de-{i}" for i in range(n + 10)], [f"en-{i}" for i in range(n + 10)]
    gold = {(src_ids[i], trg_ids[i]) for i in range(n)}
    base = {t: rng.normal(size=16) for t in set(src) | set(trg)}
    us, ids_s = sentence_ids(src, src_ids)
    ut, ids_t = sentence_ids(trg, trg_ids)
    assert us == unify(src)[0]
    vec_s = np.stack([base[t] + (base[t.replace("s", "t")] if t.replace("s", "t") in base else 0) for t in us])
    vec_t = np.stack([base[t] + 0.3 * rng.normal(size=16) for t in ut])
    mined = bucc_mine(vec_s, vec_t)
    ours = bucc_candidates(mined, ids_s, ids_t)
    threshold = bucc_threshold(ours, gold)
    expected_f1, expected_threshold = official_scores([(score, us[a], ut[b]) for a, b, score in mined],
                                                      src, src_ids, trg, trg_ids, gold)
    assert threshold == pytest.approx(expected_threshold, abs=1e-12)
    assert bucc_f1(ours, gold, threshold)["f1"] == pytest.approx(expected_f1, abs=1e-9)


def write_bucc_with_repeats(root, lang="de", n_pairs=30) -> dict:
    """Original-layout files in which 4 pairs occur twice under new ids, in both languages (the same sentences in
    the sample and training splits). Returns each sentence's pair number: what it means."""
    folder = root / "bucc2018" / f"{lang}-en"
    folder.mkdir(parents=True)
    rng = random.Random("pairs")
    pairs = [parallel((lang, "en"), rng) for _ in range(n_pairs)]
    meaning = {text: i for i, pair in enumerate(pairs) for text in pair}
    assert len(meaning) == 2 * n_pairs
    pairs += pairs[:4]
    for split in ("sample", "training"):
        src = [(f"{lang}-{split}-{i:06d}", s) for i, (s, _) in enumerate(pairs)]
        trg = [(f"en-{split}-{i + 500:06d}", t) for i, (_, t) in enumerate(pairs)]
        gold = [(a, b) for (a, _), (b, _) in zip(src, trg)]
        for suffix, rows in ((lang, src), ("en", trg), ("gold", gold)):
            (folder / f"{lang}-en.{split}.{suffix}").write_text("".join(f"{a}\t{b}\n" for a, b in rows))
    return meaning


def test_both_treatments_end_to_end_and_recorded(tmp_path, monkeypatch):
    """An encoder that embeds each sentence by its meaning (a random vector per pair) mines every pair. Official:
    the 26 pairs of sentences that occur once are found and the 8 gold pairs of the repeated ones are unreachable:
    P = 100, R = 26/34, F1 = 2 x 26 / (26 + 34) = 86.67. All ids: each repeated sentence pair is paired under its
    2 x 2 id pairs (2 right), 42 pairs mined, all 34 gold found: P = 34/42, R = 100, F1 = 68/76 = 89.47."""
    from xlt_core import tasktypes

    meaning = write_bucc_with_repeats(tmp_path / "data")
    vectors = np.random.default_rng(0).normal(size=(len(meaning) // 2, 64))
    monkeypatch.setattr(tasktypes, "embed", lambda encoder, tokenizer, texts, *a, **k:
                        np.stack([vectors[meaning[t]] for t in texts]))
    scores = {}
    for repeats in (None, "all-ids"):
        [evaluate] = chain(intermediate="none", target="bucc2018", languages="de", data=str(tmp_path / "data"),
                           bucc_repeats=repeats)
        assert evaluate.bucc_repeats == (repeats or "official")
        rows = {s["metric"]: s for s in run_stage(evaluate, tmp_path / "runs")["scores"]}
        scores[evaluate.bucc_repeats] = {metric: row["score"] for metric, row in rows.items()}
        assert rows["f1"]["variant"] == f"repeats-{evaluate.bucc_repeats}"
        assert rows["f1"]["n"] == 34
    assert scores["official"] == pytest.approx({"precision": 100.0, "recall": 100 * 26 / 34, "f1": 100 * 52 / 60})
    assert scores["all-ids"] == pytest.approx({"precision": 100 * 34 / 42, "recall": 100.0, "f1": 100 * 68 / 76})


def test_the_option_applies_to_bucc_only():
    with pytest.raises(XltError, match="bucc_repeats 'all-ids' does not apply to target xnli: it applies only to "
                                       "bucc2018"):
        check_options_apply("none", "xnli", "sample", bucc_repeats="all-ids")
    with pytest.raises(XltError, match="unknown bucc_repeats 'some': choose official, all-ids"):
        chain(intermediate="none", target="bucc2018", bucc_repeats="some")
    assert chain(intermediate="none", target="tatoeba")[-1].bucc_repeats == "official"
