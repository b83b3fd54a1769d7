"""The Loss landscape dock in the real window: computed through its own controls, on
the controller's thread, from the run the window trained; again when the run pauses."""
import numpy as np
from PySide6.QtCore import Qt
from PySide6.QtGui import QAction

from tests.gui.test_one_source_of_truth import type_into


def open_dock(window):
    action = window.findChild(QAction, "actionLandscape")
    action.trigger()
    assert window.features.landscape.dock.isVisible()
    return window.features.landscape.view


def choose(view, kind: str, points: int) -> None:
    view.kind.setCurrentIndex(view.kind.findData(kind))
    view.points.setValue(points)


def compute(qtbot, window, view):
    qtbot.waitUntil(lambda: view.compute.isEnabled(), timeout=30_000)  # the last one done
    with qtbot.waitSignal(window.features.landscape.computer.computed, timeout=30_000) as signal:
        qtbot.mouseClick(view.compute, Qt.MouseButton.LeftButton)
    return signal.args[0]


def test_the_landscape_of_a_trained_run_in_each_kind(qtbot, window):
    from playground.gui.widgets.lab.surface3d import gl_problem

    view = open_dock(window)
    assert view.three_d.isVisibleTo(view) == (gl_problem() is None)  # offscreen: no GL
    qtbot.mouseClick(view.compute, Qt.MouseButton.LeftButton)
    assert "no network" in view.caption.text()  # nothing trained yet: said, not computed
    type_into(window.optimizer_panel.epochs, "4")
    with qtbot.waitSignal(window.controller.finished, timeout=30_000):
        window.train()
    choose(view, "pca", 11)
    result = compute(qtbot, window, view)
    assert result.kind == "pca" and result.loss.shape == (11, 11)
    assert [p.epoch for p in result.path] == [0, 1, 2, 3, 4]
    assert (result.path[-1].a, result.path[-1].b) == (0.0, 0.0)
    assert view.result is result and "path" in view.caption.text()
    xs, ys = view.path.getData()
    assert len(xs) == 5 and (xs[-1], ys[-1]) == (0.0, 0.0)
    choose(view, "random", 9)
    result = compute(qtbot, window, view)
    assert result.kind == "random" and result.loss.shape == (9, 9)
    assert np.isclose(result.loss[4, 4], window.controller.trainer.evaluate("train")["loss"],
                      rtol=1e-5)
    choose(view, "interp", 7)
    result = compute(qtbot, window, view)
    assert result.b is None and 0.0 in result.a and 1.0 in result.a
    assert "initial weights" in view.caption.text()


def test_a_pause_refreshes_the_open_landscape(qtbot, window):
    view = open_dock(window)
    choose(view, "random", 5)
    with qtbot.waitSignal(window.features.landscape.computer.computed, timeout=30_000):
        window.step_epoch()
    assert window.controller.state == "paused" and view.result.epoch == 1
    view.auto.setChecked(False)
    window.controller.stop()
    qtbot.waitUntil(lambda: window.controller.state == "idle", timeout=10_000)
    assert view.result.epoch == 1


def test_the_noise_tab_follows_the_run(qtbot, window):
    open_dock(window)
    feature = window.features.landscape
    feature.tabs.setCurrentWidget(feature.noise)
    type_into(window.optimizer_panel.epochs, "5")
    with qtbot.waitSignal(window.controller.finished, timeout=30_000):
        window.train()
    qtbot.waitUntil(lambda: len(feature.noise.epochs) == 5, timeout=10_000)
    xs, ys = feature.noise.cosine.getData()
    assert list(xs) == [1, 2, 3, 4, 5] and np.isfinite(ys).all()
    history = window.controller.trainer.history
    assert "grad_noise_scale" in history.columns
    assert "noise scale" in feature.noise.caption.text()
    window.reset_weights()
    qtbot.waitUntil(lambda: len(feature.noise.epochs) == 0, timeout=10_000)


def test_the_landscape_follows_the_theme_and_stops_with_the_window(window, monkeypatch):
    feature = window.features.landscape
    window.set_theme("dark")
    assert feature.view.theme.name == "dark"
    window.set_theme("light")
    assert feature.view.theme.name == "light"
    stopped = []
    monkeypatch.setattr(feature.computer, "shutdown", lambda: stopped.append(True) or True)
    window.events.closing.emit()
    assert stopped == [True] and not feature.noise_timer.isActive()


def test_the_dock_opens_inside_the_window_as_it_is(qtbot, window):
    """Opened on a window of fixed size, the dock takes room from the window's columns:
    neither the window's minimum width nor its width grows (it once grew to 1523 px)."""
    window.resize(1280, 720)
    qtbot.waitUntil(lambda: window.width() == 1280)
    before = window.minimumSizeHint().width()
    assert before <= 1280
    feature = window.features.landscape
    open_dock(window)
    for page in (feature.view, feature.noise):
        feature.tabs.setCurrentWidget(page)
        assert feature.dock.minimumSizeHint().width() <= 340  # the optimizer column's
        assert window.minimumSizeHint().width() == before
        assert window.width() == 1280


def test_3d_is_offered_only_for_the_planes(qtbot, window):
    view = open_dock(window)
    view.offer_3d()
    for kind, enabled in (("random", True), ("interp", False), ("pca", True)):
        view.kind.setCurrentIndex(view.kind.findData(kind))
        assert view.three_d.isEnabled() == enabled
        assert ("needs a plane" in view.three_d.toolTip()) == (not enabled)


def test_the_noise_plot_labels_a_few_ticks_and_the_batch_line(qtbot):
    from playground.gui.widgets.landscape import NoiseView

    view = NoiseView()
    qtbot.addWidget(view)
    epochs = np.arange(1.0, 16.0)
    view.set_series(epochs, np.linspace(60, 140, 15), np.full(15, 0.9), 10, 35)
    assert view.batch.label.toPlainText() == "batch 10"
    axis = view.scale_plot.getAxis("left")
    low, high = np.log10(5), np.log10(200)  # the span the reported crowd had
    levels = axis.tickValues(low, high, 300)
    labels = [s for spacing, values in levels
              for s in axis.tickStrings(values, 1.0, spacing) if s]
    assert labels and set(labels) <= {"5", "10", "20", "50", "100", "200"}, labels


def test_the_noise_caption_says_why_there_is_no_figure(qtbot):
    from playground.gui.widgets.landscape import NoiseView

    view = NoiseView()
    qtbot.addWidget(view)
    nan = np.full(3, np.nan)
    view.set_series(np.arange(1.0, 4.0), nan, nan, 350, 1)
    assert "one batch of all the training rows" in view.caption.text()
    view.set_series(np.arange(1.0, 4.0), nan, nan, 10, 35)
    text = view.caption.text()
    assert "could not tell the gradient from its noise" in text and "two mini" not in text
    view.set_series(np.empty(0), np.empty(0), np.empty(0), 10, 35)
    assert view.caption.text().startswith("Train with mini-batches")
