"""SweepController: owns the QThread, the worker and the TrainControl of a sweep.

Follows controller.py's rules: the GUI stops a sweep through the TrainControl (a queued
signal to a busy worker would never arrive), the thread has a parent, the worker's
finished quits it, and shutdown() stops and joins it (called from the sweep window's and
the main window's closeEvent, and from test teardown). Never QThread.terminate().
Records reach the GUI thread in batches (at most every 25 ms), as plain dicts.
"""
from __future__ import annotations

import logging
import time
from dataclasses import dataclass

from PySide6.QtCore import QObject, QThread, Signal, Slot

from ..core.control import TrainControl
from ..core.errors import PlaygroundError
from ..core.spec import SessionSpec
from .threads import worker_thread

log = logging.getLogger(__name__)
FLUSH_SECONDS = 0.025


@dataclass(frozen=True)
class KeptRun:
    """A sweep's run, ready for the window's runs table (RunStore.add_finished)."""
    name: str
    spec: SessionSpec
    columns: dict[str, list[float]]
    test: dict[str, float]
    reason: str


class SweepWorker(QObject):
    # (name, arguments) for the controller's signal of that name: recordsArrived
    # ([(run index, record)]), runFinished (run index, reason), failed (a sentence),
    # finished ({"rows": table rows, "stopped": bool, "runs": [KeptRun]}, or None after
    # a failure; "summary": one row per variant, means over seeds at its chosen lr).
    event = Signal(object)
    done = Signal()

    def __init__(self, plan, control: TrainControl) -> None:
        super().__init__()
        self.plan, self.control = plan, control
        self._pending: list = []
        self._flushed = 0.0

    @Slot()
    def run(self) -> None:
        from ..core.experiments.sweep import run_sweep

        outcome = None
        try:
            result = run_sweep(self.plan, on_record=self._on_record,
                               on_finished=self._on_finished, control=self.control,
                               interactive=True)
            self._flush()
            outcome = {"rows": result.table(), "stopped": result.stopped,
                       "runs": kept_runs(result), "summary": result.summary()}
        except PlaygroundError as exc:
            self.event.emit(("failed", (str(exc),)))
        except Exception as exc:  # noqa: BLE001 - reported in words, logged in full
            log.exception("sweep failed")
            self.event.emit(("failed", (f"The sweep failed: {exc}",)))
        finally:
            self._flush()
            self.event.emit(("finished", (outcome,)))
            self.done.emit()

    def _on_record(self, index: int, record: dict) -> None:
        self._pending.append((index, record))
        now = time.perf_counter()
        if now - self._flushed >= FLUSH_SECONDS:
            self._flush(now)

    def _on_finished(self, result) -> None:
        self._flush()
        self.event.emit(("runFinished", (result.run.index, result.finished.reason)))

    def _flush(self, now: float | None = None) -> None:
        if self._pending:
            batch, self._pending = self._pending, []
            self.event.emit(("recordsArrived", (batch,)))
        self._flushed = now or time.perf_counter()


def kept_runs(result) -> list[KeptRun]:
    """Each trained run of a sweep as the runs table keeps it (plain values, no tensors);
    of a variant whose lr was tuned, only the runs at its chosen lr."""
    kept = []
    chosen = result.chosen_lrs()
    for run_result in result.results:
        if not run_result.events:
            continue  # stopped before its first epoch: nothing to compare
        run = run_result.run
        if run.variant in chosen and run.trial.get("lr") != chosen[run.variant]:
            continue  # a trial of the lr search, not the variant's result
        history = run_result.history()
        finished = run_result.finished
        kept.append(KeptRun(run_result.run.name, run_result.run.spec,
                            {key: list(values) for key, values in history.columns.items()},
                            dict(finished.test) if finished else {},
                            finished.reason if finished else "stopped"))
    return kept


class SweepController(QObject):
    recordsArrived = Signal(object)
    runFinished = Signal(int, str)
    finished = Signal(object)
    failed = Signal(str)
    runningChanged = Signal(bool)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.control = TrainControl()
        self._thread: QThread | None = None
        self._worker: SweepWorker | None = None

    @property
    def busy(self) -> bool:
        return self._thread is not None

    def start(self, plan) -> bool:
        """Train the plan in the background; False if a sweep is already running."""
        if self._thread is not None:
            return False
        self.control = TrainControl()  # a fresh one: the last sweep's stop stays behind
        worker = SweepWorker(plan, self.control)
        worker.event.connect(self._on_worker_event)
        thread = worker_thread(self, worker, worker.done, self._on_thread_finished)
        self._thread, self._worker = thread, worker
        thread.start()
        self.runningChanged.emit(True)
        return True

    def stop(self) -> None:
        """End the sweep after the current batch; the runs done keep their results."""
        self.control.stop()

    def shutdown(self, timeout_ms: int = 10_000) -> bool:
        """Stop any sweep and wait for its thread; True if nothing is left running."""
        self.control.stop()
        if self._thread is not None:
            self._thread.quit()
            if not self._thread.wait(timeout_ms):
                return False
        self._clear()
        return True

    @Slot(object)
    def _on_worker_event(self, event) -> None:
        """Pass a worker's event on as our signal of its name, unless the worker is one
        shut down earlier whose events were still queued."""
        if self._worker is not None and self.sender() is self._worker:
            name, arguments = event
            getattr(self, name).emit(*arguments)

    @Slot()
    def _on_thread_finished(self) -> None:
        if self._thread is not None and self.sender() is self._thread:
            self._clear()

    def _clear(self) -> None:
        if self._thread is not None:
            self._thread = self._worker = None
            self.runningChanged.emit(False)
