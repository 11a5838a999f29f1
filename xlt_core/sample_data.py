"""The embedded sample data: small datasets generated from `lexicon`, written in the exact schema and file layout
of the hub datasets (`<repo>/<config>/<split>-00000-of-00001.parquet`, with the `datasets` features stored in the
Parquet metadata, as on the hub), for every task of `tasks.TASKS`. They load through the same code as real data.

Sentences built from the same slot indices are translations of each other: BUCC and Tatoeba get real parallel
sentences, and the tagging tasks get their tags from the slot each word fills.
"""

from __future__ import annotations

import random
import re
import unicodedata
import zlib
from pathlib import Path

from .lexicon import (BOM, COMBINING_ACUTE, IDEOGRAPHIC_SPACE, LOCAL_PUNCTUATION, LRM, NAMES, NBSP, NUMBERS, ORGS,
                      PUNCTUATION, RLM, RTL, UNSEEN, ZERO_WIDTH, lexicon)
from .paths import atomic_dir, cache_dir
from .tasks import LANGUAGES, NER, NLI_LABELS, TASKS, UPOS

SAMPLE_VERSION = "sample-v3"  # bump whenever generated content changes: it is the data revision of sample runs
UNSPACED = ("zh", "th")
SIZES = {"train": 600, "dev": 80, "test": 100}  # per language; MNLI's train is larger: the demo trains on it
MNLI_TRAIN = 3000
SLOTS = ("s", "v", "o", "p", "t")


def _rng(*key) -> random.Random:
    return random.Random(zlib.crc32("/".join(map(str, key)).encode()))


def _pick(lang: str, rng: random.Random, slots: dict) -> dict:
    lex = lexicon(lang)
    return {k: slots.get(k) or rng.choice(lex[k]) for k in SLOTS}


def sentence(lang: str, pattern: str, rng: random.Random, **slots) -> str:
    """One sentence of `lang` from a pattern name (core, place, time, neg) with random or given slot fillers."""
    lex = lexicon(lang)
    fill = _pick(lang, rng, slots)
    if pattern == "neg":
        fill["core"] = lex["core"].format(**fill)
    text = lex[pattern].format(**fill)
    return text[0].upper() + text[1:] + lex["end"]


def tagged_words(lang: str, pattern: str, rng: random.Random, **slots) -> list[tuple[str, str]]:
    """The sentence as (word, slot) pairs: slot is one of s v o p t, 'x' for the pattern's own words, '.' for the
    final punctuation. Chinese and Thai words are the slot fillers themselves (written without spaces)."""
    lex = lexicon(lang)
    fill = {k: f"\x01{k}\x02{v}\x03" for k, v in _pick(lang, rng, slots).items()}
    if pattern == "neg":
        fill["core"] = lex["core"].format(**fill)
    out = []
    for m in re.finditer(r"\x01(\w)\x02(.*?)\x03|([^\x01\x03]+)", lex[pattern].format(**fill)):
        slot, chunk = (m.group(1), m.group(2)) if m.group(1) else ("x", m.group(3))
        words = ([chunk.strip()] if chunk.strip() else []) if lang in UNSPACED else chunk.split()
        out += [(w, slot) for w in words]
    out[0] = (out[0][0][:1].upper() + out[0][0][1:], out[0][1])
    return out + ([(lex["end"], ".")] if lex["end"] else [])


# what real text has besides words: the hard properties every test that loads sample data meets ------------------
PATTERNS = ("core", "place", "time", "neg")


def hard_object(lang: str, rng: random.Random) -> str:
    """An object (a QA answer) as real text has them: a Latin name or number in any script (in a right-to-left
    language wrapped in direction marks), a word decomposed into base letters and combining marks, or a word
    with a character the tokenizer never saw."""
    kind = rng.randrange(3)
    if kind == 0:
        word = rng.choice(NAMES + ORGS + NUMBERS)
        return f"{LRM}{word}{LRM}" if lang in RTL and rng.random() < 0.5 else word
    word = rng.choice(lexicon(lang)["o"])
    if kind == 1:
        return _combining(word, rng)
    at = rng.randrange(len(word) + 1)
    return word[:at] + rng.choice(UNSEEN) + word[at:]


def odd_space(lang: str, rng: random.Random) -> str:
    """A space as real text also writes it: no-break space, ideographic space (CJK), or a zero-width space."""
    return rng.choice([NBSP, IDEOGRAPHIC_SPACE, ZERO_WIDTH[0]] if lang in UNSPACED else [NBSP, NBSP, " " + NBSP])


