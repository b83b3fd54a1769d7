"""The views in the real window: what the plots and the metrics table show comes from the
run the window trains, through stepping, finishing, resetting and reopening."""
import math

from tests.gui.test_one_source_of_truth import type_into


def test_stepping_batches_draws_each_updates_loss(qtbot, window):
    for count in (1, 2):
        with qtbot.waitSignal(window.controller.batchStepped, timeout=30_000):
            window.step_batch()
        assert window.plots.batch["loss"].size == count
    window.controller.stop()
    qtbot.waitUntil(lambda: window.controller.state == "idle", timeout=10_000)


def test_a_finished_run_keeps_its_end_and_test_figures_until_reset(qtbot, window):
    type_into(window.optimizer_panel.epochs, "3")
    assert window.plots.planned_epochs == 3
    with qtbot.waitSignal(window.controller.finished, timeout=30_000):
        window.train()
    assert window.plots.finish["reason"] == "completed" and window.plots.finish["epoch"] == 3
    for split in ("train", "validation", "test"):
        assert math.isfinite(window.metrics_table.value("accuracy", split))
    window.reset_weights()
    assert window.plots.finish is None and window.plots.epochs_recorded == 0
    assert math.isnan(window.metrics_table.value("accuracy", "test"))


def test_a_reopened_session_shows_its_gradient_norms_and_figures(qtbot, window, tmp_path):
    type_into(window.optimizer_panel.epochs, "4")
    with qtbot.waitSignal(window.controller.finished, timeout=30_000):
        window.train()
    layers = set(window.plots.grad_series)
    assert layers
    window.features.files.path = str(tmp_path / "views.pgsession")
    with qtbot.waitSignal(window.controller.saved, timeout=30_000):
        window.features.files.save_run()
    window.reset_weights()
    with qtbot.waitSignal(window.controller.trainerReady, timeout=30_000):
        window.features.files.open_run(window.features.files.path)
    qtbot.waitUntil(lambda: window.plots.epochs_recorded == 4, timeout=10_000)
    assert set(window.plots.grad_series) == layers
    assert all(series.size == 4 for series in window.plots.grad_series.values())
    assert math.isfinite(window.metrics_table.value("loss", "validation"))


def test_regression_is_shown_in_the_targets_units(qtbot, window):
    window.data_panel.dataset.setCurrentIndex(window.data_panel.dataset.findData("diabetes"))
    type_into(window.optimizer_panel.epochs, "2")
    with qtbot.waitSignal(window.controller.finished, timeout=60_000):
        window.train()
    trainer = window.controller.trainer
    scale = float(trainer.data.target_scaler.scale.reshape(-1)[0])
    assert scale > 10  # diabetes' target spreads over tens of units
    shown = window.metrics_table.value("mae", "train")
    assert math.isclose(shown, window.run_display.last_logs["mae"] * scale, rel_tol=1e-6)
