"""What a model is, read from its own config.json (never from the spelling of its name) and without loading
weights: its canonical name, size class, training preset, shape and exact parameter count.

The name given to `--model` may be `tiny` (the embedded model), a known id (`xlm-roberta-large`,
`FacebookAI/xlm-roberta-large`), any hub id, or a local folder. Where the config comes from:
  tiny          the embedded recipe (config.TINY_SHAPE); its vocabulary size once its tokenizer is built
  a folder      its config.json
  a known id    the table below (no download needed, so it also works offline)
  a hub id      config.json from the Hugging Face cache, or from the hub when it answers
Canonical name: a model that says it is a known one (its id is one of the known ids; a folder by its name, the
Hugging Face cache path it sits in or the `_name_or_path` of its config) and has that model's shape (model type,
layers, hidden, heads, FFN, vocabulary) takes that model's name, so `xlm-roberta-large`,
`FacebookAI/xlm-roberta-large` and a local copy of it are one model in the results. A model of the same shape that
does not say so (InfoXLM, a fine-tuned XLM-R, an xlt checkpoint) keeps the hub id it was given, or its folder's
name: it is a different model.
Size class: 24 layers x 1024 hidden is `large`, 12 x 768 `base`, the embedded shape (2 x 64) `tiny`; any other
shape is named by it, `L<layers>-H<hidden>` (Multilingual-MiniLM: `L12-H384`).
Preset (config.MODEL_PRESETS): the size class's, and the base preset for the shapes without one of their own.
Parameters: every weight of the encoder as xlt trains it (embeddings included, no pooler and no LM head).
"""

from __future__ import annotations

import functools
import json
from dataclasses import asdict, dataclass
from pathlib import Path

from .config import TINY_SHAPE, existing_dir
from .errors import XltError

_XLMR = dict(model_type="xlm-roberta", vocab_size=250002, max_position_embeddings=514, type_vocab_size=1,
             layer_norm_eps=1e-5, pad_token_id=1, bos_token_id=0, eos_token_id=2)
# canonical name -> (the ids that name it on the hub, old and new; its config's shape, as published with it)
KNOWN_MODELS = {
    "xlm-roberta-base": (("xlm-roberta-base", "FacebookAI/xlm-roberta-base"),
                         dict(_XLMR, num_hidden_layers=12, hidden_size=768, num_attention_heads=12,
                              intermediate_size=3072)),
    "xlm-roberta-large": (("xlm-roberta-large", "FacebookAI/xlm-roberta-large"),
                          dict(_XLMR, num_hidden_layers=24, hidden_size=1024, num_attention_heads=16,
                               intermediate_size=4096)),
    "bert-base-multilingual-cased": (("bert-base-multilingual-cased", "google-bert/bert-base-multilingual-cased"),
                                     dict(model_type="bert", vocab_size=119547, max_position_embeddings=512,
                                          type_vocab_size=2, num_hidden_layers=12, hidden_size=768,
                                          num_attention_heads=12, intermediate_size=3072)),
}
ALIASES = {alias: name for name, (aliases, _) in KNOWN_MODELS.items() for alias in aliases}
SIZE_CLASSES = {(TINY_SHAPE["num_hidden_layers"], TINY_SHAPE["hidden_size"]): "tiny", (12, 768): "base",
                (24, 1024): "large"}
SHAPE_KEYS = ("num_hidden_layers", "hidden_size", "num_attention_heads", "intermediate_size", "vocab_size",
              "max_position_embeddings", "type_vocab_size")
# encoders whose parameter count is a closed formula of the config (BERT's layout; RoBERTa's differs only in
# the position offset, which is in max_position_embeddings); others are counted on a weightless (meta) build
BERT_LAYOUT = ("bert", "roberta", "xlm-roberta", "camembert")


@dataclass(frozen=True)
class ModelInfo:
    name: str  # canonical: a known model's name, else the hub id given or the folder's name
    size: str  # tiny | base | large | L<layers>-H<hidden>
    preset: str  # the key of config.MODEL_PRESETS used for its training defaults
    model_type: str
    layers: int
    hidden: int
    heads: int | None
    intermediate: int | None
    vocab: int
    max_positions: int | None
    params: int

    def to_dict(self) -> dict:
        return asdict(self)


def size_class(layers: int, hidden: int) -> str:
    return SIZE_CLASSES.get((layers, hidden), f"L{layers}-H{hidden}")


