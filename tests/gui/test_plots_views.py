"""The views of training results: LivePlots, BoundaryView, MetricsTable (issue 9).

Each test reproduces a defect a new user met; the data is made up (no training
trajectory is involved) except where a real Trainer supplies a session or a model."""
import math

import numpy as np
import pyqtgraph as pg
import pytest

from playground.gui.widgets.plots import LivePlots
from playground.gui.widgets.plots.markers import STOP_LABELS
from playground.gui.widgets.metrics_table import MetricsTable
from playground.gui.widgets.plot_parts import MIN_DECADES, MIN_RELATIVE_SPAN
from playground.gui.widgets.units import Units, label, target_scale


class Epoch:
    """An EpochEnded look-alike: logs and per-layer gradient norms."""

    def __init__(self, epoch, loss=None, layers=2, steps=10, **logs):
        self.logs = {"epoch": epoch, "step": epoch * steps,
                     "loss": 1 / epoch if loss is None else loss,
                     "val_loss": 1.2 / epoch, "accuracy": 0.5, "val_accuracy": 0.4,
                     "lr": 0.01, **logs}
        self.grad_norms = {f"{i + 1} Dense": 0.1 * (i + 1) * epoch for i in range(layers)}


class Step:
    def __init__(self, epoch, step, batch, loss):
        self.epoch, self.step, self.batch, self.loss = epoch, step, batch, loss


@pytest.fixture
def plots(qtbot):
    made = LivePlots()
    qtbot.addWidget(made)
    made.resize(900, 700)
    made.show()
    qtbot.waitExposed(made)
    return made


def redraw(qtbot, plots):
    """Wait for the timer's next redraw of what changed."""
    plots.dirty = True
    before = plots.redraws
    qtbot.waitUntil(lambda: plots.redraws > before, timeout=5000)


def lines(plot):
    return [item for item in plot.items if isinstance(item, pg.InfiniteLine)]


def line_labels(plot):
    return [line.label.textItem.toPlainText() for line in lines(plot) if line.label]


def inside_canvas(plots):
    width = plots.canvas.viewport().width()
    return {name: plot.sceneBoundingRect().right() <= width + 0.5
            for name, plot in plots.plots.items()}


# ------------------------------------------------------------- any number of layers

def test_a_twelve_layer_net_fits_its_column_with_distinct_depth_colours(qtbot, plots):
    plots.add_epochs([Epoch(e, layers=12) for e in range(1, 30)])
    redraw(qtbot, plots)
    assert all(inside_canvas(plots).values()), inside_canvas(plots)
    left, right = plots.plots["loss"], plots.plots["metric"]
    assert abs(left.sceneBoundingRect().width() - right.sceneBoundingRect().width()) < 40
    colors = [curve.pen().color().name() for curve in plots.grad_curves.values()]
    assert len(plots.grad_curves) == 12 and len(set(colors)) == 12
    lightness = [pg.mkColor(c).lightness() for c in colors]
    assert lightness[0] < lightness[-1]  # depth order: input side darkest
    assert "12 layers" in plots.plots["grad"].titleLabel.text


def test_after_reset_in_any_order_every_plot_draws_the_next_run(qtbot, plots):
    plots.add_epochs([Epoch(e, layers=10) for e in range(1, 40)])
    redraw(qtbot, plots)
    for call in (lambda: plots.reset(), lambda: plots.reset(keep_data=True, metric="accuracy"),
                 lambda: plots.set_colors("#16181d", "#e5e7eb", ("#60a5fa", "#fb923c",
                                                                 "#4ade80", "#c084fc")),
                 lambda: plots.reset(keep_data=True), lambda: plots.reset()):
        call()
    plots.add_epochs([Epoch(e, layers=10) for e in range(1, 20)])
    redraw(qtbot, plots)
    assert all(inside_canvas(plots).values()), inside_canvas(plots)
    for key in ("loss", "val_loss", "metric", "val_metric", "lr"):
        xs, ys = plots.curves[key].getData()
        assert len(xs) == 19, key
    assert len(plots.grad_curves) == 10
    for name, plot in plots.plots.items():
        (x_lo, x_hi), (y_lo, y_hi) = plot.vb.viewRange()
        drawn = [c for c in plot.items if hasattr(c, "path") and not c.path().isEmpty()]
        assert drawn, name
        box = drawn[0].path().boundingRect()
        assert y_lo <= box.top() and box.bottom() <= y_hi, name  # the curve is on screen
        assert x_lo <= box.left() and box.right() <= x_hi, name


