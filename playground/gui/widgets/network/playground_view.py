"""PlaygroundView: data | network | output in one view, as the web playground lays it out,
with the loss curves beside them: the decision boundary and the curves visible together.

The data column shows the training points, the network column the NetworkGraphWidget,
the output column the decision boundary (a BoundaryView fed by the controller's
boundaryUpdated); below them, the training and validation loss by epoch and the weight
last clicked in the graph, followed over time (WeightTraceView). The view takes
specs, snapshots, boundaries and epoch records in and sends nothing out.
"""
from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QSplitter, QVBoxLayout, QWidget

from ....core.data import DATASETS
from ..boundary_view import BoundaryView
from ..plot_parts import readable_y_range
from ..qt_plot import PathCurve, QtPlotWidget
from .frames import FrameScheduler, epoch_ceiling
from .graph import NetworkGraphWidget
from .trace_view import WeightTraceView

MIN_BOX_WIDTH = 150  # pixels


class LossCurves(QtPlotWidget):
    """Training and validation loss by epoch; growing buffers, redrawn at a frame of a
    FrameScheduler (only when epochs came, only while visible).
    Painted by Qt alone (curves that paint themselves, no Python paintEvent), and its
    axes move in steps, not with every epoch: an axis whose range changes renders its
    text again, in Python."""

    def __init__(self) -> None:
        super().__init__()
        self.setObjectName("playgroundCurves")
        self.setLabel("bottom", "epoch")
        self.disableAutoRange()
        self.train = PathCurve(pg.mkPen("#2563eb", width=2))
        self.val = PathCurve(pg.mkPen("#f97316", width=2))
        for curve in (self.train, self.val):
            self.addItem(curve)
        self.colors = ("#2563eb", "#f97316", "#1d1f23")
        self._title()
        self.data = np.full((1024, 3), np.nan)
        self.count = 0
        self._ranges = None
        self.scheduler = FrameScheduler(self, self._on_frame)

    def _title(self) -> None:
        """The title is the legend: a legend's samples paint in Python every frame."""
        train, val, text = self.colors
        self.setTitle(f"<span style='color:{text}'>loss: </span>"
                      f"<span style='color:{train}'>training</span>"
                      f"<span style='color:{text}'>, </span>"
                      f"<span style='color:{val}'>validation</span>")

    def reset(self) -> None:
        self.count = 0
        self.train.setData(np.empty(0), np.empty(0))
        self.val.setData(np.empty(0), np.empty(0))
        self._ranges = None

    def add_epochs(self, events) -> None:
        if self.count + len(events) > len(self.data):
            grown = np.full((2 * (self.count + len(events)), 3), np.nan)
            grown[:self.count] = self.data[:self.count]
            self.data = grown
        for event in events:
            logs = event.logs
            self.data[self.count] = (logs["epoch"], logs.get("loss", np.nan),
                                     logs.get("val_loss", np.nan))
            self.count += 1
        self.scheduler.request()

    def set_colors(self, background: str, text: str, series: tuple[str, ...]) -> None:
        self.setBackground(background)
        for axis in ("left", "bottom"):
            self.getAxis(axis).setPen(text)
            self.getAxis(axis).setTextPen(text)
        self.colors = (series[0], series[1], text)
        self._title()
        self.train.setPen(pg.mkPen(series[0], width=2))
        self.val.setPen(pg.mkPen(series[1], width=2))
        self.prepare()

    def showEvent(self, event) -> None:
        super().showEvent(event)
        self.scheduler.shown()

    def _on_frame(self) -> None:
        rows = self.data[:self.count]
        self.train.setData(rows[:, 0], rows[:, 1])
        self.val.setData(rows[:, 0], rows[:, 2])
        self._settle_ranges(rows)
        self.prepare()

    def _settle_ranges(self, rows: np.ndarray) -> None:
        """x to the next round epoch count; y to the losses with headroom, set again
        only when they leave it or fill under a quarter of it."""
        x_right = epoch_ceiling(float(rows[-1, 0])) if len(rows) else 1.0
        values = rows[:, 1:][np.isfinite(rows[:, 1:])]
        if not len(values):
            return
        low, high = float(values.min()), float(values.max())
        y = readable_y_range(low, high, False)
        if self._ranges is not None:
            (_, right), (bottom, top) = self._ranges
            if right == x_right and bottom <= low and high <= top and \
                    top - bottom <= 4 * (y[1] - y[0]):
                return
        self._ranges = ((0.0, x_right), y)
        self.setXRange(0.0, x_right, padding=0.02)
        self.setYRange(*y, padding=0)


