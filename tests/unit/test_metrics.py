"""Every expected value here is computed by hand from the reference definitions (xtreme-reference.md, 5)."""

import numpy as np
import pytest

from xlt_core.metrics import (accuracy, get_entities, mixed_segmentation, mlqa, mlqa_normalize, seqeval_f1, squad,
                              squad_v2)
from xlt_core.retrieval import bucc_f1, bucc_mine, bucc_threshold, tatoeba_accuracy, unify


def test_accuracy():
    assert accuracy([0, 1, 2, 1], [0, 1, 1, 1]) == {"accuracy": 75.0}  # 3 of 4


def test_squad_v11():
    # normalisation: lower, ASCII punctuation and articles removed -> "eiffel tower" on both sides
    assert squad({"q": "The Eiffel Tower."}, {"q": ["eiffel tower"]}) == {"exact_match": 100.0, "f1": 100.0}
    # "paris france" vs "paris": 1 common token, P = 1/2, R = 1/1, F1 = 2/3; max over golds ("lyon" scores 0)
    out = squad({"q": "Paris, France"}, {"q": ["Lyon", "Paris"]})
    assert out["exact_match"] == 0.0 and out["f1"] == pytest.approx(200 / 3)
    # a missing prediction scores 0 and still counts: (100 + 0) / 2
    assert squad({"a": "x"}, {"a": ["x"], "b": ["y"]}) == {"exact_match": 50.0, "f1": 50.0}
    # English articles are removed in every language (XQuAD/TyDiQA use the v1.1 script as is)
    assert squad({"q": "a casa"}, {"q": ["casa"]})["exact_match"] == 100.0


def test_squad_v2_no_answer():
    # unanswerable (gold []): empty prediction = 1, non-empty = 0; answerable: as v1.1
    out = squad_v2({"u": "", "v": "something", "w": "cat"}, {"u": [], "v": [], "w": ["the cat"]})
    assert out == {"exact_match": pytest.approx(200 / 3), "f1": pytest.approx(200 / 3)}


def test_mlqa_zh_mixed_segmentation():
    assert mixed_segmentation("2008年北京 奥运") == ["2008", "年", "北", "京", "奥", "运"]
    # 北京大学 vs 北京: tokens 北 京 大 学 / 北 京 -> 2 common, P = 2/4, R = 2/2, F1 = 2/3; the 。 is punctuation
    out = mlqa({"q": "北京大学。"}, {"q": ["北京"]}, "zh")
    assert out["exact_match"] == 0.0 and out["f1"] == pytest.approx(200 / 3)


def test_mlqa_arabic_article_rule_and_per_language_articles():
    # every "ال" is deleted: "الكتاب" -> "كتاب"
    assert mlqa_normalize("الكتاب", "ar") == "كتاب"
    assert mlqa({"q": "الكتاب"}, {"q": ["كتاب"]}, "ar")["exact_match"] == 100.0
    assert mlqa({"q": "der Hund"}, {"q": ["Hund"]}, "de")["exact_match"] == 100.0
    assert mlqa({"q": "la casa"}, {"q": ["casa"]}, "es")["exact_match"] == 100.0
    assert mlqa({"q": "der Hund"}, {"q": ["Hund"]}, "en")["exact_match"] == 0.0  # 'der' is no English article
    # Unicode punctuation is removed too (the v1.1 script keeps «»)
    assert mlqa_normalize("«Hund»", "de") == "hund" and squad({"q": "«Hund»"}, {"q": ["Hund"]})["f1"] == 0.0


def test_seqeval_merges_runs_of_the_same_upos_tag():
    assert get_entities([["NOUN", "NOUN", "VERB"]]) == [("NOUN", 0, 1), ("VERB", 2, 2)]
    # gold chunks NOUN[0-1] VERB[2]; predicted NOUN[0] VERB[1-2]: no chunk matches -> 0, though 2 of 3 tags agree
    assert seqeval_f1([["NOUN", "VERB", "VERB"]], [["NOUN", "NOUN", "VERB"]])["f1"] == 0.0
    # sentences do not merge across the boundary: NOUN | NOUN are two chunks
    assert get_entities([["NOUN"], ["NOUN"]]) == [("NOUN", 0, 0), ("NOUN", 2, 2)]


