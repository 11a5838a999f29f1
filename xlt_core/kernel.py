"""Child processes that die with their parent: the `xlt` Jupyter kernel, and the local sweep's stage workers.

jupyter_client starts a kernel in a session of its own, and ipykernel only notices that its parent is gone when its
poller wakes up (once a second, and only when the launcher set JPY_PARENT_PID): a `kill -9` of `xlt run` or of a
sweep could leave a kernel or a worker training on, writing into a temporary folder nobody will promote. Here the
child asks Linux to SIGKILL it the moment its parent dies (PR_SET_PDEATHSIG), checks right after that its parent is
still the one that started it (a parent that died before the request would never trigger it), and, on every OS,
runs a watchdog thread that exits when its parent pid changes.

The kernel is `python -m xlt_core.kernel -f {connection_file} [--xlt-parent=PID]` (runner.ensure_kernel registers
it): JupyterLab starts it like any ipykernel, and it dies with the server; `xlt` adds the flag, naming itself, so
that even a parent killed during the kernel's start-up is noticed. A sweep's worker (`python -m xlt_core.runner`)
gets the same flag.
"""

from __future__ import annotations

import ctypes
import os
import signal
import sys
import threading
import time

PARENT_FLAG = "--xlt-parent="
PR_SET_PDEATHSIG = 1  # <linux/prctl.h>


def kernel_argv() -> list[str]:
    """The kernelspec's argv: this Python, frozen modules off as ipykernel registers it (for the debugger)."""
    return [sys.executable, "-Xfrozen_modules=off", "-m", "xlt_core.kernel", "-f", "{connection_file}"]


def parent_flag() -> str:
    """The argument that tells a child started by this process to die with it."""
    return f"{PARENT_FLAG}{os.getpid()}"


def kill_on_parent_death() -> None:
    """Ask Linux for SIGKILL when the parent dies; elsewhere nothing (the watchdog thread does the job there).
    Linux sends it when the parent's thread that started this process ends: xlt and Jupyter start kernels and
    workers from threads that outlive them."""
    if sys.platform.startswith("linux"):
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)


def die_with(parent: int, poll_s: float = 0.2) -> None:
    """Exit as soon as `parent` is no longer this process's parent (it died: the process was re-parented)."""
    kill_on_parent_death()
    if os.getppid() != parent:  # died before the request above: the signal will never come
        os._exit(1)

    def watch():
        while os.getppid() == parent:
            time.sleep(poll_s)
        os._exit(1)

    threading.Thread(target=watch, name="xlt-parent-watchdog", daemon=True).start()


def take_parent(argv: list[str]) -> tuple[int | None, list[str]]:
    """The pid named by `--xlt-parent=PID` in argv (None without one), and argv without the flag."""
    named = [a for a in argv if a.startswith(PARENT_FLAG)]
    return (int(named[-1][len(PARENT_FLAG):]) if named else None), [a for a in argv if not a.startswith(PARENT_FLAG)]


def main() -> None:
    """The kernel: dies with the process named by --xlt-parent, else with the one that started it (JupyterLab's
    server), then runs ipykernel on the rest of the command line."""
    parent, sys.argv = take_parent(sys.argv)
    die_with(parent or os.getppid())
    from ipykernel.kernelapp import launch_new_instance

    launch_new_instance()


if __name__ == "__main__":
    main()
