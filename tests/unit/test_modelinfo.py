"""A model's identity comes from its own config: canonical ids, legacy ids and a local copy of one model give one
record (name, size, preset, parameters); sizes never depend on spelling. No test here reaches the hub."""

import json

import pytest

from xlt_core import modelinfo
from xlt_core.config import MODEL_PRESETS, TrainConfig, chain, model_size
from xlt_core.errors import XltError
from xlt_core.modelinfo import identify, parameter_count

# the published config.json values of the two XLM-R encoders
XLMR = dict(model_type="xlm-roberta", vocab_size=250002, max_position_embeddings=514, type_vocab_size=1,
            layer_norm_eps=1e-5, hidden_act="gelu", pad_token_id=1, bos_token_id=0, eos_token_id=2)
XLMR_LARGE = dict(XLMR, num_hidden_layers=24, hidden_size=1024, num_attention_heads=16, intermediate_size=4096)
XLMR_BASE = dict(XLMR, num_hidden_layers=12, hidden_size=768, num_attention_heads=12, intermediate_size=3072)
# microsoft/Multilingual-MiniLM-L12-H384: a BERT with XLM-R's vocabulary (plus a few), 12 layers x 384
MINILM = dict(model_type="bert", num_hidden_layers=12, hidden_size=384, num_attention_heads=12, intermediate_size=1536,
              vocab_size=250037, max_position_embeddings=512, type_vocab_size=2)
# microsoft/mdeberta-v3-base: relative positions shared with the content keys, no absolute positions, no token types
MDEBERTA = dict(model_type="deberta-v2", num_hidden_layers=12, hidden_size=768, num_attention_heads=12,
                intermediate_size=3072, vocab_size=251000, max_position_embeddings=512, type_vocab_size=0,
                relative_attention=True, position_buckets=256, norm_rel_ebd="layer_norm", share_att_key=True,
                pos_att_type=["p2c", "c2p"], position_biased_input=False, max_relative_positions=-1)


def bert_layout_params(vocab, positions, types, h, ffn, layers) -> int:
    """By hand: word, position and token-type tables + LayerNorm; per layer Q, K, V, output (weights and biases),
    LayerNorm, the two FFN projections, LayerNorm. No pooler."""
    return (vocab + positions + types) * h + 2 * h + layers * (4 * (h * h + h) + 2 * h + h * ffn + ffn + ffn * h + h + 2 * h)


@pytest.fixture(autouse=True)
def no_hub(monkeypatch):
    """Any read of a hub config in these tests is a failure: known ids must resolve from the table."""
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")

    def refuse(model):
        raise AssertionError(f"the hub was asked for {model}")
    monkeypatch.setattr(modelinfo, "_hub_config_file", refuse)


def folder(tmp_path, name: str, config: dict):
    path = tmp_path / name
    path.mkdir()
    (path / "config.json").write_text(json.dumps(config))
    return str(path)


@pytest.mark.parametrize("config, legacy, size, params", [
    (XLMR_LARGE, "xlm-roberta-large", "large", 558_840_832),
    (XLMR_BASE, "xlm-roberta-base", "base", 277_453_056),
])
def test_aliases_and_a_local_copy_are_one_model(tmp_path, config, legacy, size, params):
    cache = tmp_path / "hub" / f"models--FacebookAI--{legacy}" / "snapshots"
    cache.mkdir(parents=True)
    names = [legacy, f"FacebookAI/{legacy}",
             folder(tmp_path, legacy, config),  # hf download ... --local-dir models/xlm-roberta-large
             folder(cache, "0123abcd", config),  # the Hugging Face cache's snapshot
             folder(tmp_path, "downloaded", {**config, "_name_or_path": f"FacebookAI/{legacy}"})]  # save_pretrained
    records = [identify(name).to_dict() for name in names]
    assert all(r == records[0] for r in records)
    assert (records[0]["name"], records[0]["size"], records[0]["preset"], records[0]["params"]) == \
        (legacy, size, size, params)
    assert params == bert_layout_params(250002, 514, 1, config["hidden_size"], config["intermediate_size"],
                                        config["num_hidden_layers"])
    defaults = {TrainConfig.defaults(name, "xnli") for name in names}
    assert defaults == {TrainConfig.defaults(legacy, "xnli")}
    assert (TrainConfig.defaults(legacy, "xnli").lr, TrainConfig.defaults(legacy, "xquad").max_length) == \
        (MODEL_PRESETS[size].lr, 384)


