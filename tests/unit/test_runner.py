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
