"""The Sweep window, driven through its real widgets from the main window."""
from __future__ import annotations

import dataclasses

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFileDialog

from .helpers import save_and_reopen

TIMEOUT = 120_000


def open_sweep(window):
    window.actionSweep.trigger()
    sweep = window.sweep_window
    assert sweep.isVisible()
    return sweep


def fill(qtbot, sweep, number, name, values):
    combo, edit = sweep.variables[number - 1], sweep.values[number - 1]
    combo.setCurrentIndex(combo.findData(name))
    edit.clear()
    qtbot.keyClicks(edit, values)


def set_epochs(qtbot, sweep, epochs):
    sweep.epochs.selectAll()
    qtbot.keyClicks(sweep.epochs, str(epochs))


def run(qtbot, window, sweep):
    with qtbot.waitSignal(window.sweep_controller.finished, timeout=TIMEOUT) as finished:
        qtbot.mouseClick(sweep.run_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not window.sweep_controller.busy, timeout=TIMEOUT)
    return finished.args[0]


def test_a_sweep_of_the_session_trains_what_the_widgets_say(window, qtbot):
    before = window.session.spec
    sweep = open_sweep(window)
    fill(qtbot, sweep, 1, "lr", "0.01,0.1")
    set_epochs(qtbot, sweep, 3)
    outcome = run(qtbot, window, sweep)
    plan = sweep.plan
    assert [run.spec for run in plan.runs] == [
        dataclasses.replace(before, optimizer=dataclasses.replace(before.optimizer, lr=lr),
                            train=dataclasses.replace(before.train, epochs=3))
        for lr in (0.01, 0.1)]
    assert window.session.spec == before  # a sweep never edits the session
    assert [row["lr"] for row in outcome["rows"]] == [0.01, 0.1]
    assert sweep.table.rowCount() == 2 and sweep.progress.value() == 6
    assert [len(sweep.curves.values(i, "loss")) for i in range(2)] == [3, 3]
    assert [curve.getData()[0].tolist() for curve in sweep.curves.curves] == [[1, 2, 3]] * 2
    assert not sweep.tabs.isTabEnabled(1)  # one variable: no heat map
    assert sweep.status.text() == "2 of 2 runs done"


def test_two_variables_make_a_heat_map_and_the_table_exports(window, qtbot, tmp_path,
                                                            monkeypatch):
    sweep = open_sweep(window)
    fill(qtbot, sweep, 1, "optimizer", "sgd,adam")
    fill(qtbot, sweep, 2, "seed", "1,2,3")
    set_epochs(qtbot, sweep, 2)
    run(qtbot, window, sweep)
    assert sweep.tabs.isTabEnabled(1)
    sweep.heatmap.quantity.setCurrentText("loss")
    assert sweep.heatmap.grid.shape == (2, 3)
    losses = {(row["optimizer"], row["seed"]): row["loss"] for row in sweep.rows}
    assert sweep.heatmap.grid[1, 2] == losses[("adam", 3)]
    path = tmp_path / "sweep.csv"
    monkeypatch.setattr(QFileDialog, "getSaveFileName",
                        staticmethod(lambda *a, **k: (str(path), "")))
    qtbot.mouseClick(sweep.export_button, Qt.MouseButton.LeftButton)
    lines = path.read_text().splitlines()
    assert lines[0].startswith("run,name,optimizer,seed,reason") and len(lines) == 7


def test_stop_ends_the_sweep_and_keeps_what_ran(window, qtbot):
    sweep = open_sweep(window)
    fill(qtbot, sweep, 1, "activation", "tanh,relu")
    set_epochs(qtbot, sweep, 100000)
    with qtbot.waitSignal(window.sweep_controller.recordsArrived, timeout=TIMEOUT):
        qtbot.mouseClick(sweep.run_button, Qt.MouseButton.LeftButton)
    assert sweep.stop_button.isEnabled() and not sweep.run_button.isEnabled()
    with qtbot.waitSignal(window.sweep_controller.finished, timeout=TIMEOUT) as finished:
        qtbot.mouseClick(sweep.stop_button, Qt.MouseButton.LeftButton)
    assert finished.args[0]["stopped"]
    assert [row["reason"] for row in finished.args[0]["rows"]] == ["stopped", "not run"]
    assert "stopped" in sweep.status.text()
    qtbot.waitUntil(lambda: sweep.run_button.isEnabled(), timeout=TIMEOUT)


def test_bad_values_are_a_sentence_and_nothing_starts(window, qtbot):
    sweep = open_sweep(window)
    fill(qtbot, sweep, 1, "lr", "0.1,fast")
    qtbot.mouseClick(sweep.run_button, Qt.MouseButton.LeftButton)
    assert not window.sweep_controller.busy
    assert sweep.error.isVisible() and "lr: 'fast' is not a number" in sweep.error.text()


def test_a_preset_runs_from_the_menu_in_one_click(window, qtbot):
    action = window.findChild(type(window.actionSweep), "actionSweepPreset_lr")
    with qtbot.waitSignal(window.sweep_controller.finished, timeout=TIMEOUT) as finished:
        action.trigger()
    rows = finished.args[0]["rows"]
    assert [row["lr"] for row in rows] == [0.001, 0.01, 0.1, 1.0]
    assert window.sweep_window.preset.currentData() == "lr"


def test_closing_the_sweep_window_stops_its_thread(window, qtbot):
    sweep = open_sweep(window)
    fill(qtbot, sweep, 1, "seed", "1,2")
    set_epochs(qtbot, sweep, 100000)
    with qtbot.waitSignal(window.sweep_controller.recordsArrived, timeout=TIMEOUT):
        qtbot.mouseClick(sweep.run_button, Qt.MouseButton.LeftButton)
    sweep.close()
    assert not window.sweep_controller.busy


def test_choosing_a_variable_offers_its_own_values(window, qtbot):
    sweep = open_sweep(window)
    combo = sweep.variables[0]
    combo.setCurrentIndex(combo.findData("optimizer"))
    assert sweep.values[0].text() == "sgd,momentum,rmsprop,adam"
    second = sweep.variables[1]
    second.setCurrentIndex(second.findData("batch_size"))
    assert sweep.values[1].text() == "1,10,32,full"
    second.setCurrentIndex(0)  # none: no second variable, no values
    assert sweep.values[1].text() == ""
    assert [run.values for run in sweep.build_plan().runs][0] == {"optimizer": "sgd"}


def test_keep_as_runs_puts_the_sweep_in_the_runs_table_and_the_session(window, qtbot,
                                                                        tmp_path):
    sweep = open_sweep(window)
    fill(qtbot, sweep, 1, "lr", "0.01,0.1")
    set_epochs(qtbot, sweep, 3)
    assert not sweep.keep_button.isEnabled()  # nothing to keep before a sweep
    outcome = run(qtbot, window, sweep)
    before = len(window.runs)
    qtbot.mouseClick(sweep.keep_button, Qt.MouseButton.LeftButton)
    kept = list(window.runs)[before:]
    assert [run.spec for run in kept] == [plan.spec for plan in sweep.plan.runs]
    assert [run.epochs for run in kept] == [3, 3]
    assert [run.final["loss"] for run in kept] == [row["loss"] for row in outcome["rows"]]
    assert window.runs_table.table.rowCount() == len(window.runs)
    assert not sweep.keep_button.isEnabled()  # kept once
    save_and_reopen(qtbot, window, str(tmp_path / "kept.pgsession"), TIMEOUT)
    reopened = [run for run in window.runs if run.name.startswith("sweep: ")]
    assert [run.spec for run in reopened] == [plan.spec for plan in sweep.plan.runs]
