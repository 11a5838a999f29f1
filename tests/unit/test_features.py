from xlt_core.features import encode_pairs, length_grouped_batches
from xlt_core.models import load_tokenizer


def test_training_batches_cover_everything_once_and_depend_only_on_the_seed():
    lengths = [(i * 7919) % 97 + 3 for i in range(1000)]
    a = length_grouped_batches(lengths, 32, seed=5)
    assert sorted(i for b in a for i in b) == list(range(1000))
    assert a == length_grouped_batches(lengths, 32, seed=5)
    assert a != length_grouped_batches(lengths, 32, seed=6)


def test_length_grouping_cuts_padding():
    lengths = [(i * 7919) % 97 + 3 for i in range(2000)]

    def padded(batches):
        return sum(len(b) * max(lengths[i] for i in b) for b in batches)

    grouped = padded(length_grouped_batches(lengths, 32, seed=0))
    random_order = padded([list(range(i, min(i + 32, 2000))) for i in range(0, 2000, 32)])
    assert sum(lengths) / grouped > 0.9 > sum(lengths) / random_order


def test_evaluation_batches_are_sorted_longest_first():
    batches = length_grouped_batches([3, 9, 1, 7], 2)
    assert batches == [[1, 3], [0, 2]]


def test_dynamic_padding():
    from xlt_core.tasktypes import _inputs

    batch = _inputs([[0, 5, 2], [0, 2]], pad_id=1)
    assert batch["input_ids"].tolist() == [[0, 5, 2], [0, 2, 1]]
    assert batch["attention_mask"].tolist() == [[1, 1, 1], [1, 1, 0]]


def test_pairs_use_the_xlmr_template_and_truncate():
    tok = load_tokenizer("tiny")
    [ids] = encode_pairs(tok, ["the teacher reads"], ["a book"], max_length=64)
    assert ids[0] == tok.bos_token_id == 0 and ids[-1] == tok.eos_token_id == 2
    assert ids.count(2) == 3  # <s> a </s></s> b </s>
    [short] = encode_pairs(tok, ["the teacher reads " * 40], ["a book " * 40], max_length=16)
    assert len(short) == 16
