"""pyqtgraph's plots, painted by Qt without Python.

The training thread and the window share the GIL. Whenever Qt calls a virtual method
that a pyqtgraph item overrides in Python (boundingRect, paint, shape) it takes the GIL,
and the Qt calls inside that method hand it over again (shiboken releases the GIL
around most of them). A GIL-hungry training thread then waits at every hand-over, and
the window waits for it in turn: measured with perf in a digits run, two thirds of the
GUI thread's 2,500 GIL releases a second came from Qt asking pyqtgraph's axes and
labels for their bounding rectangles while painting. The classes here give Qt its own
C++ answers instead (shiboken then calls no Python at all), and draw what pyqtgraph drew
outside those rectangles (the grid, inward ticks) with Qt's own items.
"""
from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import SIGNAL, QTimer, Slot
from PySide6.QtGui import QColor, QPainterPath, QPen, QPolygonF
from PySide6.QtWidgets import QGraphicsItem, QGraphicsPathItem, QGraphicsView, QGraphicsWidget

REDRAW_MS = 40   # 25 frames a second
GRID_LEVELS = 3  # pyqtgraph's major, minor and sub-minor ticks
_PREPARE_SIGNAL = SIGNAL("sigPrepareForPaint()")
_NO_CONTENTS = QGraphicsItem.GraphicsItemFlag.ItemHasNoContents
_DEVICE_CACHE = QGraphicsItem.CacheMode.DeviceCoordinateCache


class PathCurve(QGraphicsPathItem):
    """A curve that Qt paints by itself. pyqtgraph's curves paint in Python, and every
    millisecond the UI thread holds the GIL is a millisecond the training thread waits;
    this item overrides no virtual method, so painting it runs no Python at all.

    It keeps one QPolygonF and one QPainterPath and refills them: shiboken releases the
    GIL in every Qt constructor, and pyqtgraph's arrayToQPath builds two objects per
    curve per frame, two chances a frame for the training thread to take the GIL and
    for this one to wait for it back."""

    def __init__(self, pen, name: str = "", x_name: str = "") -> None:
        super().__init__()
        self.setPen(pen)
        self.log_y = False
        self.x = self.y = None
        # What its values are (a logged series: loss, val_loss, ...) and what its x is
        # (epoch, step): a plot's CSV export names its columns by them.
        self.series_name, self.x_name = name, x_name
        self._polygon = QPolygonF()
        self._path = QPainterPath()

    def setData(self, x: np.ndarray, y: np.ndarray) -> None:  # noqa: N802 - pyqtgraph's name
        self.x, self.y = x, y
        if self.log_y:
            with np.errstate(divide="ignore", invalid="ignore"):
                y = np.log10(y)
        x = np.asarray(x, dtype=np.float64)  # epochs or updates: finite
        y = np.asarray(y, dtype=np.float64)
        if not np.isfinite(y).all():
            # A gap, not a line to infinity; rare (a diverged run, a zero on a log axis).
            y = np.where(np.isfinite(y), y, np.nan)
            self.setPath(pg.arrayToQPath(x, y, connect="finite"))
            return
        self._polygon.resize(len(x))
        if len(x):
            points = pg.functions.ndarray_from_qpolygonf(self._polygon)
            points[:, 0], points[:, 1] = x, y
        self._path.clear()
        self._path.addPolygon(self._polygon)
        self.setPath(self._path)

    def getData(self) -> tuple[np.ndarray | None, np.ndarray | None]:  # noqa: N802
        return self.x, self.y

    def name(self) -> str:
        """The series it draws, as pyqtgraph's curves name theirs ('' when unnamed)."""
        return self.series_name

    def setLogMode(self, x_mode: bool, y_mode: bool) -> None:  # noqa: N802 - called by PlotItem
        self.log_y = bool(y_mode)
        if self.x is not None:
            self.setData(self.x, self.y)


class QtViewBox(pg.ViewBox):
    """A ViewBox whose per-frame virtuals are Qt's own. Qt asks every item of the scene
    for its bounding rect (and the view box for its shape and its paint) on every frame;
    pyqtgraph answers in Python, so each question took the GIL from the trainer thread:
    about 20 times a frame for four plots. With the C++ methods in the class, shiboken
    remembers there is no Python override and answers without the GIL. The only
    difference: no half-pixel for a border, which these plots do not draw (and so
    nothing to paint: ItemHasNoContents)."""

    boundingRect = QGraphicsWidget.boundingRect
    shape = QGraphicsWidget.shape

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.setFlag(_NO_CONTENTS)


