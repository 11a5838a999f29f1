"""Training throughput, three ways side by side on the same model, data and batch size (one epoch of the sample
MNLI training set, English dev evaluation excluded):

  ours             xlt_core.training.train: length-grouped batches, dynamic padding (fused AdamW, bf16 on CUDA)
  trainer_padded   transformers Trainer as the upstream example scripts use it: every pair padded to max_length
  trainer_grouped  Trainer with best-practice flags: length-grouped sampling (transformers 5:
                   train_sampling_strategy="group_by_length"), dynamic padding, bf16 where available

Each of `--repeat` rounds runs all three (each from the same weights), starting with another one each round; the
table shows medians, the ratios are medians of the per-round ratios (this shared machine drifts between minutes).
Prints real (non-padding) tokens per second, the share of processed tokens that are real, and MFU on a GPU.
The last line is key=value pairs. `--shape base` / `--shape large` use XLM-R base's / large's shape with random
weights (for GPUs, where `--epochs` and a larger `--batch-size` keep warm-up and the optimizer step from dominating).
"""

from __future__ import annotations

import argparse
import copy
import gc
import statistics
import sys
import tempfile
import time

import torch

PEAK_BF16 = {"H100": 989e12, "H200": 989e12, "A100": 312e12}
SHAPES = {"base": (768, 12, 12, 3072), "large": (1024, 24, 16, 4096)}  # hidden, layers, heads, intermediate


def build_encoder(shape: str):
    from transformers import XLMRobertaConfig, XLMRobertaModel

    from xlt_core.models import load_encoder, load_tokenizer

    tok = load_tokenizer("tiny")
    if shape == "tiny":
        return tok, load_encoder("tiny")
    hidden, layers, heads, inter = SHAPES[shape]
    cfg = XLMRobertaConfig(vocab_size=250002, hidden_size=hidden, num_hidden_layers=layers, num_attention_heads=heads,
                           intermediate_size=inter, max_position_embeddings=514, type_vocab_size=1, pad_token_id=1)
    torch.manual_seed(0)
    return tok, XLMRobertaModel(cfg, add_pooling_layer=False)


def data(size: int | None):
    """The sample MNLI training pairs (all, or a deterministic subsample of `size`)."""
    from xlt_core.config import chain
    from xlt_core.pipeline import training_examples
    from xlt_core.tasks import get_task

    [cfg, *_] = chain(intermediate="mnli", intermediate_size=size)
    ex, _ = training_examples(cfg, get_task("mnli"))
    return ex


def ours(encoder, tok, ex, args, device):
    from xlt_core.config import TrainConfig
    from xlt_core.models import TaskModel
    from xlt_core.tasks import get_task
    from xlt_core.tasktypes import TYPES
    from xlt_core.training import CostMeter, TaskData, train

    spec, ttype = get_task("mnli"), TYPES["pair_classification"]
    feats = ttype.encode(spec, ex, tok, args.max_length)
    torch.manual_seed(0)
    model = TaskModel.for_task(encoder, spec)
    cfg = TrainConfig(epochs=float(args.epochs), lr=2e-5, batch_size=args.batch_size, max_length=args.max_length)
    meter = CostMeter(device)
    start = time.perf_counter()
    train(model, [TaskData("mnli", ttype, feats, len(feats.items))], lambda m: 0.0, cfg, 0, tok.pad_token_id, device,
          meter)
    if device.type == "cuda":
        torch.cuda.synchronize()
    return time.perf_counter() - start, meter.real_tokens, meter.padded_tokens


