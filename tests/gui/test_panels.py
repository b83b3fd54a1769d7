"""Each panel: give it a spec, act on a control, assert on the emitted edit: only the
panel's own part, which the session model merges into the spec."""

import numpy as np
import pytest
from PySide6.QtWidgets import QPushButton

from playground.core.examples import spiral
from playground.core.losses import resolve_head
from playground.core.spec import DataSpec, LayerSpec, ModelSpec
from playground.gui.widgets.data_panel import DataPanel
from playground.gui.widgets.layer_builder import LayerBuilder
from playground.gui.widgets.plot_parts import MAX_POINTS, decimate
from playground.gui.widgets.plots import LivePlots
from playground.gui.session_model import apply_edit
from playground.gui.widgets.optimizer_panel import OptimizerPanel, lr_to_slider, slider_to_lr


@pytest.fixture
def optimizer_panel(qtbot):
    panel = OptimizerPanel()
    qtbot.addWidget(panel)
    panel.set_spec(spiral())
    return panel


def last_emitted(qtbot, signal, act):
    with qtbot.waitSignal(signal, timeout=5000) as blocker:
        act()
    return blocker.args[0]


def edited_spec(qtbot, panel, act):
    """The spec after the panel's edit, rendered back into the panel as the window does."""
    changes = last_emitted(qtbot, panel.edited, act)
    spec = apply_edit(panel._shown, changes).validate()
    panel.set_spec(spec)
    return spec


def edited_part(qtbot, panel, part, act):
    changes = last_emitted(qtbot, panel.edited, act)
    assert set(changes) == {part}, changes  # a panel emits its own part, nothing else
    panel.set_spec(changes[part]) if part == "data" else panel.set_model(changes[part])
    return changes[part]


def edited_data(qtbot, panel, act):
    return edited_part(qtbot, panel, "data", act)


def test_choosing_an_optimizer_renders_its_parameters_and_default_rate(qtbot, optimizer_panel):
    index = optimizer_panel.optimizer.findData("rmsprop")
    spec = edited_spec(qtbot, optimizer_panel, lambda: optimizer_panel.optimizer.setCurrentIndex(index))
    assert spec.optimizer.name == "rmsprop" and spec.optimizer.lr == 0.001
    centered = optimizer_panel.params.editor("centered")
    assert centered.toolTip().startswith("Divide by the gradient's variance")
    spec = edited_spec(qtbot, optimizer_panel, lambda: centered.setChecked(True))
    assert spec.optimizer.params["centered"] is True


def test_learning_rate_slider_is_logarithmic(qtbot, optimizer_panel):
    assert slider_to_lr(lr_to_slider(0.003)) == pytest.approx(0.003, rel=0.02)
    spec = edited_spec(qtbot, optimizer_panel, lambda: optimizer_panel.lr_slider.setValue(lr_to_slider(0.1)))
    assert spec.optimizer.lr == pytest.approx(0.1, rel=0.02)
    assert optimizer_panel.lr_box.value() == pytest.approx(spec.optimizer.lr)


@pytest.mark.parametrize("button, size", [("batch_full", None), ("batch_stochastic", 1)])
def test_batch_modes(qtbot, optimizer_panel, button, size):
    radio = optimizer_panel.findChild(type(optimizer_panel.batch_mode.button(0)), button)
    spec = edited_spec(qtbot, optimizer_panel, radio.click)
    assert spec.train.batch_size == size


def test_schedule_parameters_and_preview(qtbot, optimizer_panel):
    spec = edited_spec(qtbot, optimizer_panel, lambda: optimizer_panel.schedule
                        .setCurrentIndex(optimizer_panel.schedule.findData("step")))
    assert spec.schedule.name == "step"
    xs, ys = optimizer_panel.preview_curve.getData()
    assert len(xs) > 10 and ys[0] == pytest.approx(spec.optimizer.lr) and ys[-1] < ys[0]
    gamma = optimizer_panel.schedule_params.editor("gamma")
    spec = edited_spec(qtbot, optimizer_panel, lambda: gamma.setValue(0.25))
    assert spec.schedule.params["gamma"] == 0.25


def test_training_settings(qtbot, optimizer_panel):
    spec = edited_spec(qtbot, optimizer_panel, lambda: optimizer_panel.early.setChecked(True))
    assert spec.train.early_stopping.enabled
    spec = edited_spec(qtbot, optimizer_panel, lambda: optimizer_panel.l2.setValue(0.01))
    assert spec.train.l2 == 0.01
    spec = edited_spec(qtbot, optimizer_panel, lambda: optimizer_panel.loss.setCurrentIndex(optimizer_panel.loss.findData("hinge")))
    assert spec.train.loss == "hinge"


