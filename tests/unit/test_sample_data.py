"""The embedded sample data has the hard properties of the real data, counted per task and language: long
questions and contexts, BOMs, zero-width, combining and right-to-left characters, odd spaces, mixed scripts,
characters the tokenizer never saw, repeats; UD-POS has no dev split where the hub has none, and the split rule
follows from it."""

import re
import unicodedata
from collections import Counter

import pytest

from xlt_core import config
from xlt_core.config import chain
from xlt_core.data import bucc_original, load_split, local_files
from xlt_core.errors import XltError
from xlt_core.lexicon import BOM, IDEOGRAPHIC_SPACE, LRM, NBSP, NAMES, ORGS, RLM, RTL, UNSEEN, ZERO_WIDTH
from xlt_core.models import load_tokenizer
from xlt_core.sample_data import SIZES, corpus, sample_data_dir, write_bucc_original
from xlt_core.tasks import TASKS, lacking_split

QA_TASKS = ("xquad", "mlqa", "tydiqa")
QA = [(name, lang) for name in QA_TASKS for lang in TASKS[name].languages] + [("squad", "en"), ("squad_v2", "en")]
TAGGING = [(name, lang) for name in ("udpos", "panx") for lang in TASKS[name].languages]
ODD = set(ZERO_WIDTH) | {NBSP, IDEOGRAPHIC_SPACE, LRM, RLM}


@pytest.fixture(scope="module")
def tok():
    return load_tokenizer("tiny")


def rows(name, lang, split="dev"):
    return load_split(TASKS[name], split, lang, "sample").to_list()


def decomposed(text: str) -> bool:
    """Combining marks the lexicon does not write: a decomposed letter (NFC differs) or an added acute."""
    return unicodedata.normalize("NFC", text) != text or "\u0301" in text


def test_no_unseen_character_reaches_the_tokenizer_corpus():
    text = "".join(corpus())
    assert len(text) > 100_000
    assert set(UNSEEN) & set(text) == set()


@pytest.mark.parametrize("name,lang", QA)
def test_qa_files_hold_what_real_qa_holds(tok, name, lang):
    qa = rows(name, lang)
    assert len(qa) >= SIZES["dev"]
    for r in qa:  # every answer span is exact
        for text, start in zip(r["answers"]["text"], r["answers"]["answer_start"]):
            assert r["context"][start:start + len(text)] == text
    contexts = list(dict.fromkeys(r["context"] for r in qa))
    q_len = [len(ids) for ids in tok([r["question"] for r in qa], add_special_tokens=False)["input_ids"]]
    c_len = [len(ids) for ids in tok(contexts, add_special_tokens=False)["input_ids"]]
    assert sum(n > 64 for n in q_len) >= 2 and sum(n > 128 for n in q_len) >= 1  # longer than the query limit
    assert max(c_len) > 3 * 384  # a context of several 384-token windows
    assert sum(n > 384 for n in c_len) <= 6  # ... but only a few: the tests train on these files
    text = "".join(contexts)
    assert ZERO_WIDTH[0] in text or ZERO_WIDTH[1] in text or ZERO_WIDTH[2] in text
    assert NBSP in text or IDEOGRAPHIC_SPACE in text
    assert any(map(decomposed, contexts))
    assert set(UNSEEN) & set(text)
    assert re.search("[A-Za-z]", text) and re.search("[0-9]", text)  # Latin names and digits in every script
    if lang in RTL:
        assert RLM in text and LRM in text
    if lang == "th":
        with_bom = [r for r in qa if r["context"].startswith(BOM)]
        assert len(with_bom) >= 5 and all(r["answers"]["answer_start"][0] >= 1 for r in with_bom)
    by_context = Counter(r["context"] for r in qa)
    assert max(by_context.values()) >= 2  # a paragraph with several questions
    twice = Counter((r["context"], r["question"]) for r in qa)
    assert max(twice.values()) == 2 and len({r["id"] for r in qa}) == len(qa)  # a repeated example, its own id
    assert any(r["answers"]["text"] and set(r["answers"]["text"][0]) & (ODD | set(UNSEEN) | set("0123456789"))
               for r in qa)  # answers too hold what contexts hold


@pytest.mark.parametrize("name", QA_TASKS)
def test_answers_at_the_very_start_and_end_of_contexts(name):
    at_start = at_end = 0
    for lang in TASKS[name].languages:
        for r in rows(name, lang):
            start, [text] = r["answers"]["answer_start"][0], r["answers"]["text"]
            at_start += start == (1 if r["context"].startswith(BOM) else 0)
            at_end += start + len(text) == len(r["context"])
    assert at_start >= len(TASKS[name].languages) and at_end >= 3


@pytest.mark.parametrize("name,lang", TAGGING)
def test_tagging_files_hold_what_treebanks_hold(name, lang):
    spec = TASKS[name]
    tagged = rows(name, lang, "test")
    column = spec.columns["tags"]
    names = load_split(spec, "test", lang, "sample").features[column].feature.names
    words = [(w, names[t]) for r in tagged for w, t in zip(r["tokens"], r[column])]
    assert all(len(r["tokens"]) == len(r[column]) > 0 for r in tagged)
    assert max(len(r["tokens"]) for r in tagged) >= 120  # several windows of any model
    lone = [t for w, t in words if w in ODD]  # a token that is a lone space-like or zero-width character
    punct = [t for w, t in words if all(unicodedata.category(c).startswith("P") for c in w)]
    unseen = [t for w, t in words if w in UNSEEN]
    assert lone and punct and unseen and any(decomposed(w) for w, _ in words)
    if name == "udpos":
        assert set(lone) == {"X"} and set(unseen) == {"SYM"}
        assert {t for w, t in words if w in (".", "。", "।", "۔")} <= {"PUNCT"} and set(punct) <= {"PUNCT", "PART"}
    else:
        assert set(lone) == set(unseen) == {"O"}
        people = [t for w, t in words if w in {n.split()[0] for n in NAMES}]
        orgs = [t for w, t in words if w in {n.split()[0] for n in ORGS}]
        assert set(people) == {"B-PER"} and set(orgs) == {"B-ORG"}
    seen = Counter(tuple(r["tokens"]) for r in tagged)
    assert max(seen.values()) >= 2  # a repeated sentence


