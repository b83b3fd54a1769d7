"""Runs through the real window: every Train makes a run, the runs table shows them,
the plots overlay them, and they go into the session file; branches continue exactly."""
import dataclasses
from pathlib import Path

import numpy as np
from PySide6.QtCore import Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QDialog, QMessageBox

from playground.core.examples import spiral
from playground.core.session import weights_sha256
from playground.gui.widgets.runs.branch_dialog import BranchDialog
from playground.gui.widgets.runs.overlays import run_color
from playground.gui.widgets.runs.runs_table import NAME, SHOW

from .helpers import save_and_reopen

DATA = Path(__file__).parent.parent / "data"
WAIT = 30_000


def small(epochs=5):
    spec = spiral()
    return dataclasses.replace(spec, data=dataclasses.replace(spec.data, samples=120),
                               train=dataclasses.replace(spec.train, epochs=epochs,
                                                         batch_size=20))


def train_to_end(qtbot, window):
    with qtbot.waitSignal(window.controller.finished, timeout=WAIT):
        window.actionTrain.trigger()
    qtbot.waitUntil(lambda: window.controller.state == "idle", timeout=WAIT)


def cell(window, run_id, column):
    table = window.features.runs.runs_table.table
    return table.item(window.features.runs.runs_table._row_of(run_id), column)


def two_runs(qtbot, window):
    """Train at lr 0.01, Reset, train at lr 0.1 (set in the optimizer panel)."""
    window.set_spec(small())
    train_to_end(qtbot, window)
    window.actionReset.trigger()
    window.optimizer_panel.lr_box.setValue(0.1)
    assert window.spec.optimizer.lr == 0.1
    train_to_end(qtbot, window)
    return list(window.features.runs.runs)


def overlay_items(window, plot="loss"):
    return [(item.pen().color().name(), item) for _, name, keys, item in
            window.plots.overlays.items if name == plot and keys == ("loss",)]


def test_two_trains_make_two_rows_and_two_overlaid_curves(qtbot, window):
    first, second = two_runs(qtbot, window)
    assert window.features.runs.runs_table.table.rowCount() == 2
    assert (first.epochs, second.epochs) == (5, 5)
    assert second is window.features.runs.current_run and first.reason == "completed"
    window.features.runs.runs_table.select(first.id)  # compare with the first run
    assert cell(window, second.id, 2).text() == "lr 0.1 (0.01)"
    assert cell(window, first.id, 2).text() == "same"
    assert float(cell(window, second.id, 3).text()) == \
        float(f"{second.final['loss']:.4g}")
    # The first run lies under the second, each in its own colour.
    ((color, item),) = overlay_items(window)
    assert color == run_color(first.color) != run_color(second.color)
    assert not item.path().isEmpty()
    assert window.plots.curves["loss"].pen().color().name() == run_color(second.color)
    assert item.zValue() < window.plots.curves["loss"].zValue()

    # Hide it: the box in its row.
    cell(window, first.id, SHOW).setCheckState(Qt.CheckState.Unchecked)
    assert not first.visible and overlay_items(window) == []
    cell(window, first.id, SHOW).setCheckState(Qt.CheckState.Checked)
    assert len(overlay_items(window)) == 1

    # Rename: edit the name cell.
    cell(window, first.id, NAME).setData(Qt.ItemDataRole.EditRole, "slow lr")
    assert window.features.runs.runs.get(first.id).name == "slow lr"
    cell(window, first.id, NAME).setData(Qt.ItemDataRole.EditRole, "   ")
    assert window.features.runs.runs.get(first.id).name == "slow lr"  # refused, in words
    assert "cannot be empty" in window.message.text()


