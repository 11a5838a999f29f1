"""Metrics exactly as the official XTREME code computes them. Each takes predictions and golds and returns
{metric name: score in 0-100}; `METRICS` maps a task spec's `metric` to its function."""

from __future__ import annotations


def accuracy(predictions: list, golds: list) -> dict[str, float]:
    """100 * mean(prediction == gold) (XTREME evaluate.py)."""
    if len(predictions) != len(golds):
        raise ValueError(f"{len(predictions)} predictions for {len(golds)} gold labels")
    if not golds:
        raise ValueError("no examples to score")
    return {"accuracy": 100.0 * sum(p == g for p, g in zip(predictions, golds)) / len(golds)}


METRICS = {"accuracy": accuracy}


def score(metric: str, predictions: list, golds: list) -> dict[str, float]:
    return METRICS[metric](predictions, golds)
