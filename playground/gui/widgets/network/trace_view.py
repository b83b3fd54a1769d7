"""WeightTraceView: the weight clicked in the network graph, over time: its value, its
gradient, its effective step (the mean change per update) and the optimizer's state for
it (SGD's momentum buffer, Adam's m = exp_avg and v = exp_avg_sq, ...), one small plot
each, sharing the epoch axis. Traces arrive with the snapshots (controller.traced); the
plots are redrawn at a frame of a FrameScheduler, only while visible."""
from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from .frames import FrameScheduler

NAMES = {"exp_avg": "Adam m (exp_avg)", "exp_avg_sq": "Adam v (exp_avg_sq)",
         "momentum_buffer": "momentum buffer", "square_avg": "RMSprop mean square",
         "sum": "Adagrad sum of squares", "acc_delta": "Adadelta delta average",
         "exp_inf": "Adamax infinity norm", "mu_product": "NAdam mu product"}


class WeightTraceView(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("weightTrace")
        self.colors = ("#2563eb", "#f97316", "#16a34a")
        self.background, self.text = "#ffffff", "#1d1f23"
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.title = QLabel("Click a link (or a neuron) in the network to follow its weight "
                            "(bias) and the optimizer's state for it; double-click while "
                            "paused to edit it.", objectName="traceTitle", wordWrap=True)
        layout.addWidget(self.title)
        self.plots = pg.GraphicsLayoutWidget()
        layout.addWidget(self.plots, 1)
        self.where = None
        self.rows: dict[str, list[float]] = {}
        self.curves: dict[str, pg.PlotDataItem] = {}
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
        self.curves = {}
        first = None
        keys = [k for k in self.rows if k != "epoch"]
        for i, key in enumerate(keys):
            plot = self.plots.addPlot(row=i // 3, col=i % 3, title=key)
            plot.setTitle(key, color=self.text, size="9pt")
            for axis in ("left", "bottom"):
                plot.getAxis(axis).setPen(self.text)
                plot.getAxis(axis).setTextPen(self.text)
            if first is None:
                first = plot
            else:
                plot.setXLink(first)
            self.curves[key] = plot.plot([], [], pen=pg.mkPen(self.colors[i % 3], width=2),
                                         symbol="o" if key == "effective step" else None,
                                         symbolSize=3)
        self.scheduler.request()

    def showEvent(self, event) -> None:
        super().showEvent(event)
        self.scheduler.shown()

    def _on_frame(self) -> None:
        epochs = np.asarray(self.rows.get("epoch", []), float)
        for key, curve in self.curves.items():
            curve.setData(epochs, np.asarray(self.rows[key], float), connect="finite")