def _combining(text: str, rng: random.Random) -> str:
    """Base letters and combining marks (NFD); where nothing decomposes, an acute accent on some letter."""
    decomposed = unicodedata.normalize("NFD", text)
    if decomposed != text:
        return decomposed
    letters = [i for i, c in enumerate(text) if c.isalpha()]
    at = rng.choice(letters) + 1 if letters else len(text)
    return text[:at] + COMBINING_ACUTE + text[at:]


def _insert(text: str, lang: str, rng: random.Random, what: str) -> str:
    """`what` inserted between two words (anywhere in Chinese and Thai, written without spaces)."""
    if lang in UNSPACED or " " not in text:
        at = rng.randrange(len(text) + 1)
        return text[:at] + what + text[at:]
    at = rng.choice([i for i, c in enumerate(text) if c == " "])
    return text[:at] + " " + what + text[at:]


def decorate(text: str, lang: str, rng: random.Random, n: int = 1) -> str:
    """`text` with `n` of the things real text holds besides words: an odd space (no-break, ideographic), a
    zero-width character (space, non-joiner, joiner), combining marks, a Latin name or number (mixed scripts;
    with right-to-left marks in Arabic, Hebrew, Persian and Urdu), punctuation, a character the tokenizer never
    saw. Empty text stays empty."""
    for _ in range(n if text else 0):
        kind = rng.randrange(6)
        if kind == 0:
            spaces = [i for i, c in enumerate(text) if c == " "]
            if spaces:
                at = rng.choice(spaces)
                text = text[:at] + rng.choice([NBSP, IDEOGRAPHIC_SPACE]) + text[at + 1:]
            else:
                text = _insert(text, lang, rng, IDEOGRAPHIC_SPACE)
        elif kind == 1:
            at = rng.randrange(1, len(text) + 1)
            text = text[:at] + rng.choice(ZERO_WIDTH) + text[at:]
        elif kind == 2:
            text = _combining(text, rng)
        elif kind == 3:
            word = rng.choice(NAMES + ORGS + NUMBERS)
            text = _insert(text, lang, rng, f"{RLM}{word}{LRM}" if lang in RTL else word)
        elif kind == 4:
            text = _insert(text, lang, rng, rng.choice(PUNCTUATION + LOCAL_PUNCTUATION.get(lang, ())))
        else:
            at = rng.randrange(len(text) + 1)
            text = text[:at] + rng.choice(UNSEEN) + text[at:]
    return text


def nli_pair(lang: str, rng: random.Random) -> tuple[str, str, str]:
    """(premise, hypothesis, label name). The hypothesis drops a phrase (entailment), adds a new one (neutral) or
    negates the premise's core (contradiction)."""
    slots = _pick(lang, rng, {})
    label = rng.choice(NLI_LABELS)
    shown = rng.choice(["place", "time"])
    premise = sentence(lang, shown, rng, **slots)
    other = "time" if shown == "place" else "place"
    hypothesis = sentence(lang, {"entailment": "core", "neutral": other, "contradiction": "neg"}[label], rng, **slots)
    return premise, hypothesis, label