# ------------------------------------------------------------- axes

@pytest.mark.parametrize("log", [True, False])
def test_a_flat_loss_stays_flat_with_labelled_ticks(qtbot, plots, log):
    plots.log_scale.setChecked(log)
    plots.add_epochs([Epoch(e, loss=0.6931 - 1e-5 * e, val_loss=0.6935 - 1e-5 * e)
                      for e in range(1, 60)])  # a learning rate far too low
    redraw(qtbot, plots)
    plot = plots.plots["loss"]
    y_lo, y_hi = plot.vb.viewRange()[1]
    if log:
        assert y_hi - y_lo >= MIN_DECADES
    else:
        assert y_hi - y_lo >= MIN_RELATIVE_SPAN * 0.6931
    axis = plot.getAxis("left")
    labels = [text for spacing, values in axis.tickValues(y_lo, y_hi, plot.vb.height())
              for text in axis.tickStrings(values, 1.0, spacing or 1.0) if text.strip()]
    assert len(labels) >= 2, labels
    assert "-0.0" in plots.summary.text() or "+0.0" in plots.summary.text() \
        or "-0.1" in plots.summary.text()  # the relative change, in words


def test_the_x_axis_spans_the_planned_epochs_and_follows_a_change(qtbot, plots):
    plots.set_planned_epochs(500)
    plots.add_epochs([Epoch(e) for e in range(1, 11)])
    redraw(qtbot, plots)
    assert plots.plots["loss"].vb.viewRange()[0][1] == pytest.approx(510, rel=0.01)
    plots.set_planned_epochs(1000)
    redraw(qtbot, plots)
    assert plots.plots["grad"].vb.viewRange()[0][1] == pytest.approx(1020, rel=0.01)
    plots.x_axis.setCurrentText("updates")
    redraw(qtbot, plots)
    assert plots.plots["loss"].vb.viewRange()[0][1] == pytest.approx(10_200, rel=0.01)


# ------------------------------------------------------------- how runs end

def test_the_nan_epoch_of_a_diverged_run_is_marked(qtbot, plots):
    plots.add_epochs([Epoch(1, loss=2.0), Epoch(2, loss=50.0), Epoch(3, loss=math.nan)])
    plots.mark_finished(3, "diverged", "Training diverged at epoch 3: try 10x lower.", step=30)
    redraw(qtbot, plots)
    assert plots.nonfinite[0] == 3
    assert "loss NaN at epoch 3" in line_labels(plots.plots["loss"])
    assert "diverged" in line_labels(plots.plots["loss"])
    assert plots.plots["loss"].vb.viewRange()[0][1] >= 3


def test_a_run_that_is_nan_from_the_first_epoch_still_shows_where(qtbot, plots):
    plots.add_epochs([Epoch(1, loss=math.inf, val_loss=math.nan)])
    redraw(qtbot, plots)
    assert "loss infinite at epoch 1" in line_labels(plots.plots["loss"])
    x_lo, x_hi = plots.plots["loss"].vb.viewRange()[0]
    assert x_lo <= 1 <= x_hi


