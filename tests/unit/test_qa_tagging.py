"""Oracle round trips: gold tags go through the features and back unchanged; QA labels for no answer (the QA
oracle over every QA language of the sample data is in test_qa_oracle.py)."""

import random

import numpy as np
import pytest

from xlt_core.features import IGNORE, qa_features, qa_predictions, tag_features, tag_predictions
from xlt_core.metrics import seqeval_f1
from xlt_core.models import load_tokenizer
from xlt_core.sample_data import tagged_words
from xlt_core.tasks import TASKS

TAGGING_LANGUAGES = sorted(set().union(*(TASKS[t].languages for t in ("udpos", "panx"))))


@pytest.fixture(scope="module")
def tok():
    return load_tokenizer("tiny")


def one_hot(rows, positions, width):
    out = np.full((len(rows), width), -10.0)
    out[np.arange(len(rows)), positions] = 10.0
    return out


def test_qa_no_answer_and_out_of_window_labels(tok):
    feats = qa_features(tok, ["Who?"], ["The teacher reads a book."], max_length=64, doc_stride=16,
                        max_query_length=16, answer_starts=[[]], answer_texts=[[]])
    assert feats["start"] == [0] and feats["end"] == [0]  # unanswerable: <s>
    width = len(feats["input_ids"][0])
    start = one_hot([0], [0], width)
    assert qa_predictions(["The teacher reads a book."], feats, start, start, allow_no_answer=True) == [""]


def words_of(lang, rng):
    return [w for w, _ in tagged_words(lang, rng.choice(["core", "place", "time", "neg"]), rng)]


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


TAGGING_SETS = [(task, lang) for task in ("udpos", "panx") for lang in TASKS[task].languages]


@pytest.mark.parametrize("task,lang", TAGGING_SETS, ids=[f"{t}-{lang}" for t, lang in TAGGING_SETS])
def test_tagging_oracle_on_the_sample_data(tok, task, lang):
    """The generated files as a run reads them (40-part sentences, lone space-like and zero-width tokens, unseen
    characters, punctuation): gold tags in, the same tags out, in windows of 32 tokens."""
    from xlt_core.data import examples, load_split

    ex = examples(TASKS[task], load_split(TASKS[task], "test", lang, "sample"))
    feats = tag_features(tok, ex["tokens"], max_length=32, tags=ex["tags"])
    assert max(map(len, feats["input_ids"])) <= 32 and len(feats["input_ids"]) > len(ex["tokens"])
    width, n_tags = max(map(len, feats["input_ids"])), len(TASKS[task].label_names)
    logits = np.full((len(feats["labels"]), width, n_tags), -10.0)
    for i, labels in enumerate(feats["labels"]):
        for j, label in enumerate(labels):
            if label != IGNORE:
                logits[i, j, label] = 10.0
    assert tag_predictions(feats, logits, len(ex["tokens"])) == ex["tags"]
