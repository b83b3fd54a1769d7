"""LandscapeController: computes loss landscapes on a thread of its own.

The copies a landscape needs (the weights, the kept trajectory, a private copy of the
network and the sample) are taken by the caller in the GUI thread while nothing trains
(see landscape_feature.py); the long part, thousands of forward passes, runs here, so
the window never waits. One computation at a time: a request made while one runs
replaces any request still waiting, and starts when the running one ends. Follows
controller.py's rules: the thread has a parent, the worker's done quits it, shutdown()
joins it (from the feature's close handling and test teardown).
"""
from __future__ import annotations

import logging

from PySide6.QtCore import QObject, QThread, Signal, Slot

from ..core.errors import PlaygroundError
from .threads import worker_thread

log = logging.getLogger(__name__)


class LandscapeWorker(QObject):
    computed = Signal(object)   # core.landscape.Landscape
    failed = Signal(str)
    done = Signal()

    def __init__(self, request: tuple) -> None:
        super().__init__()
        self.request = request

    @Slot()
    def run(self) -> None:
        from ..core.landscape import compute

        run, surface, kind, points = self.request
        try:
            self.computed.emit(compute(run, surface, kind, points))
        except PlaygroundError as exc:
            self.failed.emit(str(exc))
        except Exception as exc:  # noqa: BLE001 - a sentence for the user, details logged
            log.exception("landscape failed")
            self.failed.emit(f"The landscape could not be computed: {exc}")
        finally:
            self.done.emit()


class LandscapeController(QObject):
    computed = Signal(object)
    failed = Signal(str)
    busyChanged = Signal(bool)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._thread: QThread | None = None
        self._worker: LandscapeWorker | None = None
        self._waiting: tuple | None = None

    @property
    def busy(self) -> bool:
        return self._thread is not None

    def compute(self, run, surface, kind: str, points: int) -> None:
        """Compute the landscape from these copies (core.landscape.read_trainer and
        LossSurface.from_trainer); `computed` or `failed` answers."""
        request = (run, surface, kind, points)
        if self._thread is not None:
            self._waiting = request
            return
        self._start(request)

    def _start(self, request: tuple) -> None:
        worker = LandscapeWorker(request)
        worker.computed.connect(self._on_worker_computed)
        worker.failed.connect(self._on_worker_failed)
        thread = worker_thread(self, worker, worker.done, self._on_thread_finished)
        self._thread, self._worker = thread, worker
        thread.start()
        self.busyChanged.emit(True)

    @Slot(object)
    def _on_worker_computed(self, result) -> None:
        if self.sender() is self._worker and self._waiting is None:
            self.computed.emit(result)  # a newer request waiting makes this one stale

    @Slot(str)
    def _on_worker_failed(self, message: str) -> None:
        if self.sender() is self._worker and self._waiting is None:
            self.failed.emit(message)

    @Slot()
    def _on_thread_finished(self) -> None:
        if self.sender() is not self._thread:
            return
        self._thread.deleteLater()
        self._thread = self._worker = None
        waiting, self._waiting = self._waiting, None
        if waiting is not None:
            self._start(waiting)
        else:
            self.busyChanged.emit(False)

    def shutdown(self, timeout_ms: int = 30_000) -> bool:
        """Drop any waiting request and wait for the running one; True if none is left.
        (A computation cannot be interrupted: it takes seconds at most.)"""
        self._waiting = None
        thread = self._thread
        if thread is None:
            return True
        thread.quit()
        if not thread.wait(timeout_ms):
            return False
        thread.deleteLater()
        self._thread = self._worker = None
        self.busyChanged.emit(False)
        return True
