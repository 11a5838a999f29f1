"""Encoders and heads: the tiny offline XLM-R, pretrained encoders through `from_pretrained` (with a check that
every weight really loaded), one head per task on a shared encoder, and save/load as safetensors."""

from __future__ import annotations

import json
from pathlib import Path

import torch
from torch import nn

from .config import TINY_SHAPE
from .errors import XltError
from .paths import atomic_dir, cache_dir
from .tasks import TaskSpec

TINY_VERSION = "xlt-tiny-v2"  # bump when the tiny model's recipe changes
SPECIAL_TOKENS = ["<s>", "<pad>", "</s>", "<unk>", "<mask>"]  # XLM-R's ids 0-3, then <mask>


# the embedded tiny model -------------------------------------------------------------------------------------
def train_tiny_tokenizer(texts: list[str], vocab_size: int = 2000):
    """A SentencePiece-style Unigram tokenizer trained with `tokenizers` on words that already carry their "▁"
    marks (`sample_data.corpus(segmented=True)`), then wrapped exactly as XLM-R's (Metaspace pre-tokenizer,
    <s> A </s></s> B </s> template)."""
    from tokenizers import Tokenizer, models, pre_tokenizers, trainers
    from transformers import XLMRobertaTokenizer

    tok = Tokenizer(models.Unigram())
    tok.pre_tokenizer = pre_tokenizers.WhitespaceSplit()
    trainer = trainers.UnigramTrainer(vocab_size=vocab_size, special_tokens=SPECIAL_TOKENS, unk_token="<unk>",
                                      show_progress=False)
    tok.train_from_iterator(texts, trainer)
    vocab = [tuple(x) for x in json.loads(tok.to_str())["model"]["vocab"]]
    return XLMRobertaTokenizer(vocab=vocab)


def tiny_model_dir() -> Path:
    """The embedded default: tokenizer trained on the generated multilingual corpus and a randomly initialised
    XLM-R-architecture encoder (seed 0), saved once in the cache and then loaded like any pretrained model."""
    final = cache_dir() / "models" / TINY_VERSION
    if (final / "config.json").exists():
        return final
    from transformers import XLMRobertaConfig, XLMRobertaModel

    from .sample_data import corpus

    tokenizer = train_tiny_tokenizer(corpus(segmented=True))
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
    encoder, info = _from_pretrained(AutoModel, name, add_pooling_layer=False, output_loading_info=True)
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
