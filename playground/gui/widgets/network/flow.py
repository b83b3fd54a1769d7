"""GradientFlowWidget: how each layer learns, over time, from core.inspect Snapshots.

- the update/weight ratio per layer (log scale) with its healthy band: an update about a
  thousandth of the weights' size (1e-4 to 1e-2 shaded);
- the share of dead ReLU units and of saturated sigmoid/tanh outputs per layer;
- for a chosen layer, histograms of its weights, activations or log10|gradients| as a
  heat map by epoch (each column the latest snapshot at or before that epoch).

Snapshots arrive at most 20 times a second; the plots are redrawn on a timer, only when
something came.
"""
from __future__ import annotations

import math

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QVBoxLayout, QWidget

from ....core.inspect import GRADIENT_RANGE, VALUE_RANGE

FPS = 30
MAX_SNAPSHOTS = 2000      # beyond this every other one is dropped: the shape stays
MAX_COLUMNS = 400         # heat-map columns (epochs are resampled onto at most this many)
BAND = (1e-4, 1e-2)
KINDS = {"weights": ("weight_hist", VALUE_RANGE, "weight"),
         "activations": ("activation_hist", VALUE_RANGE, "activation"),
         "gradients": ("gradient_hist", GRADIENT_RANGE, "log10 |gradient|")}


class GradientFlowWidget(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("gradientFlow")
        self.series = ("#2563eb", "#f97316", "#16a34a", "#9333ea", "#dc2626", "#0891b2")
        self.epochs: list[int] = []
        self.snapshots: list = []
        self.labels: tuple[str, ...] = ()
        self._dirty = False
        layout = QVBoxLayout(self)
        self.ratio_plot = self._plot("update / weight ratio per update", log=True)
        self.band = pg.LinearRegionItem(values=[math.log10(v) for v in BAND],
                                        orientation="horizontal", movable=False,
                                        brush=pg.mkBrush(22, 163, 74, 40), pen=pg.mkPen(None))
        self.band.setToolTip("Healthy: each update changes the weights by about a "
                             "thousandth of their size. Far below: the layer barely "
                             "learns; far above: the steps are too big.")
        self.ratio_plot.addItem(self.band)
        self.share_plot = self._plot("dead ReLU units / saturated outputs (share)")
        self.share_plot.setYRange(0, 1)
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
        self.heat_plot = self._plot("")
        self.heat = pg.ImageItem()
        self.heat.setColorMap(pg.colormap.get("viridis"))
        self.heat_plot.addItem(self.heat)
        layout.addWidget(self.heat_plot, 1)
        self.ratio_curves: list[pg.PlotDataItem] = []
        self.share_curves: list[pg.PlotDataItem] = []
        self._timer = QTimer(self, interval=int(1000 / FPS))
        self._timer.timeout.connect(self._on_timer_timeout)
        self._timer.start()

    def _plot(self, title: str, log: bool = False) -> pg.PlotWidget:
        plot = pg.PlotWidget(title=title)
        plot.setLogMode(y=log)
        plot.setLabel("bottom", "epoch")
        plot.addLegend(offset=(-10, 10))
        return plot

    def set_colors(self, background: str, text: str, series: tuple[str, ...]) -> None:
        self.series = tuple(series)
        for plot in (self.ratio_plot, self.share_plot, self.heat_plot):
            plot.setBackground(background)
            for axis in ("left", "bottom"):
                plot.getAxis(axis).setPen(text)
                plot.getAxis(axis).setTextPen(text)
            plot.setTitle(plot.plotItem.titleLabel.text, color=text)
        self._relabel(self.labels, force=True)

    # ------------------------------------------------------------- data
    def reset(self) -> None:
        self.epochs, self.snapshots = [], []
        self._relabel((), force=True)
        self.heat.clear()

    def add_snapshot(self, snapshot) -> None:
        labels = tuple(layer.label for layer in snapshot.layers)
        if labels != self.labels:
            self.reset()
            self._relabel(labels)
        if self.epochs and snapshot.epoch < self.epochs[-1]:
            self.reset()  # a new run
            self._relabel(labels)
        if self.epochs and snapshot.epoch == self.epochs[-1]:
            self.snapshots[-1] = snapshot   # the same epoch again (paused, stepped)
        else:
            self.epochs.append(snapshot.epoch)
            self.snapshots.append(snapshot)
        if len(self.snapshots) > MAX_SNAPSHOTS:
            self.epochs, self.snapshots = self.epochs[::2], self.snapshots[::2]
        self._dirty = True

    def _relabel(self, labels: tuple[str, ...], force: bool = False) -> None:
        if labels == self.labels and not force:
            return
        self.labels = labels
        for plot, curves in ((self.ratio_plot, self.ratio_curves),
                             (self.share_plot, self.share_curves)):
            for curve in curves:
                plot.removeItem(curve)
            curves.clear()
            for i, label in enumerate(labels):
                pen = pg.mkPen(self.series[(i + 2) % len(self.series)], width=2)
                curves.append(plot.plot([], [], pen=pen, name=label))
        self.layer_combo.blockSignals(True)
        current = self.layer_combo.currentText()
        self.layer_combo.clear()
        self.layer_combo.addItems(list(labels))
        if current in labels:
            self.layer_combo.setCurrentText(current)
        self.layer_combo.blockSignals(False)
        self._dirty = True

    # ------------------------------------------------------------- draw
    def _on_choice_changed(self, index: int) -> None:
        self._dirty = True

    def _on_timer_timeout(self) -> None:
        if self._dirty and self.isVisible():
            self._dirty = False
            self.redraw()

    def redraw(self) -> None:
        if not self.snapshots:
            return
        epochs = np.asarray(self.epochs, float)
        for i, (ratio, share) in enumerate(zip(self.ratio_curves, self.share_curves)):
            layers = [s.layers[i] for s in self.snapshots]
            ratios = np.array([layer.update_ratio for layer in layers], float)
            ratios[~(ratios > 0)] = np.nan  # log scale: no zeros or NaN
            ratio.setData(epochs, ratios, connect="finite")
            shares = np.array([layer.dead_fraction if not math.isnan(layer.dead_fraction)
                               else layer.saturation for layer in layers], float)
            share.setData(epochs, shares, connect="finite")
        self._draw_heat()

    def heat_matrix(self) -> tuple[np.ndarray, tuple[float, float], tuple[int, int]]:
        """(columns x bins, the bins' value range, (first, last) epoch) of the chosen
        layer and kind; each column the latest snapshot at or before its epoch."""
        index = max(self.layer_combo.currentIndex(), 0)
        attribute, value_range, _ = KINDS[self.kind_combo.currentText()]
        rows = np.stack([getattr(s.layers[index], attribute) for s in self.snapshots])
        first, last = self.epochs[0], self.epochs[-1]
        columns = min(MAX_COLUMNS, last - first + 1)
        at = np.linspace(first, last, columns)
        which = np.searchsorted(np.asarray(self.epochs), at, side="right") - 1
        matrix = rows[np.clip(which, 0, len(rows) - 1)]
        totals = matrix.sum(1, keepdims=True)
        return matrix / np.where(totals > 0, totals, 1), value_range, (first, last)

    def _draw_heat(self) -> None:
        if self.layer_combo.count() == 0:
            return
        matrix, (low, high), (first, last) = self.heat_matrix()
        self.heat.setImage(np.sqrt(matrix), autoLevels=True)  # sqrt: faint tails visible
        self.heat.setRect(first - 0.5, low, max(last - first, 1) + 1, high - low)
        self.heat_plot.setLabel("left", KINDS[self.kind_combo.currentText()][2])
