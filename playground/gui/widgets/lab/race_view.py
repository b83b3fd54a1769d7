"""RaceView: the contour map of a surface with each racer's path and, at its current
point, the internals gradient_descent_viz draws: the downhill gradient, the momentum,
the actual step, and the adaptive accumulator as a rectangle whose sides are the square
roots of the accumulated squares along x and y.

Items are made once per racer and fed with setData; paths grow in preallocated numpy
buffers (pyqtgraph's live-plot pattern), so a redraw costs the same at step 10 or 10,000.
"""
from __future__ import annotations

import math

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QRectF, Qt, Signal
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from ....core.lab import Race, Surface
from ....core.lab.surfaces import grid_values
from ...theme import LIGHT, Theme
from .drawing import (MapItem, SegmentsItem, arrow, contour_levels, contour_values, rectangle,
                      surface_colormap, theme_plot)

ACCUMULATORS = ("sum", "square_avg", "exp_avg_sq")
MOMENTA = ("momentum_buffer", "exp_avg")
ARROW_SHARE = 0.12   # a first gradient is drawn this fraction of the map across


def shown_length(size: float, reference: float) -> float:
    """A length on a log scale, as a share of ARROW_SHARE: the reference size (the
    racer's first gradient or accumulator) is 1, each factor of 10 smaller is a quarter
    shorter, with a floor that keeps it visible and a ceiling that keeps it on the map.
    Gradients on these surfaces span many decades; drawn linearly most would vanish."""
    if not (size > 0 and reference > 0 and math.isfinite(size)):
        return 0.0
    return min(max(1.0 + 0.25 * math.log10(size / reference), 0.15), 2.5)


class _RacerItems:
    """One racer's path item and buffer, and the pens of its arrows and rectangle."""

    def __init__(self, plot: pg.PlotItem, color: str) -> None:
        self.path = pg.PlotDataItem(pen=pg.mkPen(color, width=2))
        plot.addItem(self.path)
        self.pens = {"gradient": pg.mkPen(color, width=1.5, style=Qt.PenStyle.DotLine),
                     "momentum": pg.mkPen(color, width=1.5, style=Qt.PenStyle.DashLine),
                     "step": pg.mkPen(color, width=3),
                     "square": pg.mkPen(color, width=1)}
        self.buffer = np.empty((1024, 2))
        self.count = 0
        self.first_gradient: float | None = None      # the reference sizes
        self.first_accumulator: float | None = None

    def remove(self, plot: pg.PlotItem) -> None:
        plot.removeItem(self.path)

    def extend(self, points: list[tuple[float, float]]) -> None:
        needed = len(points)
        if needed <= self.count:
            return
        if needed > len(self.buffer):
            grown = np.empty((max(needed, 2 * len(self.buffer)), 2))
            grown[:self.count] = self.buffer[:self.count]
            self.buffer = grown
        self.buffer[self.count:needed] = points[self.count:needed]
        self.count = needed


