"""Encoders and heads: the tiny offline XLM-R, pretrained encoders through `from_pretrained` (with a check that
every weight really loaded), one head per task on a shared encoder, and save/load as safetensors."""

from __future__ import annotations

import functools
import json
import string
import zlib
from pathlib import Path

import torch
from torch import nn

from .config import TINY_SHAPE
from .errors import XltError
from .paths import atomic_dir, cache_dir
from .tasks import TaskSpec

TINY_VERSION = "xlt-tiny-v6"  # bump when the tiny model's recipe changes
SPECIAL_TOKENS = ["<s>", "<pad>", "</s>", "<unk>"]  # XLM-R's ids 0-3; <mask> takes the last id, as in XLM-R
# an upper bound: the trainer stops where the sample corpus supports no more pieces (about 3,400)
TINY_VOCAB = 8000
# characters per piece, "▁" included: the sample text repeats a few words, so longer pieces would be whole
# Chinese phrases (at 8, 0.5 pieces per word); at 5 a Chinese word is about one piece, some crossing word
# boundaries, and a word of a spaced language 2 to 3.4 pieces
TINY_MAX_PIECE = 5
# always in the vocabulary, seen in the corpus or not: digits and the punctuation of the scripts of the tasks
ALWAYS_KNOWN = string.digits + string.punctuation + "«»“”‘’–—…·、。，．！？；：「」『』（）《》【】،؛؟٪۔।॥"
# the letters of the scripts of the tasks' languages (Unicode blocks), added as single characters after training:
# real text the sample corpus never showed (--model tiny --data hub) is read letter by letter where it must, never
# as <unk>. Han and Hangul syllables: the common characters only, the first levels of the national standards (GB
# 2312: 3,755 hanzi, JIS X 0208: 2,965 kanji, KS X 1001: 2,350 syllables), not the 32,000 of their whole blocks,
# which would make the tiny model's embeddings 3 times larger. The sample data's deliberately unseen characters
# stay unknown.
SCRIPT_BLOCKS = {"Latin": ((0x41, 0x5A), (0x61, 0x7A), (0xC0, 0x24F), (0x1E00, 0x1EFF)),
                 "combining marks": ((0x300, 0x36F),), "Greek": ((0x370, 0x3FF),), "Cyrillic": ((0x400, 0x4FF),),
                 "Hebrew": ((0x590, 0x5FF),), "Arabic": ((0x600, 0x6FF), (0x750, 0x77F)),
                 "Devanagari": ((0x900, 0x97F),), "Bengali": ((0x980, 0x9FF),), "Tamil": ((0xB80, 0xBFF),),
                 "Telugu": ((0xC00, 0xC7F),), "Malayalam": ((0xD00, 0xD7F),), "Thai": ((0xE00, 0xE7F),),
                 "Myanmar": ((0x1000, 0x109F),), "Georgian": ((0x10A0, 0x10FF),),
                 "Hangul jamo": ((0x1100, 0x11FF), (0x3130, 0x318F)), "Kana": ((0x3040, 0x30FF),)}
# codec, first and last code of the standard's first level (two bytes, rows of 0xA1-0xFE)
COMMON_LEVELS = {"Han (GB 2312)": ("gb2312", 0xB0A1, 0xD7F9), "Han (JIS X 0208)": ("euc_jp", 0xB0A1, 0xCFD3),
                 "Hangul (KS X 1001)": ("euc_kr", 0xB0A1, 0xC8FE)}


def common_characters(codec: str, first: int, last: int) -> list[str]:
    """The characters of a two-byte national standard's first level, decoded code by code."""
    out = []
    for code in range(first, last + 1):
        try:
            out.append(code.to_bytes(2, "big").decode(codec))
        except UnicodeDecodeError:  # a cell the standard leaves empty, or a second byte outside 0xA1-0xFE
            pass
    return [c for c in out if len(c) == 1]


def script_letters() -> list[str]:
    """Every assigned character of SCRIPT_BLOCKS and COMMON_LEVELS but the sample data's unseen ones, in code
    point order."""
    import unicodedata

    from .lexicon import UNSEEN

    chars = [chr(c) for ranges in SCRIPT_BLOCKS.values() for lo, hi in ranges for c in range(lo, hi + 1)]
    chars += [c for level in COMMON_LEVELS.values() for c in common_characters(*level)]
    return sorted({c for c in chars if unicodedata.category(c) != "Cn" and c not in UNSEEN})