def test_seqeval_semantics_paper_vs_current():
    # 0.0.12 types chunks by the whole tag; 1.x drops the first character: SCONJ and CCONJ both become CONJ
    assert seqeval_f1([["CCONJ"]], [["SCONJ"]], "paper")["f1"] == 0.0
    assert seqeval_f1([["CCONJ"]], [["SCONJ"]], "current")["f1"] == 100.0
    assert get_entities([["X", "NOUN"]], "current") == [("_", 0, 0), ("OUN", 1, 1)]


def test_seqeval_ner():
    # gold PER[0-1] LOC[3]; predicted PER[0-1] ORG[3]: 1 of 2 correct each way -> P = R = F1 = 50
    out = seqeval_f1([["B-PER", "I-PER", "O", "B-ORG"]], [["B-PER", "I-PER", "O", "B-LOC"]])
    assert out == {"f1": 50.0, "precision": 50.0, "recall": 50.0}


def test_bucc_margin_scores_by_hand():
    # x0 = (1,0), x1 = (0,1); y0 = (1,0), y1 = (.6,.8); k = 2
    # kNN means: x0 (1 + .6)/2 = .8, x1 (.8 + 0)/2 = .4, y0 (1 + 0)/2 = .5, y1 (.8 + .6)/2 = .7
    # score(x0, y0) = 1 / ((.8 + .5) / 2) = 1/.65 ; score(x1, y1) = .8 / ((.4 + .7) / 2) = .8/.55
    mined = bucc_mine(np.array([[1.0, 0.0], [0.0, 1.0]]), np.array([[1.0, 0.0], [0.6, 0.8]]), k=2)
    assert [(s, t) for s, t, _ in mined] == [(0, 0), (1, 1)]
    assert [score for *_, score in mined] == pytest.approx([1 / 0.65, 0.8 / 0.55], rel=1e-6)


def test_bucc_threshold_has_a_known_optimum():
    cands = [(0, 0, 1.5), (1, 1, 1.4), (2, 5, 1.3), (3, 3, 1.2), (4, 9, 1.0)]
    gold = {(0, 0), (1, 1), (3, 3), (7, 7)}
    # cumulative F1 by cut: .4, .667, .571, .75 (best, after (3,3)), .667 -> midpoint (1.2 + 1.0) / 2
    assert bucc_threshold(cands, gold) == pytest.approx(1.1)
    # applied: 4 pairs mined, 3 correct, 4 gold -> P = R = F1 = 75
    assert bucc_f1(cands, gold, 1.1) == pytest.approx({"f1": 75.0, "precision": 75.0, "recall": 75.0})


def test_bucc_mining_recovers_a_permutation_among_distractors():
    rng = np.random.default_rng(0)
    src = rng.normal(size=(50, 32))
    perm = rng.permutation(60)[:50]
    trg = rng.normal(size=(60, 32))  # 10 distractors
    trg[perm] = src + 0.1 * rng.normal(size=src.shape)
    mined = bucc_mine(src, trg)
    assert {(s, t) for s, t, _ in mined[:50]} == {(i, int(perm[i])) for i in range(50)}


def test_unify():
    assert unify(["a", "b", "a", "c"]) == (["a", "b", "c"], [0, 1, 0, 2])


def test_tatoeba_with_ties_takes_the_lowest_index():
    # both English queries are equally close to both candidates: each picks candidate 0 -> 1 of 2 right
    assert tatoeba_accuracy(np.array([[1.0, 0], [1.0, 0]]), np.array([[2.0, 0], [1.0, 0]])) == {"accuracy": 50.0}
    assert tatoeba_accuracy(np.eye(3), np.eye(3)[[0, 2, 1]]) == pytest.approx({"accuracy": 100 / 3})