def test_delete_asks_first_and_the_current_run_stays(qtbot, window, monkeypatch):
    first, second = two_runs(qtbot, window)
    menu = window.features.runs.runs_table.context_menu(second.id)
    assert not _action(menu, "actionDeleteRunMenu").isEnabled()  # the current run
    _action(window.features.runs.runs_table.context_menu(first.id), "actionDeleteRunMenu").trigger()
    assert len(window.features.runs.runs) == 2  # the question was answered No
    monkeypatch.setattr(QMessageBox, "question",
                        staticmethod(lambda *a, **k: QMessageBox.StandardButton.Yes))
    _action(window.features.runs.runs_table.context_menu(first.id), "actionDeleteRunMenu").trigger()
    assert [r.id for r in window.features.runs.runs] == [second.id]
    assert window.features.runs.runs_table.table.rowCount() == 1 and overlay_items(window) == []
    # Edit > Undo puts it back where it was, curves and all; Redo deletes it again.
    undo = window.findChild(QAction, "actionUndo")
    assert undo.text() == f"&Undo delete {first.name}"
    undo.trigger()
    runs = window.features.runs
    assert [r.id for r in runs.runs] == [first.id, second.id]
    assert runs.runs_table.table.rowCount() == 2 and len(overlay_items(window)) > 0
    assert np.array_equal(runs.runs.get(first.id).columns["loss"], first.columns["loss"])
    window.findChild(QAction, "actionRedo").trigger()
    assert [r.id for r in window.features.runs.runs] == [second.id] and overlay_items(window) == []


def _action(menu, name):
    return next(a for a in menu.actions() if a.objectName() == name)


def test_save_and_reopen_keeps_the_runs(qtbot, window, tmp_path):
    first, second = two_runs(qtbot, window)
    window.features.runs.runs.rename(first.id, "slow lr")
    window.features.runs.runs.set_visible(first.id, False)
    save_and_reopen(qtbot, window, str(tmp_path / "runs.pgsession"), WAIT)
    runs = window.features.runs
    names = [(r.name, r.visible, r.epochs) for r in runs.runs]
    assert names == [("slow lr", False, 5), (second.name, True, 5)]
    assert runs.current_run.id == second.id and runs.runs_table.table.rowCount() == 2
    assert np.array_equal(runs.runs.get(first.id).columns["loss"], first.columns["loss"])
    runs.runs_table.select(first.id)
    assert cell(window, second.id, 2).text() == "lr 0.1 (0.01)"


def test_runs_are_saved_after_a_reset_too(qtbot, window, tmp_path):
    first, second = two_runs(qtbot, window)
    window.actionReset.trigger()  # no trainer now: only the finished runs
    path = str(tmp_path / "runs-only.pgsession")
    window.features.files.path = path
    with qtbot.waitSignal(window.controller.saved, timeout=WAIT):
        assert window.features.files.save_run()
    with qtbot.waitSignal(window.controller.trainerReady, timeout=WAIT):
        window.features.files.open_run(path)
    runs = window.features.runs
    assert [r.epochs for r in runs.runs] == [5, 5] and runs.current_run is None
    train_to_end(qtbot, window)  # the next Train is a third run
    assert [r.epochs for r in runs.runs] == [5, 5, 5] and runs.current_run.id == 3


def test_a_version_1_file_opens_as_one_run(qtbot, window):
    with qtbot.waitSignal(window.controller.trainerReady, timeout=WAIT):
        window.features.files.open_run(str(DATA / "session-v1.pgsession"))
    (run,) = window.features.runs.runs
    assert run is window.features.runs.current_run and run.epochs == 2
    assert window.features.runs.runs_table.table.rowCount() == 1


def test_branch_from_a_checkpoint_changing_nothing_equals_the_parent(qtbot, window,
                                                                      monkeypatch):
    window.set_spec(small(epochs=12))
    train_to_end(qtbot, window)
    parent = window.features.runs.current_run
    parent_sha = weights_sha256(window.controller.trainer.state_dict()["model"])
    points = window.features.runs.branch_points(parent)
    assert [p.epoch for p in points] == [0, 2, 4, 6, 8, 10, 12]
    # Through the dialog: the checkpoint at epoch 6, the same optimizer and lr.
    monkeypatch.setattr(BranchDialog, "exec", lambda self: (
        self.point.setCurrentIndex(3), QDialog.DialogCode.Accepted)[1])
    with qtbot.waitSignal(window.controller.trainerReady, timeout=WAIT):
        _action(window.features.runs.runs_table.context_menu(parent.id),
                "actionBranchCheckpoint").trigger()
    branch = window.features.runs.current_run
    assert (branch.parent, branch.branch_epoch) == (parent.id, 6)
    assert window.controller.trainer.epoch == 6
    assert window.plots.epochs_recorded == 6  # the shared stem is drawn
    assert window.plots.markers[-1][0] == 6 and "branch of run 1" in window.plots.markers[-1][2]
    assert window.spec == window.controller.trainer.spec
    train_to_end(qtbot, window)
    assert weights_sha256(window.controller.trainer.state_dict()["model"]) == parent_sha
    assert [r.id for r in window.features.runs.runs] == [parent.id, branch.id]