# the embedded tiny model -------------------------------------------------------------------------------------
def train_tiny_tokenizer(texts: list[str], vocab_size: int = TINY_VOCAB, max_piece_length: int = TINY_MAX_PIECE):
    """A SentencePiece Unigram tokenizer made as XLM-R's is: trained with `tokenizers` over raw text (no word
    segmentation, so Chinese and Thai pieces may cross word boundaries), split on whitespace then Metaspace
    ("▁", prepended to every word), <unk> at id 3, <mask> last, <s> A </s></s> B </s>, with offsets. It is XLM-R's
    own fast tokenizer class over the trained pieces, so it reloads through `AutoTokenizer.from_pretrained`
    unchanged. A character outside the vocabulary becomes <unk> on its own, its neighbours keep their pieces
    (a run of several unknown characters is one <unk>, as in SentencePiece). Unlike XLM-R's there is no NFKC-like
    normaliser: text is read as written."""
    from tokenizers import Tokenizer, models, pre_tokenizers, trainers
    from transformers import XLMRobertaTokenizer

    tok = Tokenizer(models.Unigram())
    tok.pre_tokenizer = pre_tokenizers.Sequence([pre_tokenizers.WhitespaceSplit(),
                                                 pre_tokenizers.Metaspace(replacement="▁", prepend_scheme="always")])
    trainer = trainers.UnigramTrainer(vocab_size=vocab_size, special_tokens=SPECIAL_TOKENS, unk_token="<unk>",
                                      initial_alphabet=list(ALWAYS_KNOWN), max_piece_length=max_piece_length,
                                      show_progress=False)
    tok.train_from_iterator(texts, trainer)
    vocab = [tuple(x) for x in json.loads(tok.to_str())["model"]["vocab"]]
    pieces = canonical_pieces(vocab[len(SPECIAL_TOKENS):])
    known, floor = {p for p, _ in pieces}, min(score for _, score in pieces) - 1.0
    pieces += [(c, floor) for c in script_letters() if c not in known]  # below every trained piece
    return XLMRobertaTokenizer(vocab=vocab[:len(SPECIAL_TOKENS)] + pieces + [("<mask>", 0.0)])


def canonical_pieces(pieces: list[tuple[str, float]]) -> list[tuple[str, float]]:
    """Trained pieces in an order, and with scores, that do not change from run to run. The trainer gives each
    character it must keep but did not select the lowest score plus 0.0001 per character, counted in hash order,
    and sums in parallel (scores vary in their last digits): those characters are renumbered in code point order,
    the other scores rounded to 9 decimals, and all sorted by score, then piece."""
    low = min(s for _, s in pieces)
    singles = sorted((s, p) for p, s in pieces if len(p) == 1 and s < low + 0.5)
    kept = []  # the chain low, low + 0.0001, low + 0.0002, ... of characters the trainer added
    for s, p in singles:
        if s > low + 0.0001 * len(kept) + 1e-7:
            break
        kept.append(p)
    added = set(kept)
    out = [(p, round(s, 9)) for p, s in pieces if p not in added]
    out += [(p, round(low + 0.0001 * i, 9)) for i, p in enumerate(sorted(added))]
    return sorted(out, key=lambda x: (-x[1], x[0]))


@functools.lru_cache(maxsize=1)
def _tiny_corpus() -> tuple[str, list[str]]:
    """The tokenizer's training text and its checksum (part of the cache key: a change to the sample lexicon
    gives a new tokenizer, never a stale one)."""
    from .sample_data import corpus

    texts = corpus()
    return f"{zlib.crc32(chr(10).join(texts).encode()):08x}", texts


def tiny_model_dir() -> Path:
    """The embedded default: tokenizer trained on the generated multilingual corpus and a randomly initialised
    XLM-R-architecture encoder (seed 0), saved once in the cache and then loaded like any pretrained model."""
    digest, texts = _tiny_corpus()
    final = cache_dir() / "models" / f"{TINY_VERSION}-{digest}"
    if (final / "config.json").exists():
        return final
    from transformers import XLMRobertaConfig, XLMRobertaModel

    tokenizer = train_tiny_tokenizer(texts)
    config = XLMRobertaConfig(vocab_size=len(tokenizer), pad_token_id=tokenizer.pad_token_id,
                              bos_token_id=tokenizer.bos_token_id, eos_token_id=tokenizer.eos_token_id,
                              type_vocab_size=1, **TINY_SHAPE)
    torch.manual_seed(0)
    encoder = XLMRobertaModel(config, add_pooling_layer=False)
    with atomic_dir(final) as tmp:
        tokenizer.save_pretrained(tmp)
        encoder.save_pretrained(tmp)
    return final


