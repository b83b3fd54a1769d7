"""TrainingController: owns the QThread, the worker and the TrainControl.

The GUI calls the TrainControl directly (a queued signal to a busy worker would never
arrive) and listens to the controller's signals, which always arrive in the GUI thread.
A finished or stopped run keeps its Trainer, so Train continues where it stopped;
reset() drops it, so the next run starts from new weights.
"""
from __future__ import annotations

import logging
import threading

from PySide6.QtCore import QMetaMethod, QObject, Qt, QThread, Signal, Slot

from ..core.control import TrainControl
from ..core.spec import SessionSpec
from ..core.trainer import Trainer
from .threads import worker_thread
from .worker import AUTOSAVE_MIN_SECONDS, TrainerWorker

IDLE, RUNNING, PAUSED = "idle", "running", "paused"
log = logging.getLogger(__name__)


class TrainingController(QObject):
    epochEnded = Signal(object)          # EpochEnded, one per epoch
    epochsEnded = Signal(object)         # list[EpochEnded], as they arrive in batches
    stateChanged = Signal(str)           # idle, running, paused
    paused = Signal(object)
    batchStepped = Signal(object)
    hyperparametersChanged = Signal(object)
    boundaryUpdated = Signal(object)
    inspected = Signal(object)           # core.inspect.Snapshot, while want_inspect(True)
    healthFound = Signal(object)         # core.health.Finding
    reported = Signal(object)            # core.inspect.reports: on pause and at the end
    traced = Signal(object)              # core.inspect.trace.WeightTrace of watch()
    trainerReady = Signal(object)
    finished = Signal(object)            # Finished, or None after a failure
    failed = Signal(str)
    saved = Signal(str)
    opened = Signal(object)              # Session, when a file was read successfully

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.control = TrainControl()
        self.trainer: Trainer | None = None
        self.state = IDLE
        self._thread: QThread | None = None
        self._worker: TrainerWorker | None = None
        self.boundary_wanted = True
        self.inspect_wanted = False
        self.watched = None
        self.autosaver = None          # set by the window (core.autosave.Autosaver)
        self.autosave_every = 0        # epochs between periodic autosaves; 0: none
        self.autosave_min_seconds = AUTOSAVE_MIN_SECONDS
        self._epoch_ended = QMetaMethod.fromSignal(self.epochEnded)
        self._worker_done = True  # no worker thread is using the trainer
        # Runs (gui/runs_feature.py): `trainer_hook(trainer)` is called in the training
        # thread with each trainer a worker builds or opens, before it trains (to keep
        # its run's checkpoints, or to restore a branch's state into it); `runs()`
        # gives (RunStore, current run id) for the session files Save writes.
        self.trainer_hook = None
        self.runs = None

    # ------------------------------------------------------------- commands
    def start(self, spec: SessionSpec) -> None:
        """Train (continuing the current run if there is one), or resume if paused."""
        if self.state == PAUSED:
            self.control.resume()
            self._set_state(RUNNING)
            return
        if self.state == RUNNING:
            return
        self.control.reset()
        self._launch(spec)

    def pause(self) -> None:
        if self.state == RUNNING:
            self.control.pause()

    def resume(self) -> None:
        if self.state == PAUSED:
            self.control.resume()
            self._set_state(RUNNING)

    def step_epoch(self, spec: SessionSpec) -> None:
        self._step(spec, self.control.step_epoch)

    def step_batch(self, spec: SessionSpec) -> None:
        self._step(spec, self.control.step_batch)

    def _step(self, spec: SessionSpec, request) -> None:
        if self.state == IDLE:
            self.control.reset()
            request()
            self._launch(spec)
        else:
            request()

    def stop(self) -> None:
        if self.state != IDLE:
            self.control.stop()

    def reset(self) -> None:
        """Forget the run: the next Train builds the network with fresh weights."""
        self.shutdown()
        self.trainer = None
        self.control.discard_changes()
        self.control.validator = None  # the next trainer brings its own

    def prepare(self, spec: SessionSpec) -> None:
        """Build a trainer for `spec` in the training thread without training it (the
        trainer hook may restore a branch's state into it first); Train continues it."""
        self.reset()
        self.control.reset()
        self._launch(spec, train=False)

    def open(self, path: str) -> None:
        """Read a session and rebuild its run in the worker thread, without training;
        Train then continues exactly where it stopped. On failure `failed` says why and
        the current run stays as it was."""
        self.shutdown()
        self.control.reset()
        self.control.discard_changes()
        self._launch(None, open_path=path, train=False)

    def save(self, path: str, view: dict | None = None, spec: SessionSpec | None = None) -> bool:
        """Write the run to `path` from the training thread; False if nothing to save.

        Busy: served between two batches. Idle: a short-lived worker only saves. No
        trainer (after Reset) but finished runs: the runs and `spec` are saved."""
        if self.trainer is None:
            return self._save_runs_only(path, view, spec)
        if self.state == IDLE:
            self._launch(self.trainer.spec, save_path=path, train=False, view=view)
            return True
        self._worker.save_path = path
        self._worker.view_state = view or {}
        self.control.request_checkpoint()
        return True

    def _save_runs_only(self, path: str, view: dict | None, spec: SessionSpec | None) -> bool:
        """Save the finished runs without a trainer, off the UI thread (a plain thread:
        no trainer, no Qt object is touched there; the signals are queued to the GUI)."""
        store = self.runs()[0] if self.runs is not None and spec is not None else None
        if store is None or not len(store):
            return False
        from ..core.errors import PlaygroundError
        from ..core.sessionfile import save_session

        def work() -> None:
            try:
                save_session(path, spec, None, None, view or {}, runs=store)
            except PlaygroundError as exc:
                self.failed.emit(str(exc))
                return
            self.saved.emit(path)

        threading.Thread(target=work, name="save-runs").start()
        return True

    def set_hyperparameters(self, **changes) -> dict:
        """Live changes (validated; SpecError if bad): queued for a running or paused
        trainer, applied at once to one that no thread is using."""
        if self.state == IDLE and self.trainer is not None and self._worker_done:
            return self.trainer.change_hyperparameters(**changes)
        return self.control.set_hyperparameters(**changes)

    @property
    def busy(self) -> bool:
        return self.state != IDLE

    def shutdown(self, timeout_ms: int = 10_000) -> bool:
        """Stop any run and wait for its thread; True if nothing is left running."""
        thread = self._thread
        if thread is None:
            return True
        self.control.stop()
        thread.quit()
        if not thread.wait(timeout_ms):
            return False
        self._clear_thread()
        return True

    # ------------------------------------------------------------- plumbing
    def _launch(self, spec: SessionSpec | None, open_path: str | None = None,
                train: bool = True, save_path: str | None = None,
                view: dict | None = None) -> None:
        if self._thread is not None:  # an open or save worker, done with its work: join it
            self._thread.quit()
            self._thread.wait(30_000)
            self._clear_thread()
        worker = TrainerWorker(spec, self.control, None if open_path else self.trainer,
                               open_path, train)
        worker.save_path = save_path
        worker.view_state = view or {}
        worker.boundary_wanted = self.boundary_wanted
        worker.inspect_wanted = self.inspect_wanted
        worker.inspected.connect(self._on_worker_inspected)
        worker.healthFound.connect(self._on_worker_health_found)
        worker.reported.connect(self._on_worker_reported)
        worker.traced.connect(self._on_worker_traced)
        worker.watch = self.watched
        worker.runs = self.runs
        worker.autosaver = self.autosaver
        worker.autosave_every, worker.autosave_min_seconds = (self.autosave_every,
                                                              self.autosave_min_seconds)
        # Direct: runs in the training thread, before the trainer trains; connected
        # first, so it is done before the GUI thread hears of the trainer (slots run in
        # the order they were connected).
        worker.trainerReady.connect(self._call_trainer_hook, Qt.ConnectionType.DirectConnection)
        worker.trainerReady.connect(self._on_worker_trainer_ready)
        worker.epochsEnded.connect(self._on_worker_epochs_ended)
        worker.paused.connect(self._on_worker_paused)
        worker.resumed.connect(self._on_worker_resumed)
        worker.batchStepped.connect(self._on_worker_batch_stepped)
        worker.hyperparametersChanged.connect(self._on_worker_hyperparameters_changed)
        worker.boundaryUpdated.connect(self._on_worker_boundary_updated)
        worker.failed.connect(self._on_worker_failed)
        worker.saved.connect(self._on_worker_saved)
        worker.opened.connect(self._on_worker_opened)
        worker.finished.connect(self._on_worker_finished)
        thread = worker_thread(self, worker, worker.finished, self._on_thread_finished)
        self._thread, self._worker = thread, worker
        self._worker_done = False
        if train:  # opening or saving is not a run
            self._set_state(PAUSED if self.control.paused else RUNNING)
        thread.start()

    def _set_state(self, state: str) -> None:
        if state != self.state:
            self.state = state
            self.stateChanged.emit(state)

    def _current(self) -> bool:
        """False for events still queued from a worker that was shut down (reset)."""
        return self._worker is not None and self.sender() is self._worker

    def _call_trainer_hook(self, trainer: Trainer) -> None:
        """In the training thread (see trainer_hook): no widget may be touched here."""
        if self.trainer_hook is not None:
            try:
                self.trainer_hook(trainer)
            except Exception:  # noqa: BLE001 - the hook reports its own failures
                log.exception("the trainer hook failed")

    @Slot(object)
    def _on_worker_trainer_ready(self, trainer: Trainer) -> None:
        if self._current():
            self.trainer = trainer
            self.trainerReady.emit(trainer)

    @Slot(object)
    def _on_worker_epochs_ended(self, events: list) -> None:
        if not self._current():
            return
        if self.isSignalConnected(self._epoch_ended):  # thousands a second otherwise
            for event in events:
                self.epochEnded.emit(event)
        self.epochsEnded.emit(events)

    def want_boundary(self, wanted: bool) -> None:
        """Compute the decision boundary only while someone looks at it."""
        self.boundary_wanted = wanted
        if self._worker is not None:
            self._worker.boundary_wanted = wanted

    def want_inspect(self, wanted: bool) -> None:
        """Snapshot the network's inside only while a view shows it."""
        self.inspect_wanted = wanted
        if self._worker is not None:
            self._worker.inspect_wanted = wanted

    @Slot(object)
    def _on_worker_inspected(self, snapshot) -> None:
        if self._current():
            self.inspected.emit(snapshot)

    @Slot(object)
    def _on_worker_health_found(self, finding) -> None:
        if self._current():
            self.healthFound.emit(finding)

    @Slot(object)
    def _on_worker_reported(self, report) -> None:
        if self._current():
            self.reported.emit(report)

    def watch(self, where: tuple | None) -> None:
        """Trace this weight (layer, unit, source) with each snapshot; None: none."""
        self.watched = where
        if self._worker is not None:
            self._worker.watch = where

    @Slot(object)
    def _on_worker_traced(self, trace) -> None:
        if self._current():
            self.traced.emit(trace)

    def set_autosave_every(self, every: int) -> None:
        """Periodic autosaves every `every` epochs (0: on pause and stop only); a running
        worker takes the change at its next epoch."""
        self.autosave_every = every
        if self._worker is not None:
            self._worker.autosave_every = every

    @Slot(object)
    def _on_worker_paused(self, event) -> None:
        if self._current():
            self._set_state(PAUSED)
            self.paused.emit(event)

    @Slot(object)
    def _on_worker_resumed(self, event) -> None:
        if self._current():
            self._set_state(RUNNING)

    @Slot(object)
    def _on_worker_batch_stepped(self, event) -> None:
        if self._current():
            self.batchStepped.emit(event)

    @Slot(object)
    def _on_worker_hyperparameters_changed(self, event) -> None:
        if self._current():
            self.hyperparametersChanged.emit(event)

    @Slot(object)
    def _on_worker_boundary_updated(self, boundary) -> None:
        if self._current():
            self.boundaryUpdated.emit(boundary)

    @Slot(object)
    def _on_worker_opened(self, session) -> None:
        if self._current():
            self.opened.emit(session)

    @Slot(str)
    def _on_worker_saved(self, path: str) -> None:
        if self._current():
            self.saved.emit(path)

    @Slot(str)
    def _on_worker_failed(self, message: str) -> None:
        if self._current():
            self.failed.emit(message)

    @Slot(object)
    def _on_worker_finished(self, outcome) -> None:
        if self._current():
            # The worker's last act: from here a save or a new run must not wait on it
            # (a checkpoint request would never be served); _launch joins the thread.
            self._worker_done = True
            late = self.control.take_changes()  # made while the run was ending
            if late and self.trainer is not None:
                self.trainer.change_hyperparameters(**late)
            self._set_state(IDLE)
            self.finished.emit(outcome)

    @Slot()
    def _on_thread_finished(self) -> None:
        if self._thread is not None and self.sender() is self._thread:
            self._clear_thread()

    def _clear_thread(self) -> None:
        self._thread.deleteLater()
        self._thread = self._worker = None
        self._worker_done = True
        self._set_state(IDLE)
