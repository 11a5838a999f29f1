"""QA features and predictions by the SQuAD recipe of the XTREME baseline: windows, max-context choice, n-best,
answer length and no-answer scores computed by hand; a property test over generated extremes (no length of
question or context crashes or drops an example); the options recorded in every QA stage's config."""

import random
import unicodedata

import numpy as np
import pytest

from xlt_core.config import TINY_QA, TrainConfig, chain, check_options_apply
from xlt_core.errors import XltError
from xlt_core.features import (answer_tokens, doc_spans, max_context_spans, pair_template, qa_features,
                               qa_predictions)
from xlt_core.models import load_tokenizer
from xlt_core.sample_data import qa_example
from xlt_core.tasks import TASKS

QA_LANGUAGES = sorted(set().union(*(TASKS[t].languages for t in ("xquad", "mlqa", "tydiqa"))))


@pytest.fixture(scope="module")
def tok():
    return load_tokenizer("tiny")


# windows and max context, by hand --------------------------------------------------------------------------------
@pytest.mark.parametrize("n, window, stride, expected", [
    (300, 100, 128, [(0, 100), (100, 100), (200, 100)]),  # stride above the window: step = window, no gap
    (300, 200, 128, [(0, 200), (128, 172)]),
    (1000, 316, 128, [(0, 316), (128, 316), (256, 316), (384, 316), (512, 316), (640, 316), (768, 232)]),
    (12, 5, 3, [(0, 5), (3, 5), (6, 5), (9, 3)]),
    (5, 100, 128, [(0, 5)]),
    (1, 1, 1, [(0, 1)]),
    (0, 100, 128, [(0, 0)]),  # an empty context still gets its window
])
def test_windows_start_every_doc_stride_tokens(n, window, stride, expected):
    assert doc_spans(n, window, stride) == expected


def test_max_context_as_the_recipe_scores_it():
    # "the man went to the store and bought a gallon of milk", windows of 5 words every 3 (BERT's example):
    # 'bought' (7) scores min(4, 0) + 0.05 in window 1 and min(1, 3) + 0.05 in window 2 -> window 2
    assert max_context_spans(doc_spans(12, 5, 3), 12) == [0, 0, 0, 0, 1, 1, 1, 2, 2, 2, 3, 3]
    # a tie (min(3, 1) + 0.05 = min(1, 3) + 0.05 at token 3): the first window
    assert max_context_spans([(0, 5), (2, 5)], 7) == [0, 0, 0, 0, 1, 1, 1]
    # token 2: min(2, 1) + 0.04 = 1.04 in the 4-token window loses to min(1, 4) + 0.06 = 1.06 in the 6-token one
    assert max_context_spans([(0, 4), (1, 6)], 7) == [0, 0, 1, 1, 1, 1, 1]


def test_answer_tokens_are_the_smallest_covering_run():
    offsets = [(0, 3), (4, 7), (7, 9), (10, 14)]  # "abc def gh ijkl" as "abc", "def", "gh"-like pieces
    assert answer_tokens(offsets, 4, 9) == (1, 2)
    assert answer_tokens(offsets, 5, 6) == (1, 1)  # inside one token
    assert answer_tokens(offsets, 2, 11) == (0, 3)
    assert answer_tokens(offsets, 14, 15) is None  # past the last token
    assert answer_tokens([], 0, 1) is None


# features on the real pair template ------------------------------------------------------------------------------
def test_question_is_cut_and_windows_follow_the_stride(tok):
    prefix, middle, suffix = pair_template(tok)
    assert len(prefix + middle + suffix) == tok.num_special_tokens_to_add(pair=True)
    question = " ".join(["teacher"] * 1000)
    context = " ".join(f"w{i}" for i in range(400))
    q = tok(question, add_special_tokens=False)["input_ids"]
    c = tok(context, add_special_tokens=False, return_offsets_mapping=True)
    f = qa_features(tok, [question], [context], max_length=64, doc_stride=20, max_query_length=10)
    window = 64 - 10 - len(prefix + middle + suffix)
    starts = [s for s, _ in doc_spans(len(c["input_ids"]), window, 20)]
    assert len(starts) > 3 and starts[:3] == [0, 20, 40]
    for k, ids in enumerate(f["input_ids"]):
        head = prefix + q[:10] + middle
        assert ids[:len(head)] == head  # the question, cut to max_query_length tokens
        first = f["offsets"][k].index(next(o for o in f["offsets"][k] if o is not None))
        assert first == len(head)
        assert f["offsets"][k][first] == tuple(c["offset_mapping"][starts[k]])
        assert len(ids) <= 64 and ids[-len(suffix):] == suffix
    assert len(f["input_ids"][0]) == 64


