"""One test over every task spec: load the sample split in its hub schema, build features, run the tiny model,
map predictions back to examples, compute the task's metric."""

import numpy as np
import pytest
import torch

from xlt_core.config import TrainConfig
from xlt_core.data import examples, load_split, reindex_tags, take
from xlt_core.models import TaskModel, load_encoder, load_tokenizer
from xlt_core.pipeline import predictions_and_scores
from xlt_core.retrieval import bucc_f1, bucc_items, bucc_mine, bucc_threshold, tatoeba_accuracy, tatoeba_items
from xlt_core.sample_data import GENERATORS, SAME_FILES
from xlt_core.tasks import GROUPS, LANGUAGES, TASKS
from xlt_core.tasktypes import HEADLINE, TYPES, default_layer, embed, encode_options


@pytest.fixture(scope="module")
def tiny():
    torch.manual_seed(0)
    return load_tokenizer("tiny"), load_encoder("tiny")


def where(spec):
    """A split and a language to test: a non-English test language for targets, English dev/train otherwise."""
    if spec.role == "target":
        lang = next(lang for lang in reversed(spec.languages) if lang != "en")
        return ("test" if "test" in spec.source.splits else "dev"), lang
    return ("dev" if "dev" in spec.source.splits else "train"), spec.languages[-1]


def test_the_table_is_complete():
    targets = {n for n, s in TASKS.items() if s.role == "target"}
    assert targets == {"xnli", "pawsx", "udpos", "panx", "xquad", "mlqa", "tydiqa", "bucc2018", "tatoeba", "xcopa"}
    intermediates = {n for n, s in TASKS.items() if s.role == "intermediate"}
    assert intermediates == {"mnli", "anli", "qqp", "squad", "squad_v2", "hellaswag", "cosmosqa", "commonsenseqa", "ccg"}
    assert [len(TASKS[t].languages) for t in ("xnli", "pawsx", "udpos", "panx", "xquad", "mlqa", "tydiqa",
                                              "bucc2018", "tatoeba")] == [15, 7, 33, 40, 11, 7, 9, 4, 36]
    assert {t for ts in GROUPS.values() for t in ts} == targets - {"xcopa"}
    for spec in TASKS.values():
        assert set(spec.languages) <= set(LANGUAGES), spec.name
        assert spec.name in GENERATORS or spec.name in SAME_FILES, f"no sample data for {spec.name}"
        if spec.train_task:
            assert TASKS[spec.train_task].type == spec.type


@pytest.mark.parametrize("name", sorted(TASKS))
def test_every_task_from_sample_data_to_metric(name, tiny):
    tok, encoder = tiny
    spec = TASKS[name]
    split, lang = where(spec)
    ds = load_split(spec, split, lang, "sample")
    assert len(ds) > 0
    ex = examples(spec, ds)
    n = len(next(iter(ex.values())))
    ex = take(ex, list(range(min(n, 12))))
    if spec.type == "mlm":
        assert all(tok(ex["text"])["input_ids"])
        return
    if spec.type == "retrieval":
        vec = lambda texts: embed(encoder, tok, texts, default_layer(2), "mean", 64, torch.device("cpu"))  # noqa: E731
        src, trg = vec(ex["source"]), vec(ex["target"])
        assert src.shape == (len(ex["source"]), encoder.config.hidden_size) and np.isfinite(src).all()
        if spec.metric == "bucc":
            cands = [(ex["source_id"][s], ex["target_id"][t], score) for s, t, score in bucc_mine(src, trg)]
            gold = set(zip(ex["source_id"], ex["target_id"]))
            threshold = bucc_threshold(cands, gold)
            scores = bucc_f1(cands, gold, threshold)
            items = bucc_items(cands, gold, threshold, ex["source_id"])
            assert items["id"][:len(set(ex["source_id"]))] == list(dict.fromkeys(ex["source_id"]))
        else:
            scores = tatoeba_accuracy(trg, src)
            items = tatoeba_items(trg, src)
        assert_items_make_the_score(spec, items, scores)
    else:
        names = spec.label_names
        if spec.type == "tagging" and not names:  # CCG: the tag set comes from the data
            names = tuple(sorted({t for row in ex["tag_names"] for t in row}))
            ex = reindex_tags(ex, names)
        model = TaskModel.for_task(encoder, spec, names).eval()
        options = encode_options(spec, TrainConfig.defaults("tiny", spec.name, max_length=64))  # QA windows
        preds, scores = predictions_and_scores(model, spec.name, spec, ex, tok, 64, lang, names, torch.device("cpu"),
                                               options=options)
        assert len(preds) == len(next(iter(ex.values())))
        if spec.type == "tagging":
            assert [len(p) for p in preds] == [len(t) for t in ex["tokens"]]
        if spec.role == "target":  # what evaluate stages write per example, summed, is the score
            items = TYPES[spec.type].items(spec, ex, preds, lang, names)
            assert all(len(v) == len(preds) for v in items.values())
            assert_items_make_the_score(spec, items, scores)
    assert HEADLINE[spec.metric] in scores
    assert all(0.0 <= v <= 100.0 for v in scores.values())


def test_task_types_all_have_adapters():
    assert {s.type for s in TASKS.values()} - set(TYPES) == {"retrieval", "mlm"}


def assert_items_make_the_score(spec, items: dict, scores: dict) -> None:
    """Per-example values (stats' kinds): F1 counts whose sums give the F1, or values whose mean is each score."""
    if "tp" in items:
        tp, pred, gold = (sum(items[k]) for k in ("tp", "n_pred", "n_gold"))
        assert scores["f1"] == pytest.approx(200 * tp / (pred + gold) if pred + gold else 0.0)
    else:
        values = {k: v for k, v in items.items() if k != "prediction"}
        assert values and all(scores[k] == pytest.approx(np.mean(v)) for k, v in values.items())
