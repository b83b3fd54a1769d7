"""The search's plots: every trial's curve, the parameter importances, and a scatter of
the trials' values against one parameter.

Curves are created once per trial and fed with setData from a ~30 Hz timer, only when
something changed (records arrive per epoch, possibly hundreds a second). Losses are
drawn on a log axis, so a diverging trial does not flatten everyone else's curve.
"""
from __future__ import annotations

import math
from typing import Any

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QTimer, Slot
from PySide6.QtWidgets import QComboBox, QLabel, QVBoxLayout, QWidget

_REDRAW_MS = 33


def plain_axes(plot: pg.PlotWidget) -> pg.PlotWidget:
    """No SI-prefix scaling of the axes: a loss axis reading '(x0.001)' misleads."""
    for name in ("left", "bottom"):
        plot.getAxis(name).enableAutoSIPrefix(False)
    return plot


class TrialCurves(QWidget):
    """The monitored loss of every trial, epoch by epoch: running trials in the accent
    colour, finished ones muted, pruned ones dashed and grey, the best one bold."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("trialCurves")
        self.plot = plain_axes(pg.PlotWidget())
        self.plot.setLogMode(y=True)
        self.plot.showGrid(x=True, y=True, alpha=0.2)
        self.plot.setLabel("bottom", "epoch")
        self.plot.setLabel("left", "validation loss")
        self.plot.getPlotItem().setClipToView(True)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.plot)
        self.points: dict[int, list[tuple[int, float]]] = {}
        self.states: dict[int, str] = {}
        self.curves: dict[int, pg.PlotDataItem] = {}
        self.best: int | None = None
        self._dirty: set[int] = set()
        self.colors = ("#2563eb", "#9ca3af", "#f97316")  # running, finished, best
        self.timer = QTimer(self, interval=_REDRAW_MS)
        self.timer.timeout.connect(self._on_timer_timeout)
        self.timer.start()

    def set_colors(self, background: str, foreground: str, running: str,
                   finished: str, best: str) -> None:
        self.plot.setBackground(background)
        for axis in ("left", "bottom"):
            self.plot.getAxis(axis).setPen(foreground)
            self.plot.getAxis(axis).setTextPen(foreground)
        self.colors = (running, finished, best)
        self._dirty.update(self.curves)

    def clear(self) -> None:
        self.plot.clear()
        self.points.clear()
        self.states.clear()
        self.curves.clear()
        self.best = None
        self._dirty.clear()

    def add_point(self, number: int, epoch: int, value: float) -> None:
        self.points.setdefault(number, []).append((epoch, value))
        self.states.setdefault(number, "running")
        self._dirty.add(number)

    def set_trial(self, number: int, state: str, curve: tuple[float, ...] = (),
                  best: int | None = None) -> None:
        """A finished trial: its state, and its whole curve where none was streamed
        (trials already in a resumed study, or run by another process)."""
        if curve and not self.points.get(number):
            self.points[number] = list(enumerate(curve, start=1))
        self.states[number] = state
        self._dirty.add(number)
        if best != self.best:
            self._dirty.update(n for n in (self.best, best) if n is not None)
            self.best = best

    @Slot()
    def _on_timer_timeout(self) -> None:
        if not self._dirty:
            return
        for number in self._dirty:
            curve = self.curves.get(number)
            if curve is None:
                curve = self.curves[number] = self.plot.plot([], [])
            epochs, values = _finite_positive(self.points.get(number, []))
            curve.setData(epochs, values)
            curve.setPen(self._pen(number))
            curve.setZValue(2 if number == self.best else 1 if self.states.get(
                number) == "running" else 0)
        self._dirty.clear()

    def _pen(self, number: int) -> Any:
        running, finished, best = self.colors
        state = self.states.get(number, "running")
        if number == self.best:
            return pg.mkPen(best, width=3)
        if state == "running":
            return pg.mkPen(running, width=2)
        if state == "pruned":
            return pg.mkPen(finished, width=1, style=pg.QtCore.Qt.PenStyle.DashLine)
        return pg.mkPen(finished, width=1.5)


def _finite_positive(points: list[tuple[int, float]]) -> tuple[np.ndarray, np.ndarray]:
    kept = [(e, v) for e, v in points if math.isfinite(v) and v > 0]
    if not kept:
        return np.zeros(0), np.zeros(0)
    epochs, values = zip(*kept)
    return np.asarray(epochs, dtype=float), np.asarray(values, dtype=float)


class ImportanceView(QWidget):
    """Optuna's parameter importances (fANOVA) as horizontal bars."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("importanceView")
        self.plot = plain_axes(pg.PlotWidget())
        self.plot.setLabel("bottom", "importance (share of the value's variance)")
        self.plot.setMouseEnabled(False, False)
        self.note = QLabel("Importances appear once two trials have finished.",
                           wordWrap=True)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.note)
        layout.addWidget(self.plot)
        self.bars: pg.BarGraphItem | None = None
        self.values: dict[str, float] = {}
        self.color = "#2563eb"

    def set_colors(self, background: str, foreground: str, bar: str) -> None:
        self.plot.setBackground(background)
        for axis in ("left", "bottom"):
            self.plot.getAxis(axis).setPen(foreground)
            self.plot.getAxis(axis).setTextPen(foreground)
        self.color = bar
        self.set_importances(self.values)

    def set_importances(self, values: dict[str, float]) -> None:
        self.values = dict(values)
        if self.bars is not None:
            self.plot.removeItem(self.bars)
            self.bars = None
        self.note.setVisible(not values)
        if not values:
            return
        names = list(values)[::-1]  # the largest on top
        widths = [values[name] for name in names]
        self.bars = pg.BarGraphItem(x0=0, y=list(range(len(names))), height=0.6,
                                    width=widths, brush=self.color)
        self.plot.addItem(self.bars)
        self.plot.getAxis("left").setTicks([list(enumerate(names))])
        self.plot.setXRange(0, max(1e-9, max(widths)) * 1.05)
        self.plot.setYRange(-0.6, len(names) - 0.4)


