"""Draw your own data: mouse strokes on the data panel's scatter, each one undoable edit."""
import dataclasses
from types import SimpleNamespace

import numpy as np
from PySide6.QtCore import QPointF, Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QMessageBox

from playground.core.data import drawn, prepare
from playground.core.spec import DataSpec
from tests.core.test_drawn import three_clouds
from tests.gui.helpers import save_and_reopen


def choose(panel, name):
    panel.dataset.setCurrentIndex(panel.dataset.findData(name))


def stroke(panel, *places):
    """Press at the first place (plane coordinates), drag through the others, release."""
    port = panel.scatter.viewport()
    view = panel.scatter.getPlotItem().getViewBox()

    def pixel(x, y):
        return panel.scatter.mapFromScene(view.mapViewToScene(QPointF(x, y)))

    QTest.mousePress(port, Qt.MouseButton.LeftButton, pos=pixel(*places[0]))
    for place in places[1:]:
        QTest.mouseMove(port, pixel(*place))
    QTest.mouseRelease(port, Qt.MouseButton.LeftButton, pos=pixel(*places[-1]))


def line(start, end, steps=12):
    return [tuple(np.add(start, np.multiply(np.subtract(end, start), t / steps)))
            for t in range(steps + 1)]


def empty_canvas(window):
    panel = window.data_panel
    choose(panel, "sine")  # one input: the drawn set starts empty
    choose(panel, drawn.NAME)
    assert window.spec.data.points == () and panel.drawing.draw.isChecked()
    assert "choose Draw" in panel.drawing.hint.text()
    return panel


def test_strokes_add_points_of_the_chosen_class_and_undo_takes_one_back(qtbot, window):
    panel = empty_canvas(window)
    edits = window.session.undo_stack.count()
    stroke(panel, (-3.0, -2.0))  # a click: one point
    assert np.allclose(window.spec.data.points, [(-3.0, -2.0, 0.0)], atol=0.1)
    panel.drawing.label.setCurrentIndex(2)
    stroke(panel, *line((-3.0, 3.0), (3.0, 3.0)))  # a drag: a line of class 2 points
    points = np.asarray(window.spec.data.points)
    assert len(points) > 5 and set(points[1:, 2]) == {2.0}
    assert np.allclose(points[1:, 1], 3.0, atol=0.1) and points[-1, 0] > 2.5
    assert window.session.undo_stack.count() == edits + 2  # one edit per stroke, not per pixel
    trained_rows = prepare(window.spec.data)  # the spec that trains holds the drawn points
    assert len(trained_rows.x_train) + len(trained_rows.x_val) + len(trained_rows.x_test) \
        == len(points)
    window.session.undo()
    assert len(window.spec.data.points) == 1
    assert len(panel.drawing._points.data) == 1  # the plot shows it too


def test_values_mode_draws_the_spin_box_value_for_a_regression(qtbot, window):
    panel = empty_canvas(window)
    panel.drawing.target.setCurrentIndex(panel.drawing.target.findData("regression"))
    assert window.spec.data.task == "regression" and panel.drawing.value.isVisibleTo(panel)
    panel.drawing.value.setValue(2.5)
    stroke(panel, *line((-4.0, 0.0), (4.0, 0.0)))
    assert {p[2] for p in window.spec.data.points} == {2.5}
    assert prepare(window.spec.data).task == "regression"


def test_erase_and_clear_remove_points_and_undo_brings_them_back(qtbot, window):
    panel = window.data_panel
    window.set_spec(dataclasses.replace(window.spec, data=DataSpec(
        drawn.NAME, points=three_clouds())))
    before = window.spec.data.points
    qtbot.mouseClick(panel.drawing.erase, Qt.MouseButton.LeftButton)
    assert not panel.drawing.draw.isChecked()
    stroke(panel, *line((-4.0, 0.0), (-2.0, 0.0)))  # through the class 0 cloud
    after = window.spec.data.points
    assert 0 < len(after) < len(before) and set(after) < set(before)
    assert all(abs(p[1]) > 0.1 or not -4.2 < p[0] < -1.8 for p in after)
    qtbot.mouseClick(panel.drawing.clear, Qt.MouseButton.LeftButton)
    assert window.spec.data.points == ()
    window.session.undo()
    window.session.undo()
    assert window.spec.data.points == before


def test_choosing_drawn_starts_from_the_current_two_d_set(qtbot, window):
    panel = window.data_panel
    assert window.spec.data.name == "spiral"
    choose(panel, drawn.NAME)
    points = window.spec.data.points
    assert len(points) == 500  # the spiral's samples
    assert {p[2] for p in points} == {0.0, 1.0}
    assert "ready to train" in panel.drawing.hint.text()
    assert not panel.regenerate.isEnabled()