def test_published_counts():
    # XLM-R: 270M / 550M in its paper (rounded), 278M / 560M on the hub (with the pooler: + h*h + h)
    assert identify("xlm-roberta-base").params + 768 * 768 + 768 == 278_043_648
    assert identify("xlm-roberta-large").params + 1024 * 1024 + 1024 == 559_890_432
    assert identify("bert-base-multilingual-cased").params == bert_layout_params(119547, 512, 2, 768, 3072, 12)


@pytest.mark.parametrize("config", [XLMR_BASE, MINILM], ids=["xlmr-base", "minilm"])
def test_formula_matches_the_built_encoder(config):
    """The closed formula against transformers' own module, built on the meta device (no memory)."""
    import torch
    from transformers import CONFIG_MAPPING, AutoModel

    with torch.device("meta"):
        encoder = AutoModel.from_config(CONFIG_MAPPING[config["model_type"]].from_dict(config), add_pooling_layer=False)
    assert parameter_count(config) == sum(p.numel() for p in encoder.parameters())


def test_the_tiny_model(tmp_path):
    from xlt_core.models import load_encoder, tiny_model_dir

    info = identify("tiny")
    assert (info.name, info.size, info.preset, info.layers, info.hidden) == ("tiny", "tiny", "tiny", 2, 64)
    assert info.params == sum(p.numel() for p in load_encoder("tiny").parameters())
    copy = tmp_path / "my-copy"
    copy.mkdir()
    (copy / "config.json").write_bytes((tiny_model_dir() / "config.json").read_bytes())
    assert identify(str(copy)).to_dict() == {**info.to_dict(), "name": "my-copy"}  # same shape: tiny, tiny preset
    assert model_size("tiny") == "tiny"


def test_unknown_encoders_get_their_size_from_their_shape(tmp_path):
    minilm = identify(folder(tmp_path, "Multilingual-MiniLM-L12-H384", MINILM))
    assert (minilm.name, minilm.size, minilm.preset) == ("Multilingual-MiniLM-L12-H384", "L12-H384", "base")
    # its card: 21M transformer parameters and 96M embedding parameters
    assert minilm.params == bert_layout_params(250037, 512, 2, 384, 1536, 12) == 96_212_352 + 21_293_568
    mdeberta = identify(folder(tmp_path, "mdeberta-v3-base", MDEBERTA))
    # by hand: words + LayerNorm, 12 BERT layers, relative position table (2 x 256 buckets) + its LayerNorm
    assert (mdeberta.size, mdeberta.preset, mdeberta.params) == \
        ("base", "base", 251000 * 768 + 2 * 768 + 12 * 7_087_872 + 512 * 768 + 2 * 768)
    # the name says large, the shape says base
    assert model_size(folder(tmp_path, "xlm-roberta-large-but-not", XLMR_BASE)) == "base"
    assert TrainConfig.defaults(str(tmp_path / "mdeberta-v3-base"), "xnli") == TrainConfig.defaults("xlm-roberta-base",
                                                                                                   "xnli")


def test_missing_values_take_the_model_types_defaults(tmp_path):
    info = identify(folder(tmp_path, "sparse", {"model_type": "xlm-roberta", "num_hidden_layers": 24,
                                                "hidden_size": 1024, "intermediate_size": 4096}))
    # XLMRobertaConfig's defaults: vocabulary 30522, 512 positions, 2 token types
    assert (info.size, info.vocab, info.params) == ("large", 30522, bert_layout_params(30522, 512, 2, 1024, 4096, 24))


def test_a_hub_id_resolves_through_its_config(monkeypatch, tmp_path):
    path = tmp_path / "config.json"
    path.write_text(json.dumps(XLMR_LARGE))
    monkeypatch.setattr(modelinfo, "_hub_config_file", lambda model: str(path))
    mirror = identify("someone/xlmr-large-mirror").to_dict()  # the shape of XLM-R large, but another repository
    assert mirror == {**identify("xlm-roberta-large").to_dict(), "name": "someone/xlmr-large-mirror"}
    path.write_text(json.dumps(MINILM))
    assert identify("someone/minilm-mirror").name == "someone/minilm-mirror"


def test_an_unknown_hub_id_offline_is_one_line(monkeypatch):
    monkeypatch.undo()
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    with pytest.raises(XltError, match="model 'someone/nothing-here-xlt' is not in the local cache and "
                                       "HF_HUB_OFFLINE is set") as err:
        model_size("someone/nothing-here-xlt")
    assert "\n" not in str(err.value)