def test_lbfgs_forces_full_batch(qtbot, optimizer_panel):
    spec = edited_spec(qtbot, optimizer_panel, lambda: optimizer_panel.optimizer
                        .setCurrentIndex(optimizer_panel.optimizer.findData("lbfgs")))
    assert spec.optimizer.name == "lbfgs" and spec.train.batch_size is None
    assert not optimizer_panel.batch_mode.button(2).isEnabled()


# ------------------------------------------------------------ layer builder

@pytest.fixture
def builder(qtbot):
    made = LayerBuilder()
    qtbot.addWidget(made)
    made.set_model(spiral().model)
    made.set_context((2,), resolve_head("auto", "binary", 2, 1, "spiral"))
    return made


def test_palette_adds_before_the_output_layer_and_undo_redo(qtbot, builder):
    from playground.gui.session_model import SessionModel

    session = SessionModel(spiral())
    builder.edited.connect(session.edit)
    session.specChanged.connect(lambda spec, old: builder.set_model(spec.model))
    original = builder.model
    model = edited_part(qtbot, builder, "model",
                        lambda: builder.findChild(QPushButton, "add_dropout").click())
    assert [layer.kind for layer in model.layers] == ["dense", "dense", "dropout", "dense"]
    assert session.spec.model == model == builder.model
    assert session.undo_stack.undoText() == "adding a Dropout layer"
    session.undo()
    assert builder.model == original == session.spec.model
    session.redo()
    assert builder.model.layers[2].kind == "dropout"


def test_cards_show_shapes_and_parameter_counts(builder):
    card = builder.cards.itemWidget(builder.cards.item(0))
    assert card.shape.text() == "2 \u2192 16 \u00b7 48 params"
    assert builder.summary.text() == "337 parameters in 3 layers"


def test_editing_a_card_and_removing_one(qtbot, builder):
    card = builder.cards.itemWidget(builder.cards.item(0))
    model = edited_part(qtbot, builder, "model", lambda: card.form.editor("units").setValue(5))
    assert model.layers[0].params["units"] == 5
    card = builder.cards.itemWidget(builder.cards.item(1))
    model = edited_part(qtbot, builder, "model", lambda: card.form.editor("activation").setCurrentText("relu"))
    assert model.layers[1].params["activation"] == "relu"
    model = edited_part(qtbot, builder, "model", lambda: builder.remove_layer(1))
    assert len(model.layers) == 2


def test_impossible_layer_is_flagged_on_its_card(qtbot, builder):
    edited_part(qtbot, builder, "model", lambda: builder.add_layer("conv2d"))
    assert 2 in builder.errors and "needs image input" in builder.errors[2]
    card = builder.cards.itemWidget(builder.cards.item(2))
    assert card.error.isVisible() or not card.error.isHidden()
    assert "needs image input" in card.error.text()


def test_reorder_moves_a_layer(qtbot, builder):
    builder.set_model(ModelSpec((LayerSpec("dense", {"units": 8}), LayerSpec("relu"),
                                 LayerSpec("dense", {"units": None}))))
    model = edited_part(qtbot, builder, "model", lambda: builder.move_layer(1, 0))
    assert [layer.kind for layer in model.layers] == ["relu", "dense", "dense"]


# --------------------------------------------------------------- data panel

@pytest.fixture
def data_panel(qtbot):
    panel = DataPanel()
    qtbot.addWidget(panel)
    panel.set_spec(DataSpec("spiral"))
    return panel


def test_choosing_a_data_set_and_its_parameters(qtbot, data_panel):
    spec = edited_data(qtbot, data_panel, lambda: data_panel.dataset
                        .setCurrentIndex(data_panel.dataset.findData("xor")))
    assert spec.name == "xor" and "Four quadrants" in data_panel.description.text()
    spec = edited_data(qtbot, data_panel, lambda: data_panel.noise.setValue(30))
    assert spec.noise == 0.3
    spec = edited_data(qtbot, data_panel, lambda: data_panel.inputs["x1x2"].setChecked(True))
    assert spec.inputs == ("x1", "x2", "x1x2")
    spec = edited_data(qtbot, data_panel, lambda: data_panel.split[1].setValue(20))
    assert spec.split[1] == pytest.approx(20 / 105)
    assert data_panel.preview.currentWidget() is data_panel.scatter


