"""RunsFeature: the session's runs: every Train makes one, the runs table (a dock under
the views, View > Runs), the overlays on the plots, branches, and the runs in the file.

A run belongs to a trainer: the current run is updated live as it trains; Reset, or a
change that needs new weights, ends it, and the next Train starts a new one; the
finished ones stay, drawn under the current one.
Reads: the controller's signals (trainerReady, finished, opened, stateChanged, failed),
its trainer and state, the epochs (through `follow_epochs`), the session's spec, the
plots' unit toggle. Changes: its own RunStore (`runs`, `current_run`, `reference_run`),
the plots' run overlays, the controller's trainer hook, its runs for a file and its
autosaver's runs, the run itself when branching (the run stops, and a trainer for the
branch point is prepared), the session's spec (a branch's start; a branch's own
settings, adopted), the undo stack (a deleted run); through callables the window gives: the window's reset of the weights,
its run view made ready for a branch's stem (`start_replay`), the session marked
modified, and a sentence above the plots (`say`).
"""
from __future__ import annotations

import dataclasses
import logging
from dataclasses import dataclass
from typing import Any, Callable

from PySide6.QtCore import QObject, Qt, QTimer, Slot
from PySide6.QtGui import QUndoCommand
from PySide6.QtWidgets import QDialog, QDockWidget, QMessageBox

from ..core.callbacks import restored_figures
from ..core.errors import PlaygroundError
from ..core.experiments.branch import (CheckpointRecorder, restore_branch, start_checkpoint,
                                       start_spec, take_checkpoint)
from ..core.experiments.runs import MAX_NAME, Checkpoint, Run, RunStore, differences
from ..core.spec import OptimizerSpec, SessionSpec
from .controller import IDLE, RUNNING
from .features import FeatureContext
from .widgets.runs.branch_dialog import BranchDialog
from .widgets.runs.overlays import run_color
from .widgets.runs.runs_table import RunRow, RunsTable
from .widgets.units import Units, target_scale

log = logging.getLogger(__name__)


@dataclass
class _Branch:
    """A branch being set up: filled in the GUI thread before its trainer is built,
    used by the trainer hook in the training thread."""

    run: Run
    parent: Run
    checkpoint: Checkpoint | None   # None: the paused point of `source`
    spec: SessionSpec
    source: Any = None              # the parent's trainer, stopped (branch from here)
    error: str = ""


class _DeleteRun(QUndoCommand):
    """A deleted run on the session's undo stack: undo puts it back where it was, curves,
    figures and checkpoints with it. `old` and `new` are the (unchanged) spec, which is
    what the session model's undo asks its gate about. A command whose run list has
    been replaced since (a file opened) does nothing."""

    def __init__(self, feature: "RunsFeature", run_id: int, name: str) -> None:
        super().__init__(f"delete {name}")
        self.old = self.new = feature.session.spec
        self.feature, self.run_id, self.store = feature, run_id, feature.runs
        self.place: tuple[int, Run] | None = None

    def redo(self) -> None:
        if self.feature.runs is self.store:
            self.place = self.store.remove(self.run_id)
            self.feature._runs_changed_by_edit()

    def undo(self) -> None:
        if self.feature.runs is self.store and self.place is not None:
            self.store.insert(*self.place)
            self.place = None
            self.feature._runs_changed_by_edit()


