"""WeightTraceView: the weight clicked in the network graph, over time: its value, its
gradient, its effective step (the mean change per update) and the optimizer's state for
it (SGD's momentum buffer, Adam's m = exp_avg and v = exp_avg_sq, ...), one sparkline
each (the latest value in its title; the epochs shared, no axes: the strip is a few
dozen pixels tall, too little for ticks). Traces arrive with the snapshots (controller.traced); the
plots are redrawn at a frame of a FrameScheduler, only while visible, and painted by Qt
alone (PlotCanvas, PathCurves): no Python, so no GIL, while a frame is painted."""
from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtGui import QColor, QFont
from PySide6.QtWidgets import QGraphicsSimpleTextItem, QLabel, QVBoxLayout, QWidget

from ..plot_parts import readable_y_range
from ..qt_plot import PathCurve, PlotCanvas, QtPlotItem
from .frames import FrameScheduler

NAMES = {"exp_avg": "Adam m (exp_avg)", "exp_avg_sq": "Adam v (exp_avg_sq)",
         "momentum_buffer": "momentum buffer", "square_avg": "RMSprop mean square",
         "sum": "Adagrad sum of squares", "acc_delta": "Adadelta delta average",
         "exp_inf": "Adamax infinity norm", "mu_product": "NAdam mu product"}


HINT = ("Click a link (or a neuron) in the network to follow its weight (bias) and the "
        "optimizer's state for it; double-click while paused to edit it.")
COLUMNS = 2  # the strip beside the loss curves is about 370 px wide: three were cut off


class WeightTraceView(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("weightTrace")
        self.colors = ("#2563eb", "#f97316", "#16a34a")
        self.background, self.text = "#ffffff", "#1d1f23"
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.title = QLabel(HINT, objectName="traceTitle", wordWrap=True)
        layout.addWidget(self.title)
        self.plots = PlotCanvas()
        self.plots.setToolTip(
            "Each strip is one quantity over the epochs, its latest value in the corner: "
            "the weight, its gradient, the effective step (its mean change per update "
            "since the last sample: learning rate times what the optimizer made of the "
            "gradient) and the optimizer's memory for it.")
        layout.addWidget(self.plots, 1)
        self.where = None
        self.rows: dict[str, list[float]] = {}
        self.curves: dict[str, PathCurve] = {}
        self.views: dict[str, QtPlotItem] = {}
        self.labels: dict[str, QGraphicsSimpleTextItem] = {}
        self.scheduler = FrameScheduler(self, self._on_frame)

    def set_colors(self, background: str, text: str, series: tuple[str, ...]) -> None:
        self.background, self.text, self.colors = background, text, tuple(series)
        self.plots.setBackground(background)
        self._rebuild()

    def follow(self, where: tuple, label: str) -> None:
        """Start a new trace of the weight `where`, described by `label`."""
        self.where = where
        self.rows = {}
        self.title.setText(f"Following {label}.")
        self._rebuild()

    def unfollow(self) -> None:
        """Follow nothing (the run whose weight was followed is gone)."""
        self.where = None
        self.rows = {}
        self.title.setText(HINT)
        self._rebuild()

    def clear(self) -> None:
        self.rows = {key: [] for key in self.rows}
        self.scheduler.request()

    def add_trace(self, trace) -> None:
        if trace.where != self.where:
            return
        values = {"epoch": trace.epoch, "value": trace.value, "gradient": trace.grad,
                  "effective step": trace.effective_step,
                  **{NAMES.get(k, k): v for k, v in trace.state.items()}}
        if set(values) - set(self.rows):
            count = len(self.rows.get("epoch", []))
            for key in values:
                self.rows.setdefault(key, [np.nan] * count)
            self._rebuild()
        for key in self.rows:
            self.rows[key].append(values.get(key, np.nan))
        self.scheduler.request()

    def _rebuild(self) -> None:
        self.plots.clear()
        self.curves, self.views, self.labels = {}, {}, {}
        first = None
        keys = [k for k in self.rows if k != "epoch"]
        for i, key in enumerate(keys):
            plot = QtPlotItem()
            self.plots.addItem(plot, row=i // COLUMNS, col=i % COLUMNS)
            plot.setMenuEnabled(False, None)
            plot.hideButtons()
            for axis in ("left", "bottom"):
                plot.hideAxis(axis)
            if first is None:
                first = plot
            else:
                plot.setXLink(first)
            curve = PathCurve(pg.mkPen(self.colors[i % 3], width=2))
            plot.addItem(curve)
            self.curves[key], self.views[key] = curve, plot
            self.labels[key] = self._label(plot, key)
        self.scheduler.request()

    def showEvent(self, event) -> None:
        super().showEvent(event)
        self.scheduler.shown()

    def _on_frame(self) -> None:
        epochs = np.asarray(self.rows.get("epoch", []), float)
        for key, curve in self.curves.items():
            values = np.asarray(self.rows[key], float)
            curve.setData(epochs, values)
            self._fit(self.views[key], epochs, values)
            latest = values[np.isfinite(values)][-1:]
            self.labels[key].setText(f"{key}  {latest[0]:.4g}" if len(latest) else key)
        self.plots.prepare()

    def _label(self, plot: QtPlotItem, key: str) -> QGraphicsSimpleTextItem:
        """The name and latest value over the plot's top-left corner: a title row would
        leave the curve no height in this strip. Painted by Qt (no Python per frame)."""
        label = QGraphicsSimpleTextItem(key, plot)
        font = QFont()
        font.setPointSize(8)
        label.setFont(font)
        label.setBrush(QColor(self.text))
        label.setPos(2, 0)
        label.setZValue(10)
        return label

    @staticmethod
    def _fit(plot: QtPlotItem, epochs: np.ndarray, values: np.ndarray) -> None:
        """Show the whole trace: Qt-painted curves do not drive pyqtgraph's autorange."""
        finite = values[np.isfinite(values)]
        if len(epochs) == 0 or len(finite) == 0:
            return
        plot.setXRange(epochs[0], max(epochs[-1], epochs[0] + 1), padding=0.02)
        low, high = readable_y_range(float(finite.min()), float(finite.max()), False)
        plot.setYRange(low, high + 0.7 * (high - low), padding=0)  # room for the label