def trainer(encoder, tok, ex, args, device, grouped: bool):
    import datasets
    from transformers import (DataCollatorWithPadding, PrinterCallback, Trainer, TrainingArguments,
                              XLMRobertaForSequenceClassification)

    config = {k: v for k, v in encoder.config.to_dict().items() if k not in ("id2label", "label2id")}
    model = XLMRobertaForSequenceClassification(encoder.config.__class__(**config, num_labels=3))
    model.roberta.load_state_dict(encoder.state_dict(), strict=False)
    padding = False if grouped else "max_length"
    enc = tok(ex["text_a"], ex["text_b"], truncation=True, max_length=args.max_length, padding=padding)
    ds = datasets.Dataset.from_dict({**enc, "labels": ex["label"]})
    real = args.epochs * sum(sum(m) for m in enc["attention_mask"])
    padded = args.epochs * len(ds) * args.max_length if not grouped else None
    with tempfile.TemporaryDirectory() as out:
        targs = TrainingArguments(out, per_device_train_batch_size=args.batch_size, num_train_epochs=args.epochs,
                                  learning_rate=2e-5, report_to=[], save_strategy="no", logging_strategy="no",
                                  disable_tqdm=True, dataloader_num_workers=0,
                                  **({"train_sampling_strategy": "group_by_length"} if grouped else {}),
                                  bf16=grouped and device.type == "cuda", use_cpu=device.type == "cpu")
        t = Trainer(model=model, args=targs, train_dataset=ds,
                    data_collator=DataCollatorWithPadding(tok) if grouped else None)
        t.remove_callback(PrinterCallback)  # its end-of-training dict would interleave with the table
        if grouped:  # count what the collator really feeds the model
            padded = args.epochs * sum(b["input_ids"].numel() for b in t.get_train_dataloader())
        start = time.perf_counter()
        t.train()
        if device.type == "cuda":
            torch.cuda.synchronize()
        return time.perf_counter() - start, real, padded


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shape", choices=("tiny", *SHAPES), default="tiny")
    parser.add_argument("--epochs", type=int, default=1, help="passes over the training pairs (each method)")
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--max-length", type=int, default=128)
    parser.add_argument("--size", type=int, default=None, help="training pairs (default: all 3,000 sample pairs)")
    parser.add_argument("--repeat", type=int, default=3,
                        help="rounds of the three methods, in rotating order; ratios are medians of per-round ratios")
    args = parser.parse_args()
    for name in ("epochs", "batch_size", "max_length", "size", "repeat"):
        if getattr(args, name) is not None and getattr(args, name) < 1:
            parser.error(f"--{name.replace('_', '-')} {getattr(args, name)}: must be a positive integer")
    device = torch.device("cuda" if torch.cuda.is_available() else "cpu")
    tok, encoder = build_encoder(args.shape)
    ex = data(args.size)
    from xlt_core.errors import XltError
    from xlt_core.training import train_flops_per_token

    methods = {"trainer_padded": lambda: trainer(encoder, tok, ex, args, device, grouped=False),
               "trainer_grouped": lambda: trainer(encoder, tok, ex, args, device, grouped=True),
               "ours": lambda: ours(copy.deepcopy(encoder), tok, ex, args, device)}
    rounds, oom = [], set()  # this machine drifts from minute to minute: each round runs all three, in turn first
    for r in range(args.repeat):
        rounds.append({})
        for name in [n for n in list(methods)[r % 3:] + list(methods)[:r % 3] if n not in oom]:
            try:
                rounds[-1][name] = methods[name]()
            except torch.cuda.OutOfMemoryError:  # a baseline too big for the device at this batch size: say so
                oom.add(name)
            except XltError as err:  # ours names the batch size it ran out of memory with
                sys.exit(f"ours: {err}")
            if name in oom:  # (outside the except block, so that the traceback no longer holds the memory)
                gc.collect()
                torch.cuda.empty_cache()
    done = [name for name in methods if name not in oom]
    results = {}
    for name in done:
        seconds = statistics.median(rd[name][0] for rd in rounds)
        _, real, padded = rounds[0][name]
        results[name] = {"s": seconds, "tok_s": real / seconds, "real_share": real / padded}
    ratio = {base: [rd[base][0] / rd["ours"][0] for rd in rounds] for base in ("trainer_padded", "trainer_grouped")
             if base in done}
    # FLOPs per real token at the pairs' mean real length (ours sees every pair once an epoch), as its meter counts
    mean_length = rounds[0]["ours"][1] / (args.epochs * len(ex["label"]))
    flops_tok = train_flops_per_token(encoder.config, mean_length)
    peak = next((v for k, v in PEAK_BF16.items() if device.type == "cuda" and k in torch.cuda.get_device_name()), None)
    print(f"median of {args.repeat} round{'s' if args.repeat > 1 else ''}")
    print(f"{'method':<17}{'seconds':>9}{'real tok/s':>12}{'real share':>12}" + ("     MFU" if peak else ""))
    for name in methods:
        if name in oom:
            print(f"{name:<17}out of memory at batch size {args.batch_size}")
            continue
        r = results[name]
        mfu = f"{r['tok_s'] * flops_tok / peak:8.1%}" if peak else ""
        print(f"{name:<17}{r['s']:>9.2f}{r['tok_s']:>12.0f}{r['real_share']:>12.1%}{mfu}")
    for base, values in ratio.items():
        print(f"ours / {base} per round: " + " ".join(f"{v:.2f}" for v in values))
    o = results["ours"]
    ratios = " ".join(f"ratio_vs_{base}=" + (f"{statistics.median(ratio[base]):.2f}" if base in ratio else "oom")
                      for base in ("trainer_padded", "trainer_grouped"))
    extra = f" mfu={o['tok_s'] * flops_tok / peak:.3f}" if peak else ""
    print(f"device={device.type} shape={args.shape} batch={args.batch_size} pairs={len(ex['label'])} "
          f"epochs={args.epochs} repeat={args.repeat} mean_length={mean_length:.1f} {ratios} "
          f"real_share={o['real_share']:.3f}{extra}")


if __name__ == "__main__":
    main()
