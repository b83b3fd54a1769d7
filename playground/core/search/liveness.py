"""Telling live trials from dead ones: heartbeats, and reaping the trials a dead process
left running (so the budget does not count them and their values are tried again)."""
from __future__ import annotations

import os
import socket
import threading
import time
import warnings
from contextlib import contextmanager
from typing import Any

HOST = socket.gethostname()
ORPHAN_SECONDS = 1.0  # a running trial with no owner this long after its start is dead


class Heartbeat:
    """Records the heartbeat of the trials this process runs (one, or a batch asked at
    once) every interval while they run, so other processes can tell a live trial from
    one whose process died (RDBStorage). forget() drops a trial that was told."""

    def __init__(self, storage: Any, trial_ids: int | list[int]) -> None:
        self.storage = storage
        self.trial_ids = [trial_ids] if isinstance(trial_ids, int) else list(trial_ids)
        self._lock = threading.Lock()
        self._done = threading.Event()
        self._thread = threading.Thread(target=self._beat, daemon=True,
                                        name="search-heartbeat")

    def __enter__(self) -> "Heartbeat":
        if hasattr(self.storage, "record_heartbeat"):  # in memory: nobody to tell
            for trial_id in self.trial_ids:
                self.storage.record_heartbeat(trial_id)
            self._thread.start()
        return self

    def forget(self, trial_id: int) -> None:
        with self._lock:
            if trial_id in self.trial_ids:
                self.trial_ids.remove(trial_id)

    def __exit__(self, *exc: Any) -> None:
        self._done.set()
        if self._thread.is_alive():
            self._thread.join()

    def _beat(self) -> None:
        interval = self.storage.get_heartbeat_interval() or 10
        while not self._done.wait(interval):
            with self._lock:
                beating = list(self.trial_ids)
            for trial_id in beating:
                try:
                    self.storage.record_heartbeat(trial_id)
                except Exception:  # noqa: BLE001 - a missed beat is retried on the next
                    pass


@contextmanager
def quiet():
    """Optuna warns that heartbeats are experimental and "supposed to be used with
    Study.optimize"; ask-and-tell with our own heartbeat thread is what we mean."""
    import optuna

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", optuna.exceptions.ExperimentalWarning)
        warnings.filterwarnings("ignore", message="Heartbeat of storage")
        yield


def reap_dead_trials(study: Any, orphans: bool = True) -> list[int]:
    """Fail the trials left running by a process that died, and queue their values to
    be tried again: on this machine at once (its pid is gone), elsewhere once its
    heartbeat is stale (Optuna's fail_stale_trials); with `orphans`, also trials no
    process ever owned (which takes a second to tell). Returns the trial numbers."""
    from optuna.storages import fail_stale_trials
    from optuna.trial import TrialState

    storage = study._storage
    reaped = []
    for trial in _dead_here(study) + (_orphans(study) if orphans else []):
        try:
            storage.set_trial_state_values(trial._trial_id, state=TrialState.FAIL)
        except Exception:  # noqa: BLE001 - another process failed it first
            continue
        reaped.append(trial)
    before = {t.number for t in study.get_trials(deepcopy=False, states=(TrialState.FAIL,))}
    with quiet():
        fail_stale_trials(study)
    reaped += [t for t in study.get_trials(deepcopy=False, states=(TrialState.FAIL,))
               if t.number not in before]
    for trial in reaped:
        if trial.params:  # an orphan asked no values yet: nothing to try again
            study.enqueue_trial(trial.params)
    return sorted(t.number for t in reaped)


def _running(study: Any) -> list[Any]:
    from optuna.trial import TrialState

    return study.get_trials(deepcopy=False, states=(TrialState.RUNNING,))


def _dead_here(study: Any) -> list[Any]:
    """Running trials of this machine whose process is gone. (A process records its
    trial's pid before its host, so a trial with a host has its pid: one read between
    the two writes took a live trial for dead, and its owner's result was refused.)"""
    return [t for t in _running(study)
            if t.user_attrs.get("host") == HOST and "pid" in t.user_attrs
            and not _alive(t.user_attrs["pid"])]


def _orphans(study: Any) -> list[Any]:
    """Running trials with no owner: a process asks a trial, then records its host and
    pid a moment later; killed in between, it leaves a trial nobody will finish (and
    that no heartbeat covers). A live process records its owner within milliseconds,
    so a trial still without one after ORPHAN_SECONDS is an orphan."""
    ownerless = {t.number for t in _running(study) if "host" not in t.user_attrs}
    if not ownerless:
        return []
    time.sleep(ORPHAN_SECONDS)
    return [t for t in _running(study)
            if t.number in ownerless and "host" not in t.user_attrs]


def _alive(pid: Any) -> bool:
    if not isinstance(pid, int) or pid <= 0:
        return False
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process: alive
        return True
    return True


