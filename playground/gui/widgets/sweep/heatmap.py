"""SweepHeatMap: a two-variable sweep as a grid of coloured cells, one per run, each with
its value written in it (a colour alone is hard to read exactly), and a colour bar that
says what the colours mean.

The colour scale starts at a natural zero, not at the lowest cell: a fraction (accuracy,
R²) spans 0 to 1 and any other figure 0 to its largest cell, so two runs at 0.95 and
0.96 look alike, as they are, instead of spanning the whole colour map."""
from __future__ import annotations

import copy
import math
from typing import Any

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Slot
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QVBoxLayout, QWidget

# Quantities where lower is better: their colour map runs the other way, so that
# "good" is always the bright end.
LOWER_IS_BETTER = ("loss", "val_loss", "test_loss", "epoch_to_target", "seconds_to_target",
                   "seconds", "mae", "mse", "test_mae", "test_mse", "updates_to_target",
                   "val_loss_min", "best_val_epoch")
# Figures that are fractions of 1: their colour scale is 0 to 1.
FRACTIONS = ("accuracy", "precision", "recall", "f1", "r2")


def levels(key: str, values: np.ndarray) -> tuple[float, float]:
    """The colour scale's ends for a figure: 0 to 1 for a fraction (lower where a cell is
    below 0, as an R² can be), else from 0 (or the lowest cell, if negative) to the
    largest cell."""
    finite = values[np.isfinite(values)]
    low = float(min(finite.min(), 0.0)) if finite.size else 0.0
    high = float(finite.max()) if finite.size else 1.0
    if key.split("_")[-1] in FRACTIONS:
        high = max(high, 1.0)
    return (low, high) if high > low else (low, low + 1.0)


def _label(value: Any) -> str:
    return f"{value:g}" if isinstance(value, float) else str(value)


class SweepHeatMap(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.quantity = QComboBox(objectName="heatmapQuantity")
        self.quantity.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.quantity.setToolTip("The result each cell shows; the brightest cell is the "
                                 "best run (lowest loss or time, highest accuracy).")
        self.quantity.currentTextChanged.connect(self._on_quantity_current_text_changed)
        top = QHBoxLayout()
        top.addWidget(QLabel("Show"))
        top.addWidget(self.quantity)
        top.addStretch(1)
        self.plot = pg.PlotWidget(objectName="heatmapPlot")
        self.plot.setMouseEnabled(x=False, y=False)
        self.plot.hideButtons()
        self.image = pg.ImageItem()
        self.plot.addItem(self.image)
        self.colour_bar = pg.ColorBarItem(values=(0, 1), colorMap=pg.colormap.get("viridis"),
                                          interactive=False, width=16)
        self.colour_bar.setImageItem(self.image, insert_in=self.plot.getPlotItem())
        self.texts: list[pg.TextItem] = []
        self.foreground = "#374151"
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(top)
        layout.addWidget(self.plot, 1)
        self.rows: list[dict] = []
        self.axes: tuple = ()
        self.grid = np.zeros((0, 0))

    def set_colors(self, background: str, foreground: str) -> None:
        self.foreground = foreground
        self.plot.setBackground(background)
        for axis in ("left", "bottom"):
            self.plot.getAxis(axis).setPen(foreground)
            self.plot.getAxis(axis).setTextPen(foreground)
        self.colour_bar.axis.setPen(foreground)
        self.colour_bar.axis.setTextPen(foreground)

    def show_rows(self, rows: list[dict], variables: tuple) -> None:
        """rows: the sweep's table; variables: ((x name, x values), (y name, y values))."""
        self.rows, self.axes = rows, variables
        numeric = [key for key in (rows[0] if rows else {})
                   if key not in ("run", "epochs") and key not in dict(variables)
                   and any(isinstance(r.get(key), (int, float)) and
                           not isinstance(r.get(key), bool) for r in rows)]
        current = self.quantity.currentText()
        self.quantity.blockSignals(True)
        self.quantity.clear()
        self.quantity.addItems(numeric)
        preferred = [k for k in (current, "test_accuracy", "test_r2", "loss") if k in numeric]
        if preferred:
            self.quantity.setCurrentText(preferred[0])
        self.quantity.blockSignals(False)
        self.draw()

    def value(self, row: dict, key: str) -> float:
        value = row.get(key)
        return float(value) if isinstance(value, (int, float)) and value is not None \
            and math.isfinite(value) else math.nan

    def draw(self) -> None:
        for text in self.texts:
            self.plot.removeItem(text)
        self.texts = []
        if len(self.axes) != 2 or not self.rows:
            self.image.clear()
            return
        key = self.quantity.currentText()
        (x_name, x_values), (y_name, y_values) = self.axes
        grid = np.full((len(x_values), len(y_values)), math.nan)
        for row in self.rows:
            i = [_label(v) for v in x_values].index(_label(_raw(row[x_name])))
            j = [_label(v) for v in y_values].index(_label(_raw(row[y_name])))
            grid[i, j] = self.value(row, key)
        self.grid = grid
        low, high = self.levels = levels(key, grid)
        # Lower is better for a loss or a time: its colour map runs the other way, so the
        # bright end is always the best run, and the bar's numbers stay the real ones.
        cmap = copy.copy(pg.colormap.get("viridis"))  # get() hands out one shared map
        if key in LOWER_IS_BETTER:
            cmap.reverse()
        self.image.setImage(np.nan_to_num(grid, nan=low), levels=(low, high))
        self.colour_bar.setColorMap(cmap)
        self.colour_bar.setLevels((low, high))
        self.colour_bar.axis.setLabel(key)
        shown = -grid if key in LOWER_IS_BETTER else grid
        middle = -(low + high) / 2 if key in LOWER_IS_BETTER else (low + high) / 2
        for i in range(grid.shape[0]):
            for j in range(grid.shape[1]):
                bright = np.isfinite(shown[i, j]) and shown[i, j] > middle
                text = pg.TextItem(_cell(grid[i, j]), anchor=(0.5, 0.5),
                                   color="#111111" if bright else "#f9fafb")
                text.setPos(i + 0.5, j + 0.5)
                self.plot.addItem(text)
                self.texts.append(text)
        self._axis(self.plot.getAxis("bottom"), x_name, x_values)
        self._axis(self.plot.getAxis("left"), y_name, y_values)
        self.plot.setRange(xRange=(0, len(x_values)), yRange=(0, len(y_values)), padding=0)

    def _axis(self, axis: pg.AxisItem, name: str, values: tuple) -> None:
        axis.setTicks([[(k + 0.5, _label("full" if v is None else v))
                        for k, v in enumerate(values)]])
        axis.setLabel(name)

    @Slot(str)
    def _on_quantity_current_text_changed(self, key: str) -> None:
        self.draw()


def _raw(value: Any) -> Any:
    return None if value == "full" else value


def _cell(value: float) -> str:
    if not math.isfinite(value):
        return "\u2013"
    return f"{value:.3g}"
