"""The instance lock: a crash is a lock whose process is gone; a live one is not a crash."""
import os
import subprocess
import sys

import pytest

from playground.gui.instance_lock import LEGACY_LOCK_NAME, LOCK_NAME, InstanceLock

# Another process takes the lock the way the app does, says so on stdout, then either
# holds it until its stdin closes and unlocks (a live instance), or exits at once
# without unlocking (an instance that died: no destructor, no cleanup).
HOLDER = """
import os, sys
from PySide6.QtCore import QLockFile
lock = QLockFile(sys.argv[1])
lock.setStaleLockTime(0)
print("locked" if lock.tryLock(0) else "failed", flush=True)
if sys.argv[2] == "die":
    os._exit(0)
sys.stdin.read()
lock.unlock()
"""


def _holder(folder, how):
    process = subprocess.Popen([sys.executable, "-c", HOLDER, str(folder / LOCK_NAME), how],
                               stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    assert process.stdout.readline().strip() == "locked"  # waits for the child, no sleep
    return process


@pytest.fixture
def live_holder(tmp_path):
    process = _holder(tmp_path, "hold")
    yield process
    process.stdin.close()
    assert process.wait(timeout=30) == 0


def test_a_first_start_in_an_empty_folder_is_not_a_crash(tmp_path):
    lock = InstanceLock(tmp_path / "new")
    assert lock.primary and not lock.crashed_before
    assert lock.owner_pid == os.getpid()
    lock.release()
    assert not (tmp_path / "new" / LOCK_NAME).exists()


def test_a_clean_exit_leaves_nothing_to_recover(tmp_path):
    InstanceLock(tmp_path).release()
    again = InstanceLock(tmp_path)
    assert again.primary and not again.crashed_before
    again.release()


def test_a_live_instance_elsewhere_is_not_a_crash_and_keeps_its_lock(tmp_path, live_holder):
    second = InstanceLock(tmp_path)
    assert not second.crashed_before and not second.primary
    second.release()  # a second instance closing must not free the first one's lock
    assert (tmp_path / LOCK_NAME).exists()
    assert InstanceLock(tmp_path).owner_pid == live_holder.pid
    third = InstanceLock(tmp_path)
    assert not third.crashed_before and not third.primary


def test_after_the_live_instance_closes_the_next_start_is_clean(tmp_path):
    holder = _holder(tmp_path, "hold")
    holder.stdin.close()
    assert holder.wait(timeout=30) == 0
    lock = InstanceLock(tmp_path)
    assert lock.primary and not lock.crashed_before
    lock.release()


def test_a_lock_left_by_a_dead_process_is_a_crash(tmp_path):
    holder = _holder(tmp_path, "die")
    assert holder.wait(timeout=30) == 0
    assert (tmp_path / LOCK_NAME).exists()  # left behind, naming a dead PID
    lock = InstanceLock(tmp_path)
    assert lock.crashed_before and lock.primary
    assert lock.owner_pid == os.getpid()   # taken over
    lock.release()
    assert not InstanceLock(tmp_path).crashed_before


def test_a_lock_file_cut_short_by_a_crash_is_a_crash_not_a_live_instance(tmp_path):
    (tmp_path / LOCK_NAME).write_bytes(b"")
    lock = InstanceLock(tmp_path)
    assert lock.crashed_before and lock.primary
    lock.release()


def test_the_earlier_versions_lock_left_behind_counts_as_a_crash(tmp_path):
    (tmp_path / LEGACY_LOCK_NAME).write_text("Gradient Playground is running\n")
    lock = InstanceLock(tmp_path)
    assert lock.crashed_before and lock.primary
    assert not (tmp_path / LEGACY_LOCK_NAME).exists()
    lock.release()


def test_a_folder_that_cannot_be_made_gives_no_lock_and_no_recovery(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    lock = InstanceLock(blocker / "autosave")
    assert not lock.primary and not lock.crashed_before
    lock.release()
