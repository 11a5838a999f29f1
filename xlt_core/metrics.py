"""Metrics exactly as the official XTREME code computes them (google-research/xtreme's scripts: its
third_party/evaluate_squad.py, evaluate_mlqa.py, seqeval and the retrieval scorers).

Each metric takes predictions and golds and returns {name: score in 0-100}; `METRICS` maps a task spec's
`metric` to its function. Pure Python: no torch, no numpy.
"""

from __future__ import annotations

import functools
import re
import string
import sys
import unicodedata
from collections import Counter


# accuracy (XNLI, PAWS-X, multiple choice) -----------------------------------------------------------------
def accuracy(predictions: list, golds: list) -> dict[str, float]:
    """100 * mean(prediction == gold) (XTREME evaluate.py)."""
    if len(predictions) != len(golds):
        raise ValueError(f"{len(predictions)} predictions for {len(golds)} gold labels")
    if not golds:
        raise ValueError("no examples to score")
    return {"accuracy": 100.0 * sum(p == g for p, g in zip(predictions, golds)) / len(golds)}


# SQuAD v1.1 (XQuAD, TyDiQA-GoldP, SQuAD) and v2.0 ----------------------------------------------------------
ASCII_PUNCTUATION = frozenset(string.punctuation)


def squad_normalize(text: str) -> str:
    """Lower case, drop ASCII punctuation, drop English articles, collapse whitespace (the v1.1 script)."""
    text = "".join(ch for ch in text.lower() if ch not in ASCII_PUNCTUATION)
    text = re.sub(r"\b(a|an|the)\b", " ", text)
    return " ".join(text.split())


def _f1(pred_tokens: list[str], gold_tokens: list[str]) -> float:
    common = Counter(pred_tokens) & Counter(gold_tokens)
    same = sum(common.values())
    if same == 0:
        return 0.0
    precision, recall = same / len(pred_tokens), same / len(gold_tokens)
    return 2 * precision * recall / (precision + recall)


def _qa_items(predictions: dict, references: dict, exact, f1) -> dict[str, list[float]]:
    """Per question of `references`, in its order: EM and F1 x 100, each the max over its gold answers (a missing
    id scores 0)."""
    em, f = [], []
    for qid, golds in references.items():
        pred = predictions.get(qid)
        em.append(100.0 * max(exact(pred, g) for g in golds) if pred is not None else 0.0)
        f.append(100.0 * max(f1(pred, g) for g in golds) if pred is not None else 0.0)
    return {"exact_match": em, "f1": f}


def _qa_average(predictions: dict, references: dict, exact, f1) -> dict[str, float]:
    """Max over gold answers per question, mean over every question of `references` (a missing id scores 0)."""
    if not references:
        raise ValueError("no questions to score")
    items = _qa_items(predictions, references, exact, f1)
    return {name: sum(values) / len(values) for name, values in items.items()}


def _squad_exact(p: str, g: str) -> float:
    return float(squad_normalize(p) == squad_normalize(g))


def _squad_f1(p: str, g: str) -> float:
    return _f1(squad_normalize(p).split(), squad_normalize(g).split())


def _squad_v2_f1(p: str, g: str) -> float:
    pt, gt = squad_normalize(p).split(), squad_normalize(g).split()
    return float(pt == gt) if not pt or not gt else _f1(pt, gt)


def _v2_references(references: dict) -> dict:
    return {qid: [g for g in golds if squad_normalize(g)] or [""] for qid, golds in references.items()}


def squad(predictions: dict[str, str], references: dict[str, list[str]]) -> dict[str, float]:
    """SQuAD v1.1 evaluate-v1.1.py: EM and token F1 after `squad_normalize`, same for every language."""
    return _qa_average(predictions, references, _squad_exact, _squad_f1)


def squad_v2(predictions: dict[str, str], references: dict[str, list[str]]) -> dict[str, float]:
    """SQuAD v2.0 evaluate-v2.0.py: an unanswerable question has gold [""]; empty vs empty scores 1."""
    return _qa_average(predictions, _v2_references(references), _squad_exact, _squad_v2_f1)


# MLQA (mlqa_evaluation_v1.py) -----------------------------------------------------------------------------
MLQA_ARTICLES = {
    "en": r"\b(a|an|the)\b",
    "es": r"\b(un|una|unos|unas|el|la|los|las)\b",
    "vi": r"\b(của|là|cái|chiếc|những)\b",
    "de": r"\b(ein|eine|einen|einem|eines|einer|der|die|das|den|dem|des)\b",
    "ar": r"\sال^|ال",  # as in the official script: deletes every "ال"
    "hi": None,
    "zh": None,
}


@functools.lru_cache(maxsize=1)
def unicode_punctuation() -> frozenset:
    """Every Unicode category P* character, plus ASCII punctuation."""
    return frozenset(chr(i) for i in range(sys.maxunicode) if unicodedata.category(chr(i)).startswith("P")) | \
        frozenset(string.punctuation)


def mixed_segmentation(text: str) -> list[str]:
    """zh: each CJK character (U+4E00-U+9FA5) and each punctuation character is a token; the rest split on spaces."""
    punct = unicode_punctuation()
    tokens, buffer = [], ""
    for ch in text:
        if "\u4e00" <= ch <= "\u9fa5" or ch in punct:
            tokens += buffer.split()
            buffer = ""
            tokens.append(ch)
        else:
            buffer += ch
    return tokens + buffer.split()


def mlqa_normalize(text: str, lang: str) -> str:
    if lang not in MLQA_ARTICLES:
        raise ValueError(f"MLQA has no normalisation for language {lang!r}")
    punct = unicode_punctuation()
    text = "".join(ch for ch in text.lower() if ch not in punct)
    if MLQA_ARTICLES[lang]:
        text = re.sub(MLQA_ARTICLES[lang], " ", text)
    tokens = mixed_segmentation(text) if lang == "zh" else text.split()
    return " ".join(t for t in tokens if t.strip())


