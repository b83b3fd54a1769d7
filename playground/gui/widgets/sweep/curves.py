"""SweepCurves: every run's curve of one quantity, overlaid, one colour per run.

Curves are created once per sweep and fed from growing per-run buffers; a ~30 Hz timer
redraws only when records arrived (as pyqtgraph's live examples do), so a sweep that
streams thousands of epochs a second costs the interface a few setData calls a frame.
"""
from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt, QTimer, Slot
from PySide6.QtWidgets import QCheckBox, QComboBox, QHBoxLayout, QLabel, QVBoxLayout, QWidget

# Sixteen colours told apart on white and on dark backgrounds (tab10 + six more).
PALETTE = ("#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2",
           "#7f7f7f", "#bcbd22", "#17becf", "#393b79", "#e7969c", "#637939", "#f7b6d2",
           "#843c39", "#9edae5")
SHOWN = ("loss", "val_loss", "accuracy", "val_accuracy", "r2", "val_r2", "mae", "val_mae",
         "lr", "update_norm")


# The x axes offered: their label and the record key (seconds are summed per run).
X_AXES = {"epoch": "epoch", "updates": "step", "seconds": "seconds"}


def colour(index: int) -> str:
    return PALETTE[index % len(PALETTE)]


class _Column:
    """A growing float column in a preallocated numpy buffer: appending is cheap and a
    redraw hands pyqtgraph a view, no list converted every frame."""

    def __init__(self) -> None:
        self.data = np.empty(256)
        self.size = 0

    def append(self, value: float) -> None:
        if self.size == len(self.data):  # a new buffer: views already handed out stay
            self.data = np.concatenate([self.data, np.empty(len(self.data))])
        self.data[self.size] = value
        self.size += 1

    def view(self) -> np.ndarray:
        return self.data[:self.size]


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
        self.x_axis = QComboBox(objectName="sweepXAxis")
        self.x_axis.addItems(list(X_AXES))
        self.x_axis.setToolTip("What the curves are drawn against: epochs, updates (one per "
                               "batch), or seconds of training (a run trained together "
                               "with others counts its share).")
        self.x_axis.currentTextChanged.connect(self._on_x_axis_current_text_changed)
        self.log_y = QCheckBox("Log scale", objectName="sweepLogScale")
        self.log_y.setToolTip("A logarithmic loss axis: runs that differ by orders of "
                              "magnitude stay readable.")
        self.log_y.toggled.connect(self._on_log_y_toggled)
        self.with_validation = QCheckBox("With validation",
                                         objectName="sweepWithValidation")
        self.with_validation.setToolTip(
            "Each run's validation twin of the quantity (val_loss beside loss), dashed in "
            "the run's colour: where the two part, the network starts to overfit.")
        self.with_validation.toggled.connect(self._on_with_validation_toggled)
        top = QHBoxLayout()
        top.addWidget(QLabel("Show"))
        top.addWidget(self.quantity)
        top.addWidget(QLabel("against"))
        top.addWidget(self.x_axis)
        top.addWidget(self.log_y)
        top.addWidget(self.with_validation)
        top.addStretch(1)
        self.plot = pg.PlotWidget(objectName="sweepPlot")
        # No grid: the axes draw it, and replaying their pictures was a third of a
        # frame with 16 curves.
        # Long sweeps: at most a few points per pixel, and only what is in view.
        self.plot.setDownsampling(auto=True, mode="peak")
        self.plot.setClipToView(True)
        self.plot.setLabel("bottom", "epoch")
        self.plot.setLabel("left", "loss")
        self.plot.getAxis("left").enableAutoSIPrefix(False)  # 0.8, not 800 "(x0.001)"
        self.legend = self.plot.addLegend(offset=(-10, 10), labelTextSize="8pt",
                                          brush=(255, 255, 255, 200))
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(top)
        layout.addWidget(self.plot, 1)
        self.curves: list[pg.PlotDataItem] = []
        self.names: list[str] = []
        self.twins: list[pg.PlotDataItem] = []
        self.shown: set[int] | None = None
        self.groups: list[int] = []
        self.epochs = 0
        self.data: list[dict[str, _Column]] = []
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

    def begin(self, names: list[str], epochs: int = 0,
              groups: list[int] | None = None) -> None:
        """A new sweep: one empty curve per run. groups: each run's variant, when a
        variant has several runs (seeds, an lr grid): its runs share a colour and one
        legend entry, named by names[i] of its first run. With the planned epochs the x
        axis is fixed from the start: an axis that changes every frame regenerates its
        ticks every frame."""
        self.plot.clear()
        self.epochs = epochs
        self._fix_x_range()
        self.legend.clear()
        groups = list(range(len(names))) if groups is None else groups
        # 2-pixel pens tell a few runs' colours apart; past eight runs 1-pixel pens: 2-pixel
        # ones made a frame of 16 curves x 600 points cost 62 ms to paint here (Qt strokes
        # wide lines as polygons).
        width = 2 if len(names) <= 8 else 1
        self.names, self.groups, self.shown = list(names), groups, None
        self.curves = [self.plot.plot([], [], pen=pg.mkPen(colour(group), width=width),
                                      skipFiniteCheck=True) for group in groups]
        dashed = Qt.PenStyle.DashLine
        self.twins = [self.plot.plot([], [], pen=pg.mkPen(colour(group), width=width,
                                                          style=dashed),
                                     skipFiniteCheck=True) for group in groups]
        self._name_curves()
        self.data = [{} for _ in names]
        self.dirty = False

    def _name_curves(self) -> None:
        """One legend entry per variant, on its first visible run's curve."""
        self.legend.clear()
        named: set[int] = set()
        for curve, name, group in zip(self.curves, self.names, self.groups):
            if group not in named and curve.isVisible():
                named.add(group)
                self.legend.addItem(curve, name)

    def _fix_x_range(self) -> None:
        if self.epochs and self.x_axis.currentText() == "epoch":
            self.plot.enableAutoRange(x=False, y=True)
            self.plot.setXRange(1, max(self.epochs, 2), padding=0.02)
        else:
            self.plot.enableAutoRange(x=True, y=True)

    def show_only(self, runs: set[int] | None) -> None:
        """Hide every run's curve but these (None: show all): after an lr search, the
        runs at each variant's chosen lr."""
        self.shown = runs
        for index, curve in enumerate(self.curves):
            curve.setVisible(runs is None or index in runs)
        self._name_curves()
        self.redraw()

    def add(self, batch: list) -> None:
        """Records (run index, record) as they arrive."""
        for index, record in batch:
            columns = self.data[index]
            for key, value in record.items():
                if isinstance(value, (int, float)) and not isinstance(value, bool):
                    column = columns.get(key)
                    if column is None:
                        column = columns[key] = _Column()
                    column.append(float(value))
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
        column = self.data[index].get(key)
        return column.view().tolist() if column is not None else []

    @Slot()
    def _on_timer_timeout(self) -> None:
        if self.dirty:
            self.redraw()

    def twin_key(self) -> str | None:
        """The validation twin drawn beside the quantity, if asked for and there is one."""
        key = self.quantity.currentText()
        if not self.with_validation.isChecked() or key.startswith("val_"):
            return None
        return f"val_{key}"

    def redraw(self) -> None:
        key = self.quantity.currentText()
        self._draw(self.curves, key)
        twin = self.twin_key()
        for index, curve in enumerate(self.twins):
            curve.setVisible(twin is not None and (self.shown is None or index in self.shown))
        if twin is not None:
            self._draw(self.twins, twin)
        self.dirty = False
        self.redraws += 1

    def _draw(self, curves: list, key: str) -> None:
        for curve, columns in zip(curves, self.data):
            values = columns.get(key)
            if values is None:
                curve.setData([], [])
                continue
            y = values.view()
            x = self.x_values(columns)[:len(y)]
            if self.log_y.isChecked():  # log of 0 or less cannot be drawn
                keep = y > 0
                x, y = x[keep], y[keep]
            curve.setData(x, y)

    def x_values(self, columns: dict) -> np.ndarray:
        """A run's x values on the chosen axis: epochs, updates, or seconds so far."""
        key = X_AXES[self.x_axis.currentText()]
        column = columns.get(key) or columns["epoch"]
        return np.cumsum(column.view()) if key == "seconds" else column.view()

    @Slot(str)
    def _on_x_axis_current_text_changed(self, name: str) -> None:
        self.plot.setLabel("bottom", name)
        # Updates span orders of magnitude (one a sample against one an epoch): a log
        # axis shows every batch size's curve.
        self.plot.setLogMode(x=name == "updates", y=self.log_y.isChecked())
        self._fix_x_range()
        self.redraw()

    @Slot(bool)
    def _on_with_validation_toggled(self, on: bool) -> None:
        self.redraw()

    @Slot(str)
    def _on_quantity_current_text_changed(self, key: str) -> None:
        self.plot.setLabel("left", key)
        self.redraw()

    @Slot(bool)
    def _on_log_y_toggled(self, on: bool) -> None:
        self.plot.setLogMode(x=self.x_axis.currentText() == "updates", y=on)
        self.redraw()
