"""One adapter per task type: features from canonical examples, batch collation, the head, the loss, decoding
model outputs back into per-example predictions, and scoring. Training and evaluation dispatch on
`TaskSpec.type` through `TYPES`; no task is named here."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import torch
from torch import nn

from . import features as F
from .metrics import METRICS, accuracy, qa_items, seqeval_items

SEQEVAL_VARIANT = "paper"  # seqeval 0.0.12 chunk typing (see metrics.seqeval_f1)
HEADLINE = {"accuracy": "accuracy", "token_accuracy": "accuracy", "squad": "f1", "squad_v2": "f1", "mlqa": "f1",
            "seqeval": "f1", "bucc": "f1", "tatoeba": "accuracy"}


@dataclass
class Features:
    """Model inputs of one split: `items` (one dict per model row, with input_ids and targets), their lengths for
    batching, and `meta` that decoding needs (QA offsets, tagging windows)."""

    items: list[dict]
    meta: dict = field(default_factory=dict)

    @property
    def lengths(self) -> list[int]:
        return [max(map(len, it["input_ids"])) if it.get("multi") else len(it["input_ids"]) for it in self.items]


def _pad(rows: list[list[int]], value: int) -> torch.Tensor:
    width = max(map(len, rows))
    return torch.tensor([r + [value] * (width - len(r)) for r in rows], dtype=torch.long)


def _inputs(rows: list[list[int]], pad_id: int) -> dict:
    ids = _pad(rows, pad_id)
    return {"input_ids": ids, "attention_mask": (ids != pad_id).long()}


class ClassificationHead(nn.Module):
    """RoBERTa's sentence classification head over the first token (<s>)."""

    def __init__(self, hidden: int, num_labels: int, dropout: float = 0.1):
        super().__init__()
        self.dense, self.dropout, self.out_proj = nn.Linear(hidden, hidden), nn.Dropout(dropout), nn.Linear(hidden, num_labels)

    def forward(self, hidden_states, batch):
        x = self.dropout(torch.tanh(self.dense(self.dropout(hidden_states[:, 0]))))
        return self.out_proj(x)


class ChoiceHead(ClassificationHead):
    """One score per (context, choice) row, reshaped to (examples, choices)."""

    def __init__(self, hidden: int, num_labels: int):
        super().__init__(hidden, 1)

    def forward(self, hidden_states, batch):
        return super().forward(hidden_states, batch).view(-1, batch["n_choices"])


class SpanHead(nn.Module):
    """Start and end logits per token; padding can never be chosen."""

    def __init__(self, hidden: int, num_labels: int):
        super().__init__()
        self.qa_outputs = nn.Linear(hidden, 2)

    def forward(self, hidden_states, batch):
        logits = self.qa_outputs(hidden_states).float()
        logits = logits.masked_fill(batch["attention_mask"][..., None] == 0, -1e4)
        return logits[..., 0], logits[..., 1]


class TagHead(nn.Module):
    def __init__(self, hidden: int, num_labels: int, dropout: float = 0.1):
        super().__init__()
        self.dropout, self.classifier = nn.Dropout(dropout), nn.Linear(hidden, num_labels)

    def forward(self, hidden_states, batch):
        return self.classifier(self.dropout(hidden_states))


class PairClassification:
    head = ClassificationHead
    options = ()  # training options that encode() reads beyond max_length (see encode_options)

    def encode(self, spec, ex, tokenizer, max_length) -> Features:
        ids = F.encode_pairs(tokenizer, ex["text_a"], ex["text_b"], max_length)
        return Features([{"input_ids": x, "label": y} for x, y in zip(ids, ex["label"])])

    def collate(self, items, pad_id):
        return {**_inputs([it["input_ids"] for it in items], pad_id),
                "labels": torch.tensor([it["label"] for it in items])}

    def loss(self, out, batch):
        return nn.functional.cross_entropy(out.float(), batch["labels"])

    def outputs(self, out, batch) -> list:
        return out.argmax(-1).tolist()

    def decode(self, spec, ex, feats, outputs):
        return outputs

    def score(self, spec, ex, predictions, lang, names=None) -> dict:
        return accuracy(predictions, ex["label"])

    def items(self, spec, ex, predictions, lang, names=None) -> dict[str, list]:
        """Per example, the values whose mean (or, for F1 counts, whose sums) give `score`'s headline."""
        return {"accuracy": [100.0 * (p == g) for p, g in zip(predictions, ex["label"])]}


class MultipleChoice(PairClassification):
    head = ChoiceHead

    def encode(self, spec, ex, tokenizer, max_length) -> Features:
        items = []
        for context, choices, label in zip(ex["context"], ex["choices"], ex["label"]):
            ids = F.encode_pairs(tokenizer, [context] * len(choices), choices, max_length)
            items.append({"input_ids": ids, "label": label, "multi": True})
        return Features(items)

    def collate(self, items, pad_id):
        n = len(items[0]["input_ids"])
        return {**_inputs([row for it in items for row in it["input_ids"]], pad_id), "n_choices": n,
                "labels": torch.tensor([it["label"] for it in items])}


