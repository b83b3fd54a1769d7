"""SearchController: owns the thread of a hyperparameter search or an LR-finder sweep.

One job at a time, in a QThread of its own (apart from the training thread, which keeps
training the session meanwhile). The worker is a thin adapter: it runs the core's Search
or find_lr, turns their reports into signals carrying plain values or frozen dataclasses,
emits `failed(message)` on any exception and always `finished`. Stopping goes through
the core objects directly (Search.stop, a flag the sweep polls), never a queued signal to
a busy worker. shutdown() follows controller.py's rules: stop, quit, wait with a timeout.
"""
from __future__ import annotations

import logging
import threading
import time
from typing import Any

from PySide6.QtCore import QObject, QThread, Signal, Slot

from ..core.errors import PlaygroundError
from ..core.spec import SessionSpec
from .threads import worker_thread

log = logging.getLogger("playground")
IMPORTANCE_EVERY_S = 3.0


class _Listener:
    """The core's SearchListener, forwarding to the worker's signals (worker thread)."""

    def __init__(self, worker: "SearchWorker") -> None:
        self.worker = worker

    def trial_began(self, number: int, params: dict) -> None:
        self.worker.trialBegan.emit(number, dict(params))

    def epoch_ended(self, number: int, epoch: int, value: float) -> None:
        self.worker.epochEnded.emit(number, epoch, value)

    def trial_ended(self, result: Any) -> None:
        self.worker.trialEnded.emit(result)
        self.worker.publish_importances(force=False)


class SearchWorker(QObject):
    trialBegan = Signal(int, object)        # number, params
    epochEnded = Signal(int, int, float)    # number, epoch, monitored loss
    trialEnded = Signal(object)             # TrialResult
    importancesChanged = Signal(object)     # {name: importance}
    started = Signal(object)                # [TrialResult] already in the study
    ended = Signal(str)                     # the reason: budget, timeout, stopped, grid
    failed = Signal(str)
    finished = Signal()

    def __init__(self, spec: SessionSpec, settings: Any, url: str) -> None:
        super().__init__()
        self.spec, self.settings, self.url = spec, settings, url
        self.search: Any = None
        self._stop = threading.Event()
        self._importances_at = -float("inf")

    def stop(self) -> None:  # any thread
        self._stop.set()
        search = self.search
        if search is not None:
            search.stop()

    @Slot()
    def run(self) -> None:
        try:
            from ..core.search import Search

            self.search = Search(self.spec, self.settings, self.url,
                                 listener=_Listener(self))
            if self._stop.is_set():
                self.search.stop()
            self.started.emit(self.search.results())
            self.publish_importances()
            reason = self.search.run().reason
            self.publish_importances()
            self.ended.emit(reason)
        except PlaygroundError as exc:
            self.failed.emit(str(exc))
        except Exception as exc:  # noqa: BLE001 - a bug: a sentence here, details logged
            log.exception("the search failed")
            self.failed.emit(f"The search failed unexpectedly ({type(exc).__name__}: {exc}).")
        finally:
            self.finished.emit()

    def publish_importances(self, force: bool = True) -> None:
        """Optuna's importances of the study so far. Fitting them costs more as the
        study grows, so between trials at most every IMPORTANCE_EVERY_S seconds."""
        from ..core.search.study import importances

        if self.search is None or (not force and time.monotonic() - self._importances_at
                                   < IMPORTANCE_EVERY_S):
            return
        self.importancesChanged.emit(importances(self.search.study))
        self._importances_at = time.monotonic()


class LrFinderWorker(QObject):
    progressed = Signal(int, float, float)  # update, lr, smoothed loss
    found = Signal(object)                  # LrFinding
    failed = Signal(str)
    finished = Signal()

    def __init__(self, spec: SessionSpec, sweep: dict | None = None) -> None:
        super().__init__()
        self.spec = spec
        self.sweep = dict(sweep or {})  # find_lr's start, end and updates
        self._stop = threading.Event()

    def stop(self) -> None:
        self._stop.set()

    @Slot()
    def run(self) -> None:
        try:
            from ..core.search import find_lr
            from ..core.trainer import Trainer

            trainer = Trainer(self.spec, interactive=True)
            self.found.emit(find_lr(trainer, **self.sweep, progress=self.progressed.emit,
                                    stop=self._stop.is_set))
        except PlaygroundError as exc:
            self.failed.emit(str(exc))
        except Exception as exc:  # noqa: BLE001
            log.exception("the learning-rate finder failed")
            self.failed.emit(f"The learning-rate finder failed unexpectedly "
                             f"({type(exc).__name__}: {exc}).")
        finally:
            self.finished.emit()


