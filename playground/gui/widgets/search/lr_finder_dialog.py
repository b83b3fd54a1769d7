"""LrFinderDialog: the learning-rate range test, drawn as it runs, with its suggestions.

The curve is the smoothed training loss against the learning rate (log axis), with the
level it started from. With a clear valley, the descent the suggestions come from is
shaded, the "valley" (fastai's default) and "steepest" suggestions are marked, and one
click emits the chosen lr, which the main window puts into the session. Without one,
the dialog says why and offers nothing to apply. The dialog keeps no spec.
"""
from __future__ import annotations

import math
from typing import Any

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt, QTimer, Signal, Slot
from PySide6.QtWidgets import (QComboBox, QDialog, QHBoxLayout, QLabel, QPushButton,
                               QSpinBox, QVBoxLayout, QWidget)

from .trial_views import plain_axes


class LrFinderDialog(QDialog):
    runRequested = Signal()
    stopRequested = Signal()
    lrChosen = Signal(float)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("lrFinderDialog")
        self.setWindowTitle("Find a learning rate")
        self.plot = plain_axes(pg.PlotWidget())
        self.plot.setLogMode(x=True, y=False)
        self.plot.showGrid(x=True, y=True, alpha=0.2)
        self.plot.setLabel("bottom", "learning rate")
        self.plot.setLabel("left", "training loss (smoothed)")
        self.curve = self.plot.plot([], [])
        self.markers = {name: pg.InfiniteLine(angle=90, movable=False, label=label,
                                              labelOpts={"position": pos})
                        for name, label, pos in (("valley", "valley", 0.92),
                                                 ("steepest", "steepest", 0.8))}
        for marker in self.markers.values():
            marker.hide()
            self.plot.addItem(marker)
        self.start_line = pg.InfiniteLine(angle=0, movable=False, label="start",
                                          labelOpts={"position": 0.04})
        self.descent = pg.LinearRegionItem(movable=False)
        self.descent.setToolTip("The descent: where the smoothed loss is below its start "
                                "and falling; the suggestions come from here.")
        for item in (self.start_line, self.descent):
            item.hide()
            self.plot.addItem(item)
        self.summary = QLabel(objectName="lrSummary", wordWrap=True)
        self.summary.setText("The learning rate grows exponentially over the updates on a "
                             "copy of the network; the session's weights stay as they are.")
        self.sweep_start = _lr_choice("lrSweepStart", (1e-8, 1e-7, 1e-6, 1e-5, 1e-4, 1e-3),
                                      1e-7, "The first learning rate of the sweep: smaller "
                                      "when the loss rises from the start.")
        self.sweep_end = _lr_choice("lrSweepEnd", (0.1, 1.0, 10.0, 100.0), 10.0,
                                    "The last learning rate of the sweep.")
        self.updates = QSpinBox(objectName="lrSweepUpdates", minimum=20, maximum=5000,
                                singleStep=50, value=100)
        self.updates.setToolTip("Updates in the sweep: more show a fall that a short sweep "
                                "is too quick for (and take longer).")
        sweep = QHBoxLayout()
        for text, widget in (("from", self.sweep_start), ("to", self.sweep_end),
                             ("over", self.updates)):
            sweep.addWidget(QLabel(text))
            sweep.addWidget(widget)
        sweep.addWidget(QLabel("updates"))
        sweep.addStretch(1)
        self.run = QPushButton("Run", objectName="lrRun")
        self.stop = QPushButton("Stop", objectName="lrStop", enabled=False)
        self.use_valley = QPushButton("Use valley", objectName="lrUseValley", enabled=False,
                                      visible=False, toolTip="fastai's default: two thirds "
                                      "down the longest stretch where the loss keeps "
                                      "falling, within the descent.")
        self.use_steepest = QPushButton("Use steepest", objectName="lrUseSteepest",
                                        enabled=False, visible=False, toolTip="Where the "
                                        "loss falls fastest against log lr, within the "
                                        "descent.")
        buttons = QHBoxLayout()
        for button in (self.run, self.stop, self.use_valley, self.use_steepest):
            buttons.addWidget(button)
        column = QVBoxLayout(self)
        column.addWidget(self.plot, 1)
        column.addWidget(self.summary)
        column.addLayout(sweep)
        column.addLayout(buttons)
        self.lrs: list[float] = []
        self.losses: list[float] = []
        self.finding: Any = None
        self._dirty = False
        self.timer = QTimer(self, interval=33)
        self.timer.timeout.connect(self._on_timer_timeout)
        self.timer.start()
        self.run.clicked.connect(self.runRequested)
        self.stop.clicked.connect(self.stopRequested)
        self.use_valley.clicked.connect(self._on_use_valley_clicked)
        self.use_steepest.clicked.connect(self._on_use_steepest_clicked)
        self.resize(760, 520)

    def set_colors(self, theme: Any) -> None:
        self.plot.setBackground(theme.plot_background)
        for axis in ("left", "bottom"):
            self.plot.getAxis(axis).setPen(theme.text)
            self.plot.getAxis(axis).setTextPen(theme.text)
        self.curve.setPen(pg.mkPen(theme.accent, width=2))
        for marker, color in zip(self.markers.values(), theme.series[1:3]):
            marker.setPen(pg.mkPen(color, width=2, style=Qt.PenStyle.DashLine))
            marker.label.setColor(color)
        self.start_line.setPen(pg.mkPen(theme.text, width=1, style=Qt.PenStyle.DotLine))
        self.start_line.label.setColor(theme.text)
        shade = pg.mkColor(theme.series[1])
        shade.setAlpha(40)
        self.descent.setBrush(shade)
        for line in self.descent.lines:
            line.setPen(pg.mkPen(None))

    # -------------------------------------------------------------- the sweep
    def sweep(self) -> dict:
        """The sweep the controls ask for: find_lr's start, end and updates."""
        return {"start": self.sweep_start.currentData(), "end": self.sweep_end.currentData(),
                "updates": self.updates.value()}

    def begin(self) -> None:
        self.lrs, self.losses, self.finding = [], [], None
        self._dirty = True
        for item in (*self.markers.values(), self.start_line, self.descent,
                     self.use_valley, self.use_steepest):
            item.hide()
        self.set_running(True)
        self.summary.setText("Sweeping\u2026")

    def set_running(self, running: bool) -> None:
        self.run.setEnabled(not running)
        self.stop.setEnabled(running)
        for control in (self.sweep_start, self.sweep_end, self.updates):
            control.setEnabled(not running)
        clear = self.finding is not None and self.finding.clear
        for button in (self.use_valley, self.use_steepest):
            button.setEnabled(not running and clear)

    def add_point(self, update: int, lr: float, loss: float) -> None:
        self.lrs.append(lr)
        self.losses.append(loss)
        self._dirty = True

    def show_finding(self, finding: Any) -> None:
        """The sweep's result (LrFinding): its curve, its start level, and either the
        descent with the suggestions to apply, or why there is no clear valley."""
        self.finding = finding
        self.lrs, self.losses = list(finding.lrs), list(finding.losses)
        self._dirty = True
        start = finding.start_loss if math.isfinite(finding.start_loss) else self.losses[0]
        self.start_line.setValue(start)
        self.start_line.show()
        for name in ("valley", "steepest"):
            value = getattr(finding, name)
            if value is not None:
                self.markers[name].setValue(math.log10(value))
                self.markers[name].label.setFormat(f"{name} {value:.2g}")
            self.markers[name].setVisible(value is not None)
        if finding.descent is not None:
            self.descent.setRegion([math.log10(lr) for lr in finding.descent])
        self.descent.setVisible(finding.descent is not None)
        # the blow-up may reach many times the starting loss: let it leave the plot,
        # so the part that matters keeps the height; and at least 10% of the start
        # either side of it, so a flat curve's noise is not drawn as hills
        low, margin = min(self.losses), 0.1 * abs(start)
        self.plot.setYRange(min(low - 0.05 * (start - low), start - margin),
                            max(max(low, start) * 1.5 - 0.5 * low, start + margin),
                            padding=0)
        ended = {"diverged": "the loss blew up", "completed": "it reached the last lr",
                 "stopped": "it was stopped"}[finding.reason]
        sweep = f"The sweep took {len(finding.lrs)} updates and ended because {ended}."
        if finding.clear:
            self.use_valley.setText(f"Use valley ({finding.valley:.2g})")
            self.use_steepest.setText(f"Use steepest ({finding.steepest:.2g})")
            self.summary.setText(f"Suggested lr {finding.valley:.3g} (valley); steepest "
                                 f"{finding.steepest:.3g}, both where the loss falls below "
                                 f"its start (shaded). {sweep}")
        else:
            self.summary.setText(f"<b>No clear valley.</b> {_html(finding.note)} {sweep}")
        for button in (self.use_valley, self.use_steepest):
            button.setVisible(finding.clear)
        self.set_running(False)

    def show_problem(self, message: str) -> None:
        self.summary.setText(message)
        self.set_running(False)

    # -------------------------------------------------------------- slots
    @Slot()
    def _on_timer_timeout(self) -> None:
        if self._dirty:
            self.curve.setData(np.asarray(self.lrs, dtype=float),
                               np.asarray(self.losses, dtype=float))
            self._dirty = False

    @Slot()
    def _on_use_valley_clicked(self) -> None:
        if self.finding is not None:
            self.lrChosen.emit(float(self.finding.valley))

    @Slot()
    def _on_use_steepest_clicked(self) -> None:
        if self.finding is not None:
            self.lrChosen.emit(float(self.finding.steepest))


def _html(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _lr_choice(name: str, values: tuple[float, ...], default: float, tip: str) -> QComboBox:
    box = QComboBox(objectName=name, toolTip=tip)
    for value in values:
        box.addItem(f"{value:g}", value)
    box.setCurrentIndex(values.index(default))
    return box