@pytest.mark.parametrize("config, message", [
    ({"model_type": "xlm-roberta", "num_hidden_layers": "many"}, "num_hidden_layers 'many' is not a positive integer"),
    ({"model_type": "no-such-type"}, "model_type 'no-such-type' is not one transformers knows"),
    ({"hidden_size": 8}, "has no model_type"),
])
def test_bad_configs_are_one_line(tmp_path, config, message):
    with pytest.raises(XltError, match=message):
        identify(folder(tmp_path, "bad", config))


def test_a_changed_config_is_read_again(tmp_path):
    path = folder(tmp_path, "m", XLMR_BASE)
    assert identify(path).size == "base"
    (tmp_path / "m" / "config.json").write_text(json.dumps({**XLMR_LARGE, "note": "rewritten"}))
    assert identify(path).size == "large"


def test_plan_estimates_follow_the_shape():
    from xlt_core.sweep import stage_flops

    def flops(model):
        return [stage_flops(c) for c in chain(model=model, intermediate="mnli", target="xnli", data="hub")]

    assert flops("FacebookAI/xlm-roberta-large") == flops("xlm-roberta-large")
    # per token: layers x (4h^2 + 2h x FFN): 24 x (4 x 1024^2 + 2 x 1024 x 4096) / 12 x (4 x 768^2 + 2 x 768 x 3072)
    ratios = {round(a / b, 6) for a, b in zip(flops("xlm-roberta-large"), flops("xlm-roberta-base"))}
    assert ratios == {round(32 / 9, 6)}


def test_ingest_records_the_canonical_name_and_parameters(tmp_path):
    from xlt_core.results.store import RUN_COLUMNS, cost_row, run_row, score_rows

    record = {"stage_id": "evaluate-xnli-0", "parent_id": "target-xnli-0", "model_size": "large",
              "model": identify("xlm-roberta-large").to_dict(), "intermediate_task": "none", "target_task": "xnli",
              "config": {"stage": "evaluate", "model": "FacebookAI/xlm-roberta-large", "task": "xnli", "seed": 0,
                         "data": "hub", "data_revision": "main"},
              "provenance": {"git": {"commit": None, "dirty": None}, "packages": {}, "hardware": {}},
              "cost": {"wall_s": 1.0, "device": "cpu"}, "started_at": "", "finished_at": "", "run_dir": str(tmp_path),
              "scores": [{"language": "de", "split": "test", "metric": "accuracy", "score": 80.0}]}
    row = dict(zip(RUN_COLUMNS, run_row(record)))
    assert (row["model"], row["model_params"]) == ("xlm-roberta-large", 558_840_832)
    assert json.loads(row["config"])["model"] == "FacebookAI/xlm-roberta-large"  # the name given is kept
    assert score_rows(record)[0][1] == cost_row(record)[2] == "xlm-roberta-large"
    del record["model"]  # a run folder written before the model was recorded
    assert dict(zip(RUN_COLUMNS, run_row(record)))["model"] == "FacebookAI/xlm-roberta-large"


def test_a_run_records_its_model_and_ingest_keeps_it(tmp_path):
    from xlt_core.pipeline import run_stage
    from xlt_core.results.store import connect, ingest

    [stage] = chain(intermediate="none", target="tatoeba", languages="de", eval_size=8)
    record = run_stage(stage, tmp_path / "runs")
    assert record["model"] == identify("tiny").to_dict() and record["config"]["model"] == "tiny"
    ingest(tmp_path / "r.duckdb", tmp_path / "runs")
    con = connect(tmp_path / "r.duckdb", read_only=True)
    try:
        assert con.execute("SELECT model, model_size, model_params FROM runs").fetchall() == \
            [("tiny", "tiny", identify("tiny").params)]
    finally:
        con.close()


def test_the_same_shape_is_not_the_same_model(tmp_path):
    """InfoXLM, a fine-tuned XLM-R or an xlt checkpoint has XLM-R large's shape but is another model: its scores
    must never be averaged with XLM-R's. It keeps its folder's name (or hub id); its size class is the shape's."""
    for name in ("infoxlm-large", "downloaded"):
        info = identify(folder(tmp_path, name, XLMR_LARGE))
        assert (info.name, info.size, info.params) == (name, "large", 558_840_832)
    tuned = folder(tmp_path, "squad2", {**XLMR_LARGE, "_name_or_path": "deepset/xlm-roberta-large-squad2"})
    assert identify(tuned).name == "squad2"
    # named as XLM-R large but holding base: not XLM-R large either, and not a name that says so
    (tmp_path / "models").mkdir()
    odd = folder(tmp_path / "models", "xlm-roberta-large", XLMR_BASE)
    assert (identify(odd).name, identify(odd).size) == (odd, "base")
