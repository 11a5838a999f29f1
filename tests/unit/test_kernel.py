"""Children that die with their parent (xlt_core.kernel): by Linux's parent-death signal, by the watchdog thread
alone (as on other systems), and at once when the parent died before the child could ask."""

import os
import signal
import subprocess
import sys
import time
from contextlib import suppress
from pathlib import Path

import pytest

from xlt_core.kernel import take_parent

CHILD = ("import sys, time; import xlt_core.kernel as k\n"
         "if sys.argv[2] == 'watchdog': k.kill_on_parent_death = lambda: None\n"
         "k.die_with(int(sys.argv[1])); print('bound', flush=True); time.sleep(600)\n")
PARENT = ("import os, subprocess, sys, time\n"
          "child = subprocess.Popen([sys.executable, '-c', sys.argv[1], str(os.getpid()), sys.argv[2]],"
          " stdout=subprocess.PIPE, text=True)\n"
          "assert child.stdout.readline() == 'bound\\n'; print(child.pid, flush=True); time.sleep(600)\n")


def running(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()[0] != "Z"
    except OSError:
        return False


@pytest.mark.parametrize("way", ["signal", "watchdog"])
def test_a_child_dies_when_its_parent_is_killed(way):
    parent = subprocess.Popen([sys.executable, "-c", PARENT, CHILD, way], stdout=subprocess.PIPE, text=True,
                              start_new_session=True)
    try:
        child = int(parent.stdout.readline())
        assert running(child)
        parent.kill()  # the parent alone
        parent.wait()
        deadline = time.monotonic() + 5
        while running(child) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert not running(child)  # it would otherwise sleep for ten minutes
    finally:
        with suppress(ProcessLookupError):
            os.killpg(parent.pid, signal.SIGKILL)  # a survivor, when the test fails
        parent.wait()


def test_a_child_whose_parent_is_already_gone_exits_at_once():
    proc = subprocess.run([sys.executable, "-c", CHILD, "1", "signal"], capture_output=True, text=True, timeout=60)
    assert (proc.returncode, proc.stdout) == (1, "")  # pid 1 is not its parent: the one it was told of died


def test_the_parent_flag_is_taken_off_the_command_line():
    assert take_parent(["k", "-f", "c.json", "--xlt-parent=42"]) == (42, ["k", "-f", "c.json"])
    assert take_parent(["k", "-f", "c.json"]) == (None, ["k", "-f", "c.json"])
