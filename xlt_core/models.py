"""Encoders and heads: the tiny offline XLM-R, pretrained encoders through `from_pretrained` (with a check that
every weight really loaded), one head per task on a shared encoder, and save/load as safetensors."""

from __future__ import annotations

import json
from pathlib import Path

import torch
from torch import nn

from .errors import XltError
from .paths import atomic_dir, cache_dir
from .tasks import TASKS, TaskSpec

TINY_VERSION = "xlt-tiny-v2"  # bump when the tiny model's recipe changes
TINY_SHAPE = dict(hidden_size=64, num_hidden_layers=2, num_attention_heads=4, intermediate_size=256,
                  max_position_embeddings=258)
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


# heads and the multi-head model ---------------------------------------------------------------------------------
class ClassificationHead(nn.Module):
    """RoBERTa's sentence classification head over the first token (<s>)."""

    def __init__(self, hidden: int, num_labels: int, dropout: float = 0.1):
        super().__init__()
        self.dense = nn.Linear(hidden, hidden)
        self.dropout = nn.Dropout(dropout)
        self.out_proj = nn.Linear(hidden, num_labels)

    def forward(self, hidden_states: torch.Tensor) -> torch.Tensor:
        x = self.dropout(hidden_states[:, 0])
        x = self.dropout(torch.tanh(self.dense(x)))
        return self.out_proj(x)


HEADS = {"pair_classification": lambda hidden, spec: ClassificationHead(hidden, spec.num_labels)}


class TaskModel(nn.Module):
    """One shared encoder, one head per task. Only the encoder passes from stage to stage."""

    def __init__(self, encoder, tasks: list[TaskSpec]):
        super().__init__()
        self.encoder = encoder
        hidden = encoder.config.hidden_size
        self.heads = nn.ModuleDict({t.name: HEADS[t.type](hidden, t) for t in tasks})

    def forward(self, task: str, input_ids: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
        hidden = self.encoder(input_ids=input_ids, attention_mask=attention_mask).last_hidden_state
        return self.heads[task](hidden)


def save_task_model(model: TaskModel, tokenizer, folder: Path) -> None:
    """<folder>/encoder (a from_pretrained-loadable encoder + tokenizer), heads.safetensors, heads.json."""
    from safetensors.torch import save_file

    folder = Path(folder)
    model.encoder.save_pretrained(folder / "encoder")
    tokenizer.save_pretrained(folder / "encoder")
    state = {k: v.detach().contiguous().cpu() for k, v in model.heads.state_dict().items()}
    save_file(state, str(folder / "heads.safetensors"))
    (folder / "heads.json").write_text(json.dumps(sorted(model.heads.keys())))


def load_task_model(folder: Path) -> TaskModel:
    from safetensors.torch import load_file

    folder = Path(folder)
    encoder = load_encoder(str(folder / "encoder"))
    tasks = [TASKS[name] for name in json.loads((folder / "heads.json").read_text())]
    model = TaskModel(encoder, tasks)
    model.heads.load_state_dict(load_file(str(folder / "heads.safetensors")), strict=True)
    return model
