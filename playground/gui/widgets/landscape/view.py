"""LandscapeView: the network's own loss landscape, as the feature hands it over.

A plane (random directions, or the plane of the run's path) is a colour map with
contour lines, the run's path (pca) and the current weights (a star at the origin); the
line from the initial weights is a curve with both ends marked. The view asks for a
landscape (computeRequested) and shows what it is given; it never computes one and
never touches torch. Colours and contours are the optimizer lab's (lab/drawing.py), on
log(1 + loss - lowest), so a valley's floor and its walls both show structure.
"""
from __future__ import annotations

import math

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QRectF, Qt, Signal, Slot
from PySide6.QtWidgets import (QCheckBox, QComboBox, QHBoxLayout, QLabel, QPushButton,
                               QSizePolicy, QSpinBox, QStackedWidget, QVBoxLayout, QWidget)

from ...theme import LIGHT, Theme
from ..lab.drawing import (MapItem, contour_levels, contour_values, surface_colormap,
                           theme_plot)
from ..qt_plot import QtPlotWidget

KINDS = (("random", "Random plane around the weights",
          "Two random directions through the current weights, each scaled filter by "
          "filter to the weights' own size (Li et al. 2018), from -1 to 1 along each."),
         ("pca", "Plane of the run's path",
          "The plane of the two directions the weights moved along most (the principal "
          "directions of the kept weights), with the path from the first weights to "
          "the current ones drawn on it."),
         ("interp", "Line from the initial weights",
          "The loss along the straight line from the initial weights (0) to the current "
          "ones (1), a quarter beyond both ends (Goodfellow et al. 2015): a bump above "
          "both ends is a barrier on the straight way between them."))
MIN_WIDTH = 320      # the narrowest the dock's content gets: it fits beside the window's
KIND_CHARACTERS = 14  # columns at any width they allow; the kind menu elides beyond this
THREE_D_TIP = "The plane as a surface you can turn (where OpenGL exists)."
THREE_D_NEEDS_PLANE = "3-D needs a plane: choose a random plane or the plane of the path."


