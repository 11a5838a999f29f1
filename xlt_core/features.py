"""Pure preprocessing: token ids per example, length-grouped batches, dynamic padding."""

from __future__ import annotations

import random


def encode_pairs(tokenizer, text_a: list[str], text_b: list[str], max_length: int) -> list[list[int]]:
    """<s> a </s></s> b </s> token ids per pair, truncated longest-first to `max_length`, never padded."""
    return tokenizer(text_a, text_b, truncation="longest_first", max_length=max_length)["input_ids"]


def length_grouped_batches(lengths: list[int], batch_size: int, seed: int | None = None,
                           mega: int = 64) -> list[list[int]]:
    """Batches of similar-length examples, so that dynamic padding wastes little.

    seed=None (evaluation): every example sorted by length, longest first.
    seed=int (training): shuffle, sort within mega-batches of `mega` batches, shuffle the batch order; the same
    seed gives the same batches.
    """
    order = list(range(len(lengths)))
    if seed is None:
        order.sort(key=lambda i: -lengths[i])
        return [order[i:i + batch_size] for i in range(0, len(order), batch_size)]
    rng = random.Random(seed)
    rng.shuffle(order)
    size = batch_size * mega
    grouped = []
    for start in range(0, len(order), size):
        grouped += sorted(order[start:start + size], key=lambda i: -lengths[i])
    batches = [grouped[i:i + batch_size] for i in range(0, len(grouped), batch_size)]
    rng.shuffle(batches)
    return batches


def pad_batch(seqs: list[list[int]], pad_id: int):
    """(input_ids, attention_mask) LongTensors padded to the longest sequence of this batch."""
    import torch

    width = max(len(s) for s in seqs)
    ids = torch.full((len(seqs), width), pad_id, dtype=torch.long)
    mask = torch.zeros((len(seqs), width), dtype=torch.long)
    for row, s in enumerate(seqs):
        ids[row, :len(s)] = torch.tensor(s, dtype=torch.long)
        mask[row, :len(s)] = 1
    return ids, mask
