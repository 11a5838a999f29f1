"""The embedded sample data: small datasets generated from `lexicon.LEXICON`, written in the exact schema and file
layout of the hub datasets (`<repo>/<config>/<split>-00000-of-00001.parquet`, with the `datasets` features stored
in the Parquet metadata, as on the hub). They load through the same code as the real data.
"""

from __future__ import annotations

import random
import zlib
from pathlib import Path

from .lexicon import LEXICON
from .paths import atomic_dir, cache_dir
from .tasks import NLI_LABELS, TASKS

SAMPLE_VERSION = "sample-v1"  # bump whenever generated content changes: it is the data revision of sample runs

# rows per split; XNLI's are per language
SIZES = {"mnli": {"train": 3000, "validation_matched": 300, "validation_mismatched": 300},
         "xnli": {"validation": 100, "test": 200}}


def _rng(*key) -> random.Random:
    return random.Random(zlib.crc32("/".join(map(str, key)).encode()))


def _fill(lang: str, pattern: str, rng: random.Random, mark: str = "", **slots) -> str:
    lex = LEXICON[lang]
    fill = {k: mark + (slots.get(k) or rng.choice(lex[k])) + mark for k in ("s", "v", "o", "p", "t")}
    if pattern == "neg":
        fill["core"] = lex["core"].format(**fill)
    text = lex[pattern].format(**fill)
    return text[0].upper() + text[1:] + mark + lex["end"] if not mark else text + mark + lex["end"]


def sentence(lang: str, pattern: str, rng: random.Random, **slots) -> str:
    """One sentence of `lang` from a pattern name (core, place, time, neg) with random or given slot fillers."""
    return _fill(lang, pattern, rng, **slots)


def segmented_sentence(lang: str, pattern: str, rng: random.Random) -> str:
    """A sentence as words with SentencePiece's word marks written in ("▁the ▁teacher ▁reads"). Chinese and
    Thai are written without spaces: their words are separated here (for training the tokenizer only) and only
    the first carries "▁", as in the unsegmented text the tokenizer will see. No learnt piece can then span two
    words, so answer and word boundaries fall on token boundaries, as they mostly do with XLM-R's vocabulary."""
    mark = "\x00"
    text = _fill(lang, pattern, rng, mark=mark)
    text = text[:1].upper() + text[1:] if not text.startswith(mark) else mark + text[1:2].upper() + text[2:]
    if lang in ("zh", "th"):
        return "▁" + " ".join(w for chunk in text.split(mark) for w in chunk.split())
    return " ".join("▁" + w for w in text.replace(mark, " ").split())


def nli_pair(lang: str, rng: random.Random) -> tuple[str, str, str]:
    """(premise, hypothesis, label name). The hypothesis drops a phrase (entailment), adds a new one (neutral) or
    negates the premise's core (contradiction)."""
    lex = LEXICON[lang]
    slots = {k: rng.choice(lex[k]) for k in ("s", "v", "o", "p", "t")}
    label = rng.choice(NLI_LABELS)
    shown = rng.choice(["place", "time"])
    premise = sentence(lang, shown, rng, **slots)
    other = "time" if shown == "place" else "place"
    hypothesis = sentence(lang, {"entailment": "core", "neutral": other, "contradiction": "neg"}[label], rng, **slots)
    return premise, hypothesis, label


def qa_example(lang: str, rng: random.Random, n_sentences: int = 5) -> tuple[str, str, str, int]:
    """(context, question, answer text, answer start). The context's sentences have distinct subject-verb pairs;
    the question is one of them with its object replaced by '?', the answer is that object."""
    lex = LEXICON[lang]
    pairs = rng.sample([(s, v) for s in lex["s"] for v in lex["v"]], n_sentences)
    parts, spans = [], []
    sep = "" if lang in ("zh", "th") else " "
    offset = 0
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


def corpus(n_per_language: int = 400, segmented: bool = False) -> list[str]:
    """Multilingual text (every XNLI language) for the tiny tokenizer (segmented) and encoder."""
    render = segmented_sentence if segmented else sentence
    out = []
    for lang in LEXICON:
        rng = _rng("corpus", lang)
        for _ in range(n_per_language):
            out.append(render(lang, rng.choice(["core", "place", "time", "neg"]), rng))
    return out


def _write(rows: dict, features, path: Path) -> None:
    import datasets

    path.parent.mkdir(parents=True, exist_ok=True)
    datasets.Dataset.from_dict(rows, features=features).to_parquet(str(path))


def _write_mnli(root: Path) -> None:
    import datasets

    features = datasets.Features({
        "premise": datasets.Value("string"), "hypothesis": datasets.Value("string"),
        "label": datasets.ClassLabel(names=list(NLI_LABELS)), "idx": datasets.Value("int32"),
    })
    src = TASKS["mnli"].source
    for split, n in SIZES["mnli"].items():
        rng = _rng("mnli", split)
        pairs = [nli_pair("en", rng) for _ in range(n)]
        rows = {"premise": [p for p, _, _ in pairs], "hypothesis": [h for _, h, _ in pairs],
                "label": [NLI_LABELS.index(lab) for _, _, lab in pairs], "idx": list(range(n))}
        _write(rows, features, root / src.repo / src.config / f"{split}-00000-of-00001.parquet")


def _write_xnli(root: Path) -> None:
    import datasets

    features = datasets.Features({
        "language": datasets.Value("string"), "sentence1": datasets.Value("string"),
        "sentence2": datasets.Value("string"), "gold_label": datasets.Value("string"),
    })
    spec = TASKS["xnli"]
    for split, n in SIZES["xnli"].items():
        rows = {"language": [], "sentence1": [], "sentence2": [], "gold_label": []}
        for lang in spec.languages:
            rng = _rng("xnli", split, lang)
            for _ in range(n):
                p, h, lab = nli_pair(lang, rng)
                for col, val in zip(("language", "sentence1", "sentence2", "gold_label"), (lang, p, h, lab)):
                    rows[col].append(val)
        _write(rows, features, root / spec.source.repo / spec.source.config / f"{split}-00000-of-00001.parquet")


WRITERS = {"mnli": _write_mnli, "xnli": _write_xnli}


def sample_data_dir() -> Path:
    """The directory of generated sample data, created on first use (safe when several processes race)."""
    final = cache_dir() / "sample-data" / SAMPLE_VERSION
    if not final.exists():
        with atomic_dir(final) as tmp:
            for write in WRITERS.values():
                write(tmp)
    return final
