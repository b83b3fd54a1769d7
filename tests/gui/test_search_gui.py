"""The search window and the LR-finder dialog, driven through their real widgets."""
from __future__ import annotations

import dataclasses

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QAction

from playground.core.search.lr_finder import LrFinding
from playground.core.spec import DataSpec, LayerSpec, ModelSpec, OptimizerSpec, SessionSpec, TrainSpec
from playground.gui.widgets.search.lr_finder_dialog import LrFinderDialog

TIMEOUT = 120_000


def _jobs(window):
    """The search and LR finder's controller (its thread)."""
    return window.features.search.search_controller


def _small_spec(epochs=3):
    dense = lambda units, act="tanh": LayerSpec("dense", {"units": units, "activation": act})  # noqa: E731
    return SessionSpec(data=DataSpec("spiral", samples=120, noise=0.05),
                       model=ModelSpec((dense(8), dense(None, "linear"))),
                       optimizer=OptimizerSpec("adam", 0.01),
                       train=TrainSpec(batch_size=16, epochs=epochs, device="cpu", threads=1))


def _action(window, name) -> QAction:
    action = window.findChild(QAction, name)
    assert action is not None and action.toolTip()
    return action


def test_one_tools_menu_holds_every_tool(window):
    tools = [a.menu() for a in window.menuBar().actions() if a.text() == "&Tools"]
    assert len(tools) == 1
    names = {a.objectName() for a in tools[0].actions()}
    assert {"actionSearch", "actionLrFinder", "actionSweep", "actionOptimizerLab"} <= names


def _blobs_spec():
    """Its loss falls far below its start within the sweep: a clear valley (9x the bar)."""
    return dataclasses.replace(_small_spec(), data=DataSpec("blobs", samples=100))


def test_lr_finder_suggests_and_one_click_puts_the_lr_into_the_session(window, qtbot):
    window.session.replace(_blobs_spec())
    with qtbot.waitSignal(_jobs(window).lrFound, timeout=TIMEOUT) as found:
        _action(window, "actionLrFinder").trigger()
    finding = found.args[0]
    dialog = window.features.search.lr_dialog
    assert finding.clear and dialog.isVisible() and dialog.markers["valley"].isVisible()
    assert dialog.descent.isVisible() and dialog.use_valley.isVisible()
    low, high = (10 ** x for x in dialog.descent.getRegion())
    assert low * 0.999 <= finding.valley <= high * 1.001
    qtbot.waitUntil(lambda: dialog.use_valley.isEnabled())
    qtbot.mouseClick(dialog.use_valley, Qt.MouseButton.LeftButton)
    assert window.session.spec.optimizer.lr == pytest.approx(finding.valley)
    assert window.optimizer_panel.lr_box.value() == pytest.approx(finding.valley, abs=1e-6)
    qtbot.mouseClick(dialog.use_steepest, Qt.MouseButton.LeftButton)
    assert window.session.spec.optimizer.lr == pytest.approx(finding.steepest)
    window.session.undo()  # an undoable edit like any other
    assert window.session.spec.optimizer.lr == pytest.approx(finding.valley)


def test_without_a_clear_valley_the_finder_says_so_and_offers_nothing_to_apply(window,
                                                                                qtbot):
    """Spiral's loss stays flat over the 100-update sweep."""
    window.session.replace(_small_spec())
    with qtbot.waitSignal(_jobs(window).lrFound, timeout=TIMEOUT) as found:
        _action(window, "actionLrFinder").trigger()
    dialog = window.features.search.lr_dialog
    qtbot.waitUntil(lambda: dialog.run.isEnabled())
    assert not found.args[0].clear
    assert dialog.use_valley.isHidden() and dialog.use_steepest.isHidden()
    assert not dialog.use_valley.isEnabled() and not dialog.use_steepest.isEnabled()
    assert not any(m.isVisible() for m in dialog.markers.values())
    assert not dialog.descent.isVisible() and dialog.start_line.isVisible()
    assert "No clear valley" in dialog.summary.text()
    assert "no clear valley" in dialog.summary.text()  # the finding's own sentence
    assert window.session.spec.optimizer.lr == 0.01  # nothing applied


