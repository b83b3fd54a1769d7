"""The plots Qt paints without Python (widgets/qt_plot.py): a frame of the live plots
runs no Python while Qt paints it, the grid Qt draws lies at the axes' ticks, and the
curves Qt draws are the data, gaps included."""
from __future__ import annotations

import sys

import numpy as np
import pyqtgraph as pg

from playground.gui.widgets.qt_plot import PathCurve, QtPlotWidget
from tests.gui.test_plots_views import Epoch, plots, redraw  # noqa: F401 - plots: a fixture


def python_calls_while(action) -> list[str]:
    """The Python functions the GUI thread runs while `action` does (Qt calls back into
    Python from C++: every such call takes the GIL from the training thread)."""
    calls: list[str] = []

    def profile(frame, event, arg):
        if event == "call":
            calls.append(f"{frame.f_code.co_filename}:{frame.f_code.co_name}")

    sys.setprofile(profile)
    try:
        action()
    finally:
        sys.setprofile(None)
    return [call for call in calls if not call.endswith(":<lambda>")]


def test_painting_a_frame_of_the_live_plots_runs_no_python(qtbot, plots):
    plots.set_planned_epochs(100)
    plots.add_epochs([Epoch(e) for e in range(1, 31)])
    redraw(qtbot, plots)
    viewport = plots.canvas.viewport()
    viewport.repaint()  # the axes' and titles' pixmaps are made here, once
    plots.add_epochs([Epoch(e) for e in range(31, 34)])
    redraw(qtbot, plots)  # new points on every curve, the axes unchanged

    calls = python_calls_while(viewport.repaint)

    assert calls == []


def test_the_grid_lies_at_the_axes_ticks_and_a_hidden_axis_draws_none(qtbot):
    widget = QtPlotWidget()
    qtbot.addWidget(widget)
    widget.resize(500, 400)
    widget.show()
    qtbot.waitExposed(widget)
    widget.showGrid(x=True, y=True, alpha=0.2)
    widget.setXRange(0, 100, padding=0)
    widget.setYRange(-1, 1, padding=0)
    widget.prepare()
    view, axis = widget.getPlotItem().vb, widget.getAxis("bottom")
    width = view.width()
    major = axis.tick_levels(width)[0]
    path = axis._grid_lines.items[0].path()

    xs = sorted({round(path.elementAt(i).x, 6) for i in range(path.elementCount())})

    expected = sorted(round(v / 100 * width, 6) for v in major if 0 <= v <= 100)
    assert len(expected) >= 3 and xs == expected
    assert axis._grid_lines.items[0].pen().color().alpha() > 0
    widget.getPlotItem().hideAxis("bottom")
    assert all(item.path().isEmpty() for item in axis._grid_lines.items)


def test_a_curve_is_its_points_and_a_gap_where_they_are_not_finite(qtbot):
    curve = PathCurve(pg.mkPen("#000000"))
    x = np.arange(6, dtype=float)

    curve.setData(x, x ** 2)
    path = curve.path()
    points = [(path.elementAt(i).x, path.elementAt(i).y) for i in range(path.elementCount())]
    assert points == [(v, v ** 2) for v in x]

    curve.setData(x, np.array([1.0, 2.0, np.nan, 4.0, np.inf, 6.0]))
    path = curve.path()
    moves = [i for i in range(path.elementCount()) if path.elementAt(i).isMoveTo()]
    drawn = {path.elementAt(i).x for i in range(path.elementCount())}
    assert len(moves) == 3 and drawn == {0.0, 1.0, 3.0, 5.0}

    curve.setData(x[:2], np.array([3.0, 4.0]))  # shorter again: nothing of the old left
    assert curve.path().elementCount() == 2