def _mlqa_rules(lang: str):
    return (lambda p, g: float(mlqa_normalize(p, lang) == mlqa_normalize(g, lang)),
            lambda p, g: _f1(mlqa_normalize(p, lang).split(), mlqa_normalize(g, lang).split()))


def mlqa(predictions: dict[str, str], references: dict[str, list[str]], lang: str) -> dict[str, float]:
    """MLQA EM/F1; `lang` is the answer (context) language."""
    return _qa_average(predictions, references, *_mlqa_rules(lang))


def qa_items(metric: str, predictions: dict[str, str], references: dict[str, list[str]],
             lang: str | None = None) -> dict[str, list[float]]:
    """Per question (in `references`' order) the EM and F1 x 100 that `metric` (squad, squad_v2, mlqa) averages:
    their means are its scores."""
    if metric == "mlqa":
        return _qa_items(predictions, references, *_mlqa_rules(lang))
    if metric == "squad_v2":
        return _qa_items(predictions, _v2_references(references), _squad_exact, _squad_v2_f1)
    return _qa_items(predictions, references, _squad_exact, _squad_f1)


# seqeval F1 (UD-POS, PAN-X) -------------------------------------------------------------------------------
SEQEVAL_SEMANTICS = ("paper", "current")  # seqeval 0.0.12 (XTREME 2020) | seqeval >= 0.0.19 and 1.x


def _chunk_type(tag: str, semantics: str) -> str:
    if semantics == "paper":  # 0.0.12: the whole tag after the last '-' ("NOUN" -> NOUN, "B-PER" -> PER)
        return tag.split("-")[-1]
    return tag[1:].split("-", maxsplit=1)[-1] or "_"  # 1.x: drops the first character ("SCONJ" -> CONJ)


def _end_of_chunk(prev_tag, tag, prev_type, type_) -> bool:
    return (prev_tag in ("E", "S")
            or (prev_tag in ("B", "I") and tag in ("B", "S", "O"))
            or (prev_tag not in ("O", ".") and prev_type != type_))


def _start_of_chunk(prev_tag, tag, prev_type, type_) -> bool:
    return (tag in ("B", "S")
            or (prev_tag in ("E", "S", "O") and tag in ("E", "I"))
            or (tag not in ("O", ".") and prev_type != type_))


def get_entities(sequences: list[list[str]], semantics: str = "paper") -> list[tuple[str, int, int]]:
    """seqeval's chunks (type, start, end) over the sentences joined with an 'O' after each one. With plain UPOS
    tags, a run of the same tag is one chunk."""
    seq = [tag for sentence in sequences for tag in [*sentence, "O"]]
    prev_tag, prev_type, begin, chunks = "O", "", 0, []
    for i, chunk in enumerate(seq + ["O"]):
        tag, type_ = chunk[0], _chunk_type(chunk, semantics)
        if _end_of_chunk(prev_tag, tag, prev_type, type_):
            chunks.append((prev_type, begin, i - 1))
        if _start_of_chunk(prev_tag, tag, prev_type, type_):
            begin = i
        prev_tag, prev_type = tag, type_
    return chunks


def seqeval_f1(predictions: list[list[str]], golds: list[list[str]], semantics: str = "paper") -> dict[str, float]:
    """Micro F1 x 100 over chunks, as seqeval.metrics.f1_score. `semantics` picks the seqeval version's
    chunk typing and is recorded with the score's metric name."""
    if semantics not in SEQEVAL_SEMANTICS:
        raise ValueError(f"seqeval semantics {semantics!r}: choose {' or '.join(SEQEVAL_SEMANTICS)}")
    if [len(s) for s in predictions] != [len(s) for s in golds]:
        raise ValueError("predicted and gold tag sequences differ in length")
    true, pred = set(get_entities(golds, semantics)), set(get_entities(predictions, semantics))
    correct = len(true & pred)
    p = correct / len(pred) if pred else 0.0
    r = correct / len(true) if true else 0.0
    return {"f1": 100.0 * (2 * p * r / (p + r) if p + r else 0.0), "precision": 100.0 * p, "recall": 100.0 * r}


def seqeval_items(predictions: list[list[str]], golds: list[list[str]],
                  semantics: str = "paper") -> dict[str, list[int]]:
    """Per sentence, the chunk counts that seqeval's micro F1 sums: true positives, predicted and gold chunks.
    Sentences are joined with an 'O' between them, so no chunk crosses one: 200 x sum(tp) / (sum(pred) +
    sum(gold)) over any set of sentences is seqeval's F1 on them."""
    tp, n_pred, n_gold = [], [], []
    for pred, gold in zip(predictions, golds):
        true, found = set(get_entities([gold], semantics)), set(get_entities([pred], semantics))
        tp.append(len(true & found))
        n_pred.append(len(found))
        n_gold.append(len(true))
    return {"tp": tp, "n_pred": n_pred, "n_gold": n_gold}


def token_accuracy(predictions: list[list[str]], golds: list[list[str]]) -> dict[str, float]:
    """100 * share of words whose predicted tag equals the gold tag (CCG supertagging, as jiant reports it)."""
    return accuracy([t for row in predictions for t in row], [t for row in golds for t in row])


METRICS = {"accuracy": accuracy, "token_accuracy": token_accuracy, "squad": squad, "squad_v2": squad_v2, "mlqa": mlqa, "seqeval": seqeval_f1}


def score(metric: str, predictions, golds, **kwargs) -> dict[str, float]:
    return METRICS[metric](predictions, golds, **kwargs)
