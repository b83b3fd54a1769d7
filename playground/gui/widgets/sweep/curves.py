"""SweepCurves: every run's curve of one quantity, overlaid, one colour per run.

Curves are created once per sweep and fed from growing per-run buffers; a ~30 Hz timer
redraws only when records arrived (as pyqtgraph's live examples do), so a sweep that
streams thousands of epochs a second costs the interface a few setData calls a frame.
"""
from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QTimer, Slot
from PySide6.QtWidgets import QCheckBox, QComboBox, QHBoxLayout, QLabel, QVBoxLayout, QWidget

# Sixteen colours told apart on white and on dark backgrounds (tab10 + six more).
PALETTE = ("#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2",
           "#7f7f7f", "#bcbd22", "#17becf", "#393b79", "#e7969c", "#637939", "#f7b6d2",
           "#843c39", "#9edae5")
SHOWN = ("loss", "val_loss", "accuracy", "val_accuracy", "r2", "val_r2", "mae", "val_mae",
         "lr", "update_norm")


def colour(index: int) -> str:
    return PALETTE[index % len(PALETTE)]


class SweepCurves(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.quantity = QComboBox(objectName="sweepQuantity")
        self.quantity.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.quantity.setToolTip("Which record every run's curve shows: the training or "
                                 "validation loss, a metric, or how far each epoch moved "
                                 "the weights (update_norm).")
        self.quantity.addItems(["loss", "val_loss"])
        self.quantity.currentTextChanged.connect(self._on_quantity_current_text_changed)
        self.log_y = QCheckBox("Log scale", objectName="sweepLogScale")
        self.log_y.setToolTip("A logarithmic loss axis: runs that differ by orders of "
                              "magnitude stay readable.")
        self.log_y.toggled.connect(self._on_log_y_toggled)
        top = QHBoxLayout()
        top.addWidget(QLabel("Show"))
        top.addWidget(self.quantity)
        top.addWidget(self.log_y)
        top.addStretch(1)
        self.plot = pg.PlotWidget(objectName="sweepPlot")
        self.plot.showGrid(x=True, y=True, alpha=0.2)
        self.plot.setLabel("bottom", "epoch")
        self.plot.setLabel("left", "loss")
        self.legend = self.plot.addLegend(offset=(-10, 10), labelTextSize="8pt",
                                          brush=(255, 255, 255, 200))
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(top)
        layout.addWidget(self.plot, 1)
        self.curves: list[pg.PlotDataItem] = []
        self.data: list[dict[str, list[float]]] = []
        self.dirty = False
        self.redraws = 0
        self.timer = QTimer(self, interval=33)
        self.timer.timeout.connect(self._on_timer_timeout)
        self.timer.start()

    def set_colors(self, background: str, foreground: str) -> None:
        self.plot.setBackground(background)
        shade = pg.mkColor(background)
        shade.setAlpha(200)  # the legend veils the curves behind it, lets them show
        self.legend.setBrush(shade)
        for axis in ("left", "bottom"):
            self.plot.getAxis(axis).setPen(foreground)
            self.plot.getAxis(axis).setTextPen(foreground)
        self.legend.setLabelTextColor(foreground)

    def begin(self, names: list[str]) -> None:
        """A new sweep: one empty curve per run, named in the legend."""
        self.plot.clear()
        self.legend.clear()
        self.curves = [self.plot.plot([], [], name=name, pen=pg.mkPen(colour(i), width=2))
                       for i, name in enumerate(names)]
        self.data = [{} for _ in names]
        self.dirty = False

    def add(self, batch: list) -> None:
        """Records (run index, record) as they arrive."""
        for index, record in batch:
            columns = self.data[index]
            for key, value in record.items():
                if isinstance(value, (int, float)) and not isinstance(value, bool):
                    columns.setdefault(key, []).append(float(value))
        if batch:
            self._offer_quantities(batch[0][1])
            self.dirty = True

    def _offer_quantities(self, record: dict) -> None:
        present = [key for key in SHOWN if key in record]
        have = [self.quantity.itemText(i) for i in range(self.quantity.count())]
        for key in present:
            if key not in have:
                self.quantity.addItem(key)

    def values(self, index: int, key: str) -> list[float]:
        return self.data[index].get(key, [])

    @Slot()
    def _on_timer_timeout(self) -> None:
        if self.dirty:
            self.redraw()

    def redraw(self) -> None:
        key = self.quantity.currentText()
        for curve, columns in zip(self.curves, self.data):
            values = columns.get(key)
            if not values:
                curve.setData([], [])
                continue
            y = np.asarray(values)
            epochs = np.asarray(columns["epoch"][:len(y)])
            if self.log_y.isChecked():  # log of 0 or less cannot be drawn
                keep = y > 0
                epochs, y = epochs[keep], y[keep]
            curve.setData(epochs, y)
        self.dirty = False
        self.redraws += 1

    @Slot(str)
    def _on_quantity_current_text_changed(self, key: str) -> None:
        self.plot.setLabel("left", key)
        self.redraw()

    @Slot(bool)
    def _on_log_y_toggled(self, on: bool) -> None:
        self.plot.setLogMode(x=False, y=on)
        self.redraw()
