"""Which running instance owns the autosave folder, and whether the last one crashed.

The first instance takes a QLockFile (`instance.lock`: its PID, program name and host)
in the autosave folder and keeps it until it closes. The lock is *stale* when the
process that took it is gone (killed, crashed, or the machine lost power): only then
did a previous instance die without closing, and only then is recovery offered.

A second instance started while the first is alive cannot take the lock. It runs
normally, but `crashed_before` is False (the first one is alive, not crashed), and
`release()` leaves the first one's lock alone.

    lock = InstanceLock(folder)
    if lock.crashed_before:
        ...offer the newest autosave...
    ...
    lock.release()   # on a clean exit
"""
from __future__ import annotations

import logging
import os
from pathlib import Path

from PySide6.QtCore import QLockFile

LOCK_NAME = "instance.lock"
# Written by versions before the QLockFile: plain text, present while running. One left
# behind means that version did not close properly.
LEGACY_LOCK_NAME = "running.lock"

log = logging.getLogger(__name__)


class InstanceLock:
    def __init__(self, folder: str | os.PathLike) -> None:
        self.folder = Path(folder)
        self.path = self.folder / LOCK_NAME
        self.crashed_before = False
        self.primary = False         # True while this instance holds the lock
        self._lock: QLockFile | None = None
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
        except OSError as exc:       # no autosave folder: no lock, no recovery
            log.warning("cannot create %s: %s", self.folder, exc)
            return
        lock = QLockFile(str(self.path))
        # Stale only when its process is gone, never by age: a window left open for a
        # week still holds its lock.
        lock.setStaleLockTime(0)
        owner = _owner(lock)
        if lock.tryLock(0):
            # Taken. If a lock file was there, QLockFile found its process gone (or its
            # PID reused by another program) and replaced it: that instance died
            # without closing. (The one other way, that instance closing cleanly in the
            # microseconds between our look and our try, only offers a recovery.)
            self.crashed_before = owner is not None
        elif lock.error() == QLockFile.LockError.LockFailedError and owner is None:
            # A lock file that names no process (cut short by a crash while being
            # written): remove it unless a live process still holds it (QLockFile
            # checks the lock held on the open file), and try once more.
            if lock.removeStaleLockFile() and lock.tryLock(0):
                self.crashed_before = True
        if lock.isLocked():
            self.primary, self._lock = True, lock
            self.crashed_before = self._take_legacy_lock() or self.crashed_before
        elif lock.error() != QLockFile.LockError.LockFailedError:
            log.warning("cannot lock %s (QLockFile error %s)", self.path, lock.error())

    def _take_legacy_lock(self) -> bool:
        legacy = self.folder / LEGACY_LOCK_NAME
        if not legacy.exists():
            return False
        legacy.unlink(missing_ok=True)
        return True

    @property
    def owner_pid(self) -> int | None:
        """The PID that holds the lock now (ours when primary), if it can be read."""
        info = _owner(QLockFile(str(self.path)))
        return info[0] if info else None

    def release(self) -> None:
        """Give the lock up (a clean exit: nothing to recover next time). A second
        instance holds nothing, so this leaves the first one's lock in place."""
        if self._lock is not None:
            self._lock.unlock()
            self._lock = None
        self.primary = False


def _owner(lock: QLockFile) -> tuple[int, str, str] | None:
    """(pid, hostname, program) from the lock file, or None if absent or unreadable."""
    pid, hostname, program = lock.getLockInfo()  # PySide6: pid 0 when there is none
    return (int(pid), hostname, program) if pid > 0 else None