class SpanQA:
    """Extractive QA by the SQuAD recipe of the XTREME baseline (features.qa_features): the question cut to
    `max_query_length` tokens, context windows every `doc_stride` tokens, answers read from each token's
    max-context window, n-best 20, answers of at most 30 tokens."""

    head = SpanHead
    options = ("doc_stride", "max_query_length")

    def encode(self, spec, ex, tokenizer, max_length, doc_stride: int = F.DOC_STRIDE,
               max_query_length: int = F.MAX_QUERY_LENGTH) -> Features:
        f = F.qa_features(tokenizer, ex["question"], ex["context"], max_length=max_length, doc_stride=doc_stride,
                          max_query_length=max_query_length, answer_starts=ex["answer_starts"],
                          answer_texts=ex["answer_texts"])
        items = [{"input_ids": x, "start": s, "end": e} for x, s, e in zip(f["input_ids"], f["start"], f["end"])]
        return Features(items, {"example": f["example"], "offsets": f["offsets"], "max_context": f["max_context"]})

    def collate(self, items, pad_id):
        return {**_inputs([it["input_ids"] for it in items], pad_id),
                "start": torch.tensor([it["start"] for it in items]), "end": torch.tensor([it["end"] for it in items])}

    def loss(self, out, batch):
        start, end = out
        return (nn.functional.cross_entropy(start, batch["start"]) + nn.functional.cross_entropy(end, batch["end"])) / 2

    def outputs(self, out, batch) -> list:
        lengths = batch["attention_mask"].sum(-1).tolist()
        start, end = (t.float().cpu().numpy() for t in out)
        return [(start[i, :n], end[i, :n]) for i, n in enumerate(lengths)]

    def decode(self, spec, ex, feats, outputs):
        return F.qa_predictions(ex["context"], feats.meta, [o[0] for o in outputs], [o[1] for o in outputs],
                                allow_no_answer=spec.metric == "squad_v2")

    def score(self, spec, ex, predictions, lang, names=None) -> dict:
        preds = dict(zip(ex["id"], predictions))
        refs = {qid: golds for qid, golds in zip(ex["id"], ex["answer_texts"])}
        kwargs = {"lang": lang} if spec.metric == "mlqa" else {}
        return METRICS[spec.metric](preds, refs, **kwargs)

    def items(self, spec, ex, predictions, lang, names=None) -> dict[str, list]:
        refs = {qid: golds for qid, golds in zip(ex["id"], ex["answer_texts"])}
        return qa_items(spec.metric, dict(zip(ex["id"], predictions)), refs, lang)


class Tagging:
    head = TagHead
    options = ()

    def encode(self, spec, ex, tokenizer, max_length) -> Features:
        tags = [[F.IGNORE if t is None else t for t in row] for row in ex["tags"]]
        f = F.tag_features(tokenizer, ex["tokens"], max_length, tags)
        items = [{"input_ids": x, "labels": y} for x, y in zip(f["input_ids"], f["labels"])]
        return Features(items, {"sentence": f["sentence"], "heads": f["heads"], "n": len(ex["tokens"])})

    def collate(self, items, pad_id):
        return {**_inputs([it["input_ids"] for it in items], pad_id),
                "labels": _pad([it["labels"] for it in items], F.IGNORE)}

    def loss(self, out, batch):
        return nn.functional.cross_entropy(out.float().flatten(0, 1), batch["labels"].flatten(), ignore_index=F.IGNORE)

    def outputs(self, out, batch) -> list:
        return list(out.float().cpu().numpy())

    def decode(self, spec, ex, feats, outputs):
        return F.tag_predictions(feats.meta, outputs, feats.meta["n"])

    def score(self, spec, ex, predictions, lang, names=None) -> dict:
        names = names or spec.label_names
        pred = [[names[t] for t in row] for row in predictions]
        if spec.metric == "seqeval":  # seqeval 0.0.12 semantics, as XTREME published; recorded as the variant
            return METRICS["seqeval"](pred, ex["tag_names"], semantics=SEQEVAL_VARIANT)
        return METRICS[spec.metric](pred, ex["tag_names"])

    def items(self, spec, ex, predictions, lang, names=None) -> dict[str, list]:
        names = names or spec.label_names
        pred = [[names[t] for t in row] for row in predictions]
        if spec.metric != "seqeval":
            raise ValueError(f"no per-example values for metric {spec.metric!r}")
        return seqeval_items(pred, ex["tag_names"], semantics=SEQEVAL_VARIANT)


class MLMHead(nn.Module):
    """XLM-R's LM head (dense, GELU, LayerNorm, decoder tied to the input embeddings), applied to the masked
    positions only, so the vocabulary-sized logits stay small."""

    def __init__(self, embeddings: nn.Embedding, eps: float = 1e-5):
        super().__init__()
        hidden = embeddings.weight.shape[1]
        self.dense, self.layer_norm = nn.Linear(hidden, hidden), nn.LayerNorm(hidden, eps=eps)
        self.embeddings = [embeddings]  # a list: the tied weight is the encoder's, not a parameter of this head
        self.bias = nn.Parameter(torch.zeros(embeddings.weight.shape[0]))

    def forward(self, hidden_states, batch):
        x = hidden_states[batch["labels"] != F.IGNORE]
        x = self.layer_norm(nn.functional.gelu(self.dense(x)))
        return x @ self.embeddings[0].weight.T + self.bias