def test_training_labels_need_the_whole_answer_in_the_window(tok):
    context = " ".join(f"w{i}" for i in range(60))
    a_start = context.index("w30 w31")
    f = qa_features(tok, ["q"], [context], max_length=24, doc_stride=4, max_query_length=4,
                    answer_starts=[[a_start]], answer_texts=[["w30 w31"]])
    labelled = [k for k, s in enumerate(f["start"]) if s]
    assert labelled  # some window holds the answer
    for k, (s, e) in enumerate(zip(f["start"], f["end"])):
        if s:
            assert context[f["offsets"][k][s][0]:f["offsets"][k][e][1]] == "w30 w31"
        else:
            assert e == 0
            spans = [o for o in f["offsets"][k] if o is not None]
            assert spans[0][0] > a_start or spans[-1][1] < a_start + len("w30 w31")  # the answer is cut here


# predictions by hand ----------------------------------------------------------------------------------------------
def hand_features(owner_first: bool):
    """Two windows over the context 'abcdef' (one token per letter), question token at 1: window 0 holds a-d,
    window 1 holds c-f. 'c' and 'd' are in both; `owner_first` says which window is their max-context one."""
    offsets0 = [None, None, None, (0, 1), (1, 2), (2, 3), (3, 4), None]
    offsets1 = [None, None, None, (2, 3), (3, 4), (4, 5), (5, 6), None]
    top0 = [False] * 3 + [True, True, owner_first, owner_first, False]
    top1 = [False] * 3 + [not owner_first, not owner_first, True, True, False]
    return {"example": [0, 0], "offsets": [offsets0, offsets1], "max_context": [top0, top1]}


def logits(width, high):
    row = np.full(width, -5.0)
    for pos, value in high.items():
        row[pos] = value
    return row


def test_a_start_counts_only_in_its_max_context_window():
    ctx = ["abcdef"]
    # the best span, c..d, scored 9 in window 0, 4 in window 1
    start = [logits(8, {5: 5.0}), logits(8, {3: 2.0})]
    end = [logits(8, {6: 4.0}), logits(8, {4: 2.0})]
    assert qa_predictions(ctx, hand_features(owner_first=True), start, end) == ["cd"]
    # when window 1 owns 'c', its lower score is the one read (the recipe drops the start in window 0)
    assert qa_predictions(ctx, hand_features(owner_first=False), start, end) == ["cd"]
    start = [logits(8, {5: 5.0, 3: 1.0}), logits(8, {3: 2.0})]
    end = [logits(8, {6: 4.0, 4: 3.0}), logits(8, {5: 0.5})]
    # window 0 owns 'c': c..d = 5 + 4 = 9 wins; window 1 owns it: c..e there = 2 + 0.5 loses to a..d in window 0,
    # 1 + 4 = 5 (an end need not be in its max-context window)
    assert qa_predictions(ctx, hand_features(owner_first=True), start, end) == ["cd"]
    assert qa_predictions(ctx, hand_features(owner_first=False), start, end) == ["abcd"]


def test_n_best_and_answer_length_limits():
    width = 40
    offsets = [None] * 5 + [(i, i + 1) for i in range(34)] + [None]
    feats = {"example": [0], "offsets": [offsets], "max_context": [[o is not None for o in offsets]]}
    ctx = ["x" * 34]
    # starts: the 20 highest are question and special tokens; the context start is 21st
    start = logits(width, {**{i: 9.0 for i in range(5)}, **{39: 9.0}, **{i: 8.0 for i in range(25, 39)}, 5: 1.0})
    end = logits(width, {10: 3.0})
    assert qa_predictions(ctx, feats, [start], [end]) == [""]  # no valid span among the 20 x 20
    assert qa_predictions(ctx, feats, [start], [end], n_best=21) == ["x" * 6]  # tokens 5..10
    # answer length: 30 tokens allowed, 31 not
    start, end = logits(width, {5: 5.0}), logits(width, {35: 5.0, 34: 1.0})
    assert qa_predictions(ctx, feats, [start], [end]) == ["x" * 30]  # 5..34; 5..35 is 31 tokens
    assert qa_predictions(ctx, feats, [start], [end], max_answer_length=31) == ["x" * 31]


