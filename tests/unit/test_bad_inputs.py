"""Every bad input is one line on stderr naming the bad value and what is allowed, exit code 2, no traceback, and
nothing computed or written: one table of cases over `xlt run`, `demo`, `sweep plan|run`, `ingest`, `dashboard`
and the stage job entry point (`python -m xlt_core.runner CONFIG.json RUNS_DIR [DEVICE]`). Cases run in-process
through cli.main (argparse errors raise SystemExit) or runpy for the entry point; those marked `proc` run as real
processes, to prove the real exit path."""

from __future__ import annotations

import json
import os
import runpy
import shutil
import socket
import subprocess
import sys
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
import pytest

from xlt_core.cli import main
from xlt_core.config import chain
from xlt_core.sample_data import sample_data_dir

XLT = os.path.join(os.path.dirname(sys.executable), "xlt")


@dataclass(frozen=True)
class Case:
    """argv: xlt's arguments, or ("job", ...) for the stage job's, where {tmp} is the case's folder (its working
    directory) and {port} a port in use; value: the bad value as the message quotes it; allowed: part of what the
    message says is allowed; env: environment variables; make: builds files in {tmp} first; proc: run as a real
    process."""

    argv: tuple[str, ...]
    value: str
    allowed: str
    env: dict = field(default_factory=dict)
    make: Callable | None = None
    proc: bool = False

    def __str__(self):
        env = " ".join(f"{k}={v}" for k, v in self.env.items())
        return f"{env} {' '.join(self.argv)} [{self.make.__name__ if self.make else ''}]".strip()


def case(*argv, value, allowed, env=None, make=None, proc=False) -> Case:
    return Case(tuple(argv), value, allowed, env or {}, make, proc)


# files the cases need ------------------------------------------------------------------------------------------
def named(name: str, make: Callable) -> Callable:
    make.__name__ = name
    return make


def a_file(rel: str, content: bytes = b"not a folder") -> Callable:
    def make(tmp: Path):
        path = tmp / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content)
    return named(f"file {rel}", make)


def both(*makes: Callable) -> Callable:
    return named(" and ".join(m.__name__ for m in makes), lambda tmp: [m(tmp) for m in makes])


def a_dir(rel: str) -> Callable:
    return named(f"dir {rel}", lambda tmp: (tmp / rel).mkdir(parents=True))


def model_dir(**files: str) -> Callable:
    """{tmp}/model holding the given files (name with '.' written as '_')."""
    def make(tmp: Path):
        (tmp / "model").mkdir()
        for name, text in files.items():
            (tmp / "model" / name.replace("_", ".", 1)).write_text(text)
    return named(f"model {files}", make)


