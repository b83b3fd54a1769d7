"""TrainerWorker: a thin adapter from the core trainer's events to Qt signals.

It runs in the controller's QThread: it builds the Trainer there (data preparation and
model building stay off the UI thread), adds one callback that turns core events into
signals, emits `failed(message)` on any exception and always emits `finished`.
Signals carry plain values and frozen dataclasses, never tensors. Epoch records are
sent in small batches (at most every 25 ms) so thousands of epochs per second cannot
flood the UI thread's event queue.
"""
from __future__ import annotations

import dataclasses
import logging
import time
from typing import Any, Callable

import numpy as np
import torch
from PySide6.QtCore import QObject, Signal, Slot

from ..core.callbacks import Callback
from ..core.control import TrainControl
from ..core.errors import PlaygroundError
from ..core.events import EpochEnded, Finished
from ..core.health import HealthMonitor
from ..core.inspect import InspectCallback
from ..core.spec import SessionSpec
from ..core.trainer import Trainer

log = logging.getLogger(__name__)
FLUSH_SECONDS = 0.025  # about one batch of records per frame
BOUNDARY_SECONDS = 0.1
GRID = 64  # the decision boundary's resolution per axis
# A tiny net runs thousands of epochs a second; "every 50 epochs" must not mean dozens of
# saves a second, each costing more than the epochs between them.
AUTOSAVE_MIN_SECONDS = 10.0
# The health checks judge at most 20 times a second after a run's first epochs: a banner
# a twentieth of a second late is not seen, but every check at every epoch cost a tiny
# net 2-4% of its speed.
HEALTH_SECONDS = 0.05


class TrainerWorker(QObject):
    trainerReady = Signal(object)       # the Trainer (lives on; touched only when idle)
    epochsEnded = Signal(object)        # list[EpochEnded]
    paused = Signal(object)             # Paused
    resumed = Signal(object)            # Resumed
    batchStepped = Signal(object)       # BatchStepped
    hyperparametersChanged = Signal(object)
    boundaryUpdated = Signal(object)    # Boundary
    inspected = Signal(object)          # core.inspect.Snapshot (numpy arrays, floats)
    healthFound = Signal(object)        # core.health.Finding
    reported = Signal(object)           # core.inspect.reports Classification/RegressionReport
    traced = Signal(object)             # core.inspect.trace.WeightTrace of `watch`
    saved = Signal(str)                 # path of a checkpoint written on request
    opened = Signal(object)             # the Session read from a file (before trainerReady)
    finished = Signal(object)           # Finished, or None after a failure or a load
    failed = Signal(str)

    def __init__(self, spec: SessionSpec | None, control: TrainControl,
                 trainer: Trainer | None = None, open_path: str | None = None,
                 train: bool = True) -> None:
        super().__init__()
        self.spec, self.control, self.trainer = spec, control, trainer
        self.open_path, self.train = open_path, train
        self.view_state: dict = {}          # the window's plot state, saved with sessions
        self.autosaver = None               # core.autosave.Autosaver, or None
        self.autosave_every = 0
        self.autosave_min_seconds = AUTOSAVE_MIN_SECONDS
        self.save_path: str | None = None   # set by the controller before a checkpoint
        self.boundary_wanted = True         # set from the GUI thread: is it on screen?
        self.inspect_wanted = False         # likewise for the views of the network's inside
        self.watch = None                   # (layer, unit, source) of a weight to trace
        self.runs = None                    # () -> (RunStore, current run id), saved too

    @Slot()
    def run(self) -> None:
        outcome: Finished | None = None
        try:
            if self.open_path is not None:
                self.trainer = self._open(self.open_path)
            elif self.trainer is None:
                self.trainer = Trainer(self.spec, control=self.control, interactive=True)
            bridge = self._attach(self.trainer)
            self.trainerReady.emit(self.trainer)
            if self.train:
                outcome = self.trainer.fit()
            elif self.save_path:  # idle: save now, in this thread
                bridge.on_checkpoint(self.trainer)
        except PlaygroundError as exc:
            self.failed.emit(str(exc))
        except Exception as exc:  # noqa: BLE001 - reported in words, logged in full
            log.exception("training failed")
            self.failed.emit(f"Training failed unexpectedly: {exc}. The details are in "
                             "the log.")
        finally:
            if self.trainer is not None:
                self._detach(self.trainer)
            self.finished.emit(outcome)

    def _open(self, path: str) -> Trainer:
        """Read a session (or an interim run file) and rebuild its trainer, here, off
        the UI thread; the window changes nothing until `opened` arrives."""
        from ..core.sessionfile import FORMAT, open_any, prepared_data, restore_state

        session = open_any(path)
        self.spec = session.spec
        data = prepared_data(session) if session.manifest.get("format") == FORMAT else None
        trainer = Trainer(session.spec, data=data, control=self.control, interactive=True)
        if session.state is not None:  # checked to fit first: a sentence, not a traceback
            restore_state(trainer, session.state, path)
        self.opened.emit(session)
        return trainer

    def _attach(self, trainer: Trainer) -> "_SignalBridge":
        bridge = _SignalBridge(self)
        health = HealthMonitor(self.healthFound.emit, min_seconds=HEALTH_SECONDS)
        trainer.callbacks += [bridge, health, InspectCallback(
            self.inspected.emit, wanted=lambda: self.inspect_wanted,
            report_sink=self.reported.emit, watched=lambda: self.watch,
            trace_sink=self.traced.emit)]
        return bridge

    @staticmethod
    def _detach(trainer: Trainer) -> None:
        attached = (_SignalBridge, HealthMonitor, InspectCallback)
        trainer.callbacks[:] = [c for c in trainer.callbacks if not isinstance(c, attached)]