def test_no_answer_wins_over_the_lowest_null_score_of_the_windows():
    feats = hand_features(owner_first=True)
    ctx = ["abcdef"]
    start = [logits(8, {0: 3.0, 3: 2.0}), logits(8, {0: 1.0})]
    end = [logits(8, {0: 3.0, 4: 2.0}), logits(8, {0: 1.0})]
    # null = min(6, 2) = 2 < best span a..b = 4: the span
    assert qa_predictions(ctx, feats, start, end, allow_no_answer=True) == ["ab"]
    start[1][0] = end[1][0] = 2.5  # null = min(6, 5) = 5 > 4: no answer
    assert qa_predictions(ctx, feats, start, end, allow_no_answer=True) == [""]
    assert qa_predictions(ctx, feats, start, end) == ["ab"]  # SQuAD v1: always a span


# offsets: every context token's span, cut from the original text, spells the token ------------------------------
@pytest.mark.parametrize("lang", QA_LANGUAGES)
def test_offsets_spell_the_tokens_in_every_window(tok, lang):
    rng = random.Random(lang)
    exs = [qa_example(lang, rng, n_sentences=10) for _ in range(40)]
    contexts, questions = [e[0] for e in exs], [e[1] for e in exs]
    f = qa_features(tok, questions, contexts, max_length=24, doc_stride=4, max_query_length=4)
    assert len(f["input_ids"]) > 2 * len(exs)  # several windows per context
    # (a bare "▁" is given the span of the character after it, as tokenizers does for XLM-R too)
    for ids, offsets, ex in zip(f["input_ids"], f["offsets"], f["example"]):
        for tid, off in zip(ids, offsets):
            piece = tok.convert_ids_to_tokens(tid).lstrip("▁")
            if off is not None and piece and tid != tok.unk_token_id:
                assert contexts[ex][off[0]:off[1]] == piece


# property: no length of question or context crashes or drops anything --------------------------------------------
SCRIPTS = {
    "latin": "abcdefghijklmnopqrstuvwxyzéüßç",
    "thai": "".join(map(chr, range(0x0E01, 0x0E2F))) + "\u0E31\u0E34\u0E35\u0E48\u0E49",
    "cjk": "".join(map(chr, range(0x4E00, 0x4E00 + 400))),
    "arabic": "".join(map(chr, range(0x0627, 0x064B))),
    "devanagari": "".join(map(chr, range(0x0915, 0x093A))) + "\u093E\u093F\u0940\u094D",
    "unseen": "\U0001F600\U00020000\U0001D400\u16A0\u0F40\uA000",
}
ODD = ["\ufeff", "\u200b", "\u200c", "\u200d", "\u200e", "\u200f", "\u0301", "\u00a0", "\u3000", "\t", "\n", " ", "  "]


def text(rng: random.Random, n_words: int) -> str:
    """Words of random scripts (mixed within a text), with zero-width, combining, right-to-left marks and odd
    spaces between or inside them."""
    words = []
    for _ in range(n_words):
        pool = SCRIPTS[rng.choice(list(SCRIPTS))]
        word = "".join(rng.choice(pool) for _ in range(rng.randint(1, 8)))
        if rng.random() < 0.15:
            cut = rng.randint(0, len(word))
            word = word[:cut] + rng.choice(ODD) + word[cut:]
        words.append(word)
    return "".join(w + (rng.choice(ODD) if rng.random() < 0.2 else " ") for w in words).rstrip(" ")


def wordy(c: str) -> bool:
    return unicodedata.category(c)[0] in "LN"


def answer_in(rng: random.Random, context: str) -> tuple[int, str] | None:
    """A span of the context that starts and ends on a letter or digit (as answers do), at most 60 characters;
    sometimes the very last one."""
    places = [i for i, c in enumerate(context) if wordy(c)]
    if not places:
        return None
    if rng.random() < 0.2:  # the last character
        end = places[-1] + 1
        start = rng.choice([p for p in places if p >= end - 60])
    else:
        start = rng.choice(places)
        end = rng.choice([p for p in places if start <= p < start + 60]) + 1
    return start, context[start:end]