class LandscapeView(QWidget):
    computeRequested = Signal(str, int)   # kind, points per axis

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("landscapeView")
        self.theme = LIGHT
        self.result = None
        layout = QVBoxLayout(self)
        self.setMinimumWidth(MIN_WIDTH)
        self.kind = QComboBox(objectName="landscapeKind")
        # Sized to a few characters, not to its longest item: the dock must fit beside
        # the window's columns (its open list still shows the items whole).
        self.kind.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.kind.setMinimumContentsLength(KIND_CHARACTERS)
        for index, (key, label, tip) in enumerate(KINDS):
            self.kind.addItem(label, key)
            self.kind.setItemData(index, tip, Qt.ItemDataRole.ToolTipRole)
        self.kind.setToolTip("Which slice of the loss landscape to show.")
        self.points = QSpinBox(objectName="landscapePoints", minimum=5, maximum=101,
                               singleStep=2, value=31, suffix=" points")
        self.points.setToolTip("Points along each axis (odd, so the current weights are "
                               "one of them); the work grows with the square.")
        self.compute = QPushButton("Compute", objectName="landscapeCompute")
        self.compute.setToolTip("Compute the landscape of the network as it is now, on a "
                                "fixed sample of the training rows.")
        self.auto = QCheckBox("refresh when paused", objectName="landscapeAutoRefresh",
                              checked=True)
        self.auto.setToolTip("Compute it again whenever training pauses or ends while "
                             "this view is open.")
        self.three_d = QCheckBox("3-D", objectName="landscape3D")
        self.three_d.setToolTip(THREE_D_TIP)
        self.three_d.setVisible(False)  # offered once OpenGL is known to work (has_gl)
        self.three_d.toggled.connect(self._on_three_d_toggled)
        self.kind.currentIndexChanged.connect(self._on_kind_current_index_changed)
        self.surface3d = None
        # Two rows, so the dock stays narrow: what to compute, then how.
        for widgets in ((self.kind, self.compute), (self.points, self.auto, self.three_d)):
            row = QHBoxLayout()
            for widget in widgets:
                row.addWidget(widget)
            row.addStretch(1)
            layout.addLayout(row)
        self.kind.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.caption = QLabel(objectName="landscapeCaption", wordWrap=True)
        self.caption.setText("Train the network, then press Compute (or pause it).")
        layout.addWidget(self.caption)
        self.plot = QtPlotWidget()
        self.plot.setObjectName("landscapePlot")
        self.stack = QStackedWidget()
        self.stack.addWidget(self.plot)
        layout.addWidget(self.stack, 1)
        self.map = MapItem()
        self.plot.addItem(self.map)
        for axis in ("left", "bottom"):
            self.plot.getAxis(axis).enableAutoSIPrefix(False)  # losses read as they are
        self.curve = pg.PlotDataItem()
        self.path = pg.PlotDataItem(symbol="o", symbolSize=5)
        self.ends = pg.ScatterPlotItem(size=11)
        self.current = pg.ScatterPlotItem(symbol="star", size=18)
        for item in (self.curve, self.path, self.ends, self.current):
            item.setZValue(10)
            self.plot.addItem(item)
        self.compute.clicked.connect(self._on_compute_clicked)
        self.set_colors(LIGHT)

    # ------------------------------------------------------------------ asking
    @property
    def wanted(self) -> tuple[str, int]:
        return self.kind.currentData(), self.points.value()

    @Slot()
    def _on_compute_clicked(self) -> None:
        self.computeRequested.emit(*self.wanted)

    @Slot(int)
    def _on_kind_current_index_changed(self, index: int) -> None:
        """3-D is a surface over a plane: the line from the initial weights has none."""
        plane = self.kind.currentData() != "interp"
        self.three_d.setEnabled(plane)
        self.three_d.setToolTip(THREE_D_TIP if plane else THREE_D_NEEDS_PLANE)

    def set_busy(self, busy: bool) -> None:
        self.compute.setEnabled(not busy)
        if busy:
            self.caption.setText("Computing the landscape ...")

    def show_message(self, text: str) -> None:
        self.caption.setText(text)

    # ----------------------------------------------------------------- showing
    def show_landscape(self, result) -> None:
        """Show a core.landscape.Landscape (read for its arrays and numbers only)."""
        self.result = result
        if result.b is None:
            self._show_line(result)
        else:
            self._show_plane(result)
        self.caption.setText(caption(result))
        self.plot.prepare()
        self._show_3d_if_wanted()

    def offer_3d(self) -> None:
        """Offer the 3-D view (the caller checked that OpenGL works here)."""
        self.three_d.setVisible(True)

    def _on_three_d_toggled(self, on: bool) -> None:
        if on and self.surface3d is None:
            from .surface3d import LandscapeSurface3D  # OpenGL imported on first use

            self.surface3d = LandscapeSurface3D()
            self.surface3d.set_colors(self.theme)
            self.stack.addWidget(self.surface3d)
        self._show_3d_if_wanted()

    def _show_3d_if_wanted(self) -> None:
        plane = self.result is not None and self.result.b is not None
        if self.three_d.isChecked() and plane and self.surface3d is not None:
            self.surface3d.show_landscape(self.result)
            self.stack.setCurrentWidget(self.surface3d)
        else:
            self.stack.setCurrentWidget(self.plot)

    def _show_line(self, result) -> None:
        self.map.hide()
        self.path.setData([], [])
        a, loss = np.asarray(result.a), np.asarray(result.loss)
        self.curve.setData(a, np.where(np.isfinite(loss), loss, np.nan), connect="finite")
        ends = [i for i, v in enumerate(a) if v in (0.0, 1.0)]
        self.ends.setData(a[ends], loss[ends])
        self.current.setData([1.0], [float(loss[list(a).index(1.0)])])
        self.plot.setLabel("bottom", "a: 0 = the initial weights, 1 = the current ones")
        self.plot.setLabel("left", "loss")
        self.plot.setAspectLocked(False)
        finite = loss[np.isfinite(loss)]
        low, high = (float(finite.min()), float(finite.max())) if finite.size else (0.0, 1.0)
        self.plot.setRange(xRange=(a[0], a[-1]), yRange=(low, high if high > low else low + 1),
                           padding=0.05)

    def _show_plane(self, result) -> None:
        a, b = np.asarray(result.a), np.asarray(result.b)
        shown = contour_values(np.asarray(result.loss).T)  # rows follow a (x)
        self._rect = QRectF(a[0], b[0], a[-1] - a[0], b[-1] - b[0])
        self._shown = shown
        self._paint_map()
        self.map.show()
        self.curve.setData([], [])
        path = result.path
        self.path.setData([p.a for p in path], [p.b for p in path])
        self.ends.setData([p.a for p in path[:1]], [p.b for p in path[:1]])  # the start
        self.current.setData([0.0], [0.0])
        names = ("path direction 1 (PCA)", "path direction 2") \
            if result.kind == "pca" else ("random direction 1", "random direction 2")
        self.plot.setLabel("bottom", names[0])
        self.plot.setLabel("left", names[1])
        self.plot.setAspectLocked(False)
        self.plot.setRange(xRange=(a[0], a[-1]), yRange=(b[0], b[-1]), padding=0.02)

    def _paint_map(self) -> None:
        shown = self._shown
        low, span = float(shown.min()), float(np.ptp(shown)) or 1.0
        rgba = surface_colormap(self.theme).map((shown - low) / span, mode="byte")
        self.map.set_map(rgba, self._rect, shown, contour_levels(shown),
                         pg.mkPen(self.theme.muted, width=0.8))

    def set_colors(self, theme: Theme) -> None:
        self.theme = theme
        theme_plot(self.plot, theme)
        accent, text = theme.accent, theme.text
        self.curve.setPen(pg.mkPen(accent, width=2))
        self.path.setPen(pg.mkPen(theme.series[1], width=2))
        self.path.setSymbolBrush(pg.mkBrush(theme.series[1]))
        self.path.setSymbolPen(pg.mkPen(text, width=0.5))
        self.ends.setPen(pg.mkPen(text, width=1))
        self.ends.setBrush(pg.mkBrush(theme.plot_background))
        self.current.setPen(pg.mkPen(text, width=1))
        self.current.setBrush(pg.mkBrush(accent))
        if self.result is not None and self.result.b is not None:
            self._paint_map()
        if self.surface3d is not None:
            self.surface3d.set_colors(theme)
        self.plot.prepare()


