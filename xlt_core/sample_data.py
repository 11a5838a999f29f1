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


def sentence(lang: str, pattern: str, rng: random.Random, **slots) -> str:
    """One sentence of `lang` from a pattern name (core, place, time, neg) with random or given slot fillers."""
    lex = LEXICON[lang]
    fill = {k: slots.get(k) or rng.choice(lex[k]) for k in ("s", "v", "o", "p", "t")}
    if pattern == "neg":
        fill["core"] = lex["core"].format(**fill)
    text = lex[pattern].format(**fill)
    return text[0].upper() + text[1:] + lex["end"]


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


def corpus(n_per_language: int = 400) -> list[str]:
    """Multilingual text for training the tiny tokenizer and pretraining the tiny encoder."""
    out = []
    for lang in LEXICON:
        rng = _rng("corpus", lang)
        for _ in range(n_per_language):
            out.append(sentence(lang, rng.choice(["core", "place", "time", "neg"]), rng))
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