class PlaygroundView(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("playgroundView")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(2, 2, 2, 2)
        self.data_view = BoundaryView()
        self.data_view.setObjectName("playgroundData")
        self.data_view.caption.setText("Data: the training points.")
        self.graph = NetworkGraphWidget()
        self.output = BoundaryView()
        self.output.setObjectName("playgroundOutput")
        self.curves = LossCurves()
        self.trace = WeightTraceView()
        row = self.row = QSplitter(Qt.Orientation.Horizontal, objectName="playgroundRow")
        self.boxes = []
        for title, widget, stretch, tip in (
                ("Data", self.data_view, 2, "The training points, in raw coordinates."),
                ("Network", self.graph, 5, "Each neuron's output over the input plane; "
                 "links coloured by the weight's sign, thickened by its size."),
                ("Output", self.output, 3, "The model's output over the plane; the points "
                 "are the training data.")):
            self.boxes.append(_titled(title, widget, tip))
            row.addWidget(self.boxes[-1])
            row.setStretchFactor(row.count() - 1, stretch)
        column = QSplitter(Qt.Orientation.Vertical, objectName="playgroundColumn")
        column.addWidget(row)
        bottom = QSplitter(Qt.Orientation.Horizontal, objectName="playgroundBottom")
        bottom.addWidget(self.curves)
        bottom.addWidget(self.trace)
        column.addWidget(bottom)
        column.setStretchFactor(0, 3)
        column.setStretchFactor(1, 1)
        layout.addWidget(column)
        for view in (self.data_view, self.output):
            view.caption.hide()  # the box's title and tooltip say it, without wrapping
        self._sized = False

    def showEvent(self, event) -> None:
        """The first time it is shown: data, network and output in 2 : 5 : 3."""
        super().showEvent(event)
        if not self._sized:
            self._sized = True
            total = sum(self.row.sizes()) or self.width()
            self.row.setSizes([total * 2 // 10, total * 5 // 10, total * 3 // 10])

    def set_data(self, spec) -> None:
        """The data's points and the output's plane, for the synthetic sets; other data
        has no plane to draw, so the network takes the whole row."""
        planar = DATASETS[spec.name].source == "synthetic"
        for box in (self.boxes[0], self.boxes[2]):
            box.setVisible(planar)
        if planar:
            self.data_view.set_data(spec)
            self.data_view.caption.setText("Data: the training points (raw coordinates).")
            self.output.set_data(spec)

    def reset(self) -> None:
        self.graph.clear()
        self.curves.reset()
        self.trace.clear()

    def set_colors(self, background: str, text: str, series: tuple[str, ...],
                   class_colors: tuple[str, ...]) -> None:
        for view in (self.data_view, self.output):
            view.set_colors(background, text, class_colors)
        self.graph.set_colors(background, text)
        self.curves.set_colors(background, text, series)
        self.trace.set_colors(background, text, series)


def _titled(title: str, widget: QWidget, tip: str) -> QWidget:
    box = QWidget()
    box.setToolTip(tip)
    # Narrow is fine: three views share the row beside two side panels at 1280 px.
    box.setMinimumWidth(MIN_BOX_WIDTH)
    column = QVBoxLayout(box)
    column.setContentsMargins(0, 0, 0, 0)
    label = QLabel(f"<b>{title}</b>")
    label.setAlignment(Qt.AlignmentFlag.AlignHCenter)
    column.addWidget(label)
    column.addWidget(widget, 1)
    return box