def preset_name(size: str) -> str:
    from .config import MODEL_PRESETS

    return size if size in MODEL_PRESETS else "base"


def model_size(model: str) -> str:
    """The size class of `model`, without building the embedded model."""
    return "tiny" if model == "tiny" else identify(model).size


def model_shape(model: str) -> dict:
    """model_type, layers, hidden and FFN sizes and positions of `model`, without building the embedded model."""
    if model == "tiny":
        return {"model_type": "xlm-roberta", **TINY_SHAPE}
    info = identify(model)
    return {"model_type": info.model_type, "num_hidden_layers": info.layers, "hidden_size": info.hidden,
            "intermediate_size": info.intermediate, "max_position_embeddings": info.max_positions}


def identify(model: str) -> ModelInfo:
    """Everything `model` is, from its config (a folder's is reread when its config.json changes). Builds the
    embedded model the first time for `tiny` (its vocabulary is its trained tokenizer's)."""
    if model == "tiny":
        from .models import tiny_model_dir

        return describe(_read_config(tiny_model_dir() / "config.json", "tiny"), "tiny", "tiny")
    folder = existing_dir(model)
    if folder is not None:
        path = folder / "config.json"
        stamp = (path.stat().st_mtime_ns, path.stat().st_size) if path.is_file() else None
        return _identify_folder(str(folder.resolve()), stamp, model)
    return _identify_named(model)


@functools.lru_cache(maxsize=None)
def _identify_folder(folder: str, stamp, model: str) -> ModelInfo:
    config = read_config(model)
    return describe(config, model, Path(folder).name, claimed_name(Path(folder), config))


@functools.lru_cache(maxsize=None)
def _identify_named(model: str) -> ModelInfo:
    return describe(read_config(model), model, model, ALIASES.get(model))


def claimed_name(folder: Path, config: dict) -> str | None:
    """The known model a folder says it holds: the Hugging Face cache path it sits in
    (models--FacebookAI--xlm-roberta-large/snapshots/<commit>), the `_name_or_path` saved in its config, or its
    own name (models/xlm-roberta-large)."""
    cached = next((part for part in folder.parts if part.startswith("models--")), None)
    said = [cached[len("models--"):].replace("--", "/") if cached else None, config.get("_name_or_path"), folder.name]
    return next((ALIASES[x] for x in said if isinstance(x, str) and x in ALIASES), None)


KNOWN_SHAPE = ("model_type", "num_hidden_layers", "hidden_size", "num_attention_heads", "intermediate_size",
               "vocab_size")


def describe(config: dict, model: str, fallback_name: str, claimed: str | None = None) -> ModelInfo:
    """The record of a model whose complete config is `config`: the known model `claimed` when it has that
    model's shape, else `fallback_name`."""
    shape = _checked_shape(config, model)
    known = KNOWN_MODELS[claimed][1] if claimed in KNOWN_MODELS else None
    confirmed = bool(known) and all(config.get(k) == known[k] for k in KNOWN_SHAPE)
    name = claimed if confirmed else fallback_name
    if not confirmed and name in KNOWN_MODELS:  # a folder named as a known model that holds another shape
        name = model
    size = size_class(shape["num_hidden_layers"], shape["hidden_size"])
    return ModelInfo(name=name, size=size, preset=preset_name(size), model_type=config["model_type"],
                     layers=shape["num_hidden_layers"], hidden=shape["hidden_size"],
                     heads=shape["num_attention_heads"], intermediate=shape["intermediate_size"],
                     vocab=shape["vocab_size"], max_positions=shape["max_position_embeddings"],
                     params=parameter_count(config))


def _checked_shape(config: dict, model: str) -> dict:
    shape = {key: config.get(key) for key in SHAPE_KEYS}
    for key in ("num_hidden_layers", "hidden_size", "vocab_size"):
        value = shape[key]
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise XltError(f"model {model}: config.json {key} {value!r} is not a positive integer: expected a "
                           "Hugging Face encoder config")
    return shape