@pytest.mark.parametrize("lang", TASKS["bucc2018"].languages)
def test_bucc_gold_pairs_repeat_sentences_under_new_ids(lang):
    for split in ("dev", "test"):
        pairs = rows("bucc2018", lang, split)
        assert len({r["source_lang"] for r in pairs}) == len({r["target_lang"] for r in pairs}) == len(pairs)
        src, trg = Counter(r["source_sentence"] for r in pairs), Counter(r["target_sentence"] for r in pairs)
        n = SIZES[split]
        assert sum(c - 1 for c in src.values()) == n // 20 and sum(c - 1 for c in trg.values()) == n // 20


def test_the_original_bucc_layout_has_repeats_and_distractors(tmp_path):
    root = write_bucc_original(tmp_path, "fr", n_pairs=30, n_distractors=40, n_repeats=3)
    ex = bucc_original(str(root), "fr", "test")  # the training files
    assert (len(ex["source"]), len(ex["target"]), len(ex["gold"])) == (30 + 6 + 40 + 1, 30 + 3 + 40 + 1, 33)
    assert len(set(ex["source"])) == len(set(ex["target"])) == 70  # 30 gold + 40 distractors, distinct
    assert sorted(set(ex["source_id"])) == [f"fr-{k:09d}" for k in range(1, 78)]
    src, trg = dict(zip(ex["source_id"], ex["source"])), dict(zip(ex["target_id"], ex["target"]))
    gold_src = Counter(src[s] for s, _ in ex["gold"])
    assert sorted(gold_src.values()) == [1] * 27 + [2] * 3  # a sentence, two ids, two gold pairs
    every_src = Counter(ex["source"])
    assert sorted(c for c in every_src.values() if c > 1) == [2] * 7  # 3 gold twice, 3 gold + 1 distractor again
    assert sorted(c for c in Counter(ex["target"]).values() if c > 1) == [2] * 4
    paired = {t for _, t in ex["gold"]}
    assert sum(i not in paired for i in ex["target_id"]) == 41  # the distractors
    assert len({(src[s], trg[t]) for s, t in ex["gold"]}) == 30
    assert bucc_original(str(root), "fr", "dev")["gold"] != ex["gold"]  # the sample split differs


@pytest.mark.parametrize("name", ["xnli", "pawsx", "xcopa"])
def test_pair_and_choice_targets_are_decorated_and_repeat_a_row(name):
    spec = TASKS[name]
    lang = spec.languages[-1]
    data = rows(name, lang, "test")
    texts = [v for r in data for v in r.values() if isinstance(v, str)]
    marked = [t for t in texts if set(t) & (ODD | set(UNSEEN)) or decomposed(t)]
    assert len(marked) >= len(data) // 20
    keep = [c for c in data[0] if c not in ("idx", "id")]
    assert Counter(tuple(r[c] for c in keep) for r in data).most_common(1)[0][1] >= 2


def test_udpos_has_no_dev_split_for_exactly_kk_th_tl_yo():
    lacking = {(name, split): lacking_split(spec, split) for name, spec in TASKS.items() for split in spec.source.splits
               if lacking_split(spec, split)}
    assert lacking == {("udpos", "dev"): ("kk", "th", "tl", "yo"), ("udpos", "train"): ("th", "tl", "yo")}
    root, udpos = sample_data_dir(), TASKS["udpos"]
    for lang in udpos.languages:
        assert local_files(udpos, "test", root, lang)
        folder = root / udpos.source.repo / udpos.source.config_for(lang)
        assert (folder / "validation-00000-of-00001.parquet").exists() == (lang not in ("kk", "th", "tl", "yo"))


def test_dev_with_all_languages_leaves_out_those_without_it_and_says_so_once(monkeypatch, capsys):
    monkeypatch.setattr(config, "_SAID", set())
    first = chain(intermediate="none", target="udpos", split="dev")[-1]
    again = chain(intermediate="mnli", target="udpos", split="dev", languages="all")[-1]
    udpos = TASKS["udpos"].languages
    assert first.languages == again.languages == tuple(x for x in udpos if x not in ("kk", "th", "tl", "yo"))
    err = capsys.readouterr().err.splitlines()
    assert err == ["xlt: warning: udpos has no 'dev' split for kk, th, tl, yo in its source: they are left out, its "
                   "other 29 languages are used"]
    assert chain(intermediate="none", target="udpos", split="test")[-1].languages == udpos
    assert len(chain(intermediate="none", target="panx", split="dev")[-1].languages) == 40
    assert capsys.readouterr().err == ""


@pytest.mark.parametrize("lang", ["kk", "th", "tl", "yo"])
def test_naming_a_language_without_the_split_is_one_line(lang):
    with pytest.raises(XltError, match=f"language '{lang}' has no 'dev' split in udpos .*or another split$"):
        chain(intermediate="none", target="udpos", split="dev", languages=f"de,{lang}")
    with pytest.raises(XltError, match=f"language '{lang}' has no 'dev' split in udpos"):
        load_split(TASKS["udpos"], "dev", lang, "sample")
    assert chain(intermediate="none", target="udpos", split="test", languages=lang)[-1].languages == (lang,)
    assert len(rows("udpos", lang, "test")) == SIZES["test"]
