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
from ..qt_plot import QtPlotWidget


class NoiseView(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("noiseView")
        layout = QVBoxLayout(self)
        self.caption = QLabel(objectName="noiseCaption", wordWrap=True)
        self.caption.setText("Train with mini-batches: the noise of their gradients is "
                             "measured every epoch.")
        layout.addWidget(self.caption)
        self.scale_plot = QtPlotWidget()
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
        self.cosine_plot.setYRange(-1, 1, padding=0.05)
        self.cosine_plot.setToolTip("The cosine between successive updates: near 1 the "
                                    "steps agree, near 0 or below they zigzag.")
        for plot in (self.scale_plot, self.cosine_plot):
            plot.getAxis("left").enableAutoSIPrefix(False)
            plot.showGrid(x=True, y=True, alpha=0.2)
            layout.addWidget(plot, 1)
        self.scale = self.scale_plot.plot()
        self.batch = pg.InfiniteLine(angle=0, movable=False)
        self.scale_plot.addItem(self.batch)
        self.cosine = self.cosine_plot.plot()
        self.zero = pg.InfiniteLine(0, angle=0, movable=False)
        self.cosine_plot.addItem(self.zero)
        self.epochs = np.empty(0)
        self.set_colors(LIGHT)

    def set_series(self, epochs: np.ndarray, noise: np.ndarray, cosine: np.ndarray,
                   batch_size: int) -> None:
        """The run's epochs, its two columns (NaN where not measured) and batch size."""
        self.epochs = epochs
        positive = np.where(np.isfinite(noise) & (noise > 0), noise, np.nan)
        self.scale.setData(epochs, positive, connect="finite")
        self.batch.setPos(math.log10(batch_size) if batch_size > 0 else 0)
        self.cosine.setData(epochs, np.where(np.isfinite(cosine), cosine, np.nan),
                            connect="finite")
        self.caption.setText(verdict(positive, batch_size))
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
        self.zero.setPen(pg.mkPen(theme.muted, width=1))


def verdict(noise: np.ndarray, batch_size: int) -> str:
    """What the last measured noise scale says of the batch size, by McCandlish et al.'s
    model (2018): the steps to a given loss go as 1 + B_simple / batch, so doubling a
    batch far above B_simple saves few steps, and one far below it saves nearly half."""
    finite = noise[np.isfinite(noise)] if len(noise) else noise
    if not len(finite):
        return ("No noise scale yet: it needs at least two mini-batches per epoch "
                "(full-batch gradients have no batch noise to measure).")
    if not np.isfinite(noise[-1]):
        return ("No estimate now: the few batches read each epoch could not tell the "
                "gradient from its noise (as when the gradient is small near a minimum, "
                "and the noise scale far above the batches read).")
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