class RaceView(QWidget):
    startClicked = Signal(float, float)   # a left click on the map, in surface units

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.plot = pg.PlotWidget(objectName="racePlot")
        self.plot.setAspectLocked(True)
        self.plot.setMenuEnabled(False)
        self.plot.setToolTip("Click to start the race from that point. Dotted arrow: the "
                             "downhill gradient; dashed: the momentum; thick: the actual "
                             "step (true length); rectangle: the adaptive accumulator, "
                             "its sides the square roots of the summed squares along x "
                             "and y. Arrows and rectangles are on a log scale (a tenth "
                             "of the first gradient is drawn a quarter shorter).")
        layout.addWidget(self.plot)
        self.key = QLabel("dotted: downhill gradient \u00b7 dashed: momentum \u00b7 thick: "
                          "the actual step \u00b7 rectangle: \u221a of the accumulated "
                          "squared gradients along x and y \u00b7 \u2716 known minimum "
                          "\u00b7 \u2606 start (click to move)", objectName="raceKey",
                          wordWrap=True)
        self.key.setToolTip("Arrow lengths and rectangle sides are on a log scale, relative "
                            "to each optimizer's first gradient, so they stay visible "
                            "while the gradient shrinks a thousandfold.")
        layout.addWidget(self.key)
        self.map = MapItem()
        self.plot.addItem(self.map)
        self.minima = pg.ScatterPlotItem(symbol="x", size=12, pen=pg.mkPen("#111827", width=2))
        self.start = pg.ScatterPlotItem(symbol="star", size=16, pen=pg.mkPen("#111827"),
                                        brush=pg.mkBrush("#ffffff"))
        self.heads = pg.ScatterPlotItem(size=9, pen=pg.mkPen("#111827", width=1))
        self.internals = SegmentsItem()   # every racer's arrows and rectangles
        for item in (self.internals, self.minima, self.start, self.heads):
            item.setZValue(10)
            self.plot.addItem(item)
        self.racers: list[_RacerItems] = []
        self.parts = {"gradient": True, "momentum": True, "step": True, "square": True,
                     "path": True}
        self.theme = LIGHT
        self.surface: Surface | None = None
        self.span = 1.0
        self.redraws = 0
        self.plot.scene().sigMouseClicked.connect(self._on_scene_mouse_clicked)

    # ------------------------------------------------------------- the surface
    def set_surface(self, surface: Surface, resolution: int = 200) -> None:
        self.surface = surface
        _, _, values = grid_values(surface, resolution)
        self._shown = contour_values(values)
        (x0, x1), (y0, y1) = surface.x_range, surface.y_range
        self._rect = QRectF(x0, y0, x1 - x0, y1 - y0)
        self._paint_surface()
        self.minima.setData([m[0] for m in surface.minima], [m[1] for m in surface.minima])
        self.span = max(x1 - x0, y1 - y0)
        self.plot.setRange(xRange=(x0, x1), yRange=(y0, y1), padding=0.02)

    def _paint_surface(self) -> None:
        """The theme's colours on the computed values, and the contour lines."""
        low, span = float(self._shown.min()), float(np.ptp(self._shown)) or 1.0
        rgba = surface_colormap(self.theme).map((self._shown - low) / span, mode="byte")
        self.map.set_map(rgba, self._rect, self._shown, contour_levels(self._shown),
                         pg.mkPen(self.theme.muted, width=0.8))

    def set_colors(self, theme: Theme) -> None:
        self.theme = theme
        theme_plot(self.plot, theme)
        outline = pg.mkPen(theme.text, width=1)
        self.minima.setPen(pg.mkPen(theme.text, width=2))
        self.start.setPen(outline)
        self.heads.setPen(outline)
        if self.surface is not None:
            self._paint_surface()

    # ------------------------------------------------------------- the race
    def set_race(self, race: Race, colors: list[str]) -> None:
        """A new race: new items for its racers (old ones removed)."""
        for items in self.racers:
            items.remove(self.plot.getPlotItem())
        self.racers = [_RacerItems(self.plot.getPlotItem(), color) for color in colors]
        self.colors = colors
        self.brushes = [pg.mkBrush(c) for c in colors]
        self.start.setData([race.start[0]], [race.start[1]])
        self.redraw(race)

    def set_visible_parts(self, **show: bool) -> None:
        self.parts.update(show)

    def redraw(self, race: Race) -> None:
        heads_x, heads_y, groups = [], [], []
        for racer, items in zip(race.racers, self.racers):
            items.extend(racer.path)
            items.path.setData(items.buffer[:items.count] if self.parts["path"]
                               else np.empty((0, 2)))
            x, y = racer.path[-1]
            heads_x.append(x)
            heads_y.append(y)
            groups += self._internals(racer, items)
        self.internals.set_segments(groups)
        self.heads.setData(heads_x, heads_y, brush=self.brushes)
        self.redraws += 1

    def _internals(self, racer, items: _RacerItems) -> list[tuple[object, np.ndarray]]:
        """(pen, segments) of the racer's shown arrows and rectangle at its last step."""
        record = racer.records[-1] if racer.records else None
        if record is None or racer.status == "diverged":
            return []
        here = racer.path[-1]
        head = 0.025 * self.span
        unit = ARROW_SHARE * self.span
        if items.first_gradient is None:
            items.first_gradient = math.hypot(*record.grad)
        shapes = []
        if self.parts["gradient"]:
            shapes.append(("gradient", _scaled_arrow(here, record.grad, items.first_gradient,
                                                     unit, head)))
        momentum = next((record.internals[key] for key in MOMENTA
                         if key in record.internals), None)
        if momentum is not None and self.parts["momentum"]:
            shapes.append(("momentum", _scaled_arrow(here, momentum, items.first_gradient,
                                                     unit, head)))
        if self.parts["step"]:
            shapes.append(("step", arrow(racer.path[-2], record.update, head)))
        accumulator = next((record.internals[key] for key in ACCUMULATORS
                            if key in record.internals), None)
        if accumulator is not None and self.parts["square"]:
            sides = [math.sqrt(max(v, 0.0)) for v in accumulator]
            if items.first_accumulator is None:
                items.first_accumulator = max(sides)
            reference = items.first_accumulator
            shapes.append(("square", rectangle(here, unit * shown_length(sides[0], reference),
                                               unit * shown_length(sides[1], reference))))
        return [(items.pens[kind], points) for kind, points in shapes]

    # ------------------------------------------------------------- clicks
    def _on_scene_mouse_clicked(self, event) -> None:
        if event.button() != Qt.MouseButton.LeftButton or self.surface is None:
            return
        point = self.plot.getPlotItem().vb.mapSceneToView(event.scenePos())
        (x0, x1), (y0, y1) = self.surface.x_range, self.surface.y_range
        if x0 <= point.x() <= x1 and y0 <= point.y() <= y1:
            self.startClicked.emit(point.x(), point.y())


def _scaled_arrow(origin, vector, reference: float, unit: float, head: float) -> np.ndarray:
    """-vector (the way it pushes the point), its length on shown_length's log scale."""
    size = math.hypot(*vector)
    length = unit * shown_length(size, reference)
    if length <= 0:
        return np.empty((0, 2))
    return arrow(origin, (-vector[0] * length / size, -vector[1] * length / size), head)
