"""The Sweep window, driven through its real widgets from the main window."""
from __future__ import annotations

import dataclasses
import itertools

import pytest

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFileDialog

from playground.gui import settings

from .helpers import save_and_reopen

TIMEOUT = 120_000


def _jobs(window):
    """The sweep's controller (its thread)."""
    return window.features.sweep.sweep_controller


def open_sweep(window):
    window.features.sweep.actionSweep.trigger()
    sweep = window.features.sweep.sweep_window
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
    with qtbot.waitSignal(_jobs(window).finished, timeout=TIMEOUT) as finished:
        qtbot.mouseClick(sweep.run_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not _jobs(window).busy, timeout=TIMEOUT)
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
    path, asked = tmp_path / "sweep.csv", []
    last = tmp_path / "last folder"
    last.mkdir()
    settings.write(settings.LAST_FOLDER, str(last))
    monkeypatch.setattr(QFileDialog, "getSaveFileName",
                        staticmethod(lambda *a, **k: asked.append(a) or (str(path), "")))
    qtbot.mouseClick(sweep.export_button, Qt.MouseButton.LeftButton)
    assert asked[0][2] == str(last / "sweep.csv")  # the dialog starts where the others do
    lines = path.read_text().splitlines()
    assert lines[0].startswith("run,name,optimizer,seed,reason") and len(lines) == 7


def test_stop_ends_the_sweep_and_keeps_what_ran(window, qtbot):
    sweep = open_sweep(window)
    fill(qtbot, sweep, 1, "activation", "tanh,relu")
    set_epochs(qtbot, sweep, 100000)
    with qtbot.waitSignal(_jobs(window).recordsArrived, timeout=TIMEOUT):
        qtbot.mouseClick(sweep.run_button, Qt.MouseButton.LeftButton)
    assert sweep.stop_button.isEnabled() and not sweep.run_button.isEnabled()
    with qtbot.waitSignal(_jobs(window).finished, timeout=TIMEOUT) as finished:
        qtbot.mouseClick(sweep.stop_button, Qt.MouseButton.LeftButton)
    assert finished.args[0]["stopped"]
    assert [row["reason"] for row in finished.args[0]["rows"]] == ["stopped", "not run"]
    assert "stopped" in sweep.status.text()
    qtbot.waitUntil(lambda: sweep.run_button.isEnabled(), timeout=TIMEOUT)


def test_bad_values_are_a_sentence_and_nothing_starts(window, qtbot):
    sweep = open_sweep(window)
    fill(qtbot, sweep, 1, "lr", "0.1,fast")
    qtbot.mouseClick(sweep.run_button, Qt.MouseButton.LeftButton)
    assert not _jobs(window).busy
    assert sweep.error.isVisible() and "lr: 'fast' is not a number" in sweep.error.text()


def test_a_preset_runs_from_the_menu_in_one_click(window, qtbot):
    action = window.findChild(type(window.features.sweep.actionSweep), "actionSweepPreset_lr")
    with qtbot.waitSignal(_jobs(window).finished, timeout=TIMEOUT) as finished:
        action.trigger()
    summary = finished.args[0]["summary"]
    assert [row["lr"] for row in summary] == [0.001, 0.01, 0.1, 1.0]
    assert [row["seeds"] for row in summary] == [3] * 4
    assert window.features.sweep.sweep_window.preset.currentData() == "lr"


