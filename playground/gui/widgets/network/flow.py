"""GradientFlowWidget: how each layer learns, over time, from core.inspect Snapshots.

- the update/weight ratio per layer (log scale) with its healthy band: an update about a
  thousandth of the weights' size (1e-4 to 1e-2 shaded);
- the share of dead ReLU units and of saturated sigmoid/tanh outputs per layer;
- for a chosen layer, histograms of its weights, activations or log10|gradients| as a
  heat map by epoch (each column the latest snapshot at or before that epoch).

Snapshots arrive at most 20 times a second; each adds a row to a FlowHistory. The
curves are redrawn at a frame of a FrameScheduler (at most FPS a second, only when
something came, only while the tab shows), the heat map at most HEAT_FPS times a second.
Everything here is painted by Qt without the GIL (the training thread's): QtPlotWidgets,
PathCurves, a rectangle for the band and a pixmap for the heat map, no pyqtgraph item
that paints in Python; the legend is a QLabel above the plots, the axes move in steps.
"""
from __future__ import annotations

import math

import numpy as np
import pyqtgraph as pg
from PySide6.QtGui import QBrush, QColor, QImage, QPen, QPixmap, QTransform
from PySide6.QtWidgets import (QComboBox, QGraphicsPixmapItem,
                               QGraphicsRectItem, QHBoxLayout, QLabel, QVBoxLayout, QWidget)

from ....core.inspect import GRADIENT_RANGE, VALUE_RANGE
from ..plot_parts import readable_y_range
from ..qt_plot import PathCurve, QtPlotWidget
from .flow_history import HISTOGRAMS, FlowHistory
from .frames import FPS, FrameScheduler, epoch_ceiling

HEAT_FPS = 4
MAX_COLUMNS = 400         # heat-map columns (epochs are resampled onto at most this many)
BAND = (1e-4, 1e-2)
KINDS = {"weights": ("weight_hist", VALUE_RANGE, "weight"),
         "activations": ("activation_hist", VALUE_RANGE, "activation"),
         "gradients": ("gradient_hist", GRADIENT_RANGE, "log10 |gradient|")}
_VIRIDIS = pg.colormap.get("viridis").getLookupTable(nPts=256, alpha=True)  # 256 x RGBA


