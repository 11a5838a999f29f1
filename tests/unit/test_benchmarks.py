"""The training benchmark runs end to end on a few pairs and ends with the key=value line issue 4 specifies
(its numbers are measurements, so only their form and bounds are checked here)."""

import subprocess
import sys

from conftest import REPO

SCRIPT = str(REPO / "benchmarks" / "train_throughput.py")


def test_train_throughput_last_line():
    proc = subprocess.run([sys.executable, SCRIPT, "--size", "96", "--repeat", "2"], capture_output=True, text=True,
                          timeout=300, cwd=REPO)
    assert proc.returncode == 0, proc.stderr[-2000:]
    lines = proc.stdout.strip().splitlines()
    values = dict(pair.split("=") for pair in lines[-1].split())
    assert values["device"] == "cpu" and values["shape"] == "tiny" and values["pairs"] == "96"
    assert values["repeat"] == "2" and len(lines[-2].split(":")[1].split()) == 2  # one ratio per round
    assert float(values["ratio_vs_trainer_padded"]) > 0 and float(values["ratio_vs_trainer_grouped"]) > 0
    assert 0.9 < float(values["real_share"]) <= 1.0  # length-grouped batches of sample MNLI pairs


def test_train_throughput_rejects_a_bad_option_before_any_compute():
    proc = subprocess.run([sys.executable, SCRIPT, "--repeat", "0"], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 2 and proc.stdout == ""
    assert proc.stderr.strip().splitlines()[-1].endswith("--repeat 0: must be a positive integer")


def test_a_baseline_out_of_memory_is_reported_and_the_rest_still_measured(monkeypatch, capsys):
    import importlib.util

    import torch

    spec = importlib.util.spec_from_file_location("train_throughput", SCRIPT)
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)
    calls = []
    real_trainer = bench.trainer

    def padded_too_big(encoder, tok, ex, args, device, grouped):
        calls.append(grouped)
        if not grouped:
            raise torch.cuda.OutOfMemoryError("CUDA out of memory")
        return real_trainer(encoder, tok, ex, args, device, grouped)

    monkeypatch.setattr(bench, "trainer", padded_too_big)
    monkeypatch.setattr(sys, "argv", [SCRIPT, "--size", "64", "--repeat", "2"])
    bench.main()
    lines = capsys.readouterr().out.strip().splitlines()
    assert calls.count(False) == 1  # not tried again in the second round
    assert "trainer_padded   out of memory at batch size 32" in lines
    values = dict(pair.split("=") for pair in lines[-1].split())
    assert values["ratio_vs_trainer_padded"] == "oom" and float(values["ratio_vs_trainer_grouped"]) > 0