@pytest.mark.parametrize("reason", sorted(STOP_LABELS))
def test_each_stop_reason_is_written_on_the_curve_and_its_sentence_stays(qtbot, plots, reason):
    plots.add_epochs([Epoch(e) for e in range(1, 21)])
    best = 12 if reason == "early_stopping" else None
    plots.mark_finished(20, reason, f"Why it stopped: {reason}.", best_epoch=best, step=200)
    plots.add_epochs([])
    redraw(qtbot, plots)
    assert STOP_LABELS[reason] in line_labels(plots.plots["loss"])
    if reason == "diverged":  # the health banner and the status bar say it, not a third line
        assert plots.stop_message.text() == ""
    else:
        assert f"Why it stopped: {reason}." in plots.stop_message.text()
    if best:
        assert "best (epoch 12)" in line_labels(plots.plots["loss"])
        xs, ys = plots.best_dot.getData()
        assert list(xs) == [12]
    plots.reset()
    assert plots.stop_message.text() == "" and not line_labels(plots.plots["loss"])


def test_early_stopping_without_a_best_epoch_marks_the_lowest_validation_loss(qtbot, plots):
    plots.set_planned_epochs(1000)
    events = [Epoch(e, val_loss=abs(e - 7) + 1.0) for e in range(1, 15)]
    plots.add_epochs(events)
    plots.mark_finished(14, "early_stopping", "Stopped early.")
    assert plots.finish["best_epoch"] == 7
    redraw(qtbot, plots)  # the plan is moot now: the axis ends where the run did
    assert plots.plots["loss"].vb.viewRange()[0][1] == pytest.approx(14 * 1.02, rel=0.01)


def test_a_run_continued_after_it_stopped_drops_the_old_end(qtbot, plots):
    plots.add_epochs([Epoch(e) for e in range(1, 11)])
    plots.mark_finished(10, "stopped", "Stopped on request.", step=100)
    plots.add_epochs([Epoch(10)])  # a replay up to the end keeps it
    assert plots.finish is not None
    plots.add_epochs([Epoch(11)])  # Train continues the run
    assert plots.finish is None and plots.stop_message.text() == ""
    assert "stopped" not in line_labels(plots.plots["loss"])


def test_lr_changes_at_the_same_update_merge_into_one_marker(qtbot, plots):
    plots.add_epochs([Epoch(e) for e in range(1, 5)])
    for lr in np.linspace(0.01, 0.1, 10):
        plots.mark_change(3.5, 35, {"lr": float(lr)})
    plots.mark_change(3.5, 35, {"momentum": 0.9})
    assert plots.markers == [(3.5, 35, "lr 0.1, momentum 0.9")]
    assert len(lines(plots.plots["loss"])) == 1
    plots.mark_change(4, 40, {"lr": 0.2})
    assert len(plots.markers) == 2


def test_markers_and_the_end_survive_a_saved_view(qtbot, plots):
    plots.add_epochs([Epoch(e) for e in range(1, 21)])
    plots.mark_change(5, 50, {"lr": 0.2})
    plots.mark_finished(20, "converged", "Converged.", step=200)
    state = plots.view_state()
    other = LivePlots()
    qtbot.addWidget(other)
    other.reset()
    other.restore_view(state)  # as the window opens a session: view, then the epochs
    other.load_history([Epoch(e) for e in range(1, 21)])
    assert other.markers == [(5, 50, "lr 0.2")] and other.finish["reason"] == "converged"
    assert "Converged." in other.stop_message.text()
    assert "converged" in line_labels(other.plots["loss"])
    other.restore_view({"log_scale": True, "smoothing": 0, "x_axis": "epochs",
                        "markers": [[1, 10, "lr 0.5"]]})  # a view saved before issue 9
    assert other.finish is None and other.markers == [(1, 10, "lr 0.5")]


def test_stepping_batches_shows_each_update_loss(qtbot, plots):
    plots.add_epochs([Epoch(e) for e in range(1, 3)])  # 10 updates an epoch
    plots.set_steps_per_epoch(10)
    for batch, loss in enumerate((0.9, 0.4, 0.7), start=1):
        plots.add_batch_step(Step(2, 20 + batch, batch, loss))
    redraw(qtbot, plots)
    xs, ys = plots.curves["batch_loss"].getData()
    assert list(ys) == [0.9, 0.4, 0.7] and list(xs) == pytest.approx([2.1, 2.2, 2.3])
    assert "per update" in plots.plots["loss"].titleLabel.text
    plots.x_axis.setCurrentText("updates")
    redraw(qtbot, plots)
    assert list(plots.curves["batch_loss"].getData()[0]) == [21, 22, 23]