def qa_paragraph(lang: str, rng: random.Random, n_sentences: int = 5, n_questions: int = 1, hard: bool = False,
                 question_padding: int = 0) -> tuple[str, list[tuple[str, str, int]]]:
    """(context, [(question, answer text, answer start)]). Each question is one sentence of the context with its
    object replaced by '?' and its subject-verb pair used by no other sentence; the answer is that object, as
    written in the context. `hard` adds what real text has (see `decorate`): a BOM before half the Thai contexts,
    odd spaces between sentences, Latin names and numbers as answers, an answer at the very start (a title) or
    at the very end (no final punctuation) of the context. `question_padding` sentences go before a question,
    which then no longer fits a small window."""
    lex = lexicon(lang)
    pairs = [(s, v) for s in lex["s"] for v in lex["v"]]
    asked = rng.sample(pairs, n_questions)
    others = [pair for pair in pairs if pair not in asked]
    n_sentences = max(n_sentences, n_questions)
    order: list[int | None] = [None] * n_sentences
    for q, k in enumerate(rng.sample(range(n_sentences), n_questions)):
        order[k] = q
    objects = [hard_object(lang, rng) if hard and rng.random() < 0.3 else rng.choice(lex["o"]) for _ in asked]
    sep = "" if lang in UNSPACED else " "
    at_end = hard and order[-1] is not None and lex["core"].endswith("{o}") and rng.random() < 0.2
    context = BOM if hard and lang == "th" and rng.random() < 0.5 else ""
    found: dict[int, tuple[int, str]] = {}
    if hard and rng.random() < 0.1:  # a title: the first answer opens the context
        found[0] = (len(context), objects[0])
        context += objects[0] + ("：" if lang in UNSPACED else ":") + sep
    for k, q in enumerate(order):
        if k:
            context += odd_space(lang, rng) if hard and rng.random() < 0.1 else sep
        if q is None:
            s, v = rng.choice(others)
            text = sentence(lang, rng.choice(PATTERNS), rng, s=s, v=v)
            context += decorate(text, lang, rng) if hard and rng.random() < 0.5 else text
            continue
        last = at_end and k == n_sentences - 1
        s, v = asked[q]
        text = sentence(lang, "core" if last else rng.choice(PATTERNS[:3]), rng, s=s, v=v, o=f"\x01{objects[q]}\x01")
        before, answer, after = text.split("\x01")
        if last:
            after = after[:len(after) - len(lex["end"])]
        if hard and rng.random() < 0.5:
            before, after = decorate(before, lang, rng), after if last else decorate(after, lang, rng)
        context += before
        found.setdefault(q, (len(context), answer))
        context += answer + after
    questions = []
    for q, (s, v) in enumerate(asked):
        text = lex["core"].format(s=s, v=v, o="?").replace(" ?", "?") if sep else lex["core"].format(s=s, v=v, o="？")
        text = text[0].upper() + text[1:]
        if question_padding:
            padding = [sentence(lang, rng.choice(PATTERNS), rng, s=s2, v=v2) for s2, v2 in
                       (rng.choice(others) for _ in range(question_padding))]
            text = sep.join(padding + [text])
        if hard and rng.random() < 0.3:
            text = decorate(text, lang, rng)
        start, answer = found[q]
        questions.append((text, answer, start))
    return context, questions


def qa_example(lang: str, rng: random.Random, n_sentences: int = 5, hard: bool = False) -> tuple[str, str, str, int]:
    """(context, question, answer text, answer start): a paragraph with one question (qa_paragraph)."""
    context, [(question, answer, start)] = qa_paragraph(lang, rng, n_sentences, 1, hard)
    return context, question, answer, start


def parallel(langs: tuple[str, str], rng: random.Random) -> tuple[str, str]:
    """The same sentence (same slot indices, same pattern) in two languages."""
    idx = {k: rng.randrange(len(lexicon("en")[k])) for k in SLOTS}
    pattern = rng.choice(["core", "place", "time", "neg"])
    return tuple(sentence(lang, pattern, rng, **{k: lexicon(lang)[k][i] for k, i in idx.items()}) for lang in langs)


