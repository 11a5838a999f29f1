"""How stage notebooks get their kernel: the xlt kernelspec (xlt's launcher, which dies with its parent), Unix
sockets, and the parent named on the kernel's command line."""

import os
import sys
import tempfile

from xlt_core.kernel import kernel_argv
from xlt_core.runner import ensure_kernel, kernel_options


def test_each_stage_kernel_gets_its_own_unix_socket_path():
    a, b = (kernel_options()["config"].KernelManager for _ in range(2))
    assert a.transport == b.transport == "ipc"
    assert os.path.isabs(a.ip) and a.ip != b.ip  # parallel workers never share a socket file
    assert len(f"{a.ip}-5") <= 107


def test_a_temp_dir_too_long_for_a_socket_path_falls_back_to_tcp(monkeypatch):
    monkeypatch.setattr(tempfile, "tempdir", "/" + "d" * 100)
    assert kernel_options()["config"].KernelManager.transport == "tcp"


def test_the_kernel_is_told_that_this_process_is_its_parent():
    assert kernel_options()["extra_arguments"] == [f"--xlt-parent={os.getpid()}"]


def test_a_kernelspec_without_the_launcher_is_registered_again(tmp_path, monkeypatch):
    from ipykernel.kernelspec import install
    from jupyter_client.kernelspec import KernelSpecManager

    name = f"xlt-test-{os.getpid()}"
    spec_dir = install(kernel_name=name, prefix=str(tmp_path))  # as `ipykernel install` wrote it before
    monkeypatch.setattr(sys, "prefix", str(tmp_path))  # the environment's own kernels stay untouched
    monkeypatch.setattr(KernelSpecManager, "kernel_dirs", [str(tmp_path / "share" / "jupyter" / "kernels")])
    assert KernelSpecManager().get_kernel_spec(name).argv[:4] == [sys.executable, "-Xfrozen_modules=off", "-m",
                                                                  "ipykernel_launcher"]
    assert ensure_kernel(name) == name
    spec = KernelSpecManager().get_kernel_spec(name)
    assert spec.argv == kernel_argv() == [sys.executable, "-Xfrozen_modules=off", "-m", "xlt_core.kernel", "-f",
                                          "{connection_file}"]
    assert spec.display_name == "Python (xlt)" and spec_dir.startswith(str(tmp_path))


def test_a_kernel_that_dies_on_its_own_is_a_failed_stage_with_its_notebook(tmp_path, monkeypatch, capsys):
    """The OOM killer takes the kernel mid-stage: the stage fails in one line naming its notebook, no traceback."""
    import papermill
    import pytest
    from nbclient.exceptions import DeadKernelError

    from xlt_core.config import chain
    from xlt_core.runner import StageFailed, execute_stage

    def killed(input_path, output_path, **kwargs):
        open(output_path, "w").write("{}")  # papermill saves the notebook as it goes
        raise DeadKernelError("Kernel died")

    monkeypatch.setattr(papermill, "execute_notebook", killed)
    cfg = chain(intermediate="none", train_size=10, eval_size=2)[0]
    with pytest.raises(StageFailed) as failed:
        execute_stage(cfg, tmp_path, log=lambda message: None)
    kept = tmp_path / ".failed" / f"{cfg.stage_id}.ipynb"
    assert str(failed.value) == (f"stage {cfg.stage_id} failed: its kernel died (out of memory?); executed notebook: "
                                 f"{kept}; rerun to resume from its last checkpoint")
    assert kept.read_text() == "{}" and not list(tmp_path.glob(".tmp-*"))


def test_a_stage_another_process_runs_is_waited_for_not_run_twice(tmp_path):
    """Two `xlt run`s given the same stage: the second waits for the first's lock (then finds the stage done)."""
    import threading

    from xlt_core.staging import stage_lock

    order, logged = [], []
    with stage_lock(tmp_path, "target-xnli-abc"):
        second = threading.Thread(target=lambda: _enter(tmp_path, order, logged))
        second.start()
        second.join(timeout=1.0)
        assert second.is_alive() and order == []  # held: the second waits
        order.append("first done")
    second.join(timeout=10)
    assert order == ["first done", "second ran"]
    assert logged == ["[wait]  target-xnli-abc (another process is running it)"]


def _enter(runs, order, logged):
    from xlt_core.staging import stage_lock

    with stage_lock(runs, "target-xnli-abc", logged.append):
        order.append("second ran")