def extremes(rng: random.Random):
    """(question, context) pairs: the named extremes, then random lengths from nothing to 20,000 characters."""
    yield "What?", ""
    yield " ".join(["question"] * 1000), "A short context."
    yield text(rng, 1000), text(rng, 30)
    yield "Which?", "\U0001F600"
    yield "Which?", "\u0E01"
    yield "Where?", text(rng, 4000)[:20000]
    yield "Where?", ("ก" * 20000)
    yield "Who?", " \n\t\u3000 "
    yield "", text(rng, 50)
    yield "\ufeff\u200b", "\ufeff" + text(rng, 40)
    for _ in range(250):
        yield text(rng, rng.choice([0, 1, 3, 10, 40, 200])), text(rng, rng.choice([0, 1, 2, 20, 100, 600]))


def test_no_question_or_context_crashes_or_is_dropped(tok):
    rng = random.Random(13)
    cases = list(extremes(rng))
    assert max(len(c) for _, c in cases) >= 20000
    n_special = tok.num_special_tokens_to_add(pair=True)
    labelled = 0
    for batch in range(0, len(cases), 20):
        part = cases[batch:batch + 20]
        questions, contexts = [q for q, _ in part], [c for _, c in part]
        answers = [answer_in(rng, c) for c in contexts]
        max_query_length = rng.choice([1, 4, 16, 64])
        max_length = max_query_length + n_special + rng.choice([1, 2, 7, 40, 300])
        doc_stride = rng.choice([1, 3, 16, 128, 1000])
        f = qa_features(tok, questions, contexts, max_length=max_length, doc_stride=doc_stride,
                        max_query_length=max_query_length,
                        answer_starts=[[a[0]] if a else [] for a in answers],
                        answer_texts=[[a[1]] if a else [] for a in answers])
        ctx = tok(contexts, add_special_tokens=False, return_offsets_mapping=True, verbose=False)
        assert sorted(set(f["example"])) == list(range(len(part)))  # every example has a window
        assert max(map(len, f["input_ids"])) <= max_length
        for ex, context in enumerate(contexts):
            windows = [k for k, x in enumerate(f["example"]) if x == ex]
            offs = [tuple(o) for o in ctx["offset_mapping"][ex]]
            # every context token is in some window, and has exactly one max-context window
            assert sum(sum(f["max_context"][k]) for k in windows) == len(offs)
            assert {o for k in windows for o in f["offsets"][k] if o is not None} == set(offs)
            if answers[ex] is None:
                assert all(f["start"][k] == f["end"][k] == 0 for k in windows)
                continue
            a_start, a_text = answers[ex]
            for k in windows:  # a labelled span maps back to text holding the answer
                s, e = f["start"][k], f["end"][k]
                if s:
                    assert a_text in context[f["offsets"][k][s][0]:f["offsets"][k][e][1]]
            gold = answer_tokens(offs, a_start, a_start + len(a_text))
            count = f["window"][windows[0]][1]  # the first window is a full one
            if gold and (len(windows) == 1 or gold[1] - gold[0] + 1 <= count - min(count, doc_stride) + 1):
                assert any(f["start"][k] for k in windows)  # short enough to fit a window whole: labelled
                labelled += 1
        width = max(map(len, f["input_ids"]))
        logits = np.random.default_rng(batch)
        start, end = logits.normal(size=(len(f["input_ids"]), width)), logits.normal(size=(len(f["input_ids"]), width))
        for prediction, context in zip(qa_predictions(contexts, f, start, end), contexts):
            assert prediction in context
    assert labelled > 50  # the answer checks ran on many cases


# the options: defaults, checks before compute, recorded in every QA stage's config --------------------------------
def test_defaults_follow_the_recipe_and_tiny_keeps_several_windows():
    large = TrainConfig.defaults("xlm-roberta-large", "xquad")
    assert (large.max_length, large.doc_stride, large.max_query_length) == (384, 128, 64)
    tiny = TrainConfig.defaults("tiny", "squad")
    assert (tiny.max_length, tiny.doc_stride, tiny.max_query_length) == (128, 32, 32) == \
        (TINY_QA["max_length"], TINY_QA["doc_stride"], TINY_QA["max_query_length"])
    assert TrainConfig.defaults("tiny", "mnli").max_query_length == 32  # mnli+squad: squad's windows fit in 64
    chain(model="tiny", intermediate="mnli+squad", target="xquad")


def test_qa_options_are_recorded_and_change_the_stage():
    stages = chain(model="xlm-roberta-large", intermediate="none", target="xquad")
    target, evaluate = stages
    assert target.to_dict()["train"]["doc_stride"] == 128 and target.to_dict()["train"]["max_query_length"] == 64
    assert evaluate.to_dict()["parent"]["train"]["doc_stride"] == 128  # every score's stage carries them
    other = chain(model="xlm-roberta-large", intermediate="none", target="xquad", doc_stride=64)[0]
    assert other.train.doc_stride == 64 and other.stage_id != target.stage_id