class Boundary:
    """The model's output over a grid of the plane (2-D sets) or the line (1-D sets):
    class probabilities, or a regression's predictions in the target's own units."""

    def __init__(self, xs: np.ndarray, ys: np.ndarray | None, values: np.ndarray,
                 regression: bool = False) -> None:
        self.xs, self.ys, self.values = xs, ys, values
        self.regression = regression


def _in_target_units(out: np.ndarray, scaler) -> np.ndarray:
    """Undo the target's standardisation (y' = (y - offset) / scale, fitted on the
    training rows), so a fitted sine peaks at 1, as its data does, not at 1.41."""
    if scaler is None or scaler.method == "none" or scaler.scale is None:
        return out
    return out * np.asarray(scaler.scale, dtype=out.dtype) + np.asarray(scaler.offset,
                                                                        dtype=out.dtype)


class _SignalBridge(Callback):
    name = "gui_bridge"

    def __init__(self, worker: TrainerWorker) -> None:
        self.worker = worker
        self.pending: list[EpochEnded] = []
        self.last_flush = self.last_boundary = 0.0
        self.last_autosave = time.perf_counter()
        self.grid: tuple[torch.Tensor, np.ndarray, np.ndarray | None] | None = None

    def state_dict(self) -> dict[str, Any]:
        return {}

    def flush(self) -> None:
        if self.pending:
            self.worker.epochsEnded.emit(self.pending)
            self.pending = []
        self.last_flush = time.perf_counter()

    def on_train_begin(self, trainer, event) -> None:
        self.boundary(trainer)

    def autosave(self, trainer) -> None:
        saver = self.worker.autosaver
        if saver is None:
            return
        self.last_autosave = time.perf_counter()
        try:
            saver.save(trainer, self.worker.view_state)
        except PlaygroundError as exc:  # a full disk must not end the run
            log.warning("autosave failed: %s", exc)

    def on_epoch_end(self, trainer, event) -> None:
        now = time.perf_counter()
        every = self.worker.autosave_every
        if (every and event.epoch % every == 0
                and now - self.last_autosave >= self.worker.autosave_min_seconds):
            self.autosave(trainer)
        self.pending.append(event)
        if self.worker.boundary_wanted and now - self.last_boundary >= BOUNDARY_SECONDS:
            self.boundary(trainer)
        if now - self.last_flush >= FLUSH_SECONDS:
            self.flush()

    def _then(self, emit: Callable[[Any], None], event: Any) -> None:
        self.flush()
        emit(event)

    def on_paused(self, trainer, event) -> None:
        self.autosave(trainer)
        self.boundary(trainer)
        self._then(self.worker.paused.emit, event)

    def on_resumed(self, trainer, event) -> None:
        self._then(self.worker.resumed.emit, event)

    def on_batch_stepped(self, trainer, event) -> None:
        self._then(self.worker.batchStepped.emit, event)

    def on_hyperparameters_changed(self, trainer, event) -> None:
        self._then(self.worker.hyperparametersChanged.emit, event)

    def on_train_end(self, trainer, event) -> None:
        if event.reason != "failed":
            self.autosave(trainer)
        self.boundary(trainer)
        self.flush()

    def on_checkpoint(self, trainer) -> None:
        path = self.worker.save_path
        if not path:
            return
        from ..core.device import describe
        from ..core.sessionfile import save_session

        try:
            runs = self.worker.runs() if self.worker.runs else (None, None)
            save_session(path, trainer.spec, trainer.state_dict(), trainer.data,
                         self.worker.view_state, describe(trainer.device), *runs)
        except PlaygroundError as exc:
            self.worker.failed.emit(str(exc))
            return
        self.worker.saved.emit(path)

    def boundary(self, trainer: Trainer) -> None:
        """Predict over the grid (in this, the training thread) and send the picture."""
        self.last_boundary = time.perf_counter()
        grid = self.grid or self._make_grid(trainer)
        if grid is None:
            return
        points, xs, ys = grid
        with torch.no_grad():
            out = trainer.head.probabilities(trainer.predict_raw(points)).cpu().numpy()
        regression = not trainer.head.is_classification
        if regression:
            out = _in_target_units(out, trainer.data.target_scaler)
        values = out[:, 0] if out.shape[1] == 1 else \
            out[:, 1] if (out.shape[1] == 2 and not regression) else out
        if ys is not None:
            values = values.reshape(len(ys), len(xs), *values.shape[1:])
        self.worker.boundaryUpdated.emit(Boundary(xs, ys, values, regression))

    def _make_grid(self, trainer: Trainer):
        if trainer.data.dataset.info.source != "synthetic":
            return None  # only the 2-D sets and the 1-D sine have a plane to draw
        self.grid = _grid_points(trainer)
        return self.grid


def _grid_points(trainer: Trainer):
    """Grid over the raw data's range, transformed exactly as training inputs were."""
    from ..core.data import load_dataset
    from ..core.data.features import engineer

    spec = trainer.spec.data
    raw = load_dataset(dataclasses.replace(spec, inputs=())).X
    low, high = raw.min(axis=0), raw.max(axis=0)
    pad = (high - low) * 0.05
    xs = np.linspace(low[0] - pad[0], high[0] + pad[0], GRID if raw.shape[1] == 2 else 200)
    if raw.shape[1] == 1:
        plane, ys = xs.reshape(-1, 1), None
    else:
        ys = np.linspace(low[1] - pad[1], high[1] + pad[1], GRID)
        gx, gy = np.meshgrid(xs, ys)
        plane = np.stack([gx.ravel(), gy.ravel()], axis=1)
    if spec.inputs:
        plane, _ = engineer(plane.astype(np.float32), spec.inputs)
    scaled = trainer.data.scaler.transform(plane.astype(np.float32))
    return torch.from_numpy(scaled).to(trainer.device), xs, ys
