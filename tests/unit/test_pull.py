"""`xlt data pull` then `xlt data check` on the embedded default's data: a round trip, a resumed pull, corrupted
files named by check, a chain run on the pulled folder with the manifest's revision in its provenance, and a pull
from the hub (its loader replaced) at each source's revision."""

from __future__ import annotations

import json
import shutil

import datasets
import pyarrow.parquet as pq
import pytest

from xlt_core import pull as pull_module
from xlt_core.checks import reads
from xlt_core.cli import main
from xlt_core.config import chain
from xlt_core.pull import MANIFEST, check, parts_of, pull, read_manifest, sha256
from xlt_core.sample_data import SAMPLE_VERSION, sample_data_dir
from xlt_core.sweep import load_sweep, overrides
from xlt_core.tasks import PARQUET_EXPORT, get_task

DEMO = "sweeps/demo.yaml"  # no intermediate task and MNLI, then XNLI in its 15 languages


def demo_reads():
    from xlt_core.paths import REPO_ROOT

    stages = [cfg for c in load_sweep(REPO_ROOT / DEMO, overrides("tiny", "hub")) for cfg in c]
    return list({(t.name, s, lang): (t, s, lang) for cfg in stages for t, s, lang in reads(cfg)}.values())


def test_pull_then_check_round_trips_the_embedded_data(tmp_path, capsys, monkeypatch):
    from xlt_core.paths import REPO_ROOT

    monkeypatch.chdir(REPO_ROOT)
    out = tmp_path / "pulled"
    assert main(["data", "pull", str(out), "--source", "sample", "--sweep", DEMO]) == 0
    # MNLI train and dev, XNLI dev and test: what the demo's chains read, each split once for its 15 languages
    expected = {"nyu-mll/glue/mnli/train-00000-of-00001.parquet",
                "nyu-mll/glue/mnli/validation_matched-00000-of-00001.parquet",
                "google/xtreme/XNLI/validation-00000-of-00001.parquet",
                "google/xtreme/XNLI/test-00000-of-00001.parquet"}
    manifest = read_manifest(out)
    assert set(manifest["files"]) == expected
    assert {p.relative_to(out).as_posix() for p in out.rglob("*.parquet")} == expected
    for rel, entry in manifest["files"].items():
        copy, original = out / rel, sample_data_dir() / rel
        assert copy.read_bytes() == original.read_bytes()
        assert entry["sha256"] == sha256(original) and entry["rows"] == pq.ParquetFile(original).metadata.num_rows
        assert (entry["source"], entry["revision"], entry["bytes"]) == ("sample", SAMPLE_VERSION, original.stat().st_size)
    assert len(manifest["reads"]) == len(demo_reads()) == 2 + 1 + 15  # mnli train+dev, xnli dev (en), test x 15
    assert "pulled into" in capsys.readouterr().out

    assert main(["data", "check", str(out), "--sweep", DEMO]) == 0
    assert main(["data", "check", str(out)]) == 0  # what the manifest says was pulled
    lines = capsys.readouterr().out.splitlines()
    rows = sum(e["rows"] for e in manifest["files"].values())
    assert lines == [f"{out}: 4 files, {rows} rows: every split of 18 reads present and valid; rows and checksums as "
                     "the manifest records"] * 2


def test_a_killed_pull_resumes_and_leaves_no_half_file(tmp_path, monkeypatch):
    wanted = demo_reads()
    real_fetch, fetched = pull_module._fetch, []

    def killed_on_the_third(root, part, source, revision):
        if len(fetched) == 2:
            (root / part.repo / part.config).mkdir(parents=True, exist_ok=True)
            (root / part.repo / part.config / f".{part.name}-00000-of-00001.parquet.tmp-999").write_bytes(b"PAR1")
            raise KeyboardInterrupt  # as a kill in the middle of writing
        fetched.append(part.key)
        return real_fetch(root, part, source, revision)

    monkeypatch.setattr(pull_module, "_fetch", killed_on_the_third)
    with pytest.raises(KeyboardInterrupt):
        pull(tmp_path, wanted, "sample", progress=False)
    assert set(read_manifest(tmp_path)["files"]) == {f"{r}/{c}/{n}-00000-of-00001.parquet" for r, c, n in fetched}
    problems, _ = check(tmp_path, wanted)
    assert len(problems) == 2 and all("no file for split" in line for line in problems)  # the two not yet there
    monkeypatch.setattr(pull_module, "_fetch", real_fetch)
    counts = pull(tmp_path, wanted, "sample", progress=False)
    assert (counts["kept"], counts["fetched"]) == (2, len(parts_of(wanted)) - 2) == (2, 2)
    assert not list(tmp_path.rglob("*.tmp-*"))
    assert check(tmp_path, wanted)[0] == []
    assert pull(tmp_path, wanted, "sample", progress=False)["fetched"] == 0  # nothing left to do