def test_qa_options_are_checked_before_compute():
    base = dict(epochs=1.0, lr=1e-5, batch_size=8)
    for name, bad in (("doc_stride", 0), ("doc_stride", True), ("doc_stride", 1.5), ("max_query_length", 0),
                      ("max_query_length", "64")):
        with pytest.raises(XltError, match=f"^{name} must be an integer >= 1, got {bad!r}$"):
            TrainConfig(**base, max_length=384, **{name: bad})
    # 64 question tokens + 4 special tokens + 1 context token = 69
    TrainConfig(**base, max_length=69).check_qa_window()
    with pytest.raises(XltError, match="max_length 68 .* max_query_length 64 .* choose max_length >= 69 or "
                                       "max_query_length <= 63$"):
        TrainConfig(**base, max_length=68).check_qa_window()
    with pytest.raises(XltError, match="max_length 68"):
        chain(model="xlm-roberta-base", intermediate="none", target="mlqa", max_length=68)
    chain(model="xlm-roberta-base", intermediate="none", target="xnli", max_length=32)  # no QA: no window to fill
    check_options_apply("squad", "xnli", "sample", doc_stride=64)
    with pytest.raises(XltError, match="^doc_stride 64 does not apply .* only to chains that train a QA task"):
        check_options_apply("mnli", "xnli", "sample", doc_stride=64)


def test_the_task_type_reads_the_stage_options(tok):
    from xlt_core.tasktypes import TYPES, encode_options

    train = TrainConfig(epochs=1.0, lr=1e-5, batch_size=8, max_length=40, doc_stride=5, max_query_length=3)
    assert encode_options(TASKS["xquad"], train) == {"doc_stride": 5, "max_query_length": 3}
    assert encode_options(TASKS["xnli"], train) == {}
    context = " ".join(f"w{i}" for i in range(80))
    ex = {"question": ["which word comes after w10 in the list?"], "context": [context],
          "answer_starts": [[context.index("w11")]], "answer_texts": [["w11"]]}
    feats = TYPES["span_qa"].encode(TASKS["xquad"], ex, tok, train.max_length, **encode_options(TASKS["xquad"], train))
    direct = qa_features(tok, ex["question"], ex["context"], max_length=40, doc_stride=5, max_query_length=3,
                         answer_starts=ex["answer_starts"], answer_texts=ex["answer_texts"])
    assert [it["input_ids"] for it in feats.items] == direct["input_ids"]
    assert feats.meta["max_context"] == direct["max_context"]
    assert [w[0] for w in direct["window"]][:3] == [0, 5, 10]


def test_a_qa_chain_on_the_hard_sample_data_records_its_recipe(tmp_path):
    """Train and evaluate xquad end to end on the sample data (BOMs, questions longer than a window, contexts of
    several windows): every score names the recipe's settings, every prediction is text of its context."""
    import json

    from xlt_core.data import examples, load_split
    from xlt_core.pipeline import run_stage
    from xlt_core.results.examples import predictions
    from xlt_core.rundir import run_folder
    from xlt_core.tasks import get_task

    stages = chain(model="tiny", intermediate="none", target="xquad", languages="th,zh,ar", train_size=40,
                   eval_size=12, epochs=1.0)
    for cfg in stages:
        record = run_stage(cfg, tmp_path)
    assert {row["variant"] for row in record["scores"]} == {"squad-recipe len128 query32 stride32 nbest20 answer30"}
    assert {row["language"] for row in record["scores"]} == {"th", "zh", "ar"}
    assert all(0 <= row["score"] <= 100 and row["n"] == 12 for row in record["scores"])
    for lang in ("th", "zh", "ar"):
        rows = predictions(run_folder(tmp_path, stages[-1]), lang)
        preds = [json.loads(p) for p in rows["prediction"]]
        contexts = examples(get_task("xquad"), load_split(get_task("xquad"), "test", lang))["context"]
        assert len(preds) == 12 and list(rows["example"]) == list(range(12))
        assert all(any(p in c for c in contexts) for p in preds)
        scores = {r["metric"]: r["score"] for r in record["scores"] if r["language"] == lang}
        assert rows["exact_match"].mean() == pytest.approx(scores["exact_match"])  # per question, as the score
        assert rows["f1"].mean() == pytest.approx(scores["f1"])
