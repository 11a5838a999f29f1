import pytest

from xlt_core.config import MODEL_PRESETS, StageConfig, TrainConfig, chain, check_options_apply, model_size
from xlt_core.errors import XltError
from xlt_core.tasks import LANGUAGES, TASKS, get_task, resolve_languages, training_task


def test_every_task_language_has_metadata():
    for spec in TASKS.values():
        assert spec.languages, spec.name
        for lang in spec.languages:
            assert lang in LANGUAGES, (spec.name, lang)


def test_xnli_is_the_official_list_and_trains_on_mnli():
    xnli = get_task("xnli")
    assert xnli.languages == ("ar", "bg", "de", "el", "en", "es", "fr", "hi", "ru", "sw", "th", "tr", "ur", "vi", "zh")
    assert training_task(xnli).name == "mnli"
    assert xnli.label_names == get_task("mnli").label_names


def test_resolve_languages():
    xnli = get_task("xnli")
    assert resolve_languages(xnli, "all") == xnli.languages
    assert resolve_languages(xnli, "zh, en") == ("en", "zh")  # the task's own order
    with pytest.raises(XltError, match="'xx' is not in xnli's list"):
        resolve_languages(xnli, "en,xx")


def test_stage_id_is_a_content_hash():
    a = chain(languages="en,zh", train_size=100)
    b = chain(languages="en,zh", train_size=100)
    assert [c.stage_id for c in a] == [c.stage_id for c in b]
    assert a[0].stage_id.startswith("intermediate-mnli-")
    assert StageConfig.from_dict(a[-1].to_dict()).stage_id == a[-1].stage_id
    # the seed, and anything upstream, changes every downstream id
    seeded = chain(languages="en,zh", train_size=100, seed=1)
    assert all(x.stage_id != y.stage_id for x, y in zip(a, seeded))
    upstream = chain(languages="en,zh", train_size=100, intermediate_size=50)
    assert [x.stage_id == y.stage_id for x, y in zip(a, upstream)] == [False, False, False]


def test_chain_shapes_and_labels():
    base = chain(intermediate="none")
    assert [c.stage for c in base] == ["target", "evaluate"]
    assert base[-1].intermediate_task == "none" and base[-1].target_task == "xnli"
    inter = chain(intermediate="mnli")
    assert [c.stage for c in inter] == ["intermediate", "target", "evaluate"]
    assert inter[-1].intermediate_task == "mnli" and inter[-1].parent.parent is inter[0]


def test_xcopa_trains_on_siqa_then_copa():
    stages = chain(intermediate="siqa", target="xcopa")
    assert [(c.stage, c.task) for c in stages] == [("intermediate", "siqa"), ("target", "xcopa"), ("evaluate", "xcopa")]
    assert get_task("xcopa").train_task == "copa"


def test_retrieval_is_scored_on_the_intermediate_encoder():
    assert [c.stage for c in chain(intermediate="mnli", target="tatoeba")] == ["intermediate", "evaluate"]
    [evaluate] = chain(intermediate="none", target="bucc2018", layer=1, pooling="cls")
    assert evaluate.parent is None and (evaluate.layer, evaluate.pooling) == (1, "cls")


def test_defaults_follow_presets():
    t = TrainConfig.defaults("xlm-roberta-large", "xnli")
    assert (t.lr, t.batch_size) == (1e-5, 32)  # the X-STILTs recipe
    assert TrainConfig.defaults("tiny", "xnli").lr == MODEL_PRESETS["tiny"].lr
    assert [model_size(m) for m in ("tiny", "xlm-roberta-base", "xlm-roberta-large", "FacebookAI/xlm-roberta-large")] \
        == ["tiny", "base", "large", "large"]  # from each model's config (test_modelinfo), not its spelling


@pytest.mark.parametrize("kwargs, message", [
    (dict(model="xlmr-bse"), "unknown model 'xlmr-bse'"),
    (dict(target="xnli2"), "unknown target task 'xnli2': choose one of xnli, pawsx, udpos"),
    (dict(intermediate="qqq"), "unknown intermediate task 'qqq'"),
    (dict(languages="en,klingon"), "'klingon' is not in xnli's list"),
    (dict(train_size=-5), "train_size must be an integer >= 1, got -5"),
    (dict(intermediate_size=0), "train_size must be an integer >= 1, got 0"),
    (dict(seed="one"), "seed must be an integer in .0, 4294967296., got 'one'"),
    (dict(lr=0), "lr must be a finite number > 0, got 0"),
    (dict(lr=float("nan")), "lr must be a finite number > 0, got nan"),
    (dict(epochs=-1), "epochs must be a finite number > 0, got -1"),
    (dict(epochs=float("inf")), "epochs must be a finite number > 0, got inf"),
    (dict(mlm=float("nan")), "mlm must be a finite number in .0, 1., got nan"),
    (dict(languages=""), "no language given .''. for xnli"),
    (dict(languages=[]), "no language given"),
    (dict(intermediate=""), "no intermediate task given"),
    (dict(split="train"), "split 'train' is not allowed for xnli: choose dev, test"),
    (dict(target="tatoeba", languages="en"), "'en' is not in tatoeba's list"),
    (dict(target="xquad", pooling="max"), "unknown pooling 'max'"),
    (dict(data="/definitely/not/here"), "neither 'sample', 'hub' nor an existing directory"),
])
def test_bad_values_fail_with_one_line(kwargs, message):
    with pytest.raises(XltError, match=message) as err:
        chain(**kwargs)
    assert "\n" not in str(err.value)


def test_options_left_out_store_their_defaults():
    """chain()'s None for pooling, sampling, temperature and mlm stores the defaults: the stage ids stay those of
    the explicit values (and of the configs written before these options defaulted to None)."""
    explicit = chain(intermediate="mnli+squad", target="tatoeba", pooling="mean", sampling="proportional",
                     temperature=2.0, mlm=0.0)
    assert [c.stage_id for c in chain(intermediate="mnli+squad", target="tatoeba")] == [c.stage_id for c in explicit]
    assert chain(target="xnli")[-1].pooling == "mean"


def test_options_that_do_not_apply_are_named():
    check_options_apply("mnli+squad", "tatoeba", "sample", sampling="uniform", layer=1, pooling="cls")
    with pytest.raises(XltError, match="layer 1 does not apply to target xnli: it applies only to the retrieval"):
        check_options_apply("mnli", "xnli", "sample", layer=1)
    with pytest.raises(XltError, match="temperature 3 does not apply to sampling 'uniform'"):
        check_options_apply("mnli+squad", "xnli", "sample", sampling="uniform", temperature=3)


def test_from_dict_rejects_unknown_keys():
    d = chain()[0].to_dict()
    d["learning_rate"] = 1
    with pytest.raises(XltError, match="unknown stage option 'learning_rate'"):
        StageConfig.from_dict(d)