def test_a_preset_run_through_the_widgets_shows_its_verdict_above_the_table(window, qtbot):
    sweep = open_sweep(window)
    sweep.preset.setCurrentIndex(sweep.preset.findData("momentum"))
    assert sweep.seeds.value() == 3 and sweep.epochs.value() == 80
    assert "Claim: At one lr, each epoch moves the weights further" in sweep.about.text()
    assert not sweep.verdict_label.isVisible()
    outcome = run(qtbot, window, sweep)
    assert len(outcome["rows"]) == 4 * 3 and len(outcome["summary"]) == 4
    verdict = sweep.verdict
    assert verdict is not None and verdict.preset == "momentum"
    shown = sweep.verdict_label.text()
    assert sweep.verdict_label.isVisible() and verdict.claim in shown
    assert verdict.evidence in shown
    assert ("Agrees with the claim" if verdict.agrees else "Does not agree") in shown
    assert verdict.agrees  # 80 epochs, 3 seeds: 0.007 < 0.010 < 0.038 < 0.22 here
    # the table: one row per momentum, means over the seeds with their spread
    headers = [sweep.table.horizontalHeaderItem(c).text()
               for c in range(sweep.table.columnCount())]
    assert headers[:5] == ["variant", "momentum", "seeds", "update_norm", "loss"]
    assert sweep.table.rowCount() == 4
    loss = sweep.table.item(0, headers.index("loss")).text()
    assert "\u00b1" in loss
    seconds = headers.index("trained_together")
    assert sweep.table.item(0, seconds).text() == "12 runs"
    # the curves: 12 runs, one colour and one legend entry per momentum
    assert len(sweep.curves.curves) == 12 and len(sweep.curves.legend.items) == 4


def test_a_tuned_preset_shows_and_keeps_only_each_variants_chosen_lr(window, qtbot):
    sweep = open_sweep(window)
    sweep.preset.setCurrentIndex(sweep.preset.findData("activation"))
    fill(qtbot, sweep, 1, "activation", "linear,relu")
    set_epochs(qtbot, sweep, 3)
    sweep.seeds.selectAll()
    qtbot.keyClicks(sweep.seeds, "2")
    outcome = run(qtbot, window, sweep)
    assert len(outcome["rows"]) == 2 * 5 * 2 and len(outcome["summary"]) == 2
    chosen = {row["activation"]: row["lr"] for row in outcome["summary"]}
    visible = [run for run, curve in zip(sweep.plan.runs, sweep.curves.curves)
               if curve.isVisible()]
    assert sorted((run.values["activation"], run.trial["lr"]) for run in visible) == \
        sorted((name, lr) for name, lr in chosen.items() for _ in range(2))
    headers = [sweep.table.horizontalHeaderItem(c).text()
               for c in range(sweep.table.columnCount())]
    assert headers[:4] == ["variant", "activation", "lr", "seeds"]
    shown = {sweep.table.item(r, 1).text(): sweep.table.item(r, 2).text() for r in range(2)}
    assert {name: float(text.split()[0]) for name, text in shown.items()} == chosen
    # Keep as runs keeps each variant's seeds at its chosen lr, not the lr search
    kept = {run.name: run.spec.optimizer.lr for run in outcome["runs"]}
    assert kept == {f"activation={name}, lr={lr:g}, seed={seed}": lr
                    for name, lr in chosen.items() for seed in (0, 1)}


def test_seeds_l1_and_batchnorm_are_chosen_in_the_window(window, qtbot):
    sweep = open_sweep(window)
    fill(qtbot, sweep, 1, "batchnorm", "off,on")
    fill(qtbot, sweep, 2, "l1", "0,0.001")
    sweep.seeds.selectAll()
    qtbot.keyClicks(sweep.seeds, "2")
    plan = sweep.build_plan()
    assert len(plan.runs) == 2 * 2 * 2 and plan.seeds == (0, 1) and plan.repeated
    kinds = {run.values["batchnorm"]: [layer.kind for layer in run.spec.model.layers]
             for run in plan.runs}
    assert "batchnorm" not in kinds["off"] and kinds["on"].count("batchnorm") == \
        kinds["on"].count("dense") - 1  # after each hidden Dense layer
    assert {run.values["l1"]: run.spec.train.l1 for run in plan.runs} == {0.0: 0.0,
                                                                          0.001: 0.001}
    assert sweep.values[0].placeholderText() == "off,on"