def busy_port(tmp: Path) -> socket.socket:
    """A port something listens on; its number replaces {port} (the socket is closed after the case)."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen()
    return sock


# local data in the hub layout: the sample data's folders for the run, one file then broken
FOLDERS = {"xnli": ("nyu-mll/glue/mnli", "google/xtreme/XNLI"),
           "pawsx": ("google/xtreme/PAWS-X.en", "google/xtreme/PAWS-X.de"),
           "udpos": ("google/xtreme/udpos.English", "google/xtreme/udpos.German"),
           "panx": ("google/xtreme/PAN-X.en", "google/xtreme/PAN-X.de"),
           "xquad": ("rajpurkar/squad/plain_text", "google/xtreme/XQuAD.en", "google/xtreme/XQuAD.de"),
           "tydiqa": ("google/xtreme/tydiqa",),
           "bucc2018": ("google/xtreme/bucc18.de",),
           "tatoeba": ("google/xtreme/tatoeba.deu",)}
EXTRA = {"hellaswag": "Rowan/hellaswag/default", "commonsenseqa": "tau/commonsense_qa/default",
         "copa": "aps/super_glue/copa", "mlm": "local/mlm", "mnli": "nyu-mll/glue/mnli"}


def data_run(target: str, language: str, *more: str, intermediate: str = "none") -> tuple[str, ...]:
    return ("run", "--data", "{tmp}/data", "--intermediate", intermediate, "--target", target, "--languages",
            language, *more)


def broken(target: str, rel: str, breaks: Callable, extra: tuple[str, ...] = ()) -> Callable:
    """{tmp}/data with the folders a run of `target` reads (and `extra` ones), then `breaks(file)` on `rel`."""
    def make(tmp: Path):
        for folder in FOLDERS[target] + tuple(EXTRA[e] for e in extra):
            shutil.copytree(sample_data_dir() / folder, tmp / "data" / folder)
        breaks(tmp / "data" / rel)
    return named(f"{breaks.__name__} {rel}", make)


def truncated(path: Path):
    path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])


def random_bytes(path: Path):
    path.write_bytes(bytes(range(256)) * 8)


def empty_file(path: Path):
    path.write_bytes(b"")


def rewrite(change: Callable, keep_features: bool = True) -> Callable:
    """A file rewritten through change(table); its `datasets` features are dropped when the types change."""
    def breaks(path: Path):
        table = change(pq.read_table(path))
        pq.write_table(table if keep_features else table.replace_schema_metadata(None), path)
    breaks.__name__ = change.__name__
    return breaks


def column(name: str, values: Callable, keep_features: bool = False) -> Callable:
    def change(table):
        return table.set_column(table.schema.get_field_index(name), name, values(table.num_rows, table[name]))
    change.__name__ = f"column {name}"
    return rewrite(change, keep_features)


def bad_utf8(n, _):
    return pa.array([b"ok \xff\xfe bytes"] * n, pa.binary()).view(pa.string())


def bad_utf8_tokens(n, _):
    flat = pa.array([b"\xc3\x28"] * n, pa.binary()).view(pa.string())
    return pa.ListArray.from_arrays(pa.array(range(n + 1), pa.int32()), flat)


def zero_rows(table):
    return table.slice(0, 0)


def without_german(table):
    return table.filter(pc.not_equal(table["language"], "de"))


def without_bengali(table):
    return table.filter(pc.invert(pc.starts_with(table["id"], "bengali-")))


def drop(name: str) -> Callable:
    def change(table):
        return table.drop_columns([name])
    change.__name__ = f"drop {name}"
    return change


def one_label(value) -> Callable:
    """The first row's label replaced (with keep_features, the file's ClassLabel features stay)."""
    def values(n, old):
        return pa.array([value] + old.to_pylist()[1:], old.type)
    return values


def bucc_original(suffix: str, content: bytes | None) -> Callable:
    """{tmp}/data/bucc2018/de-en: the original BUCC files of the training split, one of them changed."""
    def make(tmp: Path):
        folder = tmp / "data" / "bucc2018" / "de-en"
        folder.mkdir(parents=True)
        for split in ("sample", "training"):
            for name, text in (("de", "de-1\tHallo\n"), ("en", "en-1\tHello\n"), ("gold", "de-1\ten-1\n")):
                (folder / f"de-en.{split}.{name}").write_text(text)
        changed = folder / f"de-en.training.{suffix}"
        if content is None:
            changed.unlink()
        else:
            changed.write_bytes(content)
    return named(f"bucc original {suffix}", make)


# stage job configs ---------------------------------------------------------------------------------------------
def unchanged(d: dict):
    pass


def job_config(change: Callable = unchanged, evaluate: bool = False, raw: str | None = None) -> Callable:
    """{tmp}/stage.json: a stage of a small chain as xlt writes it (the target stage, or its evaluate stage whose
    parent is not done), changed by change(dict); or the raw text given."""
    def make(tmp: Path):
        d = chain(intermediate="none", target="xnli", languages="en")[1 if evaluate else 0].to_dict()
        change(d)
        (tmp / "stage.json").write_text(raw if raw is not None else json.dumps(d))
    return named(f"stage.json {raw or change.__name__}{' (evaluate)' if evaluate else ''}", make)


def job(*args, value, allowed, make=None, env=None, proc=False) -> Case:
    return case("job", *args, value=value, allowed=allowed, make=make, env=env, proc=proc)


def setter(**values) -> Callable:
    return named(f"set {values}", lambda d: d.update(values))


def train_setter(**values) -> Callable:
    return named(f"set train {values}", lambda d: d["train"].update(values))


JOB = ("{tmp}/stage.json", "{tmp}/runs")
MULTI = ("--intermediate", "mnli+squad", "--sampling", "temperature")
NO_TRAINING = ("--intermediate", "none", "--target", "tatoeba")
SWEEP = "{tmp}/s.yaml"


def sweep_file(text: str | bytes) -> Callable:
    return named(f"s.yaml {text!r}", a_file("s.yaml", text if isinstance(text, bytes) else text.encode()))


CASES = [
    # run: argparse ------------------------------------------------------------------------------------------------
    case("run", "--seed", "abc", value="'abc'", allowed="int", proc=True),
    case("run", "--epochs", "many", value="'many'", allowed="float"),
    case("run", "--lr", "fast", value="'fast'", allowed="float"),
    case("run", "--temperature", "hot", value="'hot'", allowed="float"),
    case("run", "--mlm", "much", value="'much'", allowed="float"),
    case("run", "--layer", "top", value="'top'", allowed="int"),
    case("run", "--train-size", "-3", value="'-3'", allowed="positive integer"),
    case("run", "--intermediate-size", "0", value="'0'", allowed="positive integer"),
    case("run", "--eval-size", "1.5", value="'1.5'", allowed="integer"),
    case("run", "--batch-size", "0", value="'0'", allowed="positive integer"),
    case("run", "--max-length", "-64", value="'-64'", allowed="positive integer"),
    case("run", "--grad-accum", "x", value="'x'", allowed="integer"),
    case("run", "--sampling", "random", value="'random'",
         allowed="choose from 'proportional', 'temperature', 'uniform'"),
    case("run", "--pooling", "max", value="'max'", allowed="choose from 'mean', 'mean_nospecial', 'cls'"),
    case("run", "--frobnicate", value="--frobnicate", allowed="unrecognized arguments"),
    case("frobnicate", value="'frobnicate'", allowed="choose from"),
    # run: models --------------------------------------------------------------------------------------------------
    case("run", "--model", "xlmr-bse", value="'xlmr-bse'", allowed="a hub id (owner/name) or a local directory"),
    case("run", "--model", "", value="''", allowed="a hub id (owner/name) or a local directory"),
    case("run", "--model", "a b", value="'a b'", allowed="tiny, xlm-roberta-base, xlm-roberta-large"),
    case("run", "--model", "xlm-roberta-large", value="'xlm-roberta-large'", allowed="and pass --model DIR here"),
    case("run", "--model", "someone/nothing-here", value="'someone/nothing-here'", allowed="hf download"),
    case("run", "--model", "{tmp}/model", value="model has no config.json", allowed="config.json, tokenizer files",
         make=a_dir("model")),
    case("run", "--model", "{tmp}/model", value="config.json is not readable JSON", allowed="Hugging Face config.json",
         make=model_dir(config_json="{oops")),
    case("run", "--model", "{tmp}/model", value="has no model_type", allowed="e.g. xlm-roberta",
         make=model_dir(config_json='{"hidden_size": 8}')),
    case("run", "--model", "{tmp}/model", value="has no model_type", allowed="e.g. xlm-roberta",
         make=model_dir(config_json="[1, 2]")),
    case("run", "--model", "{tmp}/model", value="no tokenizer file", allowed="tokenizer.json, sentencepiece.bpe.model",
         make=model_dir(config_json='{"model_type": "xlm-roberta"}')),
    case("run", "--model", "{tmp}/model", value="no weights file", allowed="model.safetensors",
         make=model_dir(config_json='{"model_type": "xlm-roberta"}', tokenizer_json="{}")),
    # run: tasks, languages, splits --------------------------------------------------------------------------------
    case("run", "--target", "nope", value="'nope'", allowed="xnli, pawsx, udpos"),
    case("run", "--target", "", value="''", allowed="xnli, pawsx, udpos"),
    case("run", "--target", "mnli", value="'mnli'", allowed="xnli, pawsx, udpos"),
    case("run", "--intermediate", "nope", value="'nope'", allowed="choose none, all or one of mnli"),
    case("run", "--intermediate", "", value="''", allowed="choose none, all or one of mnli"),
    case("run", "--intermediate", "mnli>", value="''", allowed="choose none, all or one of mnli"),
    case("run", "--intermediate", "xnli", value="'xnli'", allowed="choose none, all or one of mnli"),
    case("run", "--intermediate", "mnli+mnli", value="'mnli'", allowed="give each task once"),
    case("run", "--languages", "en,xx", value="'xx'", allowed="ar, bg, de"),
    case("run", "--languages", "", value="''", allowed="or 'all'"),
    case("run", "--languages", ",", value="','", allowed="or 'all'"),
    case("run", "--target", "tatoeba", "--languages", "en", value="'en'", allowed="af, ar, bg"),
    case("run", "--target", "bucc2018", "--languages", "de,xx", value="'xx'", allowed="de, fr, ru, zh"),
    case("run", "--split", "train", value="'train'", allowed="dev, test"),
    case("run", "--split", "validation", value="'validation'", allowed="dev, test"),
    case("run", "--target", "tatoeba", "--split", "dev", value="'dev'", allowed="choose test"),
    case("run", "--target", "udpos", "--languages", "de,kk", "--split", "dev", value="'kk' has no 'dev' split",
         allowed="or 'all' (which leaves them out), or another split"),
    # run: numbers -------------------------------------------------------------------------------------------------
    case("run", "--seed", "-1", value="-1", allowed="integer in [0, 4294967296)"),
    case("run", "--seed", "4294967296", value="4294967296", allowed="integer in [0, 4294967296)"),
    case("run", "--epochs", "0", value="0.0", allowed="finite number > 0"),
    case("run", "--epochs", "-1", value="-1.0", allowed="finite number > 0"),
    case("run", "--epochs", "nan", value="nan", allowed="finite number > 0"),
    case("run", "--epochs", "inf", value="inf", allowed="finite number > 0"),
    case("run", "--lr", "0", value="0.0", allowed="finite number > 0"),
    case("run", "--lr=-1e-5", value="-1e-05", allowed="finite number > 0"),
    case("run", "--lr", "nan", value="nan", allowed="finite number > 0", proc=True),
    case("run", "--lr", "inf", value="inf", allowed="finite number > 0"),
    case("run", "--max-length", "4", value="got 4", allowed="integer >= 8"),
    case("run", "--max-length", "5000", value="max_length 5000", allowed="choose 8-256"),
    case("run", "--mlm", "nan", value="nan", allowed="finite number in [0, 1)"),
    case("run", "--mlm", "1", value="1.0", allowed="finite number in [0, 1)"),
    case("run", "--mlm", "-0.1", value="-0.1", allowed="finite number in [0, 1)"),
    case("run", "--mlm", "inf", value="inf", allowed="finite number in [0, 1)"),
    case("run", *MULTI, "--temperature", "nan", value="nan", allowed="finite number > 0"),
    case("run", *MULTI, "--temperature", "0", value="0.0", allowed="finite number > 0"),
    case("run", *MULTI, "--temperature", "-2", value="-2.0", allowed="finite number > 0"),
    case("run", *MULTI, "--temperature", "inf", value="inf", allowed="finite number > 0"),
    case("run", "--target", "xquad", "--doc-stride", "0", value="'0'", allowed="positive integer"),
    case("run", "--target", "xquad", "--max-query-length", "x", value="'x'", allowed="integer"),
    case("run", "--target", "xquad", "--max-length", "36", value="max_length 36",
         allowed="choose max_length >= 37 or max_query_length <= 31"),
    case("run", "--intermediate", "mnli+squad", "--max-query-length", "124", value="max_query_length 124",
         allowed="choose max_length >= 129"),  # tasks trained together: SQuAD's windows (128 on tiny)
    # run: options that do not apply -------------------------------------------------------------------------------
    case("run", "--temperature", "3", value="temperature 3.0", allowed="only with sampling 'temperature'"),
    case("run", "--temperature", "nan", value="temperature nan", allowed="only with sampling 'temperature'"),
    case("run", "--sampling", "uniform", value="'uniform'", allowed="only to tasks trained together"),
    case("run", "--intermediate", "none", "--sampling", "temperature", value="'temperature'",
         allowed="only to tasks trained together"),
    case("run", "--intermediate", "none", "--mlm", "0.2", value="mlm 0.2", allowed="only with an intermediate task"),
    case("run", "--intermediate", "none", "--intermediate-size", "10", value="intermediate_size 10",
         allowed="only with an intermediate task"),
    case("run", "--layer", "99", value="layer 99", allowed="only to the retrieval targets bucc2018, tatoeba"),
    case("run", "--target", "udpos", "--layer", "1", value="layer 1", allowed="only to the retrieval targets"),
    case("run", "--pooling", "cls", value="'cls'", allowed="only to the retrieval targets bucc2018, tatoeba"),
    case("run", "--pooling", "mean", value="'mean'", allowed="only to the retrieval targets bucc2018, tatoeba"),
    case("run", "--bucc-repeats", "all-ids", value="'all-ids'", allowed="it applies only to bucc2018"),
    case("run", "--target", "tatoeba", "--bucc-repeats", "official", value="'official'",
         allowed="it applies only to bucc2018"),
    case("run", "--target", "bucc2018", "--bucc-repeats", "some", value="'some'",
         allowed="choose from 'official', 'all-ids'"),
    case("run", "--target", "tatoeba", "--train-size", "10", value="train_size 10",
         allowed="only to the targets that are trained"),
    case("run", *NO_TRAINING, "--epochs", "2", value="epochs 2.0", allowed="only to chains that train"),
    case("run", *NO_TRAINING, "--lr", "0.1", value="lr 0.1", allowed="only to chains that train"),
    case("run", *NO_TRAINING, "--batch-size", "8", value="batch_size 8", allowed="only to chains that train"),
    case("run", *NO_TRAINING, "--grad-accum", "2", value="grad_accum 2", allowed="only to chains that train"),
    case("run", *NO_TRAINING, "--max-length", "32", value="max_length 32", allowed="only to chains that train"),
    case("run", "--doc-stride", "64", value="doc_stride 64", allowed="only to chains that train a QA task"),
    case("run", "--target", "panx", "--max-query-length", "16", value="max_query_length 16",
         allowed="only to chains that train a QA task"),
    case("run", "--revision", "v1", value="'v1'", allowed="only with data 'hub'"),
    case("run", "--target", "tatoeba", "--layer", "99", value="layer 99", allowed="choose 0-2"),
    case("run", "--target", "bucc2018", "--layer", "3", value="layer 3", allowed="choose 0-2"),
    case("run", "--target", "tatoeba", "--layer", "-1", value="-1", allowed="integer >= 0"),
    # run: data sources, devices, outputs --------------------------------------------------------------------------
    case("run", "--data", "/no/such/dir", value="'/no/such/dir'", allowed="'sample', 'hub' nor an existing directory"),
    case("run", "--data", "", value="''", allowed="'sample', 'hub' nor an existing directory"),
    case("run", "--data", "{tmp}/afile", value="afile'", allowed="'sample', 'hub' nor an existing directory",
         make=a_file("afile")),
    case("run", "--data", "hub", value="'nyu-mll/glue'", allowed="`xlt data pull DIR`"),
    case("run", "--intermediate", "ccg", "--data", "hub", value="task ccg", allowed="XLT_LICENSED_DATA=DIR"),
    case("run", "--data", "{tmp}", value="split 'train'",
         allowed="expected mnli/train-*.parquet or mnli/train/*.parquet"),
    case("run", "--device", "gpu0", value="'gpu0'", allowed="auto, cpu, cuda, cuda:N or mps"),
    case("run", "--device", "", value="''", allowed="auto, cpu, cuda, cuda:N or mps"),
    case("run", "--device", "cuda", value="'cuda'", allowed="use --device cpu or auto"),
    case("run", "--device", "cuda:1", value="'cuda:1'", allowed="use --device cpu or auto"),
    case("run", "--device", "mps", value="'mps'", allowed="use --device cpu or auto"),
    case("run", "--runs-dir", "{tmp}/afile", value="afile is not a folder", allowed="give a folder",
         make=a_file("afile")),
    case("run", "--runs-dir", "{tmp}/afile/runs", value="afile is not a folder", allowed="give a folder",
         make=a_file("afile")),
    case("run", "--runs-dir", "", value="''", allowed="give a folder"),
    case("run", "--db", "{tmp}/folder", value="folder is a folder", allowed="give a database file",
         make=a_dir("folder")),
    case("run", "--db", "{tmp}/random.duckdb", value="random.duckdb is not a DuckDB database",
         allowed="give xlt's results database", make=a_file("random.duckdb", bytes(range(256)) * 4)),
    case("run", "--db", "{tmp}/nowhere/r.duckdb", value="nowhere does not exist", allowed="r.duckdb"),
    # run: environment ---------------------------------------------------------------------------------------------
    case("run", env={"XLT_CHECKPOINT_EVERY": "abc"}, value="'abc'", allowed="a non-negative integer", proc=True),
    case("run", env={"XLT_CHECKPOINT_EVERY": "-5"}, value="'-5'", allowed="a non-negative integer"),
    case("run", env={"XLT_CHECKPOINT_EVERY": ""}, value="XLT_CHECKPOINT_EVERY=''", allowed="a non-negative integer"),
    case("run", env={"XLT_CHECKPOINT_EVERY": "1.5"}, value="'1.5'", allowed="a non-negative integer"),
    case("run", env={"XLT_COMPILE": "yes"}, value="XLT_COMPILE='yes'", allowed="0 or 1"),
    case("run", env={"XLT_COMPILE": ""}, value="XLT_COMPILE=''", allowed="0 or 1"),
    case("run", env={"XLT_LICENSED_DATA": "/no/such"}, value="'/no/such'", allowed="an existing directory"),
    case("run", env={"XLT_LICENSED_DATA": "{tmp}/afile"}, value="afile'", allowed="an existing directory",
         make=a_file("afile")),
    case("run", env={"HF_HUB_OFFLINE": "maybe"}, value="'maybe'", allowed="1, true, yes or on"),
    case("run", env={"XLT_CACHE": "{tmp}/afile/cache"}, value="afile/cache'", allowed="a path where one can be made",
         make=a_file("afile")),
    # run: data files ----------------------------------------------------------------------------------------------
    case(*data_run("xnli", "de"), value="test-00000-of-00001.parquet", allowed="expected Parquet",
         make=broken("xnli", "google/xtreme/XNLI/test-00000-of-00001.parquet", truncated), proc=True),
    case(*data_run("xnli", "de"), value="train-00000-of-00001.parquet", allowed="expected Parquet",
         make=broken("xnli", "nyu-mll/glue/mnli/train-00000-of-00001.parquet", random_bytes)),
    case(*data_run("xnli", "de", intermediate="mnli"), value="validation_matched-00000-of-00001.parquet",
         allowed="expected Parquet",
         make=broken("xnli", "nyu-mll/glue/mnli/validation_matched-00000-of-00001.parquet", empty_file)),
    case(*data_run("xnli", "de"), value="test-00000-of-00001.parquet: no rows", allowed="at least one example",
         make=broken("xnli", "google/xtreme/XNLI/test-00000-of-00001.parquet", rewrite(zero_rows))),
    case(*data_run("xnli", "de"), value="'de'", allowed="it holds ar, bg",
         make=broken("xnli", "google/xtreme/XNLI/test-00000-of-00001.parquet", rewrite(without_german))),
    case(*data_run("xnli", "de"), value="missing column 'sentence2'", allowed="expected columns sentence1, sentence2",
         make=broken("xnli", "google/xtreme/XNLI/test-00000-of-00001.parquet", rewrite(drop("sentence2")))),
    case(*data_run("xnli", "de"), value="column 'sentence1' is int64", allowed="expected string",
         make=broken("xnli", "google/xtreme/XNLI/test-00000-of-00001.parquet",
                     column("sentence1", lambda n, _: pa.array(range(n))))),
    case(*data_run("xnli", "de"), value="column 'gold_label' is double", allowed="expected int or string",
         make=broken("xnli", "google/xtreme/XNLI/test-00000-of-00001.parquet",
                     column("gold_label", lambda n, _: pa.array([0.5] * n)))),
    case(*data_run("xnli", "de"), value="column 'language' is bool", allowed="expected string",
         make=broken("xnli", "google/xtreme/XNLI/test-00000-of-00001.parquet",
                     column("language", lambda n, _: pa.array([True] * n)))),
    case(*data_run("xnli", "de"), value="column 'sentence2'", allowed="expected UTF-8 text",
         make=broken("xnli", "google/xtreme/XNLI/test-00000-of-00001.parquet", column("sentence2", bad_utf8)),
         proc=True),
    case(*data_run("xnli", "de"), value="column 'premise' has", allowed="expected a value in every row",
         make=broken("xnli", "nyu-mll/glue/mnli/train-00000-of-00001.parquet",
                     column("premise", lambda n, _: pa.array([None] * n, pa.string())))),
    case(*data_run("xnli", "de"), value="unknown label 'maybe'", allowed="entailment, neutral, contradiction",
         make=broken("xnli", "google/xtreme/XNLI/test-00000-of-00001.parquet",
                     column("gold_label", one_label("maybe"), keep_features=True))),
    case(*data_run("xnli", "de"), value="label 7 in column 'label'", allowed="expected 0-2",
         make=broken("xnli", "nyu-mll/glue/mnli/train-00000-of-00001.parquet",
                     column("label", one_label(7), keep_features=True))),
    case(*data_run("xnli", "de", intermediate="mnli"), value="label -2 in column 'label'",
         allowed="or -1 for no label",
         make=broken("xnli", "nyu-mll/glue/mnli/validation_matched-00000-of-00001.parquet",
                     column("label", one_label(-2), keep_features=True))),
    case(*data_run("pawsx", "de"), value="unknown label '2'", allowed="expected one of 0, 1",
         make=broken("pawsx", "google/xtreme/PAWS-X.de/test-00000-of-00001.parquet",
                     column("label", one_label("2"), keep_features=True))),
    case(*data_run("udpos", "de"), value="column 'tokens'", allowed="expected UTF-8 text",
         make=broken("udpos", "google/xtreme/udpos.German/test-00000-of-00001.parquet",
                     column("tokens", bad_utf8_tokens))),
    case(*data_run("udpos", "de"), value="column 'tokens' is string", allowed="expected list<string>",
         make=broken("udpos", "google/xtreme/udpos.English/train-00000-of-00001.parquet",
                     column("tokens", lambda n, _: pa.array(["a b"] * n)))),
    case(*data_run("udpos", "de"), value="column 'pos_tags' is list<element: double>",
         allowed="expected list<int or string>",
         make=broken("udpos", "google/xtreme/udpos.German/test-00000-of-00001.parquet",
                     column("pos_tags", lambda n, _: pa.array([[0.5]] * n)))),
    case(*data_run("udpos", "de"), value="unknown label 'FOO'", allowed="ADJ, ADP, ADV",
         make=broken("udpos", "google/xtreme/udpos.German/test-00000-of-00001.parquet",
                     column("pos_tags", lambda n, _: pa.array([["NOUN", "FOO"]] * n)))),
    case(*data_run("panx", "de"), value="label 99 in column 'ner_tags'", allowed="expected 0-6",
         make=broken("panx", "google/xtreme/PAN-X.de/test-00000-of-00001.parquet",
                     column("ner_tags", one_label([99]), keep_features=True))),
    case(*data_run("xquad", "de"), value="column 'answers' is", allowed="answer_start: list<int>",
         make=broken("xquad", "rajpurkar/squad/plain_text/train-00000-of-00001.parquet",
                     column("answers", lambda n, _: pa.array([{"text": ["a"], "answer_start": ["0"]}] * n)))),
    case(*data_run("xquad", "de"), value="column 'answers' is string", allowed="struct<text: list<string>",
         make=broken("xquad", "google/xtreme/XQuAD.de/validation-00000-of-00001.parquet",
                     column("answers", lambda n, _: pa.array(["a"] * n)))),
    case(*data_run("tydiqa", "bn"), value="'bn' (looked for 'bengali'", allowed="it holds",
         make=broken("tydiqa", "google/xtreme/tydiqa/validation-00000-of-00001.parquet",
                     rewrite(without_bengali))),
    case(*data_run("bucc2018", "de"), value="missing column 'source_lang'", allowed="expected columns",
         make=broken("bucc2018", "google/xtreme/bucc18.de/validation-00000-of-00001.parquet",
                     rewrite(drop("source_lang")))),
    case(*data_run("tatoeba", "de"), value="column 'source_sentence' is int64", allowed="expected string",
         make=broken("tatoeba", "google/xtreme/tatoeba.deu/validation-00000-of-00001.parquet",
                     column("source_sentence", lambda n, _: pa.array(range(n))))),
    case(*data_run("tatoeba", "de", intermediate="hellaswag"), value="column 'endings' is string",
         allowed="expected list<string>", make=broken("tatoeba", "Rowan/hellaswag/default/train-00000-of-00001.parquet",
                                                      column("endings", lambda n, _: pa.array(["a"] * n)),
                                                      extra=("hellaswag",))),
    case(*data_run("tatoeba", "de", intermediate="commonsenseqa"), value="column 'choices.text' is missing",
         allowed="expected list<string>",
         make=broken("tatoeba", "tau/commonsense_qa/default/validation-00000-of-00001.parquet",
                     column("choices", lambda n, _: pa.array([{"label": ["A"]}] * n)), extra=("commonsenseqa",))),
    case(*data_run("tatoeba", "de", intermediate="copa"), value="column 'choice1' is int64", allowed="expected string",
         make=broken("tatoeba", "aps/super_glue/copa/train-00000-of-00001.parquet",
                     column("choice1", lambda n, _: pa.array(range(n))), extra=("copa",))),
    case(*data_run("tatoeba", "de", "--mlm", "0.1", intermediate="mnli"), value="column 'text'",
         allowed="expected UTF-8 text", make=broken("tatoeba", "local/mlm/de/train-00000-of-00001.parquet",
                                                    column("text", bad_utf8), extra=("mlm", "mnli"))),
    case(*data_run("bucc2018", "de"), value="de-en.training.de is not readable UTF-8 text",
         allowed="expected 'id<TAB>sentence' lines", make=bucc_original("de", b"de-1\t\xff\xfe\n")),
    case(*data_run("bucc2018", "de"), value="line 2 has no tab", allowed="expected 'id<TAB>sentence' lines",
         make=bucc_original("en", b"en-1\tHello\nen-2 Hi\n")),
    case(*data_run("bucc2018", "de"), value="de-en.training.gold is missing", allowed="<lang|en|gold>",
         make=bucc_original("gold", None)),
    case("run", "--intermediate", "ccg", "--data", "hub", env={"XLT_LICENSED_DATA": "{tmp}"}, value="split 'train'",
         allowed="expected ccg/train-*.parquet or ccg/train/*.parquet"),
    # demo ---------------------------------------------------------------------------------------------------------
    case("demo", "--port", "0", value="'0'", allowed="positive integer"),
    case("demo", "--port", "70000", value="'70000'", allowed="1-65535"),
    case("demo", "--port", "http", value="'http'", allowed="integer"),
    case("demo", "--port", "{port}", value="is in use", allowed="choose another --port", make=busy_port),
    case("demo", "--device", "tpu", value="'tpu'", allowed="auto, cpu, cuda, cuda:N or mps"),
    case("demo", env={"XLT_COMPILE": "2"}, value="'2'", allowed="0 or 1"),
    case("demo", "--runs-dir", "{tmp}/afile", value="afile is not a folder", allowed="give a folder",
         make=a_file("afile")),
    case("demo", "--no-serve", "--db", "{tmp}/random.duckdb", value="is not a DuckDB database",
         allowed="give xlt's results database", make=a_file("random.duckdb", b"\x00" * 64)),
    # sweep --------------------------------------------------------------------------------------------------------
    case("sweep", "plan", "{tmp}/nothing.yaml", value="nothing.yaml", allowed="does not exist"),
    case("sweep", "plan", "{tmp}", value="is a folder", allowed="give a YAML file"),
    case("sweep", "plan", SWEEP, value="s.yaml", allowed="is not UTF-8 text", make=sweep_file(b"\xff\xfetarget: x")),
    case("sweep", "plan", SWEEP, value="line 2", allowed="is not valid YAML", make=sweep_file("target: [xnli\n")),
    case("sweep", "plan", SWEEP, value="s.yaml", allowed="expected a mapping of options",
         make=sweep_file("- target: xnli\n"), proc=True),
    case("sweep", "plan", SWEEP, value="'targets'", allowed="allowed", make=sweep_file("targets: [xnli]\n")),
    case("sweep", "plan", SWEEP, value="'nope'", allowed="xnli, pawsx", make=sweep_file("target: [xnli, nope]\n")),
    case("sweep", "plan", SWEEP, value="nan", allowed="finite number > 0", make=sweep_file("lr: [0.1, .nan]\n")),
    case("sweep", "plan", SWEEP, value="'th' has no 'dev' split", allowed="choose from af, ar, bg",
         make=sweep_file("target: udpos\nlanguages: [de, th]\nsplit: dev\n")),
    case("sweep", "plan", SWEEP, value="-1", allowed="integer in [0,", make=sweep_file("seeds: [0, -1]\n")),
    case("sweep", "plan", SWEEP, "--model", "nope", value="'nope'", allowed="a hub id",
         make=sweep_file("target: xnli\n")),
    case("sweep", "plan", SWEEP, "--sizes", "huge", value="'huge'", allowed="choose from 'full', 'tiny'"),
    case("sweep", "run", SWEEP, "--executor", "pbs", value="'pbs'", allowed="choose from 'local', 'slurm'"),
    case("sweep", "run", SWEEP, "--workers", "0", value="'0'", allowed="positive integer"),
    case("sweep", "run", SWEEP, "--cluster", "aws", value="'aws'", allowed="choose from 'slurm', 'local', 'debug'"),
    case("sweep", "run", SWEEP, "--device", "gpu", value="'gpu'", allowed="cuda:N", make=sweep_file("target: xnli\n")),
    case("sweep", "run", SWEEP, value="'abc'", allowed="a non-negative integer", env={"XLT_CHECKPOINT_EVERY": "abc"},
         make=sweep_file("target: xnli\nlanguages: en\nintermediate: none\n")),
    case("sweep", "run", SWEEP, "--db", "{tmp}", value="is a folder", allowed="give a database file",
         make=sweep_file("target: xnli\nlanguages: en\nintermediate: none\n")),
    # ingest -------------------------------------------------------------------------------------------------------
    case("ingest", "--db", "{tmp}/random.duckdb", value="random.duckdb is not a DuckDB database",
         allowed="give xlt's results database",
         make=both(a_dir("runs"), a_file("random.duckdb", bytes(range(256)) * 4)), proc=True),
    case("ingest", "--db", "{tmp}/runs", value="runs is a folder", allowed="give a database file", make=a_dir("runs")),
    case("ingest", "--db", "{tmp}/afile/results.duckdb", value="afile is not a folder", allowed="results database",
         make=both(a_dir("runs"), a_file("afile"))),
    case("ingest", "--runs-dir", "{tmp}/nowhere", value="nowhere does not exist", allowed="give the folder"),
    case("ingest", "--runs-dir", "{tmp}/afile", value="afile is not a folder", allowed="give the folder",
         make=a_file("afile")),
    # dashboard ----------------------------------------------------------------------------------------------------
    case("dashboard", "--port", "70000", value="'70000'", allowed="1-65535"),
    case("dashboard", "--port", "-5", value="'-5'", allowed="positive integer"),
    case("dashboard", "--db", "{tmp}/random.duckdb", value="random.duckdb is not a DuckDB database",
         allowed="give xlt's results database", make=a_file("random.duckdb", bytes(range(256)) * 4)),
    case("dashboard", "--db", "{tmp}", value="is a folder", allowed="give a database file"),
    case("dashboard", "--port", "{port}", value="is in use", allowed="choose another --port", make=busy_port),
    case("dashboard", "--host", "no-such-host.invalid", value="'no-such-host.invalid'", allowed="e.g. 127.0.0.1"),
    case("dashboard", "--host", "192.0.2.1", value="'192.0.2.1'", allowed="e.g. 127.0.0.1"),
    # data pull / check -----------------------------------------------------------------------------------------
    case("data", "pull", "{tmp}/d", value="nothing to pull", allowed="give --sweep FILE or --target TASK"),
    case("data", "pull", "{tmp}/d", "--languages", "de", value="--languages 'de' needs --target",
         allowed="give the chain's target task"),
    case("data", "pull", "{tmp}/d", "--target", "xnli", "--languages", "xx", value="'xx'", allowed="choose from"),
    case("data", "pull", "{tmp}/d", "--target", "xnli", "--split", "train", value="'train'", allowed="choose dev, test"),
    case("data", "pull", "{tmp}/d", "--sweep", "{tmp}/s.yaml", "--target", "xnli", value="--target does not apply",
         allowed="give a sweep file or one chain's options", make=sweep_file("target: [xnli]\n")),
    case("data", "pull", "{tmp}/d", "--sweep", "{tmp}/none.yaml", value="none.yaml does not exist",
         allowed="sweep file"),
    case("data", "pull", "{tmp}/d", "--target", "xnli", "--source", "/no/such", value="'/no/such'",
         allowed="'sample', 'hub' nor an existing directory"),
    case("data", "pull", "{tmp}/d", "--target", "xnli", "--source", "sample", "--revision", "v1",
         value="revision 'v1' does not apply to source 'sample'", allowed="only with --source hub"),
    case("data", "pull", "{tmp}/afile/d", "--target", "xnli", "--source", "sample", value="afile is not a folder",
         allowed="give a folder to pull into", make=a_file("afile")),
    case("data", "pull", "{tmp}/d", "--target", "xnli", "--source", "{tmp}/d", value="is the source itself",
         allowed="pull into another folder", make=a_dir("d")),
    case("data", "pull", "{tmp}/d", "--intermediate", "ccg", "--target", "xnli", value="task ccg",
         allowed="the hub does not serve it; set XLT_LICENSED_DATA=DIR"),
    case("data", "check", "{tmp}/d", value="'{tmp}/d' is not an existing folder", allowed="made by xlt data pull"),
    case("data", "check", "{tmp}/d", value="nothing to check", allowed="give --sweep FILE or --target TASK",
         make=a_dir("d")),
    case("data", "check", "{tmp}/d", value="xlt-manifest.json is not readable JSON", allowed="remove it and pull again",
         make=a_file("d/xlt-manifest.json", b"{")),
    case("data", "frob", value="invalid choice: 'frob'", allowed="choose from", proc=False),
    # the stage job: python -m xlt_core.runner CONFIG.json RUNS_DIR [DEVICE] ---------------------------------------
    job(value="got 0 argument(s)", allowed="expected CONFIG.json RUNS_DIR [DEVICE]"),
    job(*JOB, "cpu", "extra", value="got 4 argument(s)", allowed="expected CONFIG.json RUNS_DIR [DEVICE]"),
    job(*JOB, value="stage.json: does not exist", allowed="expected a JSON stage config"),
    job("{tmp}", "{tmp}/runs", value="is a folder", allowed="expected a JSON stage config"),
    job(*JOB, value="is not UTF-8 text", allowed="expected a JSON stage config",
        make=named("binary stage.json", lambda tmp: (tmp / "stage.json").write_bytes(b"\xff\xfe{}"))),
    job(*JOB, value="line 1 is not valid JSON", allowed="expected a JSON stage config", make=job_config(raw="{stage"),
        proc=True),
    job(*JOB, value="[1, 2]", allowed="stage options must be a mapping of stage, model", make=job_config(raw="[1, 2]")),
    job(*JOB, value="'yo' has no 'dev' split in udpos", allowed="or another split",
        make=job_config(setter(task="udpos", languages=["yo"], split="dev"), evaluate=True)),
    job(*JOB, value="'learning_rate'", allowed="allowed stage, model, task",
        make=job_config(setter(learning_rate=1))),
    job(*JOB, value="'warmup'", allowed="allowed epochs, lr", make=job_config(train_setter(warmup=0.1))),
    job(*JOB, value="'stage' is missing", allowed="required stage, model, task",
        make=job_config(named("pop stage", lambda d: d.pop("stage")))),
    job(*JOB, value="got nan", allowed="lr must be a finite number > 0",
        make=job_config(train_setter(lr=float("nan")))),
    job(*JOB, value="got '1e-3'", allowed="lr must be a finite number > 0", make=job_config(train_setter(lr="1e-3"))),
    job(*JOB, value="got 1.5", allowed="warmup_ratio must be a finite number in [0, 1)",
        make=job_config(train_setter(warmup_ratio=1.5))),
    job(*JOB, value="got '1'", allowed="seed must be an integer", make=job_config(setter(seed="1"))),
    job(*JOB, value="got True", allowed="seed must be an integer", make=job_config(setter(seed=True))),
    job(*JOB, value="'train'", allowed="choose one of intermediate, target, evaluate",
        make=job_config(setter(stage="train"))),
    job(*JOB, value="got 5", allowed="model must be a string", make=job_config(setter(model=5))),
    job(*JOB, value="target tatoeba has no target stage", allowed="targets with one are xnli",
        make=job_config(setter(task="tatoeba"))),
    job(*JOB, value="'/no/such'", allowed="'sample', 'hub' nor an existing directory",
        make=job_config(setter(data="/no/such"))),
    job(*JOB, value="layer 3", allowed="applies only to evaluate stages", make=job_config(setter(layer=3))),
    job(*JOB, value="no language given (())", allowed="or 'all'", make=job_config(setter(languages=[]), evaluate=True)),
    job(*JOB, value="got 'en'", allowed="languages must be a list of language codes",
        make=job_config(setter(languages="en"), evaluate=True)),
    job(*JOB, value="'train'", allowed="choose dev, test", make=job_config(setter(split="train"), evaluate=True)),
    job(*JOB, value="train does not apply", allowed="only to intermediate and target stages",
        make=job_config(named("train on evaluate", lambda d: d.update(train=d["parent"]["train"])), evaluate=True)),
    job(*JOB, value="needs its parent target-xnli-", allowed="run the chain in order",
        make=job_config(evaluate=True)),
    job(*JOB, "gpu", value="'gpu'", allowed="auto, cpu, cuda, cuda:N or mps", make=job_config()),
    job("{tmp}/stage.json", "{tmp}/afile", value="afile is not a folder", allowed="give a folder",
        make=both(job_config(), a_file("afile"))),
    job(*JOB, env={"XLT_COMPILE": "true"}, value="'true'", allowed="0 or 1", make=job_config()),
]


def run_case(c: Case, tmp: Path, argv: list[str], env: dict, monkeypatch, capsys) -> tuple[int, str, str]:
    if c.proc:
        command = [sys.executable, "-m", "xlt_core.runner", *argv[1:]] if argv[0] == "job" else [XLT, *argv]
        proc = subprocess.run(command, cwd=tmp, capture_output=True, text=True, timeout=120,
                              env={**os.environ, **env})
        return proc.returncode, proc.stdout, proc.stderr
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    try:
        if argv[0] == "job":
            monkeypatch.setattr(sys, "argv", ["runner.py", *argv[1:]])
            with warnings.catch_warnings():  # runpy's warning that the module is imported already
                warnings.simplefilter("ignore", RuntimeWarning)
                runpy.run_module("xlt_core.runner", run_name="__main__")
            code = 0
        else:
            code = main(argv)
    except SystemExit as exit_:
        code = exit_.code
    out, err = capsys.readouterr()
    return code, out, err


def listing(folder: Path) -> list[tuple]:
    return sorted((str(p.relative_to(folder)), p.is_dir(), p.is_dir() or p.stat().st_size,
                   p.is_dir() or p.stat().st_mtime_ns) for p in folder.rglob("*"))


@pytest.fixture(scope="module", autouse=True)
def sample_data():
    """Generated before the cases: creating the cache is not a case's write."""
    return sample_data_dir()