class QtAxis(pg.AxisItem):
    """An axis whose bounding rect and shape are Qt's own: its rectangle. pyqtgraph's
    axis answers in Python, about 24 times a frame for four plots, each answer a GIL
    hand-over or three. So that everything it draws stays inside that rectangle, its
    ticks point outward, a label that would spill over its ends is left out, and its
    grid lines are Qt path items in the view box (see _GridLines), not long ticks (with
    a grid, the lines are the ticks, as in pyqtgraph).
    It repaints as a pixmap, not by replaying its text."""

    boundingRect = QGraphicsWidget.boundingRect
    shape = QGraphicsWidget.shape
    _grid_lines: _GridLines | None = None  # pyqtgraph's __init__ already sets a range

    def __init__(self, orientation: str, **kwargs) -> None:
        super().__init__(orientation, **kwargs)
        self.setStyle(tickLength=5, hideOverlappingLabels=True)
        self.setCacheMode(_DEVICE_CACHE)

    def setGrid(self, grid) -> None:  # noqa: N802 - pyqtgraph's name
        super().setGrid(grid)  # pyqtgraph turns a float alpha into 0-255
        alpha = 0 if self.grid is False else int(self.grid)
        super().setGrid(False)  # pyqtgraph's grid would be drawn outside the rectangle
        # As with pyqtgraph's grid, the lines stand for the ticks: no comb of short ones.
        self.setStyle(tickLength=0 if alpha else 5)
        if alpha and self._grid_lines is None:
            self._grid_lines = _GridLines(self)
        if self._grid_lines is not None:
            self._grid_lines.alpha = alpha
            self.update_grid()

    def setRange(self, mn: float, mx: float) -> None:  # noqa: N802 - pyqtgraph's name
        super().setRange(mn, mx)
        self.update_grid()

    @Slot(object)
    @Slot(object, object)
    def linkedViewChanged(self, view, newRange=None) -> None:  # noqa: N802, N803
        super().linkedViewChanged(view, newRange)
        self.update_grid()  # a resized view box keeps its range but needs longer lines

    def setLogMode(self, *args, **kwargs) -> None:  # noqa: N802 - pyqtgraph's name
        super().setLogMode(*args, **kwargs)
        self.update_grid()

    def setTicks(self, ticks) -> None:  # noqa: N802 - pyqtgraph's name
        super().setTicks(ticks)
        self.update_grid()

    def setPen(self, *args, **kwargs) -> None:  # noqa: N802 - pyqtgraph's name
        super().setPen(*args, **kwargs)
        self.update_grid()

    def setTickPen(self, *args, **kwargs) -> None:  # noqa: N802 - pyqtgraph's name
        super().setTickPen(*args, **kwargs)
        self.update_grid()

    def tick_levels(self, length: float) -> list[list[float]]:
        """The tick values of each level, as the axis draws them at this length in pixels."""
        if self._tickLevels is not None:
            return [[value for value, _ in level] for level in self._tickLevels]
        return [list(values) for _, values in self.tickValues(self.range[0], self.range[1],
                                                              length)]

    def update_grid(self) -> None:
        if self._grid_lines is not None:
            self._grid_lines.follow()


class _GridLines:
    """An axis' grid: one Qt path item per tick level in the linked view box, in its
    pixel coordinates, rebuilt when the range, the size or the ticks change (never per
    frame), with pyqtgraph's fading of the minor levels."""

    def __init__(self, axis: QtAxis) -> None:
        self.axis = axis
        self.alpha = 0
        self.items: list[QGraphicsPathItem] = []
        self.view = None

    def follow(self) -> None:
        view = self.axis.linkedView()
        if view is not self.view:
            self._attach(view)
        if view is None:
            return
        across = self.axis.orientation in ("top", "bottom")  # vertical lines across x
        width, height = view.width(), view.height()
        length = width if across else height
        lo, hi = self.axis.range
        drawn = self.alpha and length > 0 and hi != lo and self.axis.isVisibleTo(None)
        levels = self.axis.tick_levels(length) if drawn else []  # hidden axes draw none
        color = QColor(self.axis.tickPen().color())
        for level, item in enumerate(self.items):
            ticks = levels[level] if level < len(levels) else []
            path = QPainterPath()
            for value in ticks:
                where = (value - lo) / (hi - lo) * length
                if not 0 <= where <= length:
                    continue
                if across:
                    path.moveTo(where, 0)
                    path.lineTo(where, height)
                else:
                    path.moveTo(0, height - where)
                    path.lineTo(width, height - where)
            fade = min(max(0.05 * length / (len(ticks) + 1), 0.0), 1.0)
            color.setAlpha(int(255 / (level + 1) * self.alpha / 255 * fade))
            pen = QPen(color, 0)
            pen.setCosmetic(True)
            item.setPen(pen)
            item.setPath(path)

    def _attach(self, view) -> None:
        for item in self.items:
            item.setParentItem(None)
            if item.scene() is not None:
                item.scene().removeItem(item)
        self.items, self.view = [], view
        if view is None:
            return
        for level in range(GRID_LEVELS):
            item = QGraphicsPathItem(view)
            item.setZValue(-1e5 + level)  # above the view's background, below its data
            self.items.append(item)