def test_the_heat_map_scales_from_zero_and_shows_a_colour_bar(window, qtbot):
    from playground.gui.widgets.sweep.heatmap import SweepHeatMap

    heatmap = SweepHeatMap()
    qtbot.addWidget(heatmap)
    rows = [{"run": 1 + i + 2 * j, "a": a, "b": b, "test_accuracy": 0.95 + 0.01 * i,
             "loss": 0.2 + 0.1 * j} for i, a in enumerate((1, 2)) for j, b in
            enumerate(("x", "y"))]
    heatmap.show_rows(rows, (("a", (1, 2)), ("b", ("x", "y"))))
    assert heatmap.quantity.currentText() == "test_accuracy"
    assert heatmap.levels == (0.0, 1.0)  # 0.95 and 0.96 look alike, as they are
    assert tuple(heatmap.colour_bar.levels()) == (0.0, 1.0)
    heatmap.quantity.setCurrentText("loss")
    assert heatmap.levels == (0.0, pytest.approx(0.3))
    assert heatmap.colour_bar.axis.labelText == "loss"


def test_closing_the_sweep_window_stops_its_thread(window, qtbot):
    sweep = open_sweep(window)
    fill(qtbot, sweep, 1, "seed", "1,2")
    set_epochs(qtbot, sweep, 100000)
    with qtbot.waitSignal(_jobs(window).recordsArrived, timeout=TIMEOUT):
        qtbot.mouseClick(sweep.run_button, Qt.MouseButton.LeftButton)
    sweep.close()
    assert not _jobs(window).busy


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
    before = len(window.features.runs.runs)
    qtbot.mouseClick(sweep.keep_button, Qt.MouseButton.LeftButton)
    kept = list(window.features.runs.runs)[before:]
    assert [run.spec for run in kept] == [plan.spec for plan in sweep.plan.runs]
    assert [run.epochs for run in kept] == [3, 3]
    assert [run.final["loss"] for run in kept] == [row["loss"] for row in outcome["rows"]]
    assert window.features.runs.runs_table.table.rowCount() == len(window.features.runs.runs)
    assert not sweep.keep_button.isEnabled()  # kept once
    save_and_reopen(qtbot, window, str(tmp_path / "kept.pgsession"), TIMEOUT)
    reopened = [run for run in window.features.runs.runs if run.name.startswith("sweep: ")]
    assert [run.spec for run in reopened] == [plan.spec for plan in sweep.plan.runs]


def test_the_overfitting_preset_draws_validation_beside_training(window, qtbot):
    sweep = open_sweep(window)
    sweep.preset.setCurrentIndex(sweep.preset.findData("iterations"))
    assert sweep.curves.x_axis.currentText() == "updates"  # error against updates
    sweep.preset.setCurrentIndex(sweep.preset.findData("epochs"))
    assert sweep.curves.with_validation.isChecked()
    assert sweep.curves.x_axis.currentText() == "epoch"
    set_epochs(qtbot, sweep, 5)
    sweep.seeds.selectAll()
    qtbot.keyClicks(sweep.seeds, "1")
    run(qtbot, window, sweep)
    curves = sweep.curves
    assert len(curves.twins) == 3 and all(twin.isVisible() for twin in curves.twins)
    x, y = curves.twins[0].getData()
    assert x.tolist() == [1, 2, 3, 4, 5] and y.tolist() == curves.values(0, "val_loss")
    qtbot.mouseClick(curves.with_validation, Qt.MouseButton.LeftButton)
    assert not any(twin.isVisible() for twin in curves.twins)
    curves.x_axis.setCurrentText("seconds")  # the same runs against time trained
    x, _ = curves.curves[0].getData()
    assert x.tolist() == pytest.approx(list(itertools.accumulate(
        curves.values(0, "seconds"))))


def test_a_presets_caption_says_when_the_epochs_typed_are_not_its_own(window, qtbot):
    sweep = open_sweep(window)
    sweep.preset.setCurrentIndex(sweep.preset.findData("lr"))
    own = sweep.epochs.value()
    assert "instead of the preset's" not in sweep.about.text()
    set_epochs(qtbot, sweep, 15)
    assert f"You set 15 epochs instead of the preset's {own:,}" in sweep.about.text()
    set_epochs(qtbot, sweep, own)
    assert "instead of the preset's" not in sweep.about.text()
