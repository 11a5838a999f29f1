import time

import pytest
import torch
from safetensors.torch import load_file, save_file

from xlt_core.errors import XltError
from xlt_core.models import TaskModel, load_encoder, load_task_model, load_tokenizer, save_task_model, tiny_model_dir
from xlt_core.tasks import get_task


def test_tiny_tokenizer_has_xlmr_special_ids():
    tok = load_tokenizer("tiny")
    assert [tok.bos_token_id, tok.pad_token_id, tok.eos_token_id, tok.unk_token_id] == [0, 1, 2, 3]
    assert type(tok).__name__ == "XLMRobertaTokenizer"
    assert tok.convert_ids_to_tokens(tok("hello")["input_ids"])[1].startswith("▁")  # SentencePiece-style


def test_tiny_encoder_is_xlmr_shaped_and_loads_fully():
    enc = load_encoder("tiny")
    assert enc.config.model_type == "xlm-roberta"
    assert enc.config.vocab_size == len(load_tokenizer("tiny"))


def test_missing_weights_are_caught(tmp_path):
    src = tiny_model_dir()
    broken = tmp_path / "broken"
    broken.mkdir()
    for f in src.iterdir():
        if f.name != "model.safetensors":
            (broken / f.name).write_bytes(f.read_bytes())
    state = load_file(str(src / "model.safetensors"))
    dropped = next(k for k in state if "layer.1.attention" in k)
    del state[dropped]
    save_file(state, str(broken / "model.safetensors"), metadata={"format": "pt"})
    with pytest.raises(XltError, match="weight\\(s\\) not loaded .*refusing to train randomly initialised"):
        load_encoder(str(broken))


def test_task_model_round_trip(tmp_path):
    tok = load_tokenizer("tiny")
    model = TaskModel(load_encoder("tiny"), {"xnli": ("pair_classification", get_task("xnli").label_names),
                                             "udpos": ("tagging", get_task("udpos").label_names)}).eval()
    ids = torch.tensor([[0, 10, 11, 2, 2, 12, 2]])
    batch = {"input_ids": ids, "attention_mask": torch.ones_like(ids)}
    before = [model(task, batch) for task in ("xnli", "udpos")]
    save_task_model(model, tok, tmp_path / "ckpt")
    assert (tmp_path / "ckpt" / "encoder" / "model.safetensors").exists()
    loaded = load_task_model(tmp_path / "ckpt").eval()
    assert loaded.head_specs == model.head_specs  # one head per task, kept with its type and labels
    assert before[1].shape == (1, 7, 17)
    for task, out in zip(("xnli", "udpos"), before):
        assert torch.equal(out, loaded(task, batch))


def test_hub_model_offline_is_one_fast_line(monkeypatch):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    start = time.perf_counter()
    with pytest.raises(XltError, match="model 'xlm-roberta-base' is not in the local cache") as err:
        load_tokenizer("xlm-roberta-base")
    assert "\n" not in str(err.value) and time.perf_counter() - start < 15


def test_an_encoder_without_a_pooler_loads(tmp_path):
    """mDeBERTa-v3's class takes no add_pooling_layer: it loads all the same, every weight checked."""
    from transformers import DebertaV2Config, DebertaV2Model

    from xlt_core.models import load_encoder

    config = DebertaV2Config(vocab_size=120, hidden_size=32, num_hidden_layers=1, num_attention_heads=2,
                             intermediate_size=64, max_position_embeddings=64, relative_attention=True,
                             pos_att_type=["p2c", "c2p"], position_biased_input=False)
    DebertaV2Model(config).save_pretrained(tmp_path / "mdeberta-shaped")
    encoder = load_encoder(str(tmp_path / "mdeberta-shaped"))
    assert type(encoder).__name__ == "DebertaV2Model" and encoder.config.hidden_size == 32
