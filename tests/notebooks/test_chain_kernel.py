"""The stages one process runs in a row share one kernel (runner.ChainKernel): its namespace cleared between them, a
dead kernel replaced, and a chain's scores the same as with a fresh kernel per stage."""

import json
import os
import signal
import time
from pathlib import Path

import nbformat
import papermill

from xlt_core.config import chain
from xlt_core.rundir import run_folder
from xlt_core.runner import ChainKernel, execute_chains, execute_stage


def notebook(path: Path, source: str) -> Path:
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(source)])
    nb.metadata["kernelspec"] = {"name": "xlt", "language": "python", "display_name": "Python (xlt)"}
    nbformat.write(nb, path)
    return path


def output(path: Path) -> dict:
    return json.loads(nbformat.read(path, as_version=4).cells[0].outputs[0]["text"])


def test_one_kernel_its_namespace_cleared_between_stages_and_a_dead_one_replaced(tmp_path):
    probe = notebook(tmp_path / "probe.ipynb", "import json, os\nseen = 'left' in globals()\nleft = 1\n"
                                               "print(json.dumps({'pid': os.getpid(), 'seen': seen}))")
    with ChainKernel() as kernel:
        runs = []
        for i in range(3):
            with kernel.stage(tmp_path) as options:
                papermill.execute_notebook(str(probe), str(tmp_path / f"out{i}.ipynb"), progress_bar=False, **options)
            runs.append(output(tmp_path / f"out{i}.ipynb"))
            if i == 1:
                os.kill(runs[-1]["pid"], signal.SIGKILL)  # as the OOM killer would
                deadline = time.time() + 30
                while kernel.km.is_alive() and time.time() < deadline:
                    time.sleep(0.1)
        assert runs[0]["pid"] == runs[1]["pid"] != runs[2]["pid"]  # one kernel, replaced once it died
        assert not any(r["seen"] for r in runs)  # no variable of the stage before
        pid = runs[2]["pid"]
    assert not Path(f"/proc/{pid}").exists() or open(f"/proc/{pid}/stat").read().split()[2] == "Z"  # shut down


def test_a_chain_in_one_kernel_scores_as_fresh_kernels_do(tmp_path):
    stages = chain(intermediate="mnli", target="xnli", languages="de,sw", intermediate_size=60, train_size=60,
                   eval_size=20, epochs=1.0)
    execute_chains([stages], tmp_path / "shared", log=lambda m: None)
    for cfg in stages:
        execute_stage(cfg, tmp_path / "fresh", log=lambda m: None)
    for cfg in stages:
        shared, fresh = (json.loads((run_folder(tmp_path / d, cfg) / "config.json").read_text()) for d in
                         ("shared", "fresh"))
        assert shared.get("dev") == fresh.get("dev")
        assert (run_folder(tmp_path / "shared", cfg) / "scores.json").read_text() == \
            (run_folder(tmp_path / "fresh", cfg) / "scores.json").read_text()
