"""RunDisplay: what the window shows of the current run beyond the curves' own drawing.

It owns the one slot of the controller's epochs (which feeds the curves and then calls
whoever follows the epochs: the runs, the inside views, the files), the figures of the
last epoch (the metrics table, on the window's clock, and the status line), the time
trained, early stopping's put-back epoch and the sentence of the run's end.
Reads: the training controller's signals and trainer, the spec's planned epochs (through
the `spec` callable). Changes: the curves, the metrics table, the status bar; nothing of
the session.
"""
from __future__ import annotations

import time
from typing import Callable

from PySide6.QtCore import QObject, Slot
from PySide6.QtWidgets import QStatusBar

from ..core.callbacks import EarlyStopping, restored_figures
from .controller import RUNNING
from .status_line import StatusLine
from .widgets.units import early_stop_sentence, finish_text, target_scale


class RunDisplay(QObject):
    def __init__(self, parent: QObject, controller, plots, metrics_table,
                 bar: QStatusBar, spec: Callable) -> None:
        super().__init__(parent)
        self.controller, self.plots, self.metrics_table = controller, plots, metrics_table
        self.bar, self.spec = bar, spec
        self.status_line = StatusLine(bar)
        self.last_logs: dict = {}
        self.restored: tuple[int, dict] | None = None  # early stopping's put-back epoch
        self.finish_note: tuple[str, dict] | None = None  # the end's sentence, test figures
        self._started_at: float | None = None
        self._elapsed = 0.0
        self._table_stale = False
        self._replay_history = False
        # Who follows the training epochs, called from the one slot of epochsEnded.
        self.epoch_consumers: list[Callable[[list], None]] = []

    def connect_controller(self) -> None:
        """Follow the run. Called once the features are built: each signal's slots run in
        the order they were connected, and the features' come first (their figures are
        up to date when the status line and the end's sentence read them)."""
        c = self.controller
        self.plots.standardised.toggled.connect(self._on_standardised_toggled)
        c.epochsEnded.connect(self._on_controller_epochs_ended)
        c.stateChanged.connect(self._on_controller_state_changed)
        c.batchStepped.connect(self.plots.add_batch_step)
        c.batchStepped.connect(self._on_controller_batch_stepped)
        c.hyperparametersChanged.connect(self._on_controller_hyperparameters_changed)
        c.finished.connect(self._on_controller_finished)
        c.trainerReady.connect(self._on_controller_trainer_ready)

    def follow_epochs(self, consumer: Callable[[list], None]) -> None:
        """`consumer(events)` after each batch of epochs, after the curves have them."""
        self.epoch_consumers.append(consumer)

    # ------------------------------------------------------------- commands
    def show_task(self, task: str, metrics: tuple[str, ...], loss: str,
                  scale: float | None) -> None:
        """The curves and the table show this task's metric, loss and units."""
        self.plots.set_metrics(metrics)  # the plot's choice among them stays
        self.plots.set_task(task, None, loss, scale)
        self.metrics_table.set_task(task, metrics, loss, scale,
                                    self.plots.standardised.isChecked())

    def started(self) -> None:
        """Train was pressed on an idle run: its clock starts now."""
        self._started_at = time.perf_counter()

    def start_replay(self) -> None:
        """Start afresh and draw the history of the trainer that comes next (an opened
        session's, a branch's stem) when it arrives."""
        self._clear()
        self._replay_history = True

    def forget(self) -> None:
        """The run was dropped: its curves, its figures and its sentences go."""
        self._clear()
        self.restored = self.finish_note = None
        self.bar.clearMessage()  # a sentence about that run would cover "Ready"

    def _clear(self) -> None:
        self.plots.reset()
        self.metrics_table.clear_values()
        self._elapsed, self.last_logs, self._started_at = 0.0, {}, None

    def update(self) -> None:
        """The status line and (when stale) the metrics table, now: the window's clock."""
        if self._table_stale and self.last_logs:
            self._table_stale = False
            self.metrics_table.update_from_logs(self.last_logs)
        elapsed = self._elapsed + (time.perf_counter() - self._started_at
                                   if self._started_at else 0.0)
        # the loss in the plots' and the tables' units; after a put-back, that epoch's
        self.status_line.show_run(self.last_logs, self.spec().train.epochs, self.plots.units,
                                  elapsed, self.restored)

    # ----------------------------------------------------- the controller
    @Slot(object)
    def _on_controller_epochs_ended(self, events: list) -> None:
        """The one slot of the epochs: the others who follow them are called from here.
        PySide releases the GIL around each slot a signal calls, so every slot more was
        two more chances a batch for the training thread to take the GIL and for this
        thread to wait for it back."""
        self.plots.add_epochs(events)
        self.last_logs = dict(events[-1].logs)
        self.restored = None  # trained on from a put-back epoch: the latest counts again
        self._table_stale = True  # the table follows on the clock: cells cost layout work
        for consumer in self.epoch_consumers:
            consumer(events)

    @Slot(str)
    def _on_controller_state_changed(self, state: str) -> None:
        if state == RUNNING and self._started_at is None:
            self._started_at = time.perf_counter()
        if state != RUNNING and self._started_at is not None:
            self._elapsed += time.perf_counter() - self._started_at
            self._started_at = None
        if state == RUNNING:  # the run moves on: the epoch counter, not an old sentence
            self.bar.clearMessage()
        self.update()

    @Slot(object)
    def _on_controller_batch_stepped(self, event) -> None:
        """One update stepped by hand: the counter shows it now (an epoch's logs
        would leave it at the update that ended the last epoch)."""
        first = {"epoch": event.epoch, "loss": event.loss} if not self.last_logs else {}
        self.last_logs = {**first, **self.last_logs, "step": event.step}
        self.update()

    @Slot(object)
    def _on_controller_hyperparameters_changed(self, event) -> None:
        trainer = self.controller.trainer
        spe = trainer.steps_per_epoch if trainer else 1
        self.plots.mark_change(event.step / spe, event.step, dict(event.changes))

    @Slot(object)
    def _on_controller_trainer_ready(self, trainer) -> None:
        self.show_task(trainer.head.task, trainer.metric_names, trainer.head.loss,
                       target_scale(trainer.data))
        self.plots.set_steps_per_epoch(trainer.steps_per_epoch)
        self.plots.set_planned_epochs(trainer.spec.train.epochs)
        # Only an opened run is replayed: a training run's epochs are already queued
        # behind this signal and would arrive twice.
        if self._replay_history and trainer.history.length:
            self._replay_history = False
            self.plots.load_history(trainer.history.events(), trainer.history.changes)
            self.last_logs = trainer.history.records[-1]
            self.metrics_table.update_from_logs(self.last_logs)
            self.restored = restored_figures(trainer)  # a file saved after a put-back
            if self.restored is not None:
                self.metrics_table.show_restored(*self.restored)

    @Slot(object)
    def _on_controller_finished(self, outcome) -> None:
        if outcome is None:
            return
        trainer = self.controller.trainer
        self.restored = restored_figures(trainer) if trainer is not None else None
        message = self._stop_sentence(outcome)
        self.plots.mark_finished(outcome.epoch, outcome.reason, message,
                                 self._best_epoch(), outcome.step)
        if self.restored is not None:  # every epoch has arrived: none comes after this
            self._table_stale = False
            self.metrics_table.show_restored(*self.restored)
        self.metrics_table.set_test(outcome.test)
        if outcome.reason == "diverged":
            # Said once here and once in the health banner, not in a dialog as well.
            self.bar.showMessage(outcome.message)
            return
        # The stop's own sentence stays: the test figures go after it, not over it.
        self.finish_note = (message or f"Finished ({outcome.reason.replace('_', ' ')}).",
                            dict(outcome.test))
        self.bar.showMessage(self.finish_text())
        self.update()

    # ------------------------------------------------------------ the end
    def _best_epoch(self) -> float | None:
        """Early stopping's best epoch, when it stopped the run."""
        trainer = self.controller.trainer
        for callback in trainer.callbacks if trainer else ():
            if getattr(callback, "best_epoch", 0):
                return float(callback.best_epoch)
        return None

    def _stop_sentence(self, outcome) -> str:
        """The end in words; early stopping's without a figure (the core's gives the best
        loss in standardised units, the tables give it in the screen's)."""
        trainer = self.controller.trainer
        stopper = next((c for c in trainer.callbacks if isinstance(c, EarlyStopping)),
                       None) if trainer is not None else None
        if outcome.reason != "early_stopping" or stopper is None:
            return outcome.message
        return early_stop_sentence(stopper.monitor, stopper.patience, stopper.best_epoch,
                                   self.restored is not None)

    def finish_text(self, units=None) -> str:
        return finish_text(*self.finish_note, units or self.plots.units)

    @Slot(bool)
    def _on_standardised_toggled(self, on: bool) -> None:
        """The status bar follows the unit toggle, as the plots and the tables do."""
        shown = self.bar.currentMessage()
        if self.finish_note is not None and shown == self.finish_text(
                self.plots.units.with_standardised(not on)):  # still the end's sentence
            self.bar.showMessage(self.finish_text())
        self.update()
