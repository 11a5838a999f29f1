"""Oracle round trips: gold answers and gold tags go through the features and back unchanged."""

import random

import numpy as np
import pytest

from xlt_core.features import IGNORE, qa_features, qa_predictions, tag_features, tag_predictions
from xlt_core.metrics import MLQA_ARTICLES, mlqa, seqeval_f1, squad
from xlt_core.models import load_tokenizer
from xlt_core.sample_data import qa_example, segmented_sentence
from xlt_core.tasks import TASKS

QA_LANGUAGES = sorted(set().union(*(TASKS[t].languages for t in ("xquad", "mlqa", "tydiqa"))))
TAGGING_LANGUAGES = sorted(set().union(*(TASKS[t].languages for t in ("udpos", "panx"))))


@pytest.fixture(scope="module")
def tok():
    return load_tokenizer("tiny")


def one_hot(rows, positions, width):
    out = np.full((len(rows), width), -10.0)
    out[np.arange(len(rows)), positions] = 10.0
    return out


@pytest.mark.parametrize("lang", QA_LANGUAGES)
def test_qa_oracle_round_trip(tok, lang):
    rng = random.Random(lang)
    exs = [qa_example(lang, rng, n_sentences=8) for _ in range(60)]
    contexts, questions = [e[0] for e in exs], [e[1] for e in exs]
    feats = qa_features(tok, questions, contexts, max_length=48, stride=16,
                        answer_starts=[[e[3]] for e in exs], answer_texts=[[e[2]] for e in exs])
    assert len(feats["input_ids"]) > 2 * len(exs)  # long contexts: several windows each
    assert max(map(len, feats["input_ids"])) <= 48
    # offsets are exact: each context token's span, cut from the original text, is what the token spells
    # (a bare "▁" is given the span of the character after it, as tokenizers does for XLM-R too)
    for ids, offsets, ex in zip(feats["input_ids"], feats["offsets"], feats["example"]):
        for tid, off in zip(ids, offsets):
            piece = tok.convert_ids_to_tokens(tid).lstrip("▁")
            if off is not None and piece and tid != tok.unk_token_id:
                assert contexts[ex][off[0]:off[1]] == piece
    width = max(map(len, feats["input_ids"]))
    preds = qa_predictions(contexts, feats, one_hot(feats["start"], feats["start"], width),
                           one_hot(feats["end"], feats["end"], width))
    refs = {str(i): [e[2]] for i, e in enumerate(exs)}
    got = {str(i): p for i, p in enumerate(preds)}
    f1 = mlqa(got, refs, lang)["f1"] if lang in MLQA_ARTICLES else squad(got, refs)["f1"]
    assert f1 >= 99.5


def test_qa_no_answer_and_out_of_window_labels(tok):
    feats = qa_features(tok, ["Who?"], ["The teacher reads a book."], max_length=64, stride=16,
                        answer_starts=[[]], answer_texts=[[]])
    assert feats["start"] == [0] and feats["end"] == [0]  # unanswerable: <s>
    width = len(feats["input_ids"][0])
    start = one_hot([0], [0], width)
    assert qa_predictions(["The teacher reads a book."], feats, start, start, allow_no_answer=True) == [""]


def words_of(lang, rng):
    return segmented_sentence(lang, rng.choice(["core", "place", "time", "neg"]), rng).replace("▁", "").split()


@pytest.mark.parametrize("lang", TAGGING_LANGUAGES)
def test_tagging_oracle_round_trip(tok, lang):
    rng = random.Random(lang)
    tags = ["NOUN", "VERB", "ADP", "DET", "PUNCT", "SCONJ", "X"]
    sentences = [sum((words_of(lang, rng) for _ in range(rng.randint(1, 4))), []) for _ in range(40)]
    gold = [[rng.randrange(len(tags)) for _ in s] for s in sentences]
    feats = tag_features(tok, sentences, max_length=16, tags=gold)
    assert max(map(len, feats["input_ids"])) <= 16
    assert len(feats["input_ids"]) > len(sentences)  # long sentences were split, not truncated
    width = max(map(len, feats["input_ids"]))
    logits = np.full((len(feats["labels"]), width, len(tags)), -10.0)
    for i, labels in enumerate(feats["labels"]):
        for j, label in enumerate(labels):
            if label != IGNORE:
                logits[i, j, label] = 10.0
    pred = tag_predictions(feats, logits, len(sentences))
    assert pred == gold
    names = [[tags[t] for t in s] for s in gold]
    assert seqeval_f1([[tags[t] for t in s] for s in pred], names)["f1"] == 100.0


def test_only_first_subwords_carry_labels(tok):
    feats = tag_features(tok, [["Teacher", "reads"]], max_length=32, tags=[[1, 2]])
    labels, heads = feats["labels"][0], feats["heads"][0]
    assert [labels[h] for h in heads] == [1, 2]
    assert sum(label != IGNORE for label in labels) == 2
    assert labels[0] == labels[-1] == IGNORE  # <s> and </s>