def test_the_sweep_runs_over_the_range_and_updates_its_controls_set(window, qtbot):
    window.session.replace(_blobs_spec())
    with qtbot.waitSignal(_jobs(window).lrFound, timeout=TIMEOUT):
        _action(window, "actionLrFinder").trigger()  # the first sweep runs on opening
    dialog = window.features.search.lr_dialog
    qtbot.waitUntil(lambda: not _jobs(window).busy)
    dialog.sweep_start.setCurrentIndex(dialog.sweep_start.findText("1e-05"))
    dialog.sweep_end.setCurrentIndex(dialog.sweep_end.findText("1"))
    dialog.updates.setValue(30)
    with qtbot.waitSignal(_jobs(window).lrFound, timeout=TIMEOUT) as found:
        qtbot.mouseClick(dialog.run, Qt.MouseButton.LeftButton)
        assert not dialog.updates.isEnabled()  # the sweep's settings hold while it runs
    lrs = found.args[0].lrs
    assert lrs[0] == pytest.approx(1e-5) and len(lrs) <= 30
    assert lrs[-1] <= 1.0 * 1.0001


def _finding(clear: bool) -> LrFinding:
    lrs = tuple(1e-7 * 10 ** (k / 10) for k in range(80))
    losses = tuple(1.0 - 0.5 * (k > 40) * (k - 40) / 40 for k in range(80))
    if clear:
        return LrFinding(lrs, losses, losses, lrs[55], lrs[60], "completed", 1.0, "",
                         (lrs[42], lrs[79]))
    return LrFinding(lrs, (1.0,) * 80, (1.0,) * 80, None, None, "completed", 1.0,
                     "The loss never fell clearly below where it started; there is no "
                     "clear valley.")


def test_the_dialog_offers_apply_only_for_a_clear_valley_and_it_edits_the_lr(window, qtbot):
    window.session.replace(_small_spec())
    dialog = LrFinderDialog(window)  # wired as the window wires its own, without a sweep
    dialog.lrChosen.connect(window.features.search._on_lr_dialog_lr_chosen)
    dialog.show()
    dialog.show_finding(_finding(False))
    assert dialog.use_valley.isHidden() and "No clear valley" in dialog.summary.text()
    dialog.show_finding(_finding(True))
    assert dialog.use_valley.isVisible() and dialog.use_valley.isEnabled()
    assert dialog.use_valley.text() == f"Use valley ({_finding(True).valley:.2g})"
    qtbot.mouseClick(dialog.use_steepest, Qt.MouseButton.LeftButton)
    assert window.session.spec.optimizer.lr == pytest.approx(_finding(True).steepest)
    assert window.session.undo_stack.canUndo()  # through the session model, undoable


def test_a_search_from_the_window_fills_its_views_and_opens_the_best(window, qtbot, tmp_path):
    window.session.replace(_small_spec())
    _action(window, "actionSearch").trigger()
    search = window.features.search.search_window
    search.space.rows["lr"][1].setText("1e-3..1e-1")
    search.space.rows["units"][0].setChecked(False)
    search.space.rows["activation"][0].setChecked(True)
    search.trials.setValue(4)
    search.pruner.setCurrentIndex(search.pruner.findData("none"))
    search.storage.setText(f"sqlite:///{tmp_path / 'w.db'}")
    with qtbot.waitSignal(_jobs(window).searchEnded, timeout=TIMEOUT):
        qtbot.mouseClick(search.start, Qt.MouseButton.LeftButton)
        assert search.stop.isEnabled() and not search.start.isEnabled()
    qtbot.waitUntil(lambda: not _jobs(window).busy)
    assert search.start.isEnabled() and not search.stop.isEnabled()
    assert search.table.rowCount() == 4 and len(search.results) == 4
    headers = [search.table.horizontalHeaderItem(i).text()
               for i in range(search.table.columnCount())]
    assert headers[-2:] == ["lr", "activation"]
    qtbot.waitUntil(lambda: set(search.curves.curves) == {0, 1, 2, 3})
    best = search.best()
    assert search.curves.best == best.number
    assert "Search ended" in search.status.text()
    assert set(search.importance.values) == {"lr", "activation"}  # published at the end
    assert search.importance.bars is not None and search.importance.note.isHidden()
    qtbot.mouseClick(search.open_best, Qt.MouseButton.LeftButton)
    spec = window.session.spec
    assert spec.optimizer.lr == best.params["lr"]
    assert spec.model.layers[0].params["activation"] == best.params["activation"]
    assert spec.train == _small_spec().train and spec.data == _small_spec().data