class ScatterView(QWidget):
    """Each finished trial as a point: its value against one parameter (log axes where
    the parameter is searched on a log scale; choices as categories)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("scatterView")
        self.parameter = QComboBox(objectName="scatterParameter",
                                   toolTip="The parameter on the horizontal axis.")
        self.plot = plain_axes(pg.PlotWidget())
        self.plot.setLogMode(y=True)
        self.plot.setLabel("left", "value (best validation loss)")
        self.plot.showGrid(x=True, y=True, alpha=0.2)
        # PlotDataItems, not bare scatter items: only they follow the axes' log mode
        self.points = pg.PlotDataItem(pen=None, symbol="o", symbolSize=9)
        self.best_point = pg.PlotDataItem(pen=None, symbol="star", symbolSize=16)
        self.plot.addItem(self.points)
        self.plot.addItem(self.best_point)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.parameter)
        layout.addWidget(self.plot)
        self.results: list[Any] = []
        self.log_names: set[str] = set()
        self.colors = ("#2563eb", "#f97316")
        self.parameter.currentTextChanged.connect(self._on_parameter_current_text_changed)

    def set_colors(self, background: str, foreground: str, point: str, best: str) -> None:
        self.plot.setBackground(background)
        for axis in ("left", "bottom"):
            self.plot.getAxis(axis).setPen(foreground)
            self.plot.getAxis(axis).setTextPen(foreground)
        self.colors = (point, best)
        self._redraw()

    def set_parameters(self, names: list[str], log_names: set[str]) -> None:
        self.log_names = set(log_names)
        if [self.parameter.itemText(i) for i in range(self.parameter.count())] != names:
            self.parameter.clear()
            self.parameter.addItems(names)

    def set_results(self, results: list[Any]) -> None:
        self.results = [r for r in results if r.state == "complete" and r.value is not None
                        and r.value > 0]
        self._redraw()

    @Slot(str)
    def _on_parameter_current_text_changed(self, name: str) -> None:
        self._redraw()

    def _redraw(self) -> None:
        name = self.parameter.currentText()
        rows = [r for r in self.results if name in r.params]
        point, best = self.colors
        self.plot.setLabel("bottom", name)
        values = [r.params[name] for r in rows]
        categorical = any(isinstance(v, str) for v in values)
        if categorical:
            labels = sorted({str(v) for v in values})
            xs = [labels.index(str(v)) for v in values]
            self.plot.getAxis("bottom").setTicks([list(enumerate(labels))])
            self.plot.setLogMode(x=False, y=True)
        else:
            xs = [float(v) for v in values]
            self.plot.getAxis("bottom").setTicks(None)
            self.plot.setLogMode(x=name in self.log_names, y=True)
        ys = [r.value for r in rows]
        self.points.setData(xs, ys, symbolBrush=pg.mkBrush(point), symbolPen=None)
        if rows:
            i = min(range(len(rows)), key=ys.__getitem__)
            self.best_point.setData([xs[i]], [ys[i]], symbolBrush=pg.mkBrush(best),
                                    symbolPen=None)
        else:
            self.best_point.setData([], [])
