"""How stage notebooks get their kernel."""

import os
import tempfile

from xlt_core.runner import kernel_options


def test_each_stage_kernel_gets_its_own_unix_socket_path():
    a, b = (kernel_options()["config"].KernelManager for _ in range(2))
    assert a.transport == b.transport == "ipc"
    assert os.path.isabs(a.ip) and a.ip != b.ip  # parallel workers never share a socket file
    assert len(f"{a.ip}-5") <= 107


def test_a_temp_dir_too_long_for_a_socket_path_falls_back_to_tcp(monkeypatch):
    monkeypatch.setattr(tempfile, "tempdir", "/" + "d" * 100)
    assert kernel_options()["config"].KernelManager.transport == "tcp"