class QtPlotItem(pg.PlotItem):
    """A PlotItem whose bounding rect and shape are Qt's own (the same rectangle: its
    geometry in its own coordinates), asked every frame without the GIL (see QtViewBox),
    with QtAxis axes. It and its title paint nothing themselves (the title's text is a
    child item): flagged so, Qt does not ask them for their extent while painting."""

    boundingRect = QGraphicsWidget.boundingRect
    shape = QGraphicsWidget.shape

    def __init__(self, axisItems: dict | None = None, **kwargs) -> None:  # noqa: N803
        # Only the shown axes: pyqtgraph shows every axis it is given.
        axes = {name: QtAxis(name) for name in ("left", "bottom")}
        axes.update(axisItems or {})
        super().__init__(viewBox=QtViewBox(), axisItems=axes, **kwargs)
        self.setFlag(_NO_CONTENTS)
        self.titleLabel.setFlag(_NO_CONTENTS)
        self.titleLabel.item.setCacheMode(_DEVICE_CACHE)

    def showAxis(self, axis: str, show: bool = True) -> None:  # noqa: N802 - pyqtgraph's
        super().showAxis(axis, show)
        scale = self.getAxis(axis)
        if isinstance(scale, QtAxis):
            scale.update_grid()  # a hidden axis draws no grid lines


class QtPlotWidget(pg.PlotWidget):
    """pyqtgraph's PlotWidget (one QtPlotItem) painted by Qt alone, as live_plots'
    PlotCanvas: pyqtgraph's Python paintEvent held the GIL for the whole of every frame's
    painting (half the GUI thread's busy time on the Playground tab, measured). Its
    owner calls prepare() after changing what it shows; a timer does it as well, for
    what changes the view otherwise (a resize, a pan or zoom by the mouse)."""

    paintEvent = QGraphicsView.paintEvent

    def __init__(self, parent=None, **kwargs) -> None:
        super().__init__(parent, plotItem=QtPlotItem(**kwargs))
        # Runs only while shown: each tick is a Python call, and every one the GUI thread
        # makes while a run trains takes the GIL from the training thread.
        self._prepare_timer = QTimer(self, interval=REDRAW_MS)
        self._prepare_timer.timeout.connect(self._on_prepare_timer_timeout)

    def showEvent(self, event) -> None:  # noqa: N802 - Qt's name
        super().showEvent(event)
        self.prepare()
        self._prepare_timer.start()

    def hideEvent(self, event) -> None:  # noqa: N802 - Qt's name
        self._prepare_timer.stop()
        super().hideEvent(event)

    def prepare(self) -> None:
        """Bring the view box's range and transform up to date before Qt paints
        (what pyqtgraph's paintEvent did first)."""
        prepare_for_paint(self.scene(), [self.plotItem.vb])

    def _on_prepare_timer_timeout(self) -> None:
        self.prepare()


class PlotCanvas(pg.GraphicsLayoutWidget):
    """pyqtgraph's layout widget, painted by Qt alone. pyqtgraph overrides paintEvent in
    Python only to call scene().prepareForPaint() first; with that override every frame's
    painting ran holding the GIL (measured: about a third of the GUI thread's busy time,
    during which the trainer thread could not run). Its owner calls prepare() after
    each change (LivePlots also on every tick of its timer), so the scene is ready when
    Qt paints it, and shiboken paints with the GIL released. Its layout paints nothing,
    and says so: Qt then does not ask its Python boundingRect while painting."""

    paintEvent = QGraphicsView.paintEvent

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.ci.setFlag(_NO_CONTENTS)

    def prepare(self) -> None:
        """Bring the plots' ranges and transforms up to date before Qt paints."""
        prepare_for_paint(self.scene(), [item.vb for item in self.ci.items
                                         if isinstance(item, pg.PlotItem)])


def prepare_for_paint(scene, boxes: list[pg.ViewBox]) -> None:
    """scene.prepareForPaint(): each listener (view boxes, text items) brings itself
    up to date before Qt paints. Where the view boxes are its only listeners, they are
    called directly, not through pyqtgraph's signal: PySide releases the GIL around
    every slot a signal calls, four chances a frame for the training thread to take it
    and for this one to wait for it back."""
    if scene.receivers(_PREPARE_SIGNAL) == len(boxes):
        for box in boxes:
            box.prepareForPaint()
    else:
        scene.prepareForPaint()


def forget_points(item: pg.ScatterPlotItem) -> None:
    """Empty a scatter the way Qt asks: pyqtgraph's clear() shrinks the item's extent
    without prepareGeometryChange(), which Qt requires before a bounding rect changes
    (its index and its record of the painted area go stale, and the old points may stay
    on screen: reported after the drawn set's Clear). setData announces the change,
    and tells the view box its bounds changed."""
    item.setData(x=np.empty(0), y=np.empty(0))