def model_path(model: str) -> str:
    return str(tiny_model_dir()) if model == "tiny" else model


# loading -------------------------------------------------------------------------------------------------------
def _from_pretrained(cls, name: str, **kwargs):
    from .hub import cached_or_online

    if Path(name).is_dir():
        return cls.from_pretrained(name, **kwargs)
    return cached_or_online(lambda cache_only: cls.from_pretrained(name, local_files_only=cache_only, **kwargs),
                            name, "model")


def load_tokenizer(model: str):
    from transformers import AutoTokenizer

    return _from_pretrained(AutoTokenizer, model_path(model))


def check_loading(info: dict, name: str) -> None:
    """Fail loudly when pretrained weights did not load (jiant v2.2.0 silently trained random XLM-R weights)."""
    missing = [k for k in info.get("missing_keys", []) if "position_ids" not in k]
    mismatched = info.get("mismatched_keys", [])
    if missing or mismatched:
        bad = (missing or [m[0] for m in mismatched])
        raise XltError(f"encoder {name!r}: {len(bad)} weight(s) not loaded from the checkpoint, e.g. {bad[0]!r}: "
                       "refusing to train randomly initialised weights")


def load_encoder(model: str):
    from transformers import AutoModel

    name = model_path(model)
    try:
        encoder, info = _from_pretrained(AutoModel, name, add_pooling_layer=False, output_loading_info=True)
    except TypeError as err:  # encoders without a pooler (DeBERTa-v2/v3) take no such option
        if "add_pooling_layer" not in str(err):
            raise
        encoder, info = _from_pretrained(AutoModel, name, output_loading_info=True)
    check_loading(info, name)
    return encoder


# the multi-head model -------------------------------------------------------------------------------------------
class TaskModel(nn.Module):
    """One shared encoder, one head per task (its kind chosen by the task type). Only the encoder passes from
    stage to stage. `heads` maps a task name to (task type, label names)."""

    def __init__(self, encoder, heads: dict[str, tuple[str, list[str]]]):
        from .tasktypes import TYPES

        super().__init__()
        self.encoder = encoder
        self.head_specs = {name: (kind, list(labels)) for name, (kind, labels) in heads.items()}
        from .tasktypes import MLMHead

        hidden = encoder.config.hidden_size
        self.heads = nn.ModuleDict({name: MLMHead(encoder.get_input_embeddings()) if kind == "mlm" else
                                    TYPES[kind].head(hidden, max(1, len(labels))) for name, (kind, labels) in heads.items()})

    @classmethod
    def for_task(cls, encoder, spec: TaskSpec, label_names=None) -> "TaskModel":
        return cls(encoder, {spec.name: (spec.type, list(label_names or spec.label_names))})

    def forward(self, task: str, batch: dict):
        hidden = self.encoder(input_ids=batch["input_ids"], attention_mask=batch["attention_mask"]).last_hidden_state
        return self.heads[task](hidden, batch)


def save_task_model(model: TaskModel, tokenizer, folder: Path) -> None:
    """<folder>/encoder (a from_pretrained-loadable encoder + tokenizer), heads.safetensors, heads.json."""
    from safetensors.torch import save_file

    folder = Path(folder)
    model.encoder.save_pretrained(folder / "encoder")
    tokenizer.save_pretrained(folder / "encoder")
    kept = {name: spec for name, spec in model.head_specs.items() if spec[0] != "mlm"}  # MLM is a training aid
    state = {k: v.detach().contiguous().cpu() for k, v in model.heads.state_dict().items() if k.split(".")[0] in kept}
    save_file(state, str(folder / "heads.safetensors"))
    (folder / "heads.json").write_text(json.dumps(
        {name: {"type": kind, "label_names": labels} for name, (kind, labels) in kept.items()}, indent=1))


def load_task_model(folder: Path) -> TaskModel:
    from safetensors.torch import load_file

    folder = Path(folder)
    heads = json.loads((folder / "heads.json").read_text())
    model = TaskModel(load_encoder(str(folder / "encoder")),
                      {name: (h["type"], h["label_names"]) for name, h in heads.items()})
    model.heads.load_state_dict(load_file(str(folder / "heads.safetensors")), strict=True)
    return model
