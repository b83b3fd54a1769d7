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
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QLabel, QSplitter, QVBoxLayout, QWidget

from ....core.data import DATASETS
from ..boundary_view import BoundaryView
from .graph import NetworkGraphWidget
from .trace_view import WeightTraceView

FPS = 30
MIN_BOX_WIDTH = 150  # pixels


class LossCurves(pg.PlotWidget):
    """Training and validation loss by epoch; growing buffers, redrawn on a timer."""

    def __init__(self) -> None:
        super().__init__(title="loss")
        self.setObjectName("playgroundCurves")
        self.setLabel("bottom", "epoch")
        self.addLegend(offset=(-10, 10))
        self.train = self.plot([], [], pen=pg.mkPen("#2563eb", width=2), name="training")
        self.val = self.plot([], [], pen=pg.mkPen("#f97316", width=2), name="validation")
        self.data = np.full((1024, 3), np.nan)
        self.count = 0
        self._dirty = False
        self._timer = QTimer(self, interval=int(1000 / FPS))
        self._timer.timeout.connect(self._on_timer_timeout)
        self._timer.start()

    def reset(self) -> None:
        self.count = 0
        self.train.setData([], [])
        self.val.setData([], [])

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
        self._dirty = True

    def set_colors(self, background: str, text: str, series: tuple[str, ...]) -> None:
        self.setBackground(background)
        for axis in ("left", "bottom"):
            self.getAxis(axis).setPen(text)
            self.getAxis(axis).setTextPen(text)
        self.setTitle("loss", color=text)
        self.train.setPen(pg.mkPen(series[0], width=2))
        self.val.setPen(pg.mkPen(series[1], width=2))

    def _on_timer_timeout(self) -> None:
        if self._dirty and self.isVisible():
            self._dirty = False
            rows = self.data[:self.count]
            self.train.setData(rows[:, 0], rows[:, 1], connect="finite")
            self.val.setData(rows[:, 0], rows[:, 2], connect="finite")


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