class MaskedLM:
    """Continued MLM on multilingual text: 15% of the non-special tokens are predicted; of those 80% become
    <mask>, 10% a random token, 10% stay (BERT). Masks are drawn from torch's generator, which checkpoints keep."""

    def __init__(self, tokenizer, share: float = 0.15):
        self.mask_id, self.vocab = tokenizer.mask_token_id, len(tokenizer)
        self.special = torch.tensor(sorted(set(tokenizer.all_special_ids)))
        self.share = share

    def encode(self, spec, ex, tokenizer, max_length) -> Features:
        ids = tokenizer(ex["text"], truncation=True, max_length=max_length)["input_ids"]
        return Features([{"input_ids": x} for x in ids if len(x) > 2])

    def collate(self, items, pad_id):
        batch = _inputs([it["input_ids"] for it in items], pad_id)
        ids = batch["input_ids"].clone()
        candidates = ~torch.isin(ids, self.special) & (batch["attention_mask"] == 1)
        masked = (torch.rand(ids.shape) < self.share) & candidates
        if not masked.any():  # at least one prediction per batch
            masked.view(-1)[candidates.view(-1).nonzero()[0]] = True
        labels = torch.where(masked, ids, torch.full_like(ids, F.IGNORE))
        roll = torch.rand(ids.shape)
        ids[masked & (roll < 0.8)] = self.mask_id
        swap = masked & (roll >= 0.8) & (roll < 0.9)
        ids[swap] = torch.randint(self.vocab, ids.shape)[swap]
        return {"input_ids": ids, "attention_mask": batch["attention_mask"], "labels": labels}

    def loss(self, out, batch):
        return nn.functional.cross_entropy(out.float(), batch["labels"][batch["labels"] != F.IGNORE])


TYPES = {"pair_classification": PairClassification(), "multiple_choice": MultipleChoice(), "span_qa": SpanQA(),
         "tagging": Tagging()}


def encode_options(spec, train) -> dict:
    """The training options (a TrainConfig) that `spec`'s task type reads when encoding, beyond max_length: QA's
    doc_stride and max_query_length."""
    return {name: getattr(train, name) for name in TYPES[spec.type].options}


def headline(metric: str, scores: dict) -> float:
    return scores[HEADLINE[metric]]


def metric_variant(metric: str, train=None) -> str | None:
    """Which implementation's semantics a score follows, stored with it: seqeval's chunk typing (it changed); for
    QA the settings of the SQuAD recipe that made the predictions (window length, question tokens kept, doc
    stride, n-best, longest answer), read from the target stage's training options `train`."""
    if metric in ("squad", "squad_v2", "mlqa") and train is not None:
        return (f"squad-recipe len{train.max_length} query{train.max_query_length} stride{train.doc_stride} "
                f"nbest{F.N_BEST} answer{F.MAX_ANSWER_LENGTH}")
    return {"seqeval": "seqeval-0.0.12" if SEQEVAL_VARIANT == "paper" else "seqeval-1.x"}.get(metric)


# retrieval: sentence embeddings from one hidden layer -----------------------------------------------------------


def default_layer(num_layers: int) -> int:
    """Layer 14 of 24 for XLM-R large (jiant, XTREME's Tatoeba script), scaled for other depths."""
    return max(1, round(num_layers * 14 / 24))


def embed(encoder, tokenizer, sentences: list[str], layer: int, pooling: str, max_length: int, device,
          batch_size: int = 128, meter=None) -> np.ndarray:
    """One vector per sentence: hidden layer `layer` (0 = embeddings), pooled over the attention mask ("mean",
    special tokens included as in the XTREME scripts; "mean_nospecial" as jiant; "cls")."""
    ids = tokenizer(sentences, truncation=True, max_length=max_length)["input_ids"]
    out = np.zeros((len(ids), encoder.config.hidden_size), dtype=np.float32)
    encoder.eval()
    specials = torch.tensor(sorted(set(tokenizer.all_special_ids)), device=device)
    with torch.inference_mode():
        for batch in F.length_grouped_batches([len(x) for x in ids], batch_size):
            inputs = {k: v.to(device) for k, v in _inputs([ids[i] for i in batch], tokenizer.pad_token_id).items()}
            if meter:
                meter.add(inputs["attention_mask"])
            hidden = encoder(**inputs, output_hidden_states=True).hidden_states[layer].float()
            mask = inputs["attention_mask"].clone()
            if pooling == "cls":
                vec = hidden[:, 0]
            else:
                if pooling == "mean_nospecial":
                    mask = mask * ~torch.isin(inputs["input_ids"], specials)
                vec = (hidden * mask[..., None]).sum(1) / mask.sum(1, keepdim=True).clamp(min=1)
            out[batch] = vec.cpu().numpy()
    return out