def test_a_trained_run_reopens_and_asks_once_per_stroke_before_starting_over(
        qtbot, window, monkeypatch, tmp_path):
    panel = window.data_panel
    window.set_spec(dataclasses.replace(window.spec, data=DataSpec(
        drawn.NAME, points=three_clouds()), train=dataclasses.replace(
            window.spec.train, epochs=2)))
    with qtbot.waitSignal(window.controller.finished, timeout=30_000):
        window.train()
    assert window.controller.trainer.spec.data.points == three_clouds()  # what trained
    save_and_reopen(qtbot, window, str(tmp_path / "drawn.pgsession"), 30_000)
    assert window.spec.data.points == three_clouds() and window.controller.trainer is not None
    asked, answer = [], [QMessageBox.StandardButton.No]

    def question(parent, title, text, *rest):
        asked.append(text)
        return answer[0]

    monkeypatch.setattr(QMessageBox, "question", staticmethod(question))
    before = window.spec.data.points
    stroke(panel, *line((0.0, -4.0), (0.0, -1.0)))
    assert len(asked) == 1 and "Drawing " in asked[0]  # once a stroke, not once a pixel
    assert window.spec.data.points == before and window.controller.trainer is not None
    assert len(panel.drawing._points.data) == len(before)  # the refused stroke is gone
    answer[0] = QMessageBox.StandardButton.Yes
    stroke(panel, *line((0.0, -4.0), (0.0, -1.0)))
    assert len(asked) == 2 and window.controller.trainer is None
    assert len(window.spec.data.points) > len(before)


def test_training_a_single_class_drawing_is_refused_in_one_sentence(qtbot, window,
                                                                    isolated_settings):
    one_class = tuple((float(i), 0.0, 1.0) for i in range(30))
    window.set_spec(dataclasses.replace(window.spec, data=DataSpec(drawn.NAME,
                                                                   points=one_class)))
    assert window.data_panel.drawing.hint.text().startswith("The drawn points are all of "
                                                            "class 1")
    window.train()
    qtbot.waitUntil(lambda: bool(isolated_settings), timeout=10_000)
    assert isolated_settings[-1][1] == ("The drawn points are all of class 1: pick another "
                                        "class and draw some, so that there is a boundary "
                                        "to learn.")
    assert window.controller.trainer is None


def test_a_stroke_stops_at_the_limit_and_says_so(qtbot, window):
    panel = window.data_panel
    almost = tuple((round(-5 + (i % 100) / 10, 3), round(-5 + (i // 100) / 10, 3),
                    float(i % 2)) for i in range(drawn.MAX_POINTS - 2))
    window.set_spec(dataclasses.replace(window.spec, data=DataSpec(drawn.NAME, points=almost)))
    assert panel.drawing.draw.isChecked()
    assert panel.scatter.viewport().cursor().shape() == Qt.CursorShape.CrossCursor
    stroke(panel, *line((-4.0, 5.5), (4.0, 5.5)))
    assert len(window.spec.data.points) == drawn.MAX_POINTS
    assert panel.drawing.hint.text().startswith("A drawn set holds at most 5,000 points")


def test_choosing_drawn_scrolls_the_dock_to_the_canvas_in_a_small_window(qtbot, window):
    window.resize(1280, 720)
    panel = window.data_panel
    choose(panel, drawn.NAME)
    canvas = panel.scatter.viewport()  # the view itself is covered by its viewport
    qtbot.waitUntil(lambda: not canvas.visibleRegion().isEmpty(), timeout=3000)
    assert not panel.drawing.draw.visibleRegion().isEmpty()  # the tools are seen too


def test_clearing_and_redrawing_leaves_only_the_current_points_in_every_plot(qtbot, window):
    panel, playground = window.data_panel, window.features.inside.playground
    choose(panel, drawn.NAME)  # the spiral's 500 points
    views = (playground.data_view, playground.output, window.boundary)
    plane = np.linspace(-6.0, 6.0, 5)  # a trained run's heat map over the spiral's plane
    window.boundary.show_boundary(SimpleNamespace(xs=plane, ys=plane, values=np.zeros((5, 5))))
    qtbot.mouseClick(panel.drawing.clear, Qt.MouseButton.LeftButton)
    for view in views:
        assert len(view.train_points.data) == len(view.test_points.data) == 0
    values = tuple(drawn.point(x, y, x + y) for x in (-1.0, 0.0, 1.0) for y in (-1.0, 1.0))
    window.session.edit({"data": dataclasses.replace(
        window.spec.data, task="regression", points=values * 3)}, "drawing")
    for view in views:
        shown = np.concatenate([view.train_points.data["x"], view.test_points.data["x"]])
        assert 0 < len(shown) < len(values) * 3  # training and test rows, not validation
        assert set(np.round(shown, 3)) <= {-1.0, 0.0, 1.0}
    ranges = window.boundary.plot.getViewBox().viewRange()
    # Framed on the points (square, so one axis spans more): not on the old plane's corner
    assert all(abs(low + high) < 0.2 for low, high in ranges)
    assert min(high for _, high in ranges) < 2