def caption(result) -> str:
    """What the landscape shows, in a sentence or two."""
    loss = np.asarray(result.loss)
    where = f"at epoch {result.epoch}, on {result.rows:,} training rows ({result.seconds:.2f} s)"
    if result.b is None:
        a = list(result.a)
        start, end = loss[a.index(0.0)], loss[a.index(1.0)]
        inside = loss[(np.asarray(result.a) >= 0) & (np.asarray(result.a) <= 1)]
        highest = float(np.nanmax(inside)) if np.isfinite(inside).any() else math.nan
        text = (f"Along the line from the initial weights (loss {start:.4g}) to the current "
                f"ones (loss {end:.4g}), {where}: ")
        text += ("no barrier on the way." if highest <= max(start, end) + 1e-12 else
                 f"the loss rises to {highest:.4g} on the way, above both ends: the straight "
                 "line between them crosses a barrier.")
    else:
        middle = loss[len(result.b) // 2, len(result.a) // 2]
        finite = loss[np.isfinite(loss)]
        text = (f"The loss around the current weights (star, {middle:.4g}) {where}; "
                f"from {finite.min():.4g} to {finite.max():.4g} on this plane.")
        if result.explained is not None:
            text += (f" The plane's directions hold {result.explained[0]:.0%} and "
                     f"{result.explained[1]:.0%} of the path's spread.")
    return " ".join([text, *result.notes])
