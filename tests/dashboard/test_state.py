"""URL query parameters -> filters: what a shared link sets, and what hostile or stale links cannot."""

from pathlib import Path

from dashboard import state

VALUES = {"model": ["tiny", "xlm-roberta-large"], "model_size": ["large", "tiny"],
          "intermediate_task": ["mnli", "none", "squad"], "target_task": ["xnli", "xquad"], "split": ["dev", "test"],
          "language": ["de", "en", "fr"], "seed": [0, 1]}


def test_a_shared_link_round_trips():
    selection = {**state.defaults(VALUES), "models": ["tiny"], "languages": ["de", "fr"], "seeds": [1],
                 "metric": "f1", "split": "dev"}
    query = state.to_query(selection, VALUES)
    assert query == {"model": ["tiny"], "lang": ["de", "fr"], "seed": ["1"], "metric": ["f1"], "split": ["dev"]}
    parsed, warnings = state.parse(query, VALUES)
    assert parsed == selection and warnings == []
    assert state.to_query(state.defaults(VALUES), VALUES) == {}  # the plain view has a plain link
    f = state.to_filters(parsed)
    assert f.models == ("tiny",) and f.seeds == (1,) and f.metric == "f1" and f.split == "dev"


def test_hostile_and_unknown_parameters_are_ignored_with_a_warning():
    query = {"model": ["tiny'; DROP TABLE scores; --", "tiny"], "lang": ["x" * 500], "inter": ["none"],
             "target": [f"t{i}" for i in range(1000)], "metric": ["bleu"], "split": ["test", "dev"],
             "<script>": ["1"]}
    parsed, warnings = state.parse(query, VALUES)
    assert parsed["models"] == ["tiny"] and parsed["languages"] == [] and parsed["target_tasks"] == []
    assert parsed["intermediate_tasks"] == []  # 'none' is the baseline, always there: not a choice
    assert parsed["metric"] == "headline" and parsed["split"] == "test"
    text = "\n".join(warnings)
    assert "ignored model=\"tiny'; DROP TABLE scores; --\": not in the results" in text  # shown, never run
    assert "ignored a lang value of 500 characters" in text
    assert "ignored target: 1000 values is more than the 64 allowed" in text
    assert "ignored metric='bleu'" in text and "allowed: headline, f1, em" in text
    assert "split takes one value: kept 'test'" in text
    assert "ignored unknown URL parameter '<script>'" in text
    assert all(len(w) < 300 for w in warnings)


def test_seed_values_come_back_as_numbers():
    parsed, warnings = state.parse({"seed": ["1", "01", "2"]}, VALUES)
    assert parsed["seeds"] == [1] and len(warnings) == 2


def test_page_choices_are_known_parameters_checked_by_their_page():
    query = {"lang_target": ["xquad"], "lang_variant": ["tiny · mnli", "x"], "model": ["tiny"]}
    parsed, warnings = state.parse(query, VALUES)
    assert parsed["models"] == ["tiny"] and warnings == []  # not unknown: the page checks them
    choices, warnings = state.page_choices(query)
    assert choices == {"lang_target": "xquad", "lang_variant": "tiny · mnli"}
    assert warnings == ["lang_variant takes one value: kept 'tiny · mnli'"]
    choices, warnings = state.page_choices({"lang_target": ["y" * 500], "seed": ["1"]})
    assert choices == {} and warnings == ["ignored a lang_target value of 500 characters (at most 80)"]
    views = Path(state.__file__).parent / "views"  # each page choice belongs to a page that exists
    assert all((views / f"{page}.py").exists() for page in state.PAGE_PARAMS.values())


def test_a_page_choice_is_one_of_its_options_or_the_default_with_a_warning():
    assert state.choose("lang_target", "xquad", ["xnli", "xquad"], "xnli") == ("xquad", None)
    assert state.choose("lang_target", None, ["xnli", "xquad"], "xnli") == ("xnli", None)  # nothing asked
    value, warning = state.choose("lang_target", "x'; DROP TABLE scores", ["xnli", "xquad"], "xnli")
    assert value == "xnli"
    assert warning == "ignored lang_target=\"x'; DROP TABLE scores\": not a choice here (allowed: xnli, xquad)"
    value, warning = state.choose("lang_variant", "a", [f"v{i}" for i in range(20)], "v0")
    assert value == "v0" and warning.endswith("v11, …)")
    assert state.choose("lang_variant", "a", [], None) == (None, "ignored lang_variant='a': not a choice here "
                                                                 "(allowed: none yet)")


def test_a_page_choice_of_several_values_keeps_those_among_its_options():
    choices, warnings = state.page_choices({"gap_add": ["tiny · mnli", "z" * 100, "tiny · all"]})
    assert choices == {"gap_add": ["tiny · mnli", "tiny · all"]}
    assert warnings == ["ignored a gap_add value of 100 characters (at most 80)"]
    choices, warnings = state.page_choices({"gap_add": [str(i) for i in range(65)]})
    assert choices == {} and warnings == ["ignored gap_add: 65 values is more than the 64 allowed"]
    kept, warnings = state.choose_many("gap_add", ["b", "nope", "a", "b"], ["a", "b", "c"])
    assert kept == ["b", "a"] and warnings == ["ignored gap_add='nope': not a choice here (allowed: a, b, c)"]
    assert state.choose_many("gap_add", None, ["a"]) == ([], [])