def test_trials_asked_at_once_train_as_one_stacked_model(window, qtbot, tmp_path,
                                                        monkeypatch):
    from playground.core.experiments import batched

    stacked, init = [], batched.BatchedTrainer.__init__

    def spy(self, specs, **kwargs):
        stacked.append(len(specs))
        init(self, specs, **kwargs)

    monkeypatch.setattr(batched.BatchedTrainer, "__init__", spy)
    window.session.replace(_small_spec())
    search = window.features.search.open_search()
    search.space.rows["units"][0].setChecked(False)  # lr alone: every trial stacks
    search.trials.setValue(4)
    search.batch.setValue(4)
    search.pruner.setCurrentIndex(search.pruner.findData("none"))
    search.storage.setText(f"sqlite:///{tmp_path / 'b.db'}")
    with qtbot.waitSignal(_jobs(window).searchEnded, timeout=TIMEOUT):
        qtbot.mouseClick(search.start, Qt.MouseButton.LeftButton)
        assert not search.batch.isEnabled()
    qtbot.waitUntil(lambda: not _jobs(window).busy)
    assert stacked == [4] and search.batch.isEnabled()
    assert sorted(search.results) == [0, 1, 2, 3]
    assert all(r.state == "complete" for r in search.results.values())
    assert "Search ended" in search.status.text()


def test_the_space_editor_explains_a_bad_space_and_holds_start(window, qtbot):
    search = window.features.search.open_search()
    search.space.rows["lr"][1].setText("1..1e-3")
    assert not search.start.isEnabled()
    assert "runs backwards" in search.space.problem.text()
    search.space.rows["lr"][1].setText("1e-3..1")
    assert search.start.isEnabled() and search.space.problem.isHidden()
    assert search.settings().space == "lr=1e-3..1:log,units=4..64"


def test_a_bad_storage_url_is_one_sentence_in_the_window(window, qtbot):
    window.session.replace(_small_spec())
    search = window.features.search.open_search()
    search.storage.setText("ftp://nowhere/x")
    with qtbot.waitSignal(_jobs(window).failed, timeout=TIMEOUT) as failed:
        qtbot.mouseClick(search.start, Qt.MouseButton.LeftButton)
    assert "not a database" in failed.args[0]
    assert failed.args[0] in search.status.text()
    qtbot.waitUntil(lambda: search.start.isEnabled())


def test_closing_the_window_mid_search_stops_the_search_thread(window, qtbot, tmp_path):
    window.session.replace(_small_spec(epochs=10_000))
    search = window.features.search.open_search()
    search.storage.setText(f"sqlite:///{tmp_path / 'c.db'}")
    with qtbot.waitSignal(_jobs(window).trialBegan, timeout=TIMEOUT):
        qtbot.mouseClick(search.start, Qt.MouseButton.LeftButton)
    assert _jobs(window).busy
    window.close()
    assert not _jobs(window).busy


def test_the_study_file_defaults_to_beside_the_session(window, tmp_path):
    search = window.features.search.open_search()
    assert search.storage.text().endswith("/searches/untitled.search.db")
    window.features.files.path = str(tmp_path / "spiral.pgsession")
    window.features.search.open_search()
    assert search.storage.text() == f"sqlite:///{tmp_path / 'spiral.search.db'}"


def test_the_search_plots_follow_a_change_of_theme(window, qtbot):
    search = window.features.search.open_search()
    light = search.curves.plot.backgroundBrush().color().name()
    window.set_theme("dark")
    qtbot.waitUntil(lambda: search.curves.plot.backgroundBrush().color().name() != light)
    assert search.curves.plot.backgroundBrush().color().name() == window.theme.plot_background


def test_open_best_on_a_trained_run_asks_first_and_a_no_keeps_the_session(window, qtbot,
                                                                         tmp_path):
    window.session.replace(_small_spec())
    search = window.features.search.open_search()
    search.trials.setValue(2)
    search.storage.setText(f"sqlite:///{tmp_path / 'g.db'}")
    with qtbot.waitSignal(_jobs(window).searchEnded, timeout=TIMEOUT):
        qtbot.mouseClick(search.start, Qt.MouseButton.LeftButton)
    with qtbot.waitSignal(window.controller.finished, timeout=TIMEOUT):
        window.train()  # a trained run: a new network would start it over
    before = window.session.spec
    best = search.best()
    assert best.params["lr"] != before.optimizer.lr
    qtbot.mouseClick(search.open_best, Qt.MouseButton.LeftButton)  # the test answers No
    assert window.session.spec == before