def _pulled(tmp_path):
    pull(tmp_path, demo_reads(), "sample", progress=False)
    return tmp_path


def test_check_names_a_truncated_a_changed_and_a_missing_file(tmp_path, capsys):
    root = _pulled(tmp_path)
    test = root / "google/xtreme/XNLI/test-00000-of-00001.parquet"
    test.write_bytes(test.read_bytes()[: test.stat().st_size // 2])
    dev = root / "nyu-mll/glue/mnli/validation_matched-00000-of-00001.parquet"
    table = pq.read_table(dev)
    pq.write_table(table.slice(1), dev)  # readable, valid, one row short
    (root / "nyu-mll/glue/mnli/train-00000-of-00001.parquet").unlink()
    assert main(["data", "check", str(root)]) == 1
    out = capsys.readouterr()
    lines = out.out.splitlines()
    assert out.err == "xlt: 5 problem(s) in " + str(root) + "\n"  # each once, though 15 languages read XNLI's test
    assert sum(line.startswith(f"task xnli: {test}: not a readable Parquet file") for line in lines) == 1
    assert f"{dev}: {table.num_rows - 1} rows, the manifest records {table.num_rows}: pull again" in lines
    assert sum(line.startswith(f"{dev}: SHA-256 ") and "the file changed since it was pulled" in line
               for line in lines) == 1
    assert sum("task mnli: no file for split 'train'" in line for line in lines) == 1
    assert f"{root}/nyu-mll/glue/mnli/train-00000-of-00001.parquet: listed in the manifest but missing: pull again" \
        in lines
    assert len(lines) == 5


def test_a_chain_runs_on_the_pulled_folder_and_records_the_manifest_revision(tmp_path):
    from xlt_core.pipeline import run_stage

    data = tmp_path / "data"
    stages = chain(intermediate="none", target="xnli", languages="de", data=str(_pulled(data)), train_size=16,
                   eval_size=8, epochs=1)
    for cfg in stages:
        record = run_stage(cfg, tmp_path / "runs", device="cpu")
    manifest = read_manifest(data)["files"]
    rel = "google/xtreme/XNLI/test-00000-of-00001.parquet"
    assert record["provenance"]["data"] == [
        {"repo": "google/xtreme", "config": "XNLI", "split": "test", "file": rel, "revision": SAMPLE_VERSION,
         "commit": None, "sha256": manifest[rel]["sha256"]}]
    assert len(record["scores"]) > 0


def test_pull_reads_every_layout_and_writes_the_hub_one(tmp_path):
    source = tmp_path / "source"
    for name in ("train", "validation"):  # as `hf download Rowan/hellaswag --revision refs/convert/parquet` lays out
        dest = source / "Rowan/hellaswag/default" / name / "0000.parquet"
        dest.parent.mkdir(parents=True)
        shutil.copyfile(sample_data_dir() / f"Rowan/hellaswag/default/{name}-00000-of-00001.parquet", dest)
    wanted = [(get_task("hellaswag"), "train", "en"), (get_task("hellaswag"), "dev", "en")]
    pull(tmp_path / "out", wanted, str(source), progress=False)
    assert sorted(p.relative_to(tmp_path / "out").as_posix() for p in (tmp_path / "out").rglob("*.parquet")) == [
        "Rowan/hellaswag/default/train-00000-of-00001.parquet",
        "Rowan/hellaswag/default/validation-00000-of-00001.parquet"]
    assert check(tmp_path / "out", wanted)[0] == []
    assert check(source, wanted) == ([], {"files": 2, "rows": 680, "manifest": False, "reads": 2})


def test_pull_from_the_hub_reads_each_source_at_its_revision(tmp_path, monkeypatch):
    import xlt_core.data
    import xlt_core.hub

    sha = "89abcdef0123456789abcdef0123456789abcdef"
    calls, load = [], datasets.load_dataset

    def hub(repo, config, split, revision):
        calls.append((repo, config, split, revision))
        if repo == "allenai/social_i_qa" and revision != PARQUET_EXPORT:
            raise RuntimeError("Dataset scripts are no longer supported, but found social_i_qa.py")
        return load("parquet", data_files=str(sample_data_dir() / repo / config / f"{split}-00000-of-00001.parquet"),
                    split="train")

    monkeypatch.delenv("HF_HUB_OFFLINE", raising=False)
    monkeypatch.setattr(xlt_core.hub, "hub_reachable", lambda: True)
    monkeypatch.setattr(datasets, "load_dataset", hub)
    monkeypatch.setattr(xlt_core.data, "_commit", lambda revision, ds: sha)  # the cache path of a real hub load
    wanted = [(get_task("siqa"), "train", "en"), (get_task("copa"), "dev", "en")]
    counts = pull(tmp_path, wanted, "hub", progress=False)
    assert counts["fetched"] == 2
    assert calls == [("allenai/social_i_qa", "default", "train", PARQUET_EXPORT),  # pinned: no try at main
                     ("aps/super_glue", "copa", "validation", "main")]
    files = read_manifest(tmp_path)["files"]
    siqa = files["allenai/social_i_qa/default/train-00000-of-00001.parquet"]
    assert (siqa["source"], siqa["revision"], siqa["commit"]) == ("hub", PARQUET_EXPORT, sha)
    assert files["aps/super_glue/copa/validation-00000-of-00001.parquet"]["revision"] == "main"
    assert check(tmp_path, wanted)[0] == []
    # the features (ClassLabel names) travel in the written file, as load_split reads them from the hub
    copa = load("parquet", data_files=str(tmp_path / "aps/super_glue/copa/validation-00000-of-00001.parquet"),
                split="train")
    assert copa.features["label"].names == ["choice1", "choice2"]


def test_a_manifest_that_is_not_json_is_one_line(tmp_path):
    (tmp_path / MANIFEST).write_text("{")
    with pytest.raises(Exception) as err:
        read_manifest(tmp_path)
    assert "is not readable JSON" in str(err.value) and "remove it and pull again" in str(err.value)
    (tmp_path / MANIFEST).write_text(json.dumps({"files": []}))
    with pytest.raises(Exception, match="has no 'files' mapping"):
        read_manifest(tmp_path)


def test_a_dataset_cached_at_any_revision_is_available_offline(tmp_path, monkeypatch):
    """A source read at refs/convert/parquet leaves no dataset card of main in the cache: any snapshot of the
    repository, or a dataset `datasets` prepared, counts as cached."""
    import datasets.config
    from huggingface_hub import constants

    from xlt_core import hub

    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setattr(constants, "HF_HUB_CACHE", str(tmp_path / "hub"))
    monkeypatch.setattr(datasets.config, "HF_DATASETS_CACHE", tmp_path / "datasets")
    assert not hub.available("Rowan/hellaswag", "dataset")
    (tmp_path / "hub" / "datasets--Rowan--hellaswag" / "snapshots").mkdir(parents=True)
    assert not hub.available("Rowan/hellaswag", "dataset")  # an empty snapshots folder holds nothing
    (tmp_path / "hub" / "datasets--Rowan--hellaswag" / "snapshots" / ("0" * 40)).mkdir()
    assert hub.available("Rowan/hellaswag", "dataset")
    assert not hub.available("allenai/cosmos_qa", "dataset")
    (tmp_path / "datasets" / "allenai___cosmos_qa").mkdir(parents=True)
    assert hub.available("allenai/cosmos_qa", "dataset")


def test_bucc_original_files_travel_are_checked_and_recorded(tmp_path):
    """A source folder holding BUCC's original files (distractors, repeats): the pull copies them with the
    manifest, check names a changed one, and a run on the pulled folder reads them and records each file."""
    from xlt_core.pipeline import run_stage
    from xlt_core.sample_data import write_bucc_original

    [evaluate] = chain(intermediate="none", target="bucc2018", languages="de")
    needed = reads(evaluate)
    source = tmp_path / "source"
    pull(source, needed, source="sample", progress=False)
    write_bucc_original(source, "de")
    pulled = tmp_path / "pulled"
    pull(pulled, needed, source=str(source), progress=False)
    originals = sorted(p.name for p in (pulled / "bucc2018" / "de-en").iterdir())
    assert originals == [f"de-en.{split}.{x}" for split in ("sample", "training") for x in ("de", "en", "gold")]
    files = read_manifest(pulled)["files"]
    rel = "bucc2018/de-en/de-en.training.gold"
    assert files[rel]["sha256"] == sha256(source / rel) and files[rel]["rows"] == 33
    assert check(pulled, needed)[0] == []
    [evaluate] = chain(intermediate="none", target="bucc2018", languages="de", data=str(pulled))
    record = run_stage(evaluate, tmp_path / "runs", device="cpu")
    read_files = {entry["file"]: entry["sha256"] for entry in record["provenance"]["data"]}
    assert read_files[rel] == files[rel]["sha256"] and len(read_files) == 6  # dev (sample) and test (training)
    assert record["scores"][0]["n"] == 30 + 2 * 3 + 40 + 1  # every line of the de file, distractors included
    with open(pulled / rel, "a") as f:
        f.write("de-999\ten-999\n")
    assert check(pulled, needed)[0] == [f"{pulled / rel}: differs from the manifest's rows and SHA-256: the file "
                                        "changed since it was pulled; pull again"]
