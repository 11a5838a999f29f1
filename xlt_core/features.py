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


# extractive QA: windows over long contexts, character offsets back to the original text ----------------------
def qa_features(tokenizer, questions: list[str], contexts: list[str], max_length: int = 384, stride: int = 128,
                answer_starts: list[list[int]] | None = None, answer_texts: list[list[str]] | None = None) -> dict:
    """Question + context windows (`stride` tokens of overlap). Per window: input_ids, `example` (its example's
    index), `offsets` (character span per token, None outside the context) and, when answers are given, the
    token `start`/`end` of the first answer, or 0 (<s>) when the window does not contain it (or no answer)."""
    enc = tokenizer(questions, contexts, truncation="only_second", max_length=max_length, stride=stride,
                    return_overflowing_tokens=True, return_offsets_mapping=True)
    out = {"input_ids": enc["input_ids"], "example": list(enc["overflow_to_sample_mapping"]), "offsets": []}
    if answer_starts is not None:
        out["start"], out["end"] = [], []
    for i, offsets in enumerate(enc["offset_mapping"]):
        seq = enc.sequence_ids(i)
        out["offsets"].append([tuple(o) if s == 1 else None for o, s in zip(offsets, seq)])
        if answer_starts is None:
            continue
        ex = out["example"][i]
        start, end = 0, 0
        if answer_starts[ex]:
            a_start = answer_starts[ex][0]
            a_end = a_start + len(answer_texts[ex][0])
            ctx = [j for j, s in enumerate(seq) if s == 1]
            if offsets[ctx[0]][0] <= a_start and offsets[ctx[-1]][1] >= a_end:
                start = next(j for j in ctx if offsets[j][1] > a_start)
                end = next(j for j in reversed(ctx) if offsets[j][0] < a_end)
        out["start"].append(start)
        out["end"].append(end)
    return out


def qa_predictions(contexts: list[str], features: dict, start_logits, end_logits, n_best: int = 20,
                   max_answer_tokens: int = 30, allow_no_answer: bool = False) -> list[str]:
    """The best answer text per example over all its windows: highest start + end logit among valid spans
    (both ends inside the context, end >= start, at most `max_answer_tokens`). With `allow_no_answer` (SQuAD v2)
    the empty answer wins when the <s> score of every window beats the best span."""
    import numpy as np

    best = [(-float("inf"), "") for _ in contexts]
    null = [float("inf")] * len(contexts)
    for i, ex in enumerate(features["example"]):
        offsets = features["offsets"][i]
        starts, ends = np.asarray(start_logits[i])[:len(offsets)], np.asarray(end_logits[i])[:len(offsets)]
        null[ex] = min(null[ex], float(starts[0] + ends[0]))
        for s in np.argsort(-starts, kind="stable")[:n_best].tolist():
            for e in np.argsort(-ends, kind="stable")[:n_best].tolist():
                if offsets[s] is None or offsets[e] is None or e < s or e - s + 1 > max_answer_tokens:
                    continue
                score = float(starts[s] + ends[e])
                if score > best[ex][0]:
                    best[ex] = (score, contexts[ex][offsets[s][0]:offsets[e][1]])
    return ["" if allow_no_answer and null[ex] > best[ex][0] else best[ex][1] for ex in range(len(contexts))]


# token tagging: the first sub-word of each word carries the label; long sentences become several windows -----
IGNORE = -100


def tag_features(tokenizer, sentences: list[list[str]], max_length: int,
                 tags: list[list[int]] | None = None) -> dict:
    """Windows of whole words, at most `max_length` tokens with <s> and </s>; a sentence too long for one window
    is split into several (never truncated). Per window: input_ids, labels (the word's tag on its first
    sub-word, IGNORE elsewhere), `sentence` and `first_word` (where its words sit in the sentence) and `heads`
    (positions of first sub-words)."""
    bos, eos = tokenizer.bos_token_id, tokenizer.eos_token_id
    budget = max_length - 2
    out = {"input_ids": [], "labels": [], "sentence": [], "first_word": [], "heads": []}
    flat = [w for words in sentences for w in words]  # every word of every sentence in one tokenizer call
    all_pieces = tokenizer(flat, add_special_tokens=False)["input_ids"] if flat else []
    start = 0
    for n, words in enumerate(sentences):
        pieces, start = all_pieces[start:start + len(words)], start + len(words)
        # a word that tokenises to nothing (e.g. a lone space) still needs a position for its label
        pieces = [p[:budget] or [tokenizer.unk_token_id] for p in pieces]
        w = 0
        while w < len(words) or (w == 0 and not words):
            ids, labels, heads, first = [bos], [IGNORE], [], w
            while w < len(words) and len(ids) - 1 + len(pieces[w]) <= budget:
                heads.append(len(ids))
                labels += [tags[n][w] if tags is not None else IGNORE] + [IGNORE] * (len(pieces[w]) - 1)
                ids += pieces[w]
                w += 1
            out["input_ids"].append(ids + [eos])
            out["labels"].append(labels + [IGNORE])
            out["sentence"].append(n)
            out["first_word"].append(first)
            out["heads"].append(heads)
            if not words:
                break
    return out


def tag_predictions(features: dict, logits, n_sentences: int) -> list[list[int]]:
    """Per sentence, the argmax tag of each word's first sub-word, windows stitched back in order."""
    out = [[] for _ in range(n_sentences)]
    for i, n in enumerate(features["sentence"]):
        row = logits[i]
        out[n] += [max(range(len(row[h])), key=lambda c: row[h][c]) for h in features["heads"][i]]
    return out
