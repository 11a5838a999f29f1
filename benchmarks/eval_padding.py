"""Zero-shot evaluation throughput: this project's inference (batches sorted by length, dynamic padding) against
the upstream recipe (every pair padded to max_length=128, dataset order), same model, data and batch size.

Prints real tokens per second for both and their ratio; the last line is key=value pairs.
"""

from __future__ import annotations

import time

import torch

from xlt_core.config import chain
from xlt_core.models import TaskModel, load_encoder, load_tokenizer
from xlt_core.pipeline import split_examples
from xlt_core.tasks import get_task
from xlt_core.tasktypes import TYPES, Features
from xlt_core.training import run_model

BATCH, MAX_LEN, REPEATS = 64, 128, 3


def padded_to_max(model, feats, pad_id):
    """The reference way: pad every example to MAX_LEN, keep the dataset order."""
    preds = []
    with torch.inference_mode():
        for start in range(0, len(feats.items), BATCH):
            rows = [it["input_ids"] + [pad_id] * (MAX_LEN - len(it["input_ids"])) for it in feats.items[start:start + BATCH]]
            ids = torch.tensor(rows)
            preds += model("xnli", {"input_ids": ids, "attention_mask": (ids != pad_id).long()}).argmax(-1).tolist()
    return preds


def best_time(fn) -> float:
    times = []
    for _ in range(REPEATS):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> None:
    torch.manual_seed(0)
    cfg = chain(intermediate="none")[-1]
    spec, ttype = get_task("xnli"), TYPES["pair_classification"]
    tok = load_tokenizer("tiny")
    model = TaskModel.for_task(load_encoder("tiny"), spec).eval()
    items = []
    for lang in cfg.languages:
        items += ttype.encode(spec, split_examples(cfg, spec, "test", lang), tok, MAX_LEN).items
    feats = Features(items)
    real = sum(feats.lengths)
    device = torch.device("cpu")
    ours = best_time(lambda: run_model(model, "xnli", ttype, feats, tok.pad_token_id, device, batch_size=BATCH))
    ref = best_time(lambda: padded_to_max(model, feats, tok.pad_token_id))
    assert run_model(model, "xnli", ttype, feats, tok.pad_token_id, device, batch_size=BATCH) == \
        padded_to_max(model, feats, tok.pad_token_id)
    print(f"{'method':<34}{'seconds':>9}{'real tok/s':>13}")
    print(f"{'padded to 128, dataset order':<34}{ref:>9.3f}{real / ref:>13.0f}")
    print(f"{'sorted by length, dynamic padding':<34}{ours:>9.3f}{real / ours:>13.0f}")
    print(f"examples={len(items)} real_tokens={real} ratio_vs_padded={ref / ours:.2f} "
          f"real_fraction_padded={real / (len(items) * MAX_LEN):.3f}")


if __name__ == "__main__":
    main()