class GradientFlowWidget(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("gradientFlow")
        self.series = ("#2563eb", "#f97316", "#16a34a", "#9333ea", "#dc2626", "#0891b2")
        self.text = "#1d1f23"
        self.history = FlowHistory()
        self.ratio_curves: list[PathCurve] = []
        self.share_curves: list[PathCurve] = []
        self._ranges: dict[str, tuple] = {}   # per plot, the range last set
        layout = QVBoxLayout(self)
        self.legend = QLabel(objectName="flowLegend", wordWrap=True)
        self.legend.setToolTip("One colour per layer, in both plots below.")
        layout.addWidget(self.legend)
        # Short titles: two plots share a column beside the side panels, and a longer
        # one was cut off at 1280 px; the tooltips say it in full.
        self.ratio_plot = self._plot("update / weight ratio", "|\u0394W| / |W|", log=True)
        self.ratio_plot.setToolTip("Per layer, how much one update changes its weights, "
                                   "relative to their size (log scale).")
        self.band = QGraphicsRectItem()
        self.band.setPen(QPen(QColor(0, 0, 0, 0), 0))
        self.band.setBrush(QBrush(QColor(22, 163, 74, 40)))
        self.band.setZValue(-10)  # under the curves
        self.band.setToolTip("Healthy: each update changes the weights by about a "
                             "thousandth of their size. Far below: the layer barely "
                             "learns; far above: the steps are too big.")
        self.ratio_plot.addItem(self.band, ignoreBounds=True)
        self.ratio_plot.getViewBox().sigXRangeChanged.connect(self._on_ratio_x_range_changed)
        self.share_plot = self._plot("dead / saturated units", "share")
        self.share_plot.setToolTip("Per layer, the share of dead ReLU units (never active) "
                                   "or of saturated sigmoid and tanh outputs.")
        self._set_range("share", self.share_plot, (0.0, 1.0), (-0.02, 1.02))
        top = QHBoxLayout()
        top.addWidget(self.ratio_plot)
        top.addWidget(self.share_plot)
        layout.addLayout(top, 1)
        row = QHBoxLayout()
        row.addWidget(QLabel("Histogram by epoch of layer"))
        self.layer_combo = QComboBox(objectName="flowLayer")
        self.kind_combo = QComboBox(objectName="flowKind")
        self.kind_combo.addItems(list(KINDS))
        self.kind_combo.setToolTip("Weights and activations on [-3, 3]; gradients as "
                                   "log10 of their size, so vanishing ones show at the left.")
        for combo in (self.layer_combo, self.kind_combo):
            combo.currentIndexChanged.connect(self._on_choice_changed)
            row.addWidget(combo)
        row.addStretch(1)
        layout.addLayout(row)
        self.heat_plot = self._plot("", "")
        self.heat = QGraphicsPixmapItem()  # viridis by sqrt(share): faint tails visible
        self.heat_plot.addItem(self.heat)
        layout.addWidget(self.heat_plot, 1)
        self.scheduler = FrameScheduler(self, self._on_frame, FPS)
        self.heat_scheduler = FrameScheduler(self, self._draw_heat, HEAT_FPS)
        self._fit_band(0.0, 1.0)
        self._render_legend()

    def _plot(self, title: str, left: str, log: bool = False) -> QtPlotWidget:
        plot = QtPlotWidget(title=title)
        plot.setLogMode(y=log)
        plot.disableAutoRange()  # ranges set in steps (see _settle): no text re-rendered
        plot.setMenuEnabled(False)  # its log toggle would undo ours
        plot.setLabel("bottom", "epoch")
        plot.getAxis("left").enableAutoSIPrefix(False)  # no "(x0.001)" on a log axis
        if left:
            plot.setLabel("left", left)
        plot.getAxis("left").setWidth(52)
        return plot

    def set_colors(self, background: str, text: str, series: tuple[str, ...]) -> None:
        self.series, self.text = tuple(series), text
        for plot in (self.ratio_plot, self.share_plot, self.heat_plot):
            plot.setBackground(background)
            for axis in ("left", "bottom"):
                plot.getAxis(axis).setPen(text)
                plot.getAxis(axis).setTextPen(text)
            plot.setTitle(plot.getPlotItem().titleLabel.text, color=text)
        for i, (ratio, share) in enumerate(zip(self.ratio_curves, self.share_curves)):
            pen = pg.mkPen(self._color(i), width=2)
            ratio.setPen(pen)
            share.setPen(pen)
        self._render_legend()
        self._prepare()

    def showEvent(self, event) -> None:
        super().showEvent(event)
        self.scheduler.shown()
        self.heat_scheduler.shown()

    # ------------------------------------------------------------- data
    @property
    def labels(self) -> tuple[str, ...]:
        return self.history.labels

    @property
    def epochs(self) -> np.ndarray:
        """The epoch of each snapshot kept."""
        return self.history.epochs.view()

    def reset(self) -> None:
        self._restart(())

    def add_snapshot(self, snapshot) -> None:
        labels = tuple(layer.label for layer in snapshot.layers)
        last = self.history.last_epoch()
        if labels != self.labels or (last is not None and snapshot.epoch < last):
            self._restart(labels, len(snapshot.layers[0].weight_hist) if labels else 0)
        self.history.add(snapshot)
        self.scheduler.request()

    def _restart(self, labels: tuple[str, ...], bins: int = 0) -> None:
        """A new run (or new layers): an empty history, a curve per layer."""
        self.history = FlowHistory(labels, bins)
        for plot, curves in ((self.ratio_plot, self.ratio_curves),
                             (self.share_plot, self.share_curves)):
            for curve in curves:
                plot.removeItem(curve)
            curves.clear()
            for i in range(len(labels)):
                curve = PathCurve(pg.mkPen(self._color(i), width=2))
                plot.addItem(curve)
                curve.log_y = plot is self.ratio_plot  # addItem does not pass it on
                curves.append(curve)
        self.layer_combo.blockSignals(True)
        current = self.layer_combo.currentText()
        self.layer_combo.clear()
        self.layer_combo.addItems(list(labels))
        if current in labels:
            self.layer_combo.setCurrentText(current)
        self.layer_combo.blockSignals(False)
        self.heat.setPixmap(QPixmap())
        self._render_legend()
        self.scheduler.request()

    def _color(self, layer: int) -> str:
        return self.series[(layer + 2) % len(self.series)]

    def _render_legend(self) -> None:
        entries = [f'<span style="color:{self._color(i)}">\u2501\u2501</span>&nbsp;'
                   f'<span style="color:{self.text}">{_html(label)}</span>'
                   for i, label in enumerate(self.labels)]
        self.legend.setText("&nbsp;&nbsp; ".join(entries) if entries else
                            "Train or step to see how each layer learns.")

    # ------------------------------------------------------------- draw
    def _on_choice_changed(self, index: int) -> None:
        self.heat_scheduler.request()

    def _on_frame(self) -> None:
        self.redraw()

    def redraw(self) -> None:
        """The curves now, from the history's rows; the heat map at its next frame."""
        history = self.history
        if not history.count:
            return
        epochs = history.epochs.view()
        ratios, shares = history.ratios.view(), history.shares.view()
        for i, (ratio, share) in enumerate(zip(self.ratio_curves, self.share_curves)):
            ratio.setData(epochs, ratios[:, i])
            share.setData(epochs, shares[:, i])
        x = (0.0, epoch_ceiling(float(epochs[-1])))
        self._set_range("share", self.share_plot, x, (-0.02, 1.02))
        self._settle_ratio_range(x, ratios)
        self.heat_scheduler.request()
        self._prepare()

    def _settle_ratio_range(self, x: tuple[float, float], ratios: np.ndarray) -> None:
        """y (log10) to the ratios and the healthy band with headroom, set again only
        when they leave it or fill under a quarter of it."""
        positive = ratios[ratios > 0]  # NaN compares False
        low, high = (math.log10(b) for b in BAND)
        if len(positive):
            low = min(low, math.log10(float(positive.min())))
            high = max(high, math.log10(float(positive.max())))
        y = readable_y_range(low, high, True)
        old = self._ranges.get("ratio")
        if old is not None and old[0] == x:
            bottom, top = old[1]
            if bottom <= low and high <= top and top - bottom <= 4 * (y[1] - y[0]):
                return
        self._set_range("ratio", self.ratio_plot, x, y)

    def _set_range(self, name: str, plot: QtPlotWidget, x: tuple, y: tuple) -> None:
        if self._ranges.get(name) != (x, y):
            self._ranges[name] = (x, y)
            plot.setXRange(*x, padding=0.02)
            plot.setYRange(*y, padding=0)

    def _on_ratio_x_range_changed(self, box, x_range) -> None:
        self._fit_band(*x_range)

    def _fit_band(self, left: float, right: float) -> None:
        """The band spans the plot's width (wider: a pan shows no end of it)."""
        span = max(right - left, 1.0)
        low, high = (math.log10(b) for b in BAND)
        self.band.setRect(left - span, low, 3 * span, high - low)

    def heat_matrix(self) -> tuple[np.ndarray, tuple[float, float], tuple[int, int]]:
        """(columns x bins, the bins' value range, (first, last) epoch) of the chosen
        layer and kind; each column the latest snapshot at or before its epoch."""
        index = max(self.layer_combo.currentIndex(), 0)
        attribute, value_range, _ = KINDS[self.kind_combo.currentText()]
        rows = self.history.heat_rows(HISTOGRAMS.index(attribute), index)
        epochs = self.epochs
        first, last = int(epochs[0]), int(epochs[-1])
        columns = min(MAX_COLUMNS, last - first + 1)
        at = np.linspace(first, last, columns)
        which = np.searchsorted(epochs, at, side="right") - 1
        matrix = rows[np.clip(which, 0, len(rows) - 1)]
        totals = matrix.sum(1, keepdims=True)
        return matrix / np.where(totals > 0, totals, 1), value_range, (first, last)

    def _draw_heat(self) -> None:
        if self.layer_combo.count() == 0 or not self.history.count:
            return
        matrix, (low, high), (first, last) = self.heat_matrix()
        self.heat.setPixmap(QPixmap.fromImage(_viridis_image(np.sqrt(matrix))))
        columns, bins = matrix.shape
        # Pixel (column, bin) to (epoch, value): bins upwards, as the value axis goes.
        self.heat.setTransform(QTransform.fromScale((max(last - first, 1) + 1) / columns,
                                                    (high - low) / bins))
        self.heat.setPos(first - 0.5, low)
        label = KINDS[self.kind_combo.currentText()][2]
        if self.heat_plot.getAxis("left").labelText != label:
            self.heat_plot.setLabel("left", label)
        self._set_range("heat", self.heat_plot, (0.0, epoch_ceiling(float(last))),
                        (low, high))
        self.heat_plot.prepare()

    def _prepare(self) -> None:
        for plot in (self.ratio_plot, self.share_plot):
            plot.prepare()


def _viridis_image(values: np.ndarray) -> QImage:
    """columns x rows of values as a QImage (row 0 first: the view turns it upwards),
    coloured from the smallest value to the largest, as pyqtgraph's autoLevels did."""
    low, high = float(values.min()), float(values.max())
    scaled = (values - low) / (high - low) if high > low else np.zeros_like(values)
    rgba = np.ascontiguousarray(_VIRIDIS[(scaled.T * 255).astype(np.uint8)])
    rows, columns = rgba.shape[:2]
    image = QImage(rgba.data, columns, rows, 4 * columns, QImage.Format.Format_RGBA8888)
    return image.copy()  # its own pixels: `rgba` goes away


def _html(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
