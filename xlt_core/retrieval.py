"""Sentence retrieval scored as XTREME's official scripts do: BUCC bitext mining with a
k-nearest-neighbour ratio margin and "max" retrieval, its threshold tuned for F1 on dev; Tatoeba top-1 accuracy.
Inputs are sentence embeddings (rows); everything here is numpy and pure."""

from __future__ import annotations

import numpy as np


def l2_normalize(x: np.ndarray) -> np.ndarray:
    x = np.asarray(x, dtype=np.float32)
    return x / np.maximum(np.linalg.norm(x, axis=1, keepdims=True), 1e-12)


def knn(x: np.ndarray, y: np.ndarray, k: int, chunk: int = 4096) -> tuple[np.ndarray, np.ndarray]:
    """For each row of x, the cosine similarities and indices of its k nearest rows of y (best first)."""
    k = min(k, len(y))
    sims, idx = [], []
    for start in range(0, len(x), chunk):
        s = x[start:start + chunk] @ y.T
        top = np.argpartition(-s, k - 1, axis=1)[:, :k]
        top_s = np.take_along_axis(s, top, axis=1)
        order = np.argsort(-top_s, axis=1, kind="stable")
        idx.append(np.take_along_axis(top, order, axis=1))
        sims.append(np.take_along_axis(top_s, order, axis=1))
    return np.concatenate(sims), np.concatenate(idx)


def unify(texts: list[str]) -> tuple[list[str], list[int]]:
    """Unique texts (first occurrence order) and, per item, the index of its unique text."""
    first: dict[str, int] = {}
    inverse = [first.setdefault(t, len(first)) for t in texts]
    return list(first), inverse


def sentence_ids(texts: list[str], ids: list[str], repeats: str = "official") -> tuple[list[str], list[list[str]]]:
    """Unique sentences (first occurrence order; the official mining embeds each once) and, per unique sentence,
    the ids its mined pairs are scored under (config.BUCC_REPEATS): official, a sentence that occurs more than once
    keeps no id (its pairs are dropped, its gold pairs stay unreachable); all-ids, it keeps every id."""
    unique, inverse = unify(texts)
    owners: list[list[str]] = [[] for _ in unique]
    for u, i in zip(inverse, ids):
        owners[u].append(i)
    if repeats == "official":
        owners = [found if len(found) == 1 else [] for found in owners]
    return unique, owners


def bucc_candidates(mined: list[tuple[int, int, float]], src_ids: list[list[str]],
                    trg_ids: list[list[str]]) -> list[tuple[str, str, float]]:
    """Mined pairs of unique sentences (bucc_mine) as (source id, target id, score) pairs, by `sentence_ids`."""
    return [(s, t, score) for a, b, score in mined for s in src_ids[a] for t in trg_ids[b]]


def bucc_mine(src: np.ndarray, trg: np.ndarray, k: int = 4) -> list[tuple[int, int, float]]:
    """Candidate pairs (src row, trg row, margin score), best first, by LASER's "max" retrieval:
    score(x, y) = cos(x, y) / ((mean cos of x's k NN in trg + mean cos of y's k NN in src) / 2); each source takes
    its best-scoring candidate among its k NN and each target likewise; the pooled pairs are taken in order of
    score, skipping a pair whose source or target is already used."""
    x, y = l2_normalize(src), l2_normalize(trg)
    x2y_sim, x2y_idx = knn(x, y, k)
    y2x_sim, y2x_idx = knn(y, x, k)
    x_mean, y_mean = x2y_sim.mean(axis=1), y2x_sim.mean(axis=1)
    fwd = x2y_sim / ((x_mean[:, None] + y_mean[x2y_idx]) / 2)
    bwd = y2x_sim / ((y_mean[:, None] + x_mean[y2x_idx]) / 2)
    fwd_best = x2y_idx[np.arange(len(x)), fwd.argmax(axis=1)]
    bwd_best = y2x_idx[np.arange(len(y)), bwd.argmax(axis=1)]
    pairs = list(zip(range(len(x)), fwd_best.tolist(), fwd.max(axis=1).tolist())) + \
        list(zip(bwd_best.tolist(), range(len(y)), bwd.max(axis=1).tolist()))
    order = np.argsort(-np.array([p[2] for p in pairs]), kind="stable")
    seen_src, seen_trg, out = set(), set(), []
    for i in order:
        s, t, score = pairs[i]
        if s not in seen_src and t not in seen_trg:
            seen_src.add(s)
            seen_trg.add(t)
            out.append((s, t, score))
    return out


def bucc_threshold(candidates: list[tuple], gold: set) -> float:
    """Walk the candidates by decreasing score; at the cut with the best F1 against `gold`, return the midpoint
    between that candidate's score and the next one's (LASER bucc.py, as XTREME uses it on the dev data)."""
    items = sorted(candidates, key=lambda c: -c[2])
    best_f1, threshold, correct = 0.0, float("inf"), 0
    for i, (s, t, score) in enumerate(items):
        correct += (s, t) in gold
        if correct:
            p, r = correct / (i + 1), correct / len(gold)
            f1 = 2 * p * r / (p + r)
            if f1 > best_f1:
                best_f1 = f1
                threshold = (score + items[i + 1][2]) / 2 if i + 1 < len(items) else score
    return threshold


def bucc_f1(candidates: list[tuple], gold: set, threshold: float) -> dict[str, float]:
    """Precision, recall and F1 x 100 of the pairs scoring at least `threshold` against the gold pairs."""
    mined = {(s, t) for s, t, score in candidates if score >= threshold}
    correct = len(mined & gold)
    p = correct / len(mined) if mined else 0.0
    r = correct / len(gold) if gold else 0.0
    return {"f1": 100.0 * (2 * p * r / (p + r) if p + r else 0.0), "precision": 100.0 * p, "recall": 100.0 * r}


def bucc_items(candidates: list[tuple], gold: set, threshold: float, sources: list[str]) -> dict[str, list]:
    """Per source sentence id (`sources` in order, then any other id a pair names): its mined pairs at or above
    `threshold` that are gold (tp), its mined pairs and its gold pairs. Sums over any set of sources give BUCC's
    F1 on them (200 tp / (mined + gold)) with the threshold held at its dev value."""
    mined = {(s, t) for s, t, score in candidates if score >= threshold}
    order = list(dict.fromkeys([*sources, *sorted({s for s, _ in mined | gold} - set(sources))]))
    counts = {sid: [0, 0, 0] for sid in order}
    for s, t in mined:
        counts[s][1] += 1
        counts[s][0] += (s, t) in gold
    for s, _ in gold:
        counts[s][2] += 1
    return {"id": order, "tp": [counts[i][0] for i in order], "n_pred": [counts[i][1] for i in order],
            "n_gold": [counts[i][2] for i in order]}


def tatoeba_items(english: np.ndarray, other: np.ndarray) -> dict[str, list]:
    """Per English query i: 100 when its nearest neighbour (cosine) among the other language's sentences is
    sentence i, else 0, and the index it found. Ties go to the lowest index (numpy argmax)."""
    sims = l2_normalize(english) @ l2_normalize(other).T
    predicted = sims.argmax(axis=1)
    return {"accuracy": (100.0 * (predicted == np.arange(len(english)))).tolist(), "prediction": predicted.tolist()}


def tatoeba_accuracy(english: np.ndarray, other: np.ndarray) -> dict[str, float]:
    """Top-1 accuracy x 100 of English queries (tatoeba_items' mean)."""
    return {"accuracy": float(np.mean(tatoeba_items(english, other)["accuracy"]))}
