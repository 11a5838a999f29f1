"""The embedded sample data: small datasets generated from `lexicon`, written in the exact schema and file layout
of the hub datasets (`<repo>/<config>/<split>-00000-of-00001.parquet`, with the `datasets` features stored in the
Parquet metadata, as on the hub), for every task of `tasks.TASKS`. They load through the same code as real data.

Sentences built from the same slot indices are translations of each other: BUCC and Tatoeba get real parallel
sentences, and the tagging tasks get their tags from the slot each word fills.
"""

from __future__ import annotations

import random
import re
import zlib
from pathlib import Path

from .lexicon import lexicon
from .paths import atomic_dir, cache_dir
from .tasks import LANGUAGES, NER, NLI_LABELS, TASKS, UPOS

SAMPLE_VERSION = "sample-v2"  # bump whenever generated content changes: it is the data revision of sample runs
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


def qa_example(lang: str, rng: random.Random, n_sentences: int = 5) -> tuple[str, str, str, int]:
    """(context, question, answer text, answer start). The context's sentences have distinct subject-verb pairs;
    the question is one of them with its object replaced by '?', the answer is that object."""
    lex = lexicon(lang)
    pairs = rng.sample([(s, v) for s in lex["s"] for v in lex["v"]], n_sentences)
    sep = "" if lang in UNSPACED else " "
    parts, spans, offset = [], [], 0
    for s, v in pairs:
        o = rng.choice(lex["o"])
        text = sentence(lang, rng.choice(["core", "place", "time"]), rng, s=s, v=v, o=o)
        spans.append((o, offset + text.lower().index(o.lower())))
        parts.append(text)
        offset += len(text) + len(sep)
    context = sep.join(parts)
    k = rng.randrange(n_sentences)
    answer, start = spans[k]
    answer = context[start:start + len(answer)]  # as written in the context (capitalisation included)
    s, v = pairs[k]
    question = lex["core"].format(s=s, v=v, o="?").replace(" ?", "?") if sep else lex["core"].format(s=s, v=v, o="？")
    return context, question[0].upper() + question[1:], answer, start


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
                            "t": ("DET", "ADV", "ADV", "ADV"), "x": ("PART",) * 4, ".": ("PUNCT",) * 4})


def ner_tags(words):
    kind = {"s": "PER", "p": "LOC"}
    out, prev = [], None
    for w, slot in words:
        out.append("O" if slot not in kind else ("I-" if prev == slot else "B-") + kind[slot])
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


def gen_tagging(lang, split, n, rng, scheme, column):
    recs = []
    for _ in range(n):
        words = sum((tagged_words(lang, rng.choice(["core", "place", "time", "neg"]), rng)
                     for _ in range(rng.choice([1, 1, 2, 6]))), [])  # some long sentences: several windows
        tokens, tags = [w for w, _ in words], scheme(words)
        recs.append({"tokens": tokens, column: tags})
    return recs


def gen_squad(lang, split, n, rng, prefix="", unanswerable=0.0):
    recs = []
    for i in range(n):
        context, question, answer, start = qa_example(lang, rng, n_sentences=rng.randint(3, 12))
        answers = {"text": [answer], "answer_start": [start]}
        if rng.random() < unanswerable:
            question, answers = sentence(lang, "neg", rng) + "?", {"text": [], "answer_start": []}
        recs.append({"id": f"{prefix}{lang}-{split}-{i}", "title": "sample", "context": context, "question": question,
                     "answers": answers})
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
    recs = []
    for i in range(n):
        src, trg = parallel((lang, "en"), rng)
        if bucc:
            recs.append({"source_sentence": src, "target_sentence": trg, "source_lang": f"{lang}-{split}-{i:06d}",
                         "target_lang": f"en-{split}-{i:06d}"})
        else:  # tatoeba keeps a trailing newline
            recs.append({"source_sentence": src + "\n", "target_sentence": trg + "\n", "source_lang": lang,
                         "target_lang": "en"})
    return recs


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
    "ccg": (lambda lang, split, n, rng: gen_tagging(lang, split, n, rng, ccg_tags, "tags"),
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
            n = MNLI_TRAIN if (name == "mnli" and ours == "train") else SIZES[ours]
            path = root / spec.source.repo / spec.source.config_for(lang if per_lang else None) / \
                f"{source_split}-00000-of-00001.parquet"
            files.setdefault(path, []).extend(generate(lang, source_split, n, _rng(name, source_split, lang)))
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