def corpus(n_per_language: int = 400) -> list[str]:
    """Raw multilingual text for the tiny tokenizer, every language of `tasks.LANGUAGES`, written as the sample
    data writes it (no word segmentation: Chinese and Thai lines run on without spaces): per language
    `n_per_language` lines of one to three sentences, and a quarter as many questions. Deterministic."""
    out = []
    for lang in LANGUAGES:
        lex, rng = lexicon(lang), _rng("corpus", lang)
        sep = "" if lang in UNSPACED else " "
        for _ in range(n_per_language):
            out.append(sep.join(sentence(lang, rng.choice(["core", "place", "time", "neg"]), rng)
                                for _ in range(rng.randint(1, 3))))
        for _ in range(n_per_language // 4):
            fill = _pick(lang, rng, {})
            question = lex["core"].format(**{**fill, "o": "?" if sep else "？"}).replace(" ?", "?")
            out.append(question[0].upper() + question[1:])
    return out


# per-word tags from slots ----------------------------------------------------------------------------------------
def _roles(words: list[tuple[str, str]]) -> list[int]:
    """Each word's place in its slot's phrase: 0 first, 1 middle, 2 last, 3 the only word."""
    roles = []
    for i, (_, slot) in enumerate(words):
        before = i > 0 and words[i - 1][1] == slot
        after = i + 1 < len(words) and words[i + 1][1] == slot
        roles.append(3 if not before and not after else 0 if not before else 2 if not after else 1)
    return roles


def _by_role(words, table: dict[str, tuple[str, str, str, str]]) -> list[str]:
    return [table[slot][role] for (_, slot), role in zip(words, _roles(words))]


def pos_tags(words):
    return _by_role(words, {"s": ("DET", "ADJ", "NOUN", "NOUN"), "o": ("DET", "ADJ", "NOUN", "NOUN"),
                            "p": ("ADP", "DET", "NOUN", "ADP"), "v": ("VERB", "AUX", "AUX", "VERB"),
                            "t": ("DET", "ADV", "ADV", "ADV"), "x": ("PART",) * 4, ".": ("PUNCT",) * 4,
                            ",": ("PUNCT",) * 4, "_": ("X",) * 4, "d": ("NUM",) * 4, "u": ("SYM",) * 4,
                            **{slot: ("PROPN",) * 4 for slot in "nNgG"}})


def ner_tags(words):
    kind = {"s": "PER", "p": "LOC", "n": "PER", "g": "ORG", "N": "PER", "G": "ORG"}
    out, prev = [], None
    for w, slot in words:
        inside = slot in "NG" or prev == slot not in "ng"  # an inserted name (hard_words) begins at n or g
        out.append("O" if slot not in kind else ("I-" if inside else "B-") + kind[slot])
        prev = slot
    return out


def ccg_tags(words):
    return _by_role(words, {"s": ("NP/N", "N/N", "N", "NP"), "o": ("NP/N", "N/N", "N", "NP"),
                            "p": ("PP/NP", "N/N", "N", "PP"), "t": ("(S\\S)/N", "N/N", "N", "S\\S"),
                            "v": ("(S[dcl]\\NP)/NP", "(S\\NP)\\(S\\NP)", "(S\\NP)\\(S\\NP)", "(S[dcl]\\NP)/NP"),
                            "x": ("S/S",) * 4, ".": (".",) * 4})


# one generator per task: (lang, split, n, rng) -> (rows, features) ----------------------------------------------
def _features(**columns):
    import datasets

    def feature(v):
        if v == "str":
            return datasets.Value("string")
        if v == "int":
            return datasets.Value("int32")
        if v == "bool":
            return datasets.Value("bool")
        if isinstance(v, tuple):
            return datasets.ClassLabel(names=list(v))
        if isinstance(v, list):
            return datasets.Sequence(feature(v[0]))
        return datasets.Features({k: feature(x) for k, x in v.items()})

    return datasets.Features({k: feature(v) for k, v in columns.items()})


def _columns(records: list[dict]) -> dict[str, list]:
    return {k: [r[k] for r in records] for k in records[0]}


def gen_nli(lang, split, n, rng, names=("premise", "hypothesis", "label"), label_feature=NLI_LABELS, extra=None):
    recs = []
    for i in range(n):
        p, h, lab = nli_pair(lang, rng)
        label = label_feature.index(lab) if isinstance(label_feature, tuple) else lab
        if split == "test" and names[2] == "label" and isinstance(label_feature, tuple) and rng.random() < 0.05:
            label = -1  # unlabelled rows, as SNLI has
        recs.append({names[0]: p, names[1]: h, names[2]: label, **(extra(i) if extra else {})})
    return recs


def gen_pawsx(lang, split, n, rng):
    recs = []
    for _ in range(n):
        slots = _pick(lang, rng, {})
        a = sentence(lang, "place", rng, **slots)
        same = rng.random() < 0.5
        b = sentence(lang, "place", rng, **{**slots, **({} if same else {"s": _pick(lang, rng, {})["s"],
                                                                           "o": slots["s"]})})
        recs.append({"sentence1": a, "sentence2": b, "label": "1" if same else "0"})
    return recs


def gen_qqp(lang, split, n, rng):
    recs = []
    for i in range(n):
        slots = _pick(lang, rng, {})
        dup = rng.random() < 0.5
        b_slots = slots if dup else {**slots, "o": _pick(lang, rng, {})["o"]}
        recs.append({"question1": sentence(lang, "core", rng, **slots), "question2": sentence(lang, "core", rng, **b_slots),
                     "label": int(dup and b_slots["o"] == slots["o"]), "idx": i})
    return recs


def hard_words(lang: str, rng: random.Random) -> list[tuple[str, str]]:
    """Words real treebanks and WikiANN hold besides the lexicon's, as (word, slot): a lone space-like or
    zero-width token ('_'), punctuation (','), a Latin name ('n', a person) or organisation ('g'; their next
    words 'N', 'G': a name next to another is a new entity), a number ('d'), a character the tokenizer never saw
    ('u')."""
    kind = rng.randrange(6)
    if kind == 0:
        return [(rng.choice((NBSP, IDEOGRAPHIC_SPACE) + ZERO_WIDTH + ((LRM, RLM) if lang in RTL else ())), "_")]
    if kind == 1:
        return [(rng.choice(PUNCTUATION + LOCAL_PUNCTUATION.get(lang, ())), ",")]
    if kind == 5:
        return [(rng.choice(UNSEEN), "u")]
    words, slot = [(NAMES, "n"), (ORGS, "g"), (NUMBERS, "d")][kind - 2]
    return [(w, slot if i == 0 or slot == "d" else slot.upper()) for i, w in enumerate(rng.choice(words).split())]


def tagged_sentence(lang: str, rng: random.Random, parts: int = 1, hard: bool = False) -> list[tuple[str, str]]:
    """`parts` sentences as one (word, slot) list (tagged_words); `hard` inserts hard_words and writes one word
    with combining marks."""
    words = sum((tagged_words(lang, rng.choice(PATTERNS), rng) for _ in range(parts)), [])
    if hard:
        for _ in range(rng.randint(1, 3)):
            at = rng.randrange(len(words) + 1)
            words[at:at] = hard_words(lang, rng)
        at = rng.randrange(len(words))
        words[at] = (_combining(words[at][0], rng), words[at][1])
    return words


def gen_tagging(lang, split, n, rng, scheme, column, hard=True):
    """Sentences of 1 to 6 parts, the first of every file 40 (several windows of any model); with `hard`, 30%
    with hard_words, and the last row repeats the middle one (treebanks repeat short sentences)."""
    recs = []
    for i in range(n):
        words = tagged_sentence(lang, rng, 40 if i == 0 else rng.choice([1, 1, 2, 6]), hard and rng.random() < 0.3)
        recs.append({"tokens": [w for w, _ in words], column: scheme(words)})
    if hard and n > 2:
        recs[-1] = dict(recs[n // 2])
    return recs


# The first paragraphs of every QA file, in characters: (context, padding before the question). Real XQuAD has
# contexts of several 384-token windows and questions of 265 tokens; the rest of a file stays short. Counted in
# characters, so that Chinese and Thai, whose sentences are short, get as much text as the others.
LONG_QA = ((4000, 0), (2500, 1000), (400, 600))


def sentences_for(lang: str, chars: int) -> int:
    """How many sentences of `lang` make about `chars` characters."""
    lex = lexicon(lang)
    one = lex["place"].format(**{k: lex[k][0] for k in SLOTS}) + lex["end"]
    return -(-chars // (len(one) + (lang not in UNSPACED)))


def gen_squad(lang, split, n, rng, prefix="", unanswerable=0.0):
    """Paragraphs of 1-3 questions, half of them `hard` (qa_paragraph), opened by the LONG_QA ones; the last row
    repeats a middle one under its own id."""
    recs, p = [], -1
    while len(recs) < n:
        p += 1
        chars, padding = LONG_QA[p] if p < len(LONG_QA) else (0, 0)
        context, qas = qa_paragraph(lang, rng, sentences_for(lang, chars) if chars else rng.randint(3, 12),
                                    1 if padding else rng.choice([1, 1, 2, 3]), hard=p < len(LONG_QA) or rng.random() < 0.5,
                                    question_padding=sentences_for(lang, padding) if padding else 0)
        for question, answer, start in qas:
            answers = {"text": [answer], "answer_start": [start]}
            if rng.random() < unanswerable:
                question, answers = sentence(lang, "neg", rng) + "?", {"text": [], "answer_start": []}
            recs.append({"id": f"{prefix}{lang}-{split}-{len(recs)}", "title": "sample", "context": context,
                         "question": question, "answers": answers})
    recs = recs[:n]
    if n > 2:
        recs[-1] = {**recs[n // 2], "id": recs[-1]["id"]}
    return recs


def gen_choices(lang, rng, k):
    """A premise and k candidate continuations; the right one continues the premise's subject and verb."""
    slots = _pick(lang, rng, {})
    premise = sentence(lang, "core", rng, **slots)
    right = sentence(lang, "place", rng, **slots)
    wrong = [sentence(lang, "neg", rng, **slots)] + [sentence(lang, "place", rng) for _ in range(k)]
    choices = wrong[:k - 1]
    label = rng.randrange(k)
    choices.insert(label, right)
    return premise, choices, label


def gen_mc(lang, split, n, rng, task):
    recs = []
    for i in range(n):
        k = {"hellaswag": 4, "cosmosqa": 4, "commonsenseqa": 5, "siqa": 3, "copa": 2, "xcopa": 2}[task]
        premise, choices, label = gen_choices(lang, rng, k)
        question = rng.choice(["cause", "effect"])
        if task == "hellaswag":
            recs.append({"ind": i, "activity_label": "sample", "ctx_a": premise, "ctx_b": "", "ctx": premise,
                         "endings": choices, "source_id": f"sample~{i}", "split": split, "split_type": "indomain",
                         "label": str(label)})
        elif task == "cosmosqa":
            recs.append({"id": f"{split}-{i}", "context": premise, "question": "What happens next?",
                         **{f"answer{j}": c for j, c in enumerate(choices)}, "label": label})
        elif task == "commonsenseqa":
            recs.append({"id": f"{split}-{i}", "question": premise, "question_concept": "sample",
                         "choices": {"label": list("ABCDE"), "text": choices}, "answerKey": "ABCDE"[label]})
        elif task == "siqa":
            recs.append({"context": premise, "question": "What happens next?", "answerA": choices[0],
                         "answerB": choices[1], "answerC": choices[2], "label": str(label + 1)})
        else:  # copa, xcopa
            recs.append({"premise": premise, "choice1": choices[0], "choice2": choices[1], "question": question,
                         "idx": i, "label": label, **({"changed": False} if task == "xcopa" else {})})
    return recs


def gen_retrieval(lang, split, n, rng, bucc):
    """Parallel sentences. BUCC's gold pairs (ids in the *_lang columns) repeat, as the real files do: every 20th
    row has the sentences of the row 10 before it under new ids, in both languages."""
    recs, seen = [], set()
    for i in range(n):
        src, trg = parallel((lang, "en"), rng)
        while bucc and (src in seen or trg in seen):  # no repeat but the deliberate ones
            src, trg = parallel((lang, "en"), rng)
        seen.update((src, trg))
        if bucc and i % 20 == 19:
            src, trg = recs[i - 10]["source_sentence"], recs[i - 10]["target_sentence"]
        if bucc:
            recs.append({"source_sentence": src, "target_sentence": trg, "source_lang": f"{lang}-{split}-{i:06d}",
                         "target_lang": f"en-{split}-{i:06d}"})
        else:  # tatoeba keeps a trailing newline
            recs.append({"source_sentence": src + "\n", "target_sentence": trg + "\n", "source_lang": lang,
                         "target_lang": "en"})
    return recs


def write_bucc_original(root, lang: str = "de", n_pairs: int = 30, n_distractors: int = 40,
                        n_repeats: int = 3) -> Path:
    """BUCC 2018 in its original files, as data.bucc_original reads them (`--data root`):
    root/bucc2018/<lang>-en/<lang>-en.<sample|training>.{<lang>,en,gold}, lines "id<TAB>sentence" in random
    order, ids "<lang>-000000001" numbered in that order. Per split, with sentences repeated under two ids as the
    real files have them:
      - `n_pairs` gold pairs of parallel sentences;
      - the first `n_repeats` of them again in both files under new ids, also gold (a sentence, two ids, two
        gold pairs);
      - the next `n_repeats` gold sentences of <lang> once more in the <lang> file, unpaired;
      - `n_distractors` unpaired sentences in each file, none a translation of a sentence of the other file,
        the first of them twice.
    So the <lang> file has n_pairs + 2 * n_repeats + n_distractors + 1 lines, the en file n_pairs + n_repeats +
    n_distractors + 1 and the gold file n_pairs + n_repeats. Returns root."""
    folder = Path(root) / "bucc2018" / f"{lang}-en"
    folder.mkdir(parents=True, exist_ok=True)
    for split in ("sample", "training"):
        rng = _rng("bucc-original", lang, split)
        sources, targets, meanings = set(), set(), set()  # meanings: the English of every source sentence

        def draw():
            while True:
                s, t = parallel((lang, "en"), rng)
                if s not in sources and t not in targets and t not in meanings:
                    return s, t

        gold = []
        for _ in range(n_pairs):
            s, t = draw()
            sources.add(s), targets.add(t), meanings.add(t)
            gold.append((s, t))
        src_distract, trg_distract = [], []
        for _ in range(n_distractors):
            s, t = draw()
            sources.add(s), meanings.add(t)
            src_distract.append(s)
        for _ in range(n_distractors):
            s, t = draw()  # its source side is in no file
            targets.add(t)
            trg_distract.append(t)
        src = [(s, ("gold", i)) for i, (s, _) in enumerate(gold)] + \
            [(gold[i][0], ("again", i)) for i in range(n_repeats)] + \
            [(gold[i][0], None) for i in range(n_repeats, 2 * n_repeats)] + \
            [(s, None) for s in src_distract + src_distract[:1]]
        trg = [(t, ("gold", i)) for i, (_, t) in enumerate(gold)] + \
            [(gold[i][1], ("again", i)) for i in range(n_repeats)] + [(t, None) for t in trg_distract + trg_distract[:1]]
        ids = {}
        for prefix, rows in ((lang, src), ("en", trg)):
            rng.shuffle(rows)
            lines = []
            for k, (text, key) in enumerate(rows, 1):
                lines.append(f"{prefix}-{k:09d}\t{text}\n")
                if key:
                    ids.setdefault(key, []).append(f"{prefix}-{k:09d}")
            (folder / f"{lang}-en.{split}.{'en' if prefix == 'en' else lang}").write_text("".join(lines), "utf-8")
        pairs = sorted(tuple(both) for both in ids.values())
        (folder / f"{lang}-en.{split}.gold").write_text("".join(f"{s}\t{t}\n" for s, t in pairs), "utf-8")
    return Path(root)


NLI_COLUMNS = dict(premise="str", hypothesis="str", label=NLI_LABELS)
SQUAD_FEATURES = dict(id="str", title="str", context="str", question="str", answers={"text": ["str"],
                                                                                     "answer_start": ["int"]})
# task -> (generator, features); generators take (lang, split, n, rng)
GENERATORS = {
    "mnli": (lambda lang, split, n, rng: gen_nli(lang, split, n, rng, extra=lambda i: {"idx": i}),
             dict(**NLI_COLUMNS, idx="int")),
    "snli": (gen_nli, NLI_COLUMNS),
    "anli": (lambda lang, split, n, rng: gen_nli(lang, split, n, rng,
                                                 extra=lambda i: {"uid": f"{split}-{i}", "reason": ""}),
             dict(uid="str", **NLI_COLUMNS, reason="str")),
    "xnli_mt": (gen_nli, NLI_COLUMNS),
    "xnli": (lambda lang, split, n, rng: gen_nli(lang, split, n, rng, ("sentence1", "sentence2", "gold_label"), "str",
                                                 extra=lambda i: {"language": lang}),
             dict(sentence1="str", sentence2="str", gold_label="str", language="str")),
    "qqp": (gen_qqp, dict(question1="str", question2="str", label=("not_duplicate", "duplicate"), idx="int")),
    "pawsx": (gen_pawsx, dict(sentence1="str", sentence2="str", label="str")),
    "udpos": (lambda lang, split, n, rng: gen_tagging(lang, split, n, rng, pos_tags, "pos_tags"),
              dict(tokens=["str"], pos_tags=[UPOS])),
    "panx": (lambda lang, split, n, rng: [{**r, "langs": [lang] * len(r["tokens"])} for r in
                                          gen_tagging(lang, split, n, rng, ner_tags, "ner_tags")],
             dict(tokens=["str"], ner_tags=[NER], langs=["str"])),
    "ccg": (lambda lang, split, n, rng: gen_tagging(lang, split, n, rng, ccg_tags, "tags", hard=False),
            dict(tokens=["str"], tags=["str"])),
    "squad": (gen_squad, SQUAD_FEATURES),
    "squad_v2": (lambda lang, split, n, rng: gen_squad(lang, split, n, rng, unanswerable=0.3), SQUAD_FEATURES),
    "xquad": (gen_squad, SQUAD_FEATURES),
    "mlqa": (gen_squad, SQUAD_FEATURES),
    "tydiqa": (lambda lang, split, n, rng: gen_squad(lang, split, n, rng,
                                                     prefix=LANGUAGES[lang][0].lower() + "-"),
               SQUAD_FEATURES),
    "hellaswag": (lambda *a: gen_mc(*a, "hellaswag"),
                  dict(ind="int", activity_label="str", ctx_a="str", ctx_b="str", ctx="str", endings=["str"],
                       source_id="str", split="str", split_type="str", label="str")),
    "cosmosqa": (lambda *a: gen_mc(*a, "cosmosqa"),
                 dict(id="str", context="str", question="str", answer0="str", answer1="str", answer2="str",
                      answer3="str", label="int")),
    "commonsenseqa": (lambda *a: gen_mc(*a, "commonsenseqa"),
                      dict(id="str", question="str", question_concept="str", choices={"label": ["str"], "text": ["str"]},
                           answerKey="str")),
    "siqa": (lambda *a: gen_mc(*a, "siqa"),
             dict(context="str", question="str", answerA="str", answerB="str", answerC="str", label="str")),
    "copa": (lambda *a: gen_mc(*a, "copa"),
             dict(premise="str", choice1="str", choice2="str", question="str", idx="int", label=("choice1", "choice2"))),
    "xcopa": (lambda *a: gen_mc(*a, "xcopa"),
              dict(premise="str", choice1="str", choice2="str", question="str", idx="int", label="int", changed="bool")),
    "bucc2018": (lambda lang, split, n, rng: gen_retrieval(lang, split, n, rng, bucc=True),
                 dict(source_sentence="str", target_sentence="str", source_lang="str", target_lang="str")),
    "tatoeba": (lambda lang, split, n, rng: gen_retrieval(lang, split, n, rng, bucc=False),
                dict(source_sentence="str", target_sentence="str", source_lang="str", target_lang="str")),
    "mlm": (lambda lang, split, n, rng: [{"text": sentence(lang, rng.choice(["core", "place", "time", "neg"]), rng)}
                                         for _ in range(n)], dict(text="str")),
}
ENGLISH_ONLY_TRAIN = {"udpos", "panx", "tydiqa"}  # sample train splits only in English (the hub has more)
SAME_FILES = {"pawsx_mt": "pawsx"}  # tasks that read files another task's generator writes


def harden(spec, records: list[dict], lang: str, rng: random.Random) -> list[dict]:
    """Sentence-pair and multiple-choice targets as real data has them: one text of a row in five decorated
    (`decorate`), and the last row a repeat of the middle one (its own id, if it has one)."""
    columns = [c for key in ("text_a", "text_b", "premise", "choices") for c in spec.columns.get(key, "").split(",")
               if c and isinstance(records[0].get(c), str)]
    for record in records:
        if rng.random() < 0.2:
            column = rng.choice(columns)
            record[column] = decorate(record[column], lang, rng)
    if len(records) > 2:
        ids = {k: records[-1][k] for k in ("id", "idx", "uid", "ind") if k in records[-1]}
        records[-1] = {**records[len(records) // 2], **ids}
    return records


def write_task(name: str, root: Path) -> None:
    """Every split of every language of a task, in its hub layout under `root`."""
    import datasets

    spec = TASKS[name]
    generate, columns = GENERATORS[name]
    features = _features(**columns)
    per_lang = "{" in spec.source.config
    files: dict[Path, list[dict]] = {}
    source_splits = {name: ours for ours, theirs in spec.source.splits.items() for name in theirs.split("+")}
    for source_split, ours in source_splits.items():
        for lang in spec.languages:
            english_only = name in ENGLISH_ONLY_TRAIN or (spec.role == "target" and name != "pawsx")
            if ours == "train" and lang != "en" and english_only:
                continue
            if not spec.source.has_split(ours, lang):
                continue  # as on the hub (UD-POS has no dev split in kk, th, tl, yo)
            n = MNLI_TRAIN if (name == "mnli" and ours == "train") else SIZES[ours]
            path = root / spec.source.repo / spec.source.config_for(lang if per_lang else None) / \
                f"{source_split}-00000-of-00001.parquet"
            rng = _rng(name, source_split, lang)
            records = generate(lang, source_split, n, rng)
            if spec.role == "target" and spec.type in ("pair_classification", "multiple_choice"):
                records = harden(spec, records, lang, rng)
            files.setdefault(path, []).extend(records)
    for path, records in files.items():
        path.parent.mkdir(parents=True, exist_ok=True)
        datasets.Dataset.from_dict(_columns(records), features=features).to_parquet(str(path))


def sample_data_dir() -> Path:
    """The directory of generated sample data, created on first use (safe when several processes race)."""
    final = cache_dir() / "sample-data" / SAMPLE_VERSION
    if not final.exists():
        import datasets

        datasets.disable_progress_bars()
        with atomic_dir(final) as tmp:
            for name in TASKS:
                if name not in SAME_FILES:
                    write_task(name, tmp)
    return final
