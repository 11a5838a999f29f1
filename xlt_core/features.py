"""Pure preprocessing: token ids per example, length-grouped batches, dynamic padding."""

from __future__ import annotations

import random

from .errors import XltError


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


# extractive QA: the SQuAD recipe of the XTREME baseline (BERT's run_squad, transformers' SQuAD processor) ---------
# The question is cut to `max_query_length` tokens; the context is tokenized once (character offsets kept, so
# answers are cut from the original text) and cut into windows of what the question leaves of `max_length`,
# one starting every `doc_stride` tokens; each context token is scored in the window where it has the most
# context. An empty context still gets one window (the recipe would drop the example).
DOC_STRIDE = 128  # tokens from one window's start to the next
MAX_QUERY_LENGTH = 64  # question tokens kept
N_BEST = 20  # start and end candidates per window
MAX_ANSWER_LENGTH = 30  # tokens


def doc_spans(n_tokens: int, window: int, doc_stride: int) -> list[tuple[int, int]]:
    """(start, length) of each window over `n_tokens` context tokens: windows of at most `window` tokens, the
    next starting min(length, `doc_stride`) tokens later (so no token is skipped), the last one reaching the end.
    No tokens: one empty window."""
    spans, start = [], 0
    while True:
        length = min(window, n_tokens - start)
        spans.append((start, length))
        if start + length >= n_tokens:
            return spans
        start += min(length, doc_stride)


def max_context_spans(spans: list[tuple[int, int]], n_tokens: int) -> list[int]:
    """For each context token, the index of the window where it has the most context: the highest
    min(tokens left, tokens right) + 0.01 x window length, the first such window on a tie (the recipe's
    _new_check_is_max_context)."""
    best, owner = [-1.0] * n_tokens, [0] * n_tokens
    for k, (start, length) in enumerate(spans):
        end = start + length - 1
        for p in range(start, start + length):
            score = min(p - start, end - p) + 0.01 * length
            if score > best[p]:
                best[p], owner[p] = score, k
    return owner


def pair_template(tokenizer) -> tuple[list[int], list[int], list[int]]:
    """The special tokens the tokenizer puts before the question, between question and context, and after the
    context (XLM-R: <s> | </s></s> | </s>), read from its own encoding of a pair."""
    enc = tokenizer("a", "a", add_special_tokens=True)
    ids, seq = enc["input_ids"], enc.sequence_ids(0)
    q = [i for i, s in enumerate(seq) if s == 0]
    c = [i for i, s in enumerate(seq) if s == 1]
    return ids[:q[0]], ids[q[-1] + 1:c[0]], ids[c[-1] + 1:]


def answer_tokens(offsets: list[tuple[int, int]], a_start: int, a_end: int) -> tuple[int, int] | None:
    """The smallest run of context tokens covering the characters [a_start, a_end), or None when no token does."""
    start = next((j for j, (s, e) in enumerate(offsets) if e > a_start and e > s), None)
    end = next((j for j in range(len(offsets) - 1, -1, -1) if offsets[j][0] < a_end and offsets[j][1] >
                offsets[j][0]), None)
    return None if start is None or end is None or end < start else (start, end)


def qa_features(tokenizer, questions: list[str], contexts: list[str], max_length: int = 384,
                doc_stride: int = DOC_STRIDE, max_query_length: int = MAX_QUERY_LENGTH,
                answer_starts: list[list[int]] | None = None, answer_texts: list[list[str]] | None = None) -> dict:
    """Question + context windows, at least one per example, each at most `max_length` tokens. Per window:
    input_ids, `example` (its example's index), `window` ((first, count) of the example's context tokens it
    holds), `offsets` (character span per token, None outside the context), `max_context` (per token: this
    window is the one where this context token has the most context) and, when
    answers are given, the token `start`/`end` of the first answer when the window holds all of it, else
    0 (<s>, also for no answer)."""
    prefix, middle, suffix = pair_template(tokenizer)
    window = max_length - max_query_length - len(prefix) - len(middle) - len(suffix)
    if window < 1:
        raise XltError(f"max_length {max_length} leaves no context token after max_query_length "
                       f"{max_query_length} and {len(prefix) + len(middle) + len(suffix)} special tokens: choose "
                       f"max_length >= {max_length - window + 1} or a smaller max_query_length")
    if doc_stride < 1:
        raise XltError(f"doc_stride must be an integer >= 1, got {doc_stride}")
    query = tokenizer(questions, add_special_tokens=False, truncation=True, max_length=max_query_length)["input_ids"] \
        if questions else []
    ctx = tokenizer(contexts, add_special_tokens=False, return_offsets_mapping=True, verbose=False) \
        if contexts else {"input_ids": [], "offset_mapping": []}
    out = {"input_ids": [], "example": [], "window": [], "offsets": [], "max_context": []}
    if answer_starts is not None:
        out["start"], out["end"] = [], []
    for ex, (q, ids, offsets) in enumerate(zip(query, ctx["input_ids"], ctx["offset_mapping"])):
        offsets = [tuple(o) for o in offsets]
        spans = doc_spans(len(ids), max_length - len(q) - len(prefix) - len(middle) - len(suffix), doc_stride)
        owner = max_context_spans(spans, len(ids))
        head = prefix + q + middle
        gold = None
        if answer_starts is not None and answer_starts[ex]:
            a_start = answer_starts[ex][0]
            gold = answer_tokens(offsets, a_start, a_start + len(answer_texts[ex][0]))
        for k, (start, length) in enumerate(spans):
            out["input_ids"].append(head + ids[start:start + length] + suffix)
            out["example"].append(ex)
            out["window"].append((start, length))
            out["offsets"].append([None] * len(head) + offsets[start:start + length] + [None] * len(suffix))
            out["max_context"].append([False] * len(head) + [owner[p] == k for p in range(start, start + length)]
                                      + [False] * len(suffix))
            if answer_starts is not None:
                inside = gold is not None and start <= gold[0] and gold[1] < start + length
                out["start"].append(len(head) + gold[0] - start if inside else 0)
                out["end"].append(len(head) + gold[1] - start if inside else 0)
    return out


def qa_predictions(contexts: list[str], features: dict, start_logits, end_logits, n_best: int = N_BEST,
                   max_answer_length: int = MAX_ANSWER_LENGTH, allow_no_answer: bool = False) -> list[str]:
    """The best answer text per example over all its windows, as the recipe's compute_predictions_logits: in each
    window the `n_best` highest start and end logits; a span counts when both ends are context tokens, the
    start is in its max-context window, end >= start and it is at most `max_answer_length` tokens; the highest
    start + end logit wins (the first on a tie). With `allow_no_answer` (SQuAD v2) the empty answer wins when the
    lowest <s> score over the windows beats the best span. An example with no valid span gets ""."""
    import numpy as np

    best = [(-float("inf"), "") for _ in contexts]
    null = [float("inf")] * len(contexts)
    for i, ex in enumerate(features["example"]):
        offsets, top = features["offsets"][i], features["max_context"][i]
        starts, ends = np.asarray(start_logits[i])[:len(offsets)], np.asarray(end_logits[i])[:len(offsets)]
        null[ex] = min(null[ex], float(starts[0] + ends[0]))
        for s in np.argsort(-starts, kind="stable")[:n_best].tolist():
            if not top[s]:
                continue
            for e in np.argsort(-ends, kind="stable")[:n_best].tolist():
                if offsets[e] is None or e < s or e - s + 1 > max_answer_length:
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
