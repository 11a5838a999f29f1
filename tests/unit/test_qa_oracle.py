"""QA oracle on the sample data, every QA language: a gold token span goes in as logits, its text comes out. The
text must be the context's text under the smallest run of tokens covering the gold answer: a piece may reach past
the answer (Chinese and Thai pieces cross word boundaries, as XLM-R's do), so EM need not be 100, but windowing,
offsets and post-processing must lose nothing more."""

import numpy as np
import pytest

from xlt_core.data import examples, load_split
from xlt_core.features import qa_features, qa_predictions
from xlt_core.models import load_tokenizer
from xlt_core.tasks import TASKS

QA_SETS = [(task, lang) for task in ("squad", "xquad", "mlqa", "tydiqa") for lang in TASKS[task].languages]
MAX_LENGTH = 128  # several windows per sample context
MAX_ANSWER_TOKENS = 30  # the recipe's answer limit: longer gold spans cannot come back
# windows of at least 128 - 64 (question) - 4 (special tokens) = 60 context tokens starting every 24 tokens: any
# run of at most 36 tokens, so any answer of at most 30, lies whole in some window
DOC_STRIDE = 24


@pytest.fixture(scope="module")
def tok():
    return load_tokenizer("tiny")


def covering_span(tok, context: str, start: int, text: str) -> tuple[str, int]:
    """The context text under the smallest run of tokens covering [start, start + len(text)), and its length in
    tokens (the context tokenized alone, as in a question-context pair)."""
    offsets = [(s, e) for s, e in tok(context, add_special_tokens=False, return_offsets_mapping=True)["offset_mapping"]
               if e > s]
    end = start + len(text)
    first = next(j for j, (s, e) in enumerate(offsets) if e > start)
    last = max(j for j, (s, e) in enumerate(offsets) if s < end)
    return context[offsets[first][0]:offsets[last][1]], last - first + 1


def peaks(positions: list[int], width: int) -> np.ndarray:
    out = np.full((len(positions), width), -10.0)
    out[np.arange(len(positions)), positions] = 10.0
    return out


def oracle(tok, ex: dict) -> tuple[list[str], dict]:
    """Predictions from logits that peak at each window's gold start and end, and the features."""
    feats = qa_features(tok, ex["question"], ex["context"], max_length=MAX_LENGTH, doc_stride=DOC_STRIDE,
                        answer_starts=ex["answer_starts"], answer_texts=ex["answer_texts"])
    width = max(map(len, feats["input_ids"]))
    return qa_predictions(ex["context"], feats, peaks(feats["start"], width), peaks(feats["end"], width)), feats


@pytest.mark.parametrize("task,lang", QA_SETS, ids=[f"{t}-{lang}" for t, lang in QA_SETS])
def test_gold_token_span_returns_its_covering_text(tok, task, lang):
    ex = examples(TASKS[task], load_split(TASKS[task], "dev", lang, "sample"))
    preds, feats = oracle(tok, ex)
    assert max(map(len, feats["input_ids"])) <= MAX_LENGTH
    assert len(feats["input_ids"]) > len(ex["context"])  # some contexts take several windows
    labelled = {feats["example"][i] for i, s in enumerate(feats["start"]) if s > 0}
    checked = 0
    for i, (context, starts, texts) in enumerate(zip(ex["context"], ex["answer_starts"], ex["answer_texts"])):
        if not starts:
            continue
        expected, n_tokens = covering_span(tok, context, starts[0], texts[0])
        assert expected.strip() and texts[0] in expected
        if n_tokens > MAX_ANSWER_TOKENS:
            continue
        assert i in labelled, f"example {i}: no window holds its answer {texts[0]!r}"
        assert preds[i] == expected, f"example {i}: gold {texts[0]!r}, covering span {expected!r}, got {preds[i]!r}"
        checked += 1
    assert checked >= 0.9 * sum(map(bool, ex["answer_starts"]))  # answers of at most 30 tokens: nearly all