# ------------------------------------------------------------- regression units

def test_regression_losses_and_errors_are_in_the_target_units(qtbot, plots):
    plots.set_task("regression", "mae", "mse", target_scale=2.0)
    plots.add_epochs([Epoch(e, loss=0.25, val_loss=0.5, mae=0.5, val_mae=0.75)
                      for e in range(1, 5)])
    redraw(qtbot, plots)
    assert list(plots.curves["loss"].getData()[1]) == [1.0] * 4  # MSE * s^2
    assert list(plots.curves["metric"].getData()[1]) == [1.0] * 4  # MAE * s
    assert plots.titles["metric"] == "MAE" and plots.titles["loss"] == "Loss (MSE)"
    assert "target's own units" in plots.standardised.toolTip()
    assert "loss 1 " in plots.summary.text() + " "
    plots.standardised.setChecked(True)
    redraw(qtbot, plots)
    assert list(plots.curves["loss"].getData()[1]) == [0.25] * 4


def test_labels_come_from_a_table_not_title_case():
    assert [label(k) for k in ("mae", "val_rmse", "test_r2", "accuracy", "f1", "mse")] == \
        ["MAE", "RMSE", "R\u00b2", "Accuracy", "F1 score", "MSE"]
    units = Units("regression", "mae", 3.0)
    assert (units.factor("loss"), units.factor("val_mse"), units.factor("r2")) == (3.0, 9.0, 1.0)
    assert Units("regression", "huber", 3.0).factor("loss") == 1.0
    assert Units("binary", "bce", 3.0).factor("loss") == 1.0


# ------------------------------------------------------------- the metrics table

def test_metrics_table_keeps_train_validation_and_test(qtbot):
    table = MetricsTable()
    qtbot.addWidget(table)
    assert table.objectName() == "metricsTable"
    table.set_task("regression", ("mae", "mse", "r2"), "mse", target_scale=2.0)
    assert [table.verticalHeaderItem(r).text() for r in range(table.rowCount())] == \
        ["Loss (MSE)", "MAE", "MSE", "RMSE", "R\u00b2"]
    table.update_from_logs({"epoch": 3, "loss": 0.25, "mae": 0.5, "mse": 0.25, "r2": 0.9,
                            "val_loss": 1.0, "val_mae": 1.0, "val_mse": 1.0, "val_r2": 0.5})
    table.set_test({"test_loss": 0.04, "test_mae": 0.1, "test_mse": 0.04, "test_r2": 0.8})
    assert table.value("loss", "train") == 1.0 and table.value("rmse", "validation") == 2.0
    assert table.value("mae", "test") == pytest.approx(0.2)
    assert table.item(4, 2).text() == "0.8"
    table.update_from_logs({"loss": 0.16, "mae": 0.4})  # later epochs keep the test column
    assert table.item(4, 2).text() == "0.8" and table.value("loss", "train") == 0.64
    table.set_standardised(True)
    assert table.value("loss", "train") == 0.16
    table.clear_values()
    assert all(table.item(r, c).text() == "" for r in range(5) for c in range(3))
    table.set_task("multiclass")
    assert table.verticalHeaderItem(1).text() == "Accuracy"


# ------------------------------------------------------------- real sessions, real models