def parameter_count(config: dict) -> int:
    """The encoder's parameters, exactly: a closed formula for BERT-layout encoders, else counted on a build of the
    model on the meta device (no memory, no weights)."""
    if config["model_type"] in BERT_LAYOUT and not config.get("is_decoder") and not config.get("add_cross_attention") \
            and all(isinstance(config.get(k), int) for k in SHAPE_KEYS):
        h, ffn, layers = config["hidden_size"], config["intermediate_size"], config["num_hidden_layers"]
        embeddings = (config["vocab_size"] + config["max_position_embeddings"] + config["type_vocab_size"]) * h \
            + 2 * h  # word, position and token-type tables, then a LayerNorm
        layer = 4 * (h * h + h) + 2 * h + (h * ffn + ffn) + (ffn * h + h) + 2 * h  # Q, K, V, out; LN; FFN; LN
        return embeddings + layers * layer
    import torch
    from transformers import AutoModel, CONFIG_MAPPING

    conf = CONFIG_MAPPING[config["model_type"]].from_dict(config)
    with torch.device("meta"):
        try:
            encoder = AutoModel.from_config(conf, add_pooling_layer=False)
        except TypeError:  # encoders without a pooler take no such argument
            encoder = AutoModel.from_config(conf)
    return sum(p.numel() for p in encoder.parameters())


# reading a config -------------------------------------------------------------------------------------------------
def read_config(model: str) -> dict:
    """The complete config of `model` (defaults of its model type filled in), without loading weights."""
    if model == "tiny":
        from .models import tiny_model_dir

        return _read_config(tiny_model_dir() / "config.json", model)
    folder = existing_dir(model)
    if folder is not None:
        return _complete(_read_config(folder / "config.json", model), model)
    if model in ALIASES:
        return dict(KNOWN_MODELS[ALIASES[model]][1])
    return _complete(_read_config(Path(_hub_config_file(model)), model), model)


def _hub_config_file(model: str) -> str:
    from huggingface_hub import hf_hub_download
    from huggingface_hub.errors import HfHubHTTPError

    from .hub import cached_or_online

    try:
        return cached_or_online(lambda cache_only: hf_hub_download(model, "config.json",
                                                                   local_files_only=cache_only), model, "model")
    except HfHubHTTPError as err:  # no such repository, no config.json in it, no access
        reason = str(err).splitlines()[0] if str(err) else type(err).__name__
        raise XltError(f"model {model!r}: its config.json cannot be read from the hub ({reason}): expected a hub "
                       "id of a Hugging Face model (owner/name) or a local folder") from None


def _read_config(path: Path, model: str) -> dict:
    try:
        config = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise XltError(f"model folder {model} has no config.json: expected a Hugging Face model folder "
                       "(config.json, tokenizer files, weights)") from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as err:
        raise XltError(f"model {model}: {path} is not readable JSON ({err}): expected a Hugging Face "
                       "config.json") from None
    if not isinstance(config, dict) or not isinstance(config.get("model_type"), str):
        raise XltError(f"model {model}: {path} has no model_type: expected a Hugging Face config.json with one, "
                       "e.g. xlm-roberta")
    return config


def _complete(config: dict, model: str) -> dict:
    """`config` with what its model type's defaults fill in (a config.json may leave out any value that has a
    default); read under the usual names (num_hidden_layers, hidden_size ...) whatever the model type calls them."""
    for key in SHAPE_KEYS:
        value = config.get(key)
        if key in config and (isinstance(value, bool) or not isinstance(value, int) or value < (key != "type_vocab_size")):
            raise XltError(f"model {model}: config.json {key} {value!r} is not a "
                           f"{'non-negative' if key == 'type_vocab_size' else 'positive'} integer: expected a "
                           "Hugging Face encoder config")
    if config["model_type"] in BERT_LAYOUT and all(key in config for key in SHAPE_KEYS):
        return config  # complete already: no need to import transformers
    from huggingface_hub.errors import StrictDataclassFieldValidationError
    from transformers import CONFIG_MAPPING

    if config["model_type"] not in CONFIG_MAPPING:
        raise XltError(f"model {model}: model_type {config['model_type']!r} is not one transformers knows: expected "
                       "an encoder such as xlm-roberta, bert or deberta-v2")
    try:
        conf = CONFIG_MAPPING[config["model_type"]].from_dict(config)
    except (TypeError, ValueError, StrictDataclassFieldValidationError) as err:
        raise XltError(f"model {model}: its config.json does not make a {config['model_type']} config "
                       f"({' '.join(str(err).split())})") from None
    return {**conf.to_dict(), **{key: getattr(conf, key, None) for key in SHAPE_KEYS}}
