"""The search window and the LR-finder dialog, driven through their real widgets."""
from __future__ import annotations

import dataclasses

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QAction

from playground.core.spec import DataSpec, LayerSpec, ModelSpec, OptimizerSpec, SessionSpec, TrainSpec

TIMEOUT = 120_000


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


def test_lr_finder_suggests_and_one_click_puts_the_lr_into_the_session(window, qtbot):
    window.session.replace(_small_spec())
    with qtbot.waitSignal(window.search_controller.lrFound, timeout=TIMEOUT) as found:
        _action(window, "actionLrFinder").trigger()
    finding = found.args[0]
    dialog = window.lr_dialog
    assert dialog.isVisible() and dialog.markers["valley"].isVisible()
    qtbot.waitUntil(lambda: dialog.use_valley.isEnabled())
    qtbot.mouseClick(dialog.use_valley, Qt.MouseButton.LeftButton)
    assert window.session.spec.optimizer.lr == pytest.approx(finding.valley)
    assert window.optimizer_panel.lr_box.value() == pytest.approx(finding.valley, abs=1e-6)
    qtbot.mouseClick(dialog.use_steepest, Qt.MouseButton.LeftButton)
    assert window.session.spec.optimizer.lr == pytest.approx(finding.steepest)
    window.session.undo()  # an undoable edit like any other
    assert window.session.spec.optimizer.lr == pytest.approx(finding.valley)


def test_a_search_from_the_window_fills_its_views_and_opens_the_best(window, qtbot, tmp_path):
    window.session.replace(_small_spec())
    _action(window, "actionSearch").trigger()
    search = window.search_window
    search.space.rows["lr"][1].setText("1e-3..1e-1")
    search.space.rows["units"][0].setChecked(False)
    search.space.rows["activation"][0].setChecked(True)
    search.trials.setValue(4)
    search.pruner.setCurrentIndex(search.pruner.findData("none"))
    search.storage.setText(f"sqlite:///{tmp_path / 'w.db'}")
    with qtbot.waitSignal(window.search_controller.searchEnded, timeout=TIMEOUT):
        qtbot.mouseClick(search.start, Qt.MouseButton.LeftButton)
        assert search.stop.isEnabled() and not search.start.isEnabled()
    qtbot.waitUntil(lambda: not window.search_controller.busy)
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
    search = window.open_search()
    search.space.rows["units"][0].setChecked(False)  # lr alone: every trial stacks
    search.trials.setValue(4)
    search.batch.setValue(4)
    search.pruner.setCurrentIndex(search.pruner.findData("none"))
    search.storage.setText(f"sqlite:///{tmp_path / 'b.db'}")
    with qtbot.waitSignal(window.search_controller.searchEnded, timeout=TIMEOUT):
        qtbot.mouseClick(search.start, Qt.MouseButton.LeftButton)
        assert not search.batch.isEnabled()
    qtbot.waitUntil(lambda: not window.search_controller.busy)
    assert stacked == [4] and search.batch.isEnabled()
    assert sorted(search.results) == [0, 1, 2, 3]
    assert all(r.state == "complete" for r in search.results.values())
    assert "Search ended" in search.status.text()


def test_the_space_editor_explains_a_bad_space_and_holds_start(window, qtbot):
    search = window.open_search()
    search.space.rows["lr"][1].setText("1..1e-3")
    assert not search.start.isEnabled()
    assert "runs backwards" in search.space.problem.text()
    search.space.rows["lr"][1].setText("1e-3..1")
    assert search.start.isEnabled() and search.space.problem.isHidden()
    assert search.settings().space == "lr=1e-3..1:log,units=4..64"


def test_a_bad_storage_url_is_one_sentence_in_the_window(window, qtbot):
    window.session.replace(_small_spec())
    search = window.open_search()
    search.storage.setText("ftp://nowhere/x")
    with qtbot.waitSignal(window.search_controller.failed, timeout=TIMEOUT) as failed:
        qtbot.mouseClick(search.start, Qt.MouseButton.LeftButton)
    assert "not a database" in failed.args[0]
    assert failed.args[0] in search.status.text()
    qtbot.waitUntil(lambda: search.start.isEnabled())


def test_closing_the_window_mid_search_stops_the_search_thread(window, qtbot, tmp_path):
    window.session.replace(_small_spec(epochs=10_000))
    search = window.open_search()
    search.storage.setText(f"sqlite:///{tmp_path / 'c.db'}")
    with qtbot.waitSignal(window.search_controller.trialBegan, timeout=TIMEOUT):
        qtbot.mouseClick(search.start, Qt.MouseButton.LeftButton)
    assert window.search_controller.busy
    window.close()
    assert not window.search_controller.busy


def test_the_study_file_defaults_to_beside_the_session(window, tmp_path):
    search = window.open_search()
    assert search.storage.text().endswith("/searches/untitled.search.db")
    window.path = str(tmp_path / "spiral.pgsession")
    window.open_search()
    assert search.storage.text() == f"sqlite:///{tmp_path / 'spiral.search.db'}"


def test_the_search_plots_follow_a_change_of_theme(window, qtbot):
    search = window.open_search()
    light = search.curves.plot.backgroundBrush().color().name()
    window.set_theme("dark")
    qtbot.waitUntil(lambda: search.curves.plot.backgroundBrush().color().name() != light)
    assert search.curves.plot.backgroundBrush().color().name() == window.theme.plot_background


def test_open_best_on_a_trained_run_asks_first_and_a_no_keeps_the_session(window, qtbot,
                                                                         tmp_path):
    window.session.replace(_small_spec())
    search = window.open_search()
    search.trials.setValue(2)
    search.storage.setText(f"sqlite:///{tmp_path / 'g.db'}")
    with qtbot.waitSignal(window.search_controller.searchEnded, timeout=TIMEOUT):
        qtbot.mouseClick(search.start, Qt.MouseButton.LeftButton)
    with qtbot.waitSignal(window.controller.finished, timeout=TIMEOUT):
        window.train()  # a trained run: a new network would start it over
    before = window.session.spec
    best = search.best()
    assert best.params["lr"] != before.optimizer.lr
    qtbot.mouseClick(search.open_best, Qt.MouseButton.LeftButton)  # the test answers No
    assert window.session.spec == before