def test_branch_from_here_with_another_optimizer(qtbot, window, monkeypatch):
    window.set_spec(small(epochs=8))
    with qtbot.waitSignal(window.controller.paused, timeout=WAIT):
        window.actionStep.trigger()  # one epoch, then paused
    parent = window.features.runs.current_run

    def choose_sgd(dialog):
        dialog.optimizer.setCurrentIndex(dialog.optimizer.findData("sgd"))
        dialog.lr.setValue(0.05)
        return QDialog.DialogCode.Accepted

    monkeypatch.setattr(BranchDialog, "exec", choose_sgd)
    here = _action(window.features.runs.runs_table.context_menu(parent.id), "actionBranchHere")
    assert here.isEnabled()
    with qtbot.waitSignal(window.controller.trainerReady, timeout=WAIT):
        here.trigger()
    branch = window.features.runs.current_run
    trainer = window.controller.trainer
    assert trainer.spec.optimizer.name == "sgd" and trainer.epoch == 1
    assert window.spec.optimizer == trainer.spec.optimizer  # the panels show the branch
    assert window.optimizer_panel.optimizer.currentData() == "sgd"
    assert window.features.runs.current_run is branch and branch.checkpoints[0].epoch == 1
    train_to_end(qtbot, window)
    assert trainer.epoch == 8 and window.features.runs.runs.get(parent.id).epochs == 1
    window.features.runs.runs_table.select(parent.id)
    assert cell(window, branch.id, 2).text().startswith(
        "branched at epoch 1, optimizer sgd (adam), lr 0.05")
    assert branch.name == f"{parent.name} from epoch 1, sgd lr 0.05"


def test_the_table_sorts_numbers_as_numbers(qtbot):
    from playground.gui.widgets.runs.runs_table import RunRow, RunsTable

    table = RunsTable()
    qtbot.addWidget(table)
    table.set_rows([RunRow(1, "a", "#2563eb", "", {"loss": 10.0}),
                    RunRow(2, "b", "#ea580c", "", {"loss": 9.0}),
                    RunRow(3, "c", "#16a34a", "", {})])
    table.table.sortItems(3, Qt.SortOrder.AscendingOrder)  # the loss column
    order = [table.table.item(i, NAME).text() for i in range(3)]
    assert order == ["b", "a", "c"]  # 9 before 10 (not as text), no value last
    renamed = []
    table.renamed.connect(lambda run_id, name: renamed.append((run_id, name)))
    table.table.item(1, NAME).setData(Qt.ItemDataRole.EditRole, "ten")
    assert renamed == [(1, "ten")]


def test_stop_and_train_again_continue_the_same_run_and_autosaves_keep_it(qtbot, window):
    from playground.core.autosave import newest

    window.set_spec(small(epochs=6))
    with qtbot.waitSignal(window.controller.paused, timeout=WAIT):
        window.actionStep.trigger()
    window.actionStop.trigger()
    qtbot.waitUntil(lambda: window.controller.state == "idle", timeout=WAIT)
    train_to_end(qtbot, window)
    (run,) = window.features.runs.runs
    assert run.epochs == 6 and window.features.runs.runs_table.table.rowCount() == 1
    found = newest(window.controller.autosaver.folder)  # written at the end of the run
    assert found is not None
    path, session = found
    assert [(r.name, r.epochs) for r in session.runs] == [("run 1", 6)]


def test_overlays_follow_the_x_axis_smoothing_and_log_scale(qtbot, window):
    first, second = two_runs(qtbot, window)
    plots = window.plots
    ((_, item),) = overlay_items(window)
    epochs_x = item.getData()[0].copy()
    plots.x_axis.setCurrentText("updates")
    plots.smoothing.setValue(60)
    plots.log_scale.setChecked(False)
    qtbot.waitUntil(lambda: not plots.dirty, timeout=WAIT)
    ((_, item),) = overlay_items(window)
    xs, ys = item.getData()
    assert np.nanmax(xs) == first.columns["step"][-1] > np.nanmax(epochs_x)
    assert not item.log_y and np.isfinite(ys).all()
    low, high = plots.plots["loss"].vb.viewRange()[1]
    assert low <= np.nanmin(ys) and np.nanmax(ys) <= high  # the axis takes them in