@pytest.fixture
def no_compute(monkeypatch):
    """In-process cases fail loudly, at once, if a bad input gets as far as a stage, a sweep or a server."""
    import papermill

    from xlt_core import cli, executors

    def refuse(*args, **kwargs):
        raise AssertionError("a bad input got past the checks made before compute")

    for owner, name in ((papermill, "execute_notebook"), (executors, "run_sweep"), (cli, "_run_until_stopped")):
        monkeypatch.setattr(owner, name, refuse)


@pytest.mark.parametrize("c", CASES, ids=str)
def test_a_bad_input_is_one_line_exit_2_and_writes_nothing(c, tmp_path, monkeypatch, capsys, no_compute):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")  # the hub is never asked
    made = c.make(tmp_path) if c.make else None
    kept = made if isinstance(made, socket.socket) else None  # a port in use, kept busy during the case
    port = kept.getsockname()[1] if kept else 0
    fill = lambda text: text.replace("{tmp}", str(tmp_path)).replace("{port}", str(port))  # noqa: E731
    env = {"HF_HUB_OFFLINE": "1", **{k: fill(v) for k, v in c.env.items()}}
    before = listing(tmp_path)
    try:
        code, out, err = run_case(c, tmp_path, [fill(a) for a in c.argv], env, monkeypatch, capsys)
    finally:
        if kept is not None:
            kept.close()
    assert code == 2, (code, out[-2000:], err[-2000:])
    assert err.count("\n") == 1 and err.endswith("\n") and "Traceback" not in err, err
    assert fill(c.value) in err, err
    assert fill(c.allowed) in err, err
    assert listing(tmp_path) == before


