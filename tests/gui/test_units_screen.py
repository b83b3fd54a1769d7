"""One unit system per screen: a regression run shows the same figures in the metrics
table, the runs table and the status bar, and the "standardised units" toggle switches
all of them; after early stopping puts back an earlier epoch's weights, every table
shows that epoch's figures and says so. Driven through the real window."""
from __future__ import annotations

import math

from PySide6.QtCore import Qt

from playground.core.callbacks import EarlyStopping

from tests.gui.helpers import save_and_reopen
from tests.gui.test_one_source_of_truth import type_into

TIMEOUT = 60_000


def _regression_run(qtbot, window, epochs: str) -> None:
    window.data_panel.dataset.setCurrentIndex(window.data_panel.dataset.findData("diabetes"))
    type_into(window.optimizer_panel.epochs, epochs)
    with qtbot.waitSignal(window.controller.finished, timeout=TIMEOUT):
        window.train()
    qtbot.waitUntil(lambda: window.controller.state == "idle", timeout=TIMEOUT)


def _runs_cell(window, header: str) -> str:
    table = window.features.runs.runs_table.table
    headers = [table.horizontalHeaderItem(i).text() for i in range(table.columnCount())]
    return table.item(0, headers.index(header)).text()


def _shown(window) -> dict[str, str]:
    """The training loss and validation loss as each view shows them."""
    window.run_display.update()  # the status bar's clock tick, now
    table = window.metrics_table
    return {"metrics loss": f"{table.value('loss', 'train'):.4g}",
            "metrics val loss": f"{table.value('loss', 'validation'):.4g}",
            "runs loss": _runs_cell(window, "loss"),
            "runs val loss": _runs_cell(window, "val loss"),
            "status bar": window.run_info.text()}


def _agree(shown: dict[str, str], loss: float, val_loss: float) -> None:
    assert shown["metrics loss"] == shown["runs loss"] == f"{loss:.4g}"
    assert shown["metrics val loss"] == shown["runs val loss"] == f"{val_loss:.4g}"
    assert f"loss {loss:.4g}" in shown["status bar"]


def test_a_regression_run_shows_one_unit_system_and_the_toggle_switches_all(qtbot, window):
    _regression_run(qtbot, window, "3")
    trainer = window.controller.trainer
    s = float(trainer.data.target_scaler.scale.reshape(-1)[0])
    logged = trainer.history.records[-1]
    assert s > 10  # diabetes' target spreads over tens of units: the two systems differ
    shown = _shown(window)
    _agree(shown, logged["loss"] * s * s, logged["val_loss"] * s * s)  # MSE: times s²
    assert "(the target's units)" in shown["status bar"]
    test_mse = window.metrics_table.value("loss", "test")
    message = window.statusBar().currentMessage()
    assert f"Test: loss {test_mse:.4g}," in message and message.endswith("(the target's units)")
    window.tabs.setCurrentWidget(window.plots)  # the toggle sits above the curves
    assert window.plots.standardised.isVisible()
    qtbot.mouseClick(window.plots.standardised, Qt.MouseButton.LeftButton)
    assert window.plots.standardised.isChecked()
    shown = _shown(window)
    _agree(shown, logged["loss"], logged["val_loss"])
    assert "(standardised units)" in shown["status bar"]
    message = window.statusBar().currentMessage()
    assert f"Test: loss {test_mse / s / s:.4g}," in message
    assert message.endswith("(standardised units)")
    assert "standardised" in window.features.runs.runs_table.table.item(0, 3).toolTip()
    qtbot.mouseClick(window.plots.standardised, Qt.MouseButton.LeftButton)
    _agree(_shown(window), logged["loss"] * s * s, logged["val_loss"] * s * s)


def test_after_early_stopping_restores_weights_every_table_shows_that_epoch(qtbot, window):
    window.optimizer_panel.patience.setValue(1)
    window.optimizer_panel.early.setChecked(True)
    assert window.session.spec.train.early_stopping.enabled
    _regression_run(qtbot, window, "300")  # with patience 1 it stops long before 300
    trainer = window.controller.trainer
    assert window.plots.finish["reason"] == "early_stopping"
    stopper = next(c for c in trainer.callbacks if isinstance(c, EarlyStopping))
    epoch, last = stopper.best_epoch, trainer.epoch
    assert epoch < last
    record = trainer.history.at_epoch(epoch)
    s = float(trainer.data.target_scaler.scale.reshape(-1)[0])
    shown = _shown(window)
    _agree(shown, record["loss"] * s * s, record["val_loss"] * s * s)
    assert f"restored epoch {epoch}" in shown["status bar"]
    assert f"epoch {last:,} of 300" in shown["status bar"]
    header = window.metrics_table.horizontalHeaderItem(1).text()
    assert header == f"validation (epoch {epoch})"
    assert "put back the weights of epoch" in window.metrics_table.horizontalHeaderItem(1).toolTip()
    assert _runs_cell(window, "epochs") == f"{last:,} (restored {epoch:,})"
    message = window.statusBar().currentMessage()
    assert f"best at epoch {epoch}, did not improve for 1 epoch;" in message
    assert f"epoch {epoch}'s weights were put back and the tables show its figures" in message
    # the figures of the test column are measured on those weights, as the header says
    assert math.isfinite(window.metrics_table.value("loss", "test"))
    window.tabs.setCurrentWidget(window.plots)
    qtbot.mouseClick(window.plots.standardised, Qt.MouseButton.LeftButton)  # still that epoch
    _agree(_shown(window), record["loss"], record["val_loss"])
    window.reset_weights()
    assert window.metrics_table.horizontalHeaderItem(1).text() == "validation"


def test_a_session_saved_after_a_put_back_reopens_showing_that_epoch(qtbot, window,
                                                                      tmp_path):
    window.optimizer_panel.patience.setValue(1)
    window.optimizer_panel.early.setChecked(True)
    _regression_run(qtbot, window, "300")
    epoch = window.metrics_table.restored_epoch
    assert epoch and window.plots.finish["reason"] == "early_stopping"
    before = _shown(window)
    save_and_reopen(qtbot, window, str(tmp_path / "stopped.pgsession"), TIMEOUT)
    qtbot.waitUntil(lambda: window.metrics_table.restored_epoch == epoch, timeout=TIMEOUT)
    after = _shown(window)
    for view in ("metrics loss", "metrics val loss", "runs loss", "runs val loss"):
        assert after[view] == before[view]
    assert f"restored epoch {epoch}" in after["status bar"]
    assert _runs_cell(window, "epochs").endswith(f"(restored {epoch:,})")