class SearchController(QObject):
    """Starts and stops the background job; its signals arrive in the GUI thread."""

    trialBegan = Signal(int, object)
    epochEnded = Signal(int, int, float)
    trialEnded = Signal(object)
    importancesChanged = Signal(object)
    searchStarted = Signal(object)
    searchEnded = Signal(str)
    lrProgressed = Signal(int, float, float)
    lrFound = Signal(object)
    failed = Signal(str)
    busyChanged = Signal(bool)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._thread: QThread | None = None
        self._worker: QObject | None = None

    @property
    def busy(self) -> bool:
        return self._thread is not None

    def start_search(self, spec: SessionSpec, settings: Any, url: str) -> bool:
        if self.busy:
            return False
        worker = SearchWorker(spec, settings, url)
        worker.trialBegan.connect(self._on_worker_trial_began)
        worker.epochEnded.connect(self._on_worker_epoch_ended)
        worker.trialEnded.connect(self._on_worker_trial_ended)
        worker.importancesChanged.connect(self._on_worker_importances_changed)
        worker.started.connect(self._on_worker_started)
        worker.ended.connect(self._on_worker_ended)
        self._launch(worker)
        return True

    def find_lr(self, spec: SessionSpec, **sweep) -> bool:
        """Start the range test on `spec` (sweep: find_lr's start, end, updates)."""
        if self.busy:
            return False
        worker = LrFinderWorker(spec, sweep)
        worker.progressed.connect(self._on_worker_progressed)
        worker.found.connect(self._on_worker_found)
        self._launch(worker)
        return True

    def stop(self) -> None:
        if self._worker is not None:
            self._worker.stop()

    def shutdown(self, timeout_ms: int = 30_000) -> bool:
        """Stop the job and wait for its thread; True if nothing is left running."""
        thread = self._thread
        if thread is None:
            return True
        self.stop()
        thread.quit()
        if not thread.wait(timeout_ms):
            return False
        self._clear()
        return True

    # ------------------------------------------------------------- plumbing
    def _launch(self, worker: QObject) -> None:
        worker.failed.connect(self._on_worker_failed)
        thread = worker_thread(self, worker, worker.finished, self._on_thread_finished)
        self._thread, self._worker = thread, worker
        self.busyChanged.emit(True)
        thread.start()

    def _current(self) -> bool:
        return self._worker is not None and self.sender() is self._worker

    def _clear(self) -> None:
        if self._thread is not None:
            self._thread.deleteLater()
        was_busy = self._thread is not None
        self._thread = self._worker = None
        if was_busy:
            self.busyChanged.emit(False)

    @Slot()
    def _on_thread_finished(self) -> None:
        if self.sender() is self._thread:
            self._clear()

    @Slot(int, object)
    def _on_worker_trial_began(self, number: int, params: object) -> None:
        if self._current():
            self.trialBegan.emit(number, params)

    @Slot(int, int, float)
    def _on_worker_epoch_ended(self, number: int, epoch: int, value: float) -> None:
        if self._current():
            self.epochEnded.emit(number, epoch, value)

    @Slot(object)
    def _on_worker_trial_ended(self, result: object) -> None:
        if self._current():
            self.trialEnded.emit(result)

    @Slot(object)
    def _on_worker_importances_changed(self, values: object) -> None:
        if self._current():
            self.importancesChanged.emit(values)

    @Slot(object)
    def _on_worker_started(self, results: object) -> None:
        if self._current():
            self.searchStarted.emit(results)

    @Slot(str)
    def _on_worker_ended(self, reason: str) -> None:
        if self._current():
            self.searchEnded.emit(reason)

    @Slot(int, float, float)
    def _on_worker_progressed(self, update: int, lr: float, loss: float) -> None:
        if self._current():
            self.lrProgressed.emit(update, lr, loss)

    @Slot(object)
    def _on_worker_found(self, finding: object) -> None:
        if self._current():
            self.lrFound.emit(finding)

    @Slot(str)
    def _on_worker_failed(self, message: str) -> None:
        if self._current():
            self.failed.emit(message)