def test_a_reopened_session_restores_every_plot_gradient_norms_included(qtbot, plots,
                                                                       tmp_path):
    from playground.core.sessionfile import open_any, save_session
    from playground.core.trainer import Trainer
    from tests.core.helpers import tiny_spec

    trainer = Trainer(tiny_spec(epochs=4))
    trainer.fit()
    path = tmp_path / "run.pgsession"
    save_session(path, trainer.spec, trainer.state_dict(), trainer.data)
    session = open_any(path)
    reopened = Trainer(session.spec, data=trainer.data)
    reopened.load_state_dict(session.state)
    plots.add_epochs([Epoch(1)])  # something from before, to be forgotten
    plots.load_history(reopened.history.events(), reopened.history.changes)
    redraw(qtbot, plots)
    assert plots.epochs_recorded == 4 and len(plots.grad_curves) == 3
    for label_, curve in plots.grad_curves.items():
        assert list(curve.getData()[1]) == trainer.history.column("grad_norm/" + label_)
    table = MetricsTable()
    qtbot.addWidget(table)
    table.set_task(trainer.head.task, trainer.metric_names, trainer.head.loss)
    table.update_from_logs(reopened.history.records[-1])
    assert table.value("loss", "train") == trainer.history.records[-1]["loss"]


def sine_trainer():
    from playground.core.spec import DataSpec, LayerSpec, ModelSpec, SessionSpec, TrainSpec
    from playground.core.trainer import Trainer

    spec = SessionSpec(data=DataSpec("sine", samples=200, noise=0.0),
                       model=ModelSpec((LayerSpec("dense", {"units": 8, "activation": "tanh"}),
                                        LayerSpec("dense", {"units": None}))),
                       train=TrainSpec(epochs=1, device="cpu"))
    return Trainer(spec)


def test_the_fitted_sine_is_drawn_in_the_data_units(qtbot, monkeypatch):
    """A model that predicted the standardised target perfectly was drawn peaking at
    1.41 against data at 1.0; the boundary now undoes the target's scaling."""
    import torch

    from playground.gui.widgets.boundary_view import BoundaryView
    from playground.gui.worker import _SignalBridge

    trainer = sine_trainer()
    scaler = trainer.data.target_scaler
    assert target_scale(trainer.data) == pytest.approx(float(scaler.scale[0]))

    def perfect(points):  # the grid's inputs are scaled: undo that, predict sin, scale
        x = points.numpy() * trainer.data.scaler.scale + trainer.data.scaler.offset
        return torch.from_numpy(((np.sin(x) - scaler.offset) / scaler.scale).astype(np.float32))

    monkeypatch.setattr(trainer, "predict_raw", perfect)
    sent = []

    class Worker:
        boundaryUpdated = type("S", (), {"emit": staticmethod(sent.append)})

    _SignalBridge(Worker()).boundary(trainer)
    boundary = sent[-1]
    assert boundary.ys is None and boundary.regression
    assert boundary.values.max() == pytest.approx(1.0, abs=2e-3)
    view = BoundaryView()
    qtbot.addWidget(view)
    view.set_data(trainer.spec.data)
    view.show_boundary(boundary)
    xs, ys = view.curve.getData()
    assert ys.max() == pytest.approx(1.0, abs=2e-3)
    assert ys.max() == pytest.approx(view.train_points.getData()[1].max(), abs=0.05)
    assert "target's own units" in view.caption.text()


def test_a_regression_plane_shares_one_colour_scale_with_its_points(qtbot):
    from playground.core.spec import DataSpec
    from playground.gui.widgets.boundary_view import BoundaryView
    from playground.gui.worker import Boundary

    view = BoundaryView()
    qtbot.addWidget(view)
    view.set_data(DataSpec("plane", samples=100))
    low, high = view.y_range
    xs = ys = np.linspace(-1, 1, 4)
    values = np.full((4, 4), high)  # every prediction at the data's maximum
    view.show_boundary(Boundary(xs, ys, values, regression=True))
    image = view.image.image
    assert tuple(image[0, 0, :3]) == tuple(pg.mkColor(view.class_colors[0]).getRgb()[:3])
    assert f"{low:.3g}" in view.caption.text()
    view.set_colors("#16181d", "#e5e7eb")
    assert view.curve.opts["pen"].color().name() == "#e5e7eb"
