"""NoiseView: the gradient noise scale and the cosine of successive updates, per epoch.

The noise scale B_simple (McCandlish et al. 2018) is drawn on a log axis with the run's
batch size as a dashed line: a batch far above it buys little speed per sample, one far
below it takes steps that are mostly noise. Shown as it is handed over (numpy columns
of the run's history); it never reads a trainer.
"""
from __future__ import annotations

import math

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from ...theme import LIGHT, Theme
from ..lab.drawing import theme_plot
from ..plot_parts import ReadableAxis
from ..qt_plot import QtPlotWidget

WAITING = "Train with mini-batches: the noise of their gradients is measured every epoch."


class NoiseView(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("noiseView")
        layout = QVBoxLayout(self)
        self.caption = QLabel(objectName="noiseCaption", wordWrap=True)
        self.caption.setText(WAITING)
        layout.addWidget(self.caption)
        # Decades (or 1, 2, 5 times them) labelled, not pyqtgraph's crowd of 2..9 times.
        self.scale_plot = QtPlotWidget(axisItems={"left": ReadableAxis("left")})
        self.scale_plot.setObjectName("noiseScalePlot")
        self.scale_plot.setLogMode(y=True)
        self.scale_plot.setLabel("left", "noise scale")
        self.scale_plot.setToolTip(
            "B_simple = tr(Σ)/|G|²: how many samples a batch needs before its gradient's "
            "noise is as large as the gradient itself (McCandlish et al. 2018). Dashed: "
            "your batch size.")
        self.cosine_plot = QtPlotWidget()
        self.cosine_plot.setObjectName("updateCosinePlot")
        self.cosine_plot.setLabel("left", "update cosine")
        self.cosine_plot.setLabel("bottom", "epoch")
        # One epoch axis for both, labelled under the lower plot.
        self.scale_plot.setXLink(self.cosine_plot)
        self.scale_plot.getAxis("bottom").setStyle(showValues=False)
        self.cosine_plot.setYRange(-1, 1, padding=0.05)
        self.cosine_plot.setToolTip("The cosine between successive updates: near 1 the "
                                    "steps agree, near 0 or below they zigzag.")
        for plot in (self.scale_plot, self.cosine_plot):
            plot.getAxis("left").enableAutoSIPrefix(False)
            plot.showGrid(x=True, y=True, alpha=0.2)
            layout.addWidget(plot, 1)
        self.scale = self.scale_plot.plot()
        self.batch = pg.InfiniteLine(angle=0, movable=False, label="batch",
                                     labelOpts={"position": 0.03, "anchors": [(0, 1), (0, 1)]})
        self.scale_plot.addItem(self.batch)
        self.cosine = self.cosine_plot.plot()
        self.zero = pg.InfiniteLine(0, angle=0, movable=False)
        self.cosine_plot.addItem(self.zero)
        self.epochs = np.empty(0)
        self.set_colors(LIGHT)

    def set_series(self, epochs: np.ndarray, noise: np.ndarray, cosine: np.ndarray,
                   batch_size: int, updates_per_epoch: int = 2) -> None:
        """The run's epochs, its two columns (NaN where not measured), batch size and
        updates per epoch (1: full batch, with no batch noise to measure)."""
        self.epochs = epochs
        positive = np.where(np.isfinite(noise) & (noise > 0), noise, np.nan)
        self.scale.setData(epochs, positive, connect="finite")
        self.batch.setPos(math.log10(batch_size) if batch_size > 0 else 0)
        self.batch.label.setFormat(f"batch {batch_size}")
        self.cosine.setData(epochs, np.where(np.isfinite(cosine), cosine, np.nan),
                            connect="finite")
        self.caption.setText(verdict(positive, batch_size, updates_per_epoch)
                             if len(epochs) else WAITING)
        self.scale_plot.enableAutoRange()
        if len(epochs):
            self.cosine_plot.setXRange(float(epochs[0]), float(epochs[-1]), padding=0.02)
        for plot in (self.scale_plot, self.cosine_plot):
            plot.prepare()

    def set_colors(self, theme: Theme) -> None:
        for plot in (self.scale_plot, self.cosine_plot):
            theme_plot(plot, theme)
        self.scale.setPen(pg.mkPen(theme.accent, width=2))
        self.cosine.setPen(pg.mkPen(theme.series[1], width=1.5))
        self.batch.setPen(pg.mkPen(theme.text, width=1, style=Qt.PenStyle.DashLine))
        self.batch.label.setColor(theme.text)
        self.zero.setPen(pg.mkPen(theme.muted, width=1))


def verdict(noise: np.ndarray, batch_size: int, updates_per_epoch: int = 2) -> str:
    """What the last measured noise scale says of the batch size, by McCandlish et al.'s
    model (2018): the steps to a given loss go as 1 + B_simple / batch, so doubling a
    batch far above B_simple saves few steps, and one far below it saves nearly half.
    Without a figure, why (a run of at least one epoch)."""
    if updates_per_epoch < 2:
        return ("No noise scale: each epoch is one batch of all the training rows, and "
                "the noise is measured between the mini-batches of an epoch.")
    finite = noise[np.isfinite(noise)] if len(noise) else noise
    if not len(finite) or not np.isfinite(noise[-1]):
        return ("No noise scale " + ("yet" if not len(finite) else "now") + ": the "
                "epochs' batches could not tell the gradient from its noise (its estimated "
                "length is not above zero), as when the gradient is small near a minimum "
                "and the noise scale far above the batch.")
    value = float(noise[-1])
    ratio = value / max(batch_size, 1)
    saving = 1 - (1 + ratio / 2) / (1 + ratio)
    text = (f"Gradient noise scale about {value:.3g}, your batch {batch_size}: by McCandlish "
            f"et al.'s model, twice the batch would take {saving:.0%} fewer steps")
    if saving < 0.1:
        return text + ", so a larger batch buys little speed."
    if saving > 0.4:
        return text + ": each step is mostly noise, and a larger batch would save many."
    return text + "."