class RunsFeature(QObject):
    def __init__(self, context: FeatureContext, *, reset_weights: Callable[[], None],
                 start_replay: Callable[[], None], mark_modified: Callable[[], None],
                 say: Callable[[str], None],
                 follow_epochs: Callable[[Callable[[list], None]], None]) -> None:
        """`reset_weights`: the window's Reset; `start_replay`: the window's run view
        starts afresh and draws the history of the trainer that comes next (a branch's
        stem); `mark_modified`: the session has unsaved changes; `say`: a sentence above
        the plots; `follow_epochs(consumer)`: `consumer(events)` after each batch of
        epochs."""
        super().__init__(context.window)
        self.context = context
        self.window, self.session, self.controller = (context.window, context.session,
                                                      context.controller)
        self.plots = context.views.plots
        self.reset_weights, self.start_replay = reset_weights, start_replay
        self.mark_modified, self.say = mark_modified, say
        self.runs = RunStore()
        self.current_run: Run | None = None
        self._run_trainer = None          # the trainer the current run belongs to
        self._branch: _Branch | None = None
        self._opened_runs: tuple[RunStore, int | None] | None = None
        self.reference_run: int | None = None
        self.runs_table = RunsTable()
        self.runs_table.set_standardised(self.plots.standardised.isChecked())
        self.plots.standardised.toggled.connect(self.runs_table.set_standardised)
        self._run_units: dict[int, Units] = {}  # how each run's figures convert
        self._restored_epochs: dict[int, int] = {}  # runs showing a restored epoch
        self.runs_dock = QDockWidget("Runs", self.window, objectName="runsDock")
        self.runs_dock.setWidget(self.runs_table)
        context.add_dock(self.runs_dock, Qt.DockWidgetArea.BottomDockWidgetArea)
        view = context.menu("&View")
        view.insertAction(view.actions()[0] if view.actions() else None,
                          self.runs_dock.toggleViewAction())
        table, c = self.runs_table, self.controller
        for signal, slot in (
                (table.renamed, self._on_runs_table_renamed),
                (table.visibilityChanged, self._on_runs_table_visibility_changed),
                (table.deleteRequested, self.delete_run),
                (table.referenceChanged, self._on_runs_table_reference_changed),
                (table.branchHereRequested, self._on_runs_table_branch_here_requested),
                (table.branchRequested, self._on_runs_table_branch_requested),
                (c.trainerReady, self._on_runs_trainer_ready),
                (c.finished, self._on_runs_finished), (c.opened, self._on_runs_opened),
                (c.stateChanged, self._on_runs_state_changed),
                (c.failed, self._on_runs_failed)):
            signal.connect(slot)
        follow_epochs(self._on_runs_epochs_ended)
        c.trainer_hook = self._prepare_trainer
        c.runs = self._runs_for_file
        self._runs_stale = False
        self._runs_clock = QTimer(self, interval=500)  # the training run's row, live
        self._runs_clock.timeout.connect(self._on_runs_clock_timeout)
        self._runs_clock.start()

    # ----------------------------------------------------- training thread
    def _prepare_trainer(self, trainer) -> None:
        """In the training thread, before `trainer` trains: restore a pending branch
        into it, and record its run's checkpoints. Touches no widget."""
        branch = self._branch
        if branch is not None and branch.error == "" and getattr(branch, "trainer", None) is None:
            branch.trainer = trainer
            try:
                point = branch.checkpoint or take_checkpoint(branch.source)
                if branch.checkpoint is None:
                    branch.run.checkpoints = [point]  # the branch keeps its start
                restore_branch(trainer, branch.parent, point, branch.spec)
            except PlaygroundError as exc:
                branch.error = str(exc)
            except Exception as exc:  # noqa: BLE001 - said in words, logged in full
                log.exception("branching failed")
                branch.error = f"The branch could not be made: {exc}."
        saver = self.controller.autosaver  # (made after the runs: set here, before use)
        if saver is not None and saver.runs is None:
            saver.runs = self._runs_for_file
        if not any(isinstance(c, CheckpointRecorder) for c in trainer.callbacks):
            # A placeholder run: the window adopts it (or swaps in the run it opened or
            # branched) when the trainer arrives; only then does it train.
            trainer.callbacks.append(CheckpointRecorder(Run(0, "", 0, trainer.spec)))

    def _runs_for_file(self) -> tuple[RunStore, int | None]:
        """The runs for a session file (called in the training thread): a snapshot of
        the list; a run's fields are only ever replaced whole, never edited in place."""
        snapshot = RunStore()
        snapshot.runs, snapshot.next_id = list(self.runs.runs), self.runs.next_id
        return snapshot, self.current_run.id if self.current_run else None

    # ------------------------------------------------------------ GUI thread
    @Slot(object)
    def _on_runs_trainer_ready(self, trainer) -> None:
        if trainer is self._run_trainer:
            return  # the same run goes on
        recorder = next((c for c in trainer.callbacks if isinstance(c, CheckpointRecorder)),
                        None)
        if recorder is None:  # the hook failed (logged): the run is kept, if not its checkpoints
            recorder = CheckpointRecorder(Run(0, "", 0, trainer.spec), every=0)
            trainer.callbacks.append(recorder)
        branch, self._branch = self._branch, None
        if self._opened_runs is not None:
            store, current = self._opened_runs
            self._opened_runs = None
            self.runs, self.current_run = store, None
            if current is None:  # runs only (saved after a Reset): the next Train adds one
                self.refresh_runs()
                return
            run = store.get(current)
        elif branch is not None:
            if branch.error:
                self.runs.remove(branch.run.id)
                self.context.warn("The branch could not be made", branch.error)
                self.reset_weights()
                return
            run = branch.run
        else:
            self.end_current_run()
            run = self.runs.adopt(recorder.run)
        recorder.run = run
        run.spec, run.reason = trainer.spec, ""
        self._run_units[run.id] = Units(trainer.head.task, trainer.head.loss,
                                        target_scale(trainer.data))
        self._show_restored(run, trainer)  # an opened run saved after a put-back
        self.current_run, self._run_trainer = run, trainer
        if self.reference_run is None or self.reference_run not in {r.id for r in self.runs}:
            self.reference_run = run.id
        if branch is not None and trainer.spec != self.session.spec:
            self.session.adopt(trainer.spec)  # the branch's own settings, in the panels
        self.runs_table.set_metric(trainer.metric_names[0])
        self.refresh_runs()

    @Slot(object)
    def _on_runs_epochs_ended(self, events: list) -> None:
        run = self.current_run
        if run is None or not events:
            return
        logs = events[-1].logs
        run.final = {**run.final, **{k: float(v) for k, v in logs.items()
                                     if k not in ("epoch", "step", "lr", "seconds",
                                                  "samples_per_s")}}
        run.epochs = int(logs.get("epoch", run.epochs))
        run.seconds += sum(e.logs.get("seconds", 0.0) for e in events)
        self._restored_epochs.pop(run.id, None)  # trained on: the figures are the latest
        self._runs_stale = True

    @Slot(object)
    def _on_runs_finished(self, outcome) -> None:
        run, trainer = self.current_run, self._run_trainer
        if run is None or trainer is None or self.controller.trainer is not trainer:
            return
        self._sync_run(run, trainer)
        if outcome is not None:
            run.reason = outcome.reason
            run.final = {**run.final, **{k if k.startswith("test_") else f"test_{k}": v
                                         for k, v in outcome.test.items()}}
        self.refresh_runs()

    @Slot(object)
    def _on_runs_opened(self, session) -> None:
        self.end_current_run()
        self._opened_runs = (session.runs, session.current_run)
        self.reference_run = session.current_run

    @Slot(str)
    def _on_runs_failed(self, message: str) -> None:
        """A branch whose trainer could not even be built leaves no run behind."""
        branch, self._branch = self._branch, None
        if branch is not None and branch.run in self.runs.runs:
            self.runs.remove(branch.run.id)
            self.refresh_runs()

    @Slot(str)
    def _on_runs_state_changed(self, state: str) -> None:
        """Paused or stopped: the row shows where it stands, and may branch from there."""
        self._runs_stale = True
        self._on_runs_clock_timeout()

    def _on_runs_clock_timeout(self) -> None:
        if self._runs_stale and self.current_run is not None:
            self._runs_stale = False
            self.runs_table.update_row(self._row(self.current_run))

    def _sync_run(self, run: Run, trainer) -> None:
        """The run's history and spec from its trainer (idle: no thread uses it)."""
        run.spec = trainer.spec
        run.set_history(trainer.history.columns, trainer.history.changes)
        self._show_restored(run, trainer)

    def _show_restored(self, run: Run, trainer) -> None:
        """When early stopping put back an epoch's weights, the weights are that epoch's:
        so are the run's train and validation figures."""
        restored = restored_figures(trainer)
        if restored is not None:
            epoch, logs = restored
            self._restored_epochs[run.id] = epoch
            run.final = {**run.final, **{k: float(v) for k, v in logs.items()
                                         if k in run.final and not k.startswith("test_")}}

    def end_current_run(self) -> None:
        """The current run is over (Reset, new weights, another run opened): it stays
        among the runs, finished, and is drawn under the next one."""
        run, trainer = self.current_run, self._run_trainer
        self.current_run = self._run_trainer = None
        if run is None:
            return
        if trainer is not None and self.controller.state == IDLE:
            self._sync_run(run, trainer)
        run.reason = run.reason or "stopped"
        if run.epochs == 0 and run.id in {r.id for r in self.runs} and not run.checkpoints:
            self.runs.remove(run.id)  # never trained: nothing to compare
        self.refresh_runs()

    def clear_runs(self) -> None:
        """A new session starts without runs."""
        self.runs, self.current_run, self._run_trainer = RunStore(), None, None
        self.reference_run = None
        self.refresh_runs()

    # -------------------------------------------------------------- the view
    def _row(self, run: Run) -> RunRow:
        reference = next((r for r in self.runs if r.id == self.reference_run), None)
        current = run is self.current_run
        state = self.controller.state
        differs = "" if reference is None or reference is run else \
            differences(run.spec, reference.spec)
        if reference is not None and run.parent == reference.id:  # say where it parted
            differs = ", ".join(filter(None, (f"branched at epoch {run.branch_epoch}",
                                              differs)))
        return RunRow(
            run.id, run.name, run_color(run.color), differs,
            dict(run.final), run.epochs, run.seconds, run.visible, current,
            can_branch_here=current and state != RUNNING and self.controller.trainer is not None,
            checkpoints=1 + len(run.checkpoints), units=self._units_of(run),
            restored_epoch=self._restored_epochs.get(run.id, 0))

    def _units_of(self, run: Run) -> Units | None:
        """How a run's figures convert: as its trainer's did, or as those of a run of the
        same data and loss (a run from a file); None when no such trainer was seen."""
        units = self._run_units.get(run.id)
        if units is not None:
            return units
        for other in self.runs:
            if (other.id in self._run_units and other.spec.data == run.spec.data
                    and other.spec.train.loss == run.spec.train.loss):
                return self._run_units[other.id]
        return None

    def keep_sweep_runs(self, kept: list) -> str:
        """A sweep's finished runs join the runs table (overlaid, compared, saved); why
        the rest did not fit ("" when all did: the store has a limit)."""
        added, problem = 0, ""
        try:
            for run in kept:
                made = self.runs.add_finished(run.spec, run.columns, (), run.test,
                                              name=f"sweep: {run.name}", reason=run.reason)
                if self.reference_run is None:  # compared with the sweep's first run
                    self.reference_run = made.id
                added += 1
        except PlaygroundError as exc:
            problem = str(exc)
        self.refresh_runs()
        self.runs_dock.show()
        self.mark_modified()
        self.say(f"{added} runs of the sweep added to the runs table.")
        return problem

    def refresh_runs(self) -> None:
        """The table and the overlays, from the store (call it after changing
        `runs` from outside: a sweep's results, say)."""
        self.runs_table.set_rows([self._row(run) for run in self.runs], self.reference_run)
        shown = [(run.id, run_color(run.color), run.columns) for run in self.runs.visible()
                 if run is not self.current_run and run.columns]
        current = run_color(self.current_run.color) if self.current_run and shown else None
        self.plots.set_runs(shown, current)

    @Slot(int, str)
    def _on_runs_table_renamed(self, run_id: int, name: str) -> None:
        try:
            self.runs.rename(run_id, name)
        except PlaygroundError as exc:
            self.say(str(exc))
        self.refresh_runs()
        self.mark_modified()

    @Slot(int, bool)
    def _on_runs_table_visibility_changed(self, run_id: int, visible: bool) -> None:
        self.runs.set_visible(run_id, visible)
        self.refresh_runs()

    @Slot(int)
    def _on_runs_table_reference_changed(self, run_id: int) -> None:
        if run_id != self.reference_run:
            self.reference_run = run_id
            self.runs_table.set_rows([self._row(run) for run in self.runs], run_id)

    def delete_run(self, run_id: int) -> bool:
        """Delete a finished run, after asking; True if it went."""
        run = self.runs.get(run_id)
        if run is self.current_run:
            return False
        answer = QMessageBox.question(
            self.window, "Delete the run?", f"Delete {run.name} ({run.epochs:,} epochs)? Its "
            "curves, figures and checkpoints go from the plots and the table; Edit > "
            "Undo brings them back.",
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
            QMessageBox.StandardButton.No)
        if answer != QMessageBox.StandardButton.Yes:
            return False
        self.session.undo_stack.push(_DeleteRun(self, run_id, run.name))
        return True

    def _runs_changed_by_edit(self) -> None:
        """After a run was deleted, or put back by undo."""
        if self.reference_run is not None and not any(
                r.id == self.reference_run for r in self.runs):
            self.reference_run = self.current_run.id if self.current_run else None
        self.refresh_runs()
        self.mark_modified()

    # -------------------------------------------------------------- branches
    @Slot(int)
    def _on_runs_table_branch_here_requested(self, run_id: int) -> None:
        run = self.runs.get(run_id)
        optimizer = self.session.spec.optimizer
        dialog = BranchDialog(run.name, ["the paused point"], optimizer.name, optimizer.lr,
                              self.window)
        accepted = dialog.exec() == QDialog.DialogCode.Accepted
        dialog.deleteLater()
        if accepted:
            _, optimizer, lr = dialog.choice()
            self.branch(run_id, None, optimizer, lr)

    @Slot(int)
    def _on_runs_table_branch_requested(self, run_id: int) -> None:
        run = self.runs.get(run_id)
        points = self.branch_points(run)
        dialog = BranchDialog(run.name, [p.label if p.epoch else "the start (epoch 0)"
                                         for p in points], run.spec.optimizer.name,
                              run.spec.optimizer.lr, self.window)
        accepted = dialog.exec() == QDialog.DialogCode.Accepted
        dialog.deleteLater()
        if accepted:
            index, optimizer, lr = dialog.choice()
            self.branch(run_id, points[index], optimizer, lr)

    def branch_points(self, run: Run) -> list[Checkpoint]:
        """Where `run` can be branched from: its start and its kept checkpoints."""
        return [start_checkpoint(run.spec), *run.checkpoints]

    def branch(self, run_id: int, checkpoint: Checkpoint | None, optimizer: str | None = None,
               lr: float | None = None) -> Run | None:
        """Continue run `run_id` from `checkpoint` (None: from where it is paused) as a new
        run, with another optimizer or learning rate if given. The new run is set up
        paused at that point (the plots show the shared stem); Train continues it."""
        parent = self.runs.get(run_id)
        here = checkpoint is None
        if here and (parent is not self.current_run or self.controller.trainer is None):
            self.say("Only the run being trained can branch from where it is paused.")
            return None
        self.controller.shutdown()  # a run that trains stops here, exactly where it is
        source = self._run_trainer if here else None
        self.end_current_run()
        base = source.spec if here else checkpoint.spec
        name = optimizer or base.optimizer.name
        spec = dataclasses.replace(base, optimizer=OptimizerSpec(
            name, base.optimizer.lr if lr is None else lr,
            base.optimizer.params if name == base.optimizer.name else {}))
        try:
            first = start_spec(checkpoint or Checkpoint(source.epoch, 0, {}, base), spec)
        except PlaygroundError as exc:
            self.context.warn("The branch could not be made", str(exc))
            return None
        epoch = source.epoch if here else checkpoint.epoch
        run = self.runs.add(spec, _branch_name(self.runs, parent, epoch, base, spec),
                            parent=parent.id, branch_epoch=epoch)
        self._branch = _Branch(run, parent, checkpoint, spec, source)
        self.start_replay()  # the stem is drawn when the trainer arrives
        self.session.replace(first)
        self.controller.prepare(first)
        self.refresh_runs()
        self.context.say(f"{run.name}: branched from {parent.name} at epoch {epoch}; "
                         "Train continues it.", 10_000)
        return run


def _branch_name(runs: RunStore, parent: Run, epoch: int, base: SessionSpec,
                 spec: SessionSpec) -> str | None:
    """"run 1 from epoch 10, lr 0.05": where it branched and what it changed, and a
    number when that is taken (two branches from one point); None (the store's
    "run N") when too long."""
    changed = [spec.optimizer.name] if spec.optimizer.name != base.optimizer.name else []
    if spec.optimizer.lr != base.optimizer.lr:
        changed.append(f"lr {spec.optimizer.lr:g}")
    stem = f"{parent.name} from epoch {epoch}" + (f", {' '.join(changed)}" if changed else "")
    taken = {run.name for run in runs}
    name, number = stem, 2
    while name in taken:
        name, number = f"{stem} ({number})", number + 1
    return name if len(name) <= MAX_NAME else None