def test_good_inputs_pass_the_checks(monkeypatch):
    """The other side of the table: every task's sample data, read as the embedded default and as a local folder,
    and the licensed CCG read through XLT_LICENSED_DATA, pass every check made before compute."""
    from xlt_core.checks import preflight
    from xlt_core.tasks import TARGET_TASKS

    monkeypatch.setenv("XLT_LICENSED_DATA", str(sample_data_dir()))
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    every = "all>snli+siqa+copa+xnli_mt"
    for data in ("sample", str(sample_data_dir())):
        preflight([cfg for target in TARGET_TASKS for cfg in chain(intermediate=every, target=target, mlm=0.1,
                                                                   data=data)])
    preflight(chain(intermediate="ccg", target="tatoeba", data="hub")[:1])


def test_the_table_is_large_and_distinct():
    assert len(CASES) >= 100
    assert len({(str(c), c.value) for c in CASES}) == len(CASES)
    assert 5 <= sum(c.proc for c in CASES) <= 10


def test_every_option_documents_its_default():
    """`xlt <command> --help` gives every option a help text with its default."""
    import argparse

    from xlt_core.cli import build_parser

    def parsers(parser):
        yield parser
        for action in parser._actions:
            if isinstance(action, argparse._SubParsersAction):
                for sub in action.choices.values():
                    yield from parsers(sub)

    for parser in parsers(build_parser()):
        for action in parser._actions:
            if action.option_strings and not isinstance(action, argparse._HelpAction):
                assert action.help and "default" in action.help, (parser.prog, action.option_strings)