def test_previews_follow_the_kind_of_data(qtbot, data_panel):
    edited_data(qtbot, data_panel, lambda: data_panel.dataset
                 .setCurrentIndex(data_panel.dataset.findData("digits")))
    assert data_panel.preview.currentWidget() is data_panel.images
    edited_data(qtbot, data_panel, lambda: data_panel.dataset
                 .setCurrentIndex(data_panel.dataset.findData("wine")))
    assert data_panel.preview.currentWidget() is data_panel.table
    assert data_panel.table.horizontalHeaderItem(0).text() == "alcohol"


def test_importing_a_file_and_a_bad_file(qtbot, data_panel, tmp_path):
    good = tmp_path / "mine.csv"
    good.write_text("a,b,label\n1,2,x\n3,4,y\n5,6,x\n7,8,y\n")
    spec = edited_data(qtbot, data_panel, lambda: data_panel.load_file(str(good)))
    assert spec.name == "file" and spec.path == str(good)
    assert data_panel.preview.currentWidget() is data_panel.table
    bad = tmp_path / "bad.csv"
    bad.write_text("a,b,y\n1,,0\n")
    edited_data(qtbot, data_panel, lambda: data_panel.load_file(str(bad)))
    assert data_panel.preview.currentWidget() is data_panel.message
    assert "line 2, column 'b' has a missing value" in data_panel.message.text()


# ---------------------------------------------------------------- live plots

class FakeEpoch:
    def __init__(self, epoch):
        self.logs = {"epoch": epoch, "step": epoch * 10, "loss": 1 / epoch,
                     "val_loss": 1.2 / epoch, "accuracy": 0.5, "val_accuracy": 0.4,
                     "lr": 0.01}
        self.grad_norms = {"1 Dense": 0.1 * epoch, "2 Dense": 0.2}


def test_plots_record_every_epoch_and_redraw_on_the_timer(qtbot):
    plots = LivePlots()
    qtbot.addWidget(plots)
    plots.add_epochs([FakeEpoch(e) for e in range(1, 5001)])
    qtbot.waitUntil(lambda: plots.redraws > 0, timeout=5000)
    xs, ys = plots.curves["loss"].getData()
    assert plots.epochs_recorded == 5000 and plots.series["loss"].size == 5000
    assert len(xs) <= MAX_POINTS + 10 and xs[0] == 1 and xs[-1] == 5000  # drawn: decimated
    assert set(plots.grad_curves) == {"1 Dense", "2 Dense"}
    plots.smoothing.setValue(90)
    assert plots.series["loss"].view(smoothed=True)[-1] > plots.series["loss"].view()[-1]
    plots.x_axis.setCurrentText("updates")
    qtbot.waitUntil(lambda: plots.curves["loss"].getData()[0] is not None
                    and plots.curves["loss"].getData()[0][-1] == 50_000, timeout=5000)
    plots.mark_change(10, 100, {"lr": 0.5})
    assert plots.markers == [(10, 100, "lr 0.5")]


def test_decimation_keeps_spikes_and_the_visible_range():
    x = np.arange(100_000, dtype=float)
    y = np.ones_like(x)
    y[54_321] = 50.0
    y[77_777] = -3.0
    dx, dy = decimate(x, y, -np.inf, np.inf, budget=800)
    assert len(dx) <= 802 and dy.max() == 50.0 and dy.min() == -3.0
    assert dx[0] == 0 and dx[-1] == 99_999
    zx, zy = decimate(x, y, 54_000, 55_000, budget=800)
    assert zx[0] >= 53_999 and zx[-1] <= 55_001 and 50.0 in zy


@pytest.mark.parametrize("alpha", [0.01, 0.5, 0.99])
def test_smoothing_is_the_exponential_average_across_batches(alpha):
    from playground.gui.widgets.plot_parts import Series

    values = np.random.default_rng(1).normal(size=3000) * 5 + 2
    expected, average = [], values[0]
    for value in values:  # the definition, one value at a time
        average = alpha * average + (1 - alpha) * value
        expected.append(average)
    series = Series()
    series.set_smoothing(alpha)
    for batch in np.array_split(values, 7):  # arriving in batches, as epochs do
        series.extend(list(batch))
    assert np.allclose(series.view(smoothed=True), expected, rtol=1e-12, atol=1e-12)
    assert series.span(smoothed=False, log=False) == (values.min(), values.max())


def test_plots_render_to_a_pixmap_without_shadowing_qt(qtbot, capfd):
    """An attribute named like a Qt virtual (it was `metric`) breaks rendering: Qt calls
    QWidget.metric() while painting and got a string."""
    plots = LivePlots()
    qtbot.addWidget(plots)
    plots.add_epochs([FakeEpoch(e) for e in range(1, 50)])
    assert not plots.grab().isNull()
    assert "Error calling Python override" not in capfd.readouterr().err
