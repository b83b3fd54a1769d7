"""DescentTab: the introductory 1-D demo, drawn. A point descends f(x) from a start
point, step by step, with a table of the iterations (x, f(x), f'(x), step) and, for a
quadratic, the regime its learning rate puts it in (on x^2 each step multiplies x by
1 - 2 lr: smooth below 0.5, one step at 0.5, oscillating to 1, diverging above)."""
from __future__ import annotations

import math
import time

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QAbstractTableModel, QModelIndex, Qt, QTimer
from PySide6.QtWidgets import (QComboBox, QDoubleSpinBox, QFormLayout, QGridLayout, QGroupBox,
                               QHeaderView,
                               QHBoxLayout, QLabel, QLineEdit, QPushButton, QRadioButton,
                               QSlider, QSpinBox, QSplitter, QTableView, QVBoxLayout,
                               QWidget)

from ....core.errors import PlaygroundError
from ....core.lab import Descent, quadratic_regime
from ....core.lab.descent import quadratic_formula
from ....core.optim import OPTIMIZERS
from ...theme import LIGHT, Theme
from .drawing import theme_plot

STEP_BUDGET_S = 0.012
GUI_MAX_ITER = 100_000   # every row is kept for the table: bounded memory
PRESETS = ((0.1, "smooth"), (0.5, "one step"), (0.8, "oscillating"), (1.0, "bouncing"),
           (1.1, "diverging"))
HEADERS = ("iteration", "x", "f(x)", "f'(x)", "step")


class IterationModel(QAbstractTableModel):
    """The iterations as a table; rows are appended as the demo reveals them."""

    def __init__(self) -> None:
        super().__init__()
        self.rows: list = []

    def rowCount(self, parent=QModelIndex()) -> int:  # noqa: N802 - Qt's name
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent=QModelIndex()) -> int:  # noqa: N802
        return len(HEADERS)

    def data(self, index, role=Qt.ItemDataRole.DisplayRole):
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        row = self.rows[index.row()]
        value = (row.iteration, row.x, row.f, row.grad, row.step)[index.column()]
        return str(value) if index.column() == 0 else f"{value:.6g}"

    def headerData(self, section, orientation, role=Qt.ItemDataRole.DisplayRole):  # noqa: N802
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal:
            return HEADERS[section]
        return None

    def set_rows(self, rows: list) -> None:
        if len(rows) < len(self.rows):
            self.beginResetModel()
            self.rows = list(rows)
            self.endResetModel()
        elif len(rows) > len(self.rows):
            self.beginInsertRows(QModelIndex(), len(self.rows), len(rows) - 1)
            self.rows = list(rows)
            self.endInsertRows()


class DescentTab(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.descent: Descent | None = None
        self.theme = LIGHT
        self.model = IterationModel()
        self._curve_range: tuple[float, float] | None = None
        controls = self._build_controls()
        self.plot = pg.PlotWidget(objectName="descentPlot")
        self.plot.setMenuEnabled(False)
        self.plot.setLabel("bottom", "x")
        self.plot.setLabel("left", "f(x)")
        self.plot.setToolTip("The function and the path of the point, one dot per "
                             "iteration; the line joins consecutive points.")
        self.curve = self.plot.plot(pen=pg.mkPen("#6b7280", width=2))
        self.path = self.plot.plot(pen=pg.mkPen("#2563eb", width=1.5), symbol="o",
                                   symbolSize=7, symbolBrush="#2563eb")
        self.current = pg.ScatterPlotItem(size=14, brush=pg.mkBrush("#f97316"))
        self.plot.addItem(self.current)
        self.table = QTableView(objectName="iterationTable")
        self.table.setModel(self.model)
        self.table.setToolTip("Each iteration: where the gradient was taken, f and f' "
                              "there, and the step lr * f'(x) moved (for plain descent).")
        self.table.verticalHeader().hide()
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        right = QSplitter(Qt.Orientation.Vertical)
        right.addWidget(self.plot)
        right.addWidget(self.table)
        right.setStretchFactor(0, 3)
        right.setStretchFactor(1, 2)
        splitter = QSplitter()
        splitter.addWidget(controls)
        splitter.addWidget(right)
        splitter.setStretchFactor(1, 1)
        QVBoxLayout(self).addWidget(splitter)
        self._to_end = False   # "Run to end": iterate within the budget each frame
        self.timer = QTimer(self, interval=120)
        self.timer.timeout.connect(self._on_timer_timeout)
        self.restart()

    # ------------------------------------------------------------ building
    def _build_controls(self) -> QWidget:
        box = QWidget()
        box.setMinimumWidth(320)
        column = QVBoxLayout(box)
        function = QGroupBox("Function")
        form = QFormLayout(function)
        self.quadratic = QRadioButton("a2 x\u00b2 + a1 x + a0", checked=True,
                                      objectName="quadraticMode")
        self.quadratic.setToolTip("A parabola: the case where every regime can be "
                                  "worked out by hand.")
        form.addRow(self.quadratic)
        self.coefficients = []
        for name, value in (("a2", 1.0), ("a1", 0.0), ("a0", 0.0)):
            spin = QDoubleSpinBox(objectName=f"coef_{name}", minimum=-100.0, maximum=100.0,
                                  value=value, decimals=3, singleStep=0.1)
            spin.setKeyboardTracking(False)
            spin.valueChanged.connect(self.restart)
            self.coefficients.append(spin)
            form.addRow(name, spin)
        self.typed_mode = QRadioButton("typed f(x)", objectName="typedMode")
        self.typed = QLineEdit(objectName="typedFunction", placeholderText="e.g. x**4 - 3*x**2 + x")
        self.typed.setToolTip("Any function of x from numbers, + - * / ** and sin, cos, "
                              "tan, exp, log, sqrt, abs, tanh ...; parsed safely, never run "
                              "as code.")
        self.typed.editingFinished.connect(self._on_typed_editing_finished)
        self.typed_mode.toggled.connect(self.restart)
        form.addRow(self.typed_mode, self.typed)
        column.addWidget(function)
        settings = QGroupBox("Descent")
        form = QFormLayout(settings)
        self.start = self._spin("startSpin", -1e4, 1e4, 5.0, 4, "Where the point starts.")
        self.lr = self._spin("lrSpin", 1e-6, 100.0, 0.1, 6, "The learning rate: each "
                             "step moves lr * f'(x) downhill.")
        self.tol = self._spin("tolSpin", 0.0, 1.0, 1e-6, 10, "Stop when a step moves "
                              "less than this.")
        self.max_iter = QSpinBox(objectName="maxIterSpin", minimum=1, maximum=GUI_MAX_ITER,
                                 value=1000)
        self.max_iter.setToolTip("Stop after this many iterations.")
        self.max_iter.valueChanged.connect(self.restart)
        self.optimizer = QComboBox(objectName="descentOptimizer")
        for kind in OPTIMIZERS.values():
            self.optimizer.addItem(kind.label, kind.name)
        self.optimizer.setToolTip("Plain gradient descent is the demo; any optimizer of "
                                  "the registry can take its place.")
        self.optimizer.currentIndexChanged.connect(self.restart)
        for label, widget in (("start x", self.start), ("learning rate", self.lr),
                              ("tolerance", self.tol), ("max iterations", self.max_iter),
                              ("optimizer", self.optimizer)):
            form.addRow(label, widget)
        column.addWidget(settings)
        column.addWidget(self._presets())
        buttons = QHBoxLayout()
        self.step_button = QPushButton("Step", objectName="descentStep")
        self.step_button.setToolTip("One iteration.")
        self.step_button.clicked.connect(lambda: self.advance(1))
        self.play = QPushButton("Play", objectName="descentPlay", checkable=True)
        self.play.setToolTip("Iterate step by step; press again to pause.")
        self.play.toggled.connect(self._on_play_toggled)
        self.run_button = QPushButton("Run to end", objectName="descentRun")
        self.run_button.setToolTip("Iterate until converged, diverged or the maximum.")
        self.run_button.clicked.connect(self._on_run_clicked)
        self.reset_button = QPushButton("Reset", objectName="descentReset")
        self.reset_button.clicked.connect(self.restart)
        for button in (self.step_button, self.play, self.run_button, self.reset_button):
            buttons.addWidget(button)
        column.addLayout(buttons)
        self.speed = QSlider(Qt.Orientation.Horizontal, objectName="descentSpeed",
                             minimum=1, maximum=50, value=1)
        self.speed.setToolTip("Iterations per frame while playing.")
        speed_row = QHBoxLayout()
        speed_row.addWidget(QLabel("speed"))
        speed_row.addWidget(self.speed, 1)
        column.addLayout(speed_row)
        self.regime = QLabel(objectName="regimeLabel", wordWrap=True)
        self.regime.setToolTip("For plain gradient descent on a parabola the distance to "
                               "the minimum is multiplied by the same factor every step.")
        self.status = QLabel(objectName="descentStatus", wordWrap=True)
        self.problem = QLabel(objectName="descentProblem", wordWrap=True)
        self.problem.setStyleSheet("color: #dc2626;")
        for label in (self.regime, self.status, self.problem):
            column.addWidget(label)
        column.addStretch(1)
        return box

    def _spin(self, name, low, high, value, decimals, tip) -> QDoubleSpinBox:
        spin = QDoubleSpinBox(objectName=name, minimum=low, maximum=high, decimals=decimals,
                              value=value)
        spin.setStepType(QDoubleSpinBox.StepType.AdaptiveDecimalStepType)
        spin.setKeyboardTracking(False)
        spin.setToolTip(tip)
        spin.valueChanged.connect(self.restart)
        return spin

    def _presets(self) -> QGroupBox:
        group = QGroupBox("The regimes of x\u00b2")
        group.setToolTip("On f = x\u00b2, f' = 2x, so a step takes x to x - lr 2x = "
                         "(1 - 2 lr) x.")
        row = QGridLayout(group)
        for index, (lr, name) in enumerate(PRESETS):
            button = QPushButton(f"lr {lr:g}: {name}",
                                 objectName=f"preset_{name.replace(' ', '_')}")
            button.setToolTip(f"x\u00b2 from 5 with lr {lr:g}: {name}.")
            button.clicked.connect(lambda checked=False, v=lr: self.show_regime(v))
            row.addWidget(button, index // 3, index % 3)
        return group

    # ------------------------------------------------------------ function and run
    def show_regime(self, lr: float) -> None:
        """The preset: plain descent on x^2 from 5 at this rate, played step by step."""
        widgets = (*self.coefficients, self.lr, self.start, self.optimizer, self.quadratic)
        for widget in widgets:
            widget.blockSignals(True)
        for spin, value in zip(self.coefficients, (1.0, 0.0, 0.0)):
            spin.setValue(value)
        self.lr.setValue(lr)
        self.start.setValue(5.0)
        self.optimizer.setCurrentIndex(self.optimizer.findData("sgd"))
        self.quadratic.setChecked(True)
        for widget in widgets:
            widget.blockSignals(False)
        self.restart()
        self.play.setChecked(True)

    def function_text(self) -> str:
        if self.typed_mode.isChecked():
            return self.typed.text()
        return quadratic_formula(*(spin.value() for spin in self.coefficients))

    def function_label(self) -> str:
        """The function as a person writes it: 1 x\u00b2 - 2 x, not 1.0*x**2 + -2.0*x."""
        if self.typed_mode.isChecked():
            return self.typed.text().strip()
        terms = []
        for value, power in zip((spin.value() for spin in self.coefficients),
                                ("x\u00b2", "x", "")):
            if value == 0 and (power or terms):
                continue
            sign = "-" if value < 0 else "+"
            number = "" if abs(value) == 1 and power else f"{abs(value):g}"
            terms.append(f"{sign} {number}{power}")
        text = " ".join(terms) or "0"
        return text[2:] if text.startswith("+ ") else "-" + text[2:]

    def _on_typed_editing_finished(self) -> None:
        if not self.typed_mode.isChecked():
            self.typed_mode.setChecked(True)   # toggling restarts
        else:
            self.restart()

    def restart(self) -> None:
        self.play.setChecked(False)
        self.problem.clear()
        try:
            self.descent = Descent(self.function_text(), self.start.value(), self.lr.value(),
                                   self.tol.value(), self.max_iter.value(),
                                   self.optimizer.currentData())
        except PlaygroundError as exc:
            self.descent = None
            self.problem.setText(str(exc))
        self._curve_range = None
        self._update_regime()
        self._redraw()

    def advance(self, count: int) -> int:
        """Up to `count` iterations within the time budget; returns how many ran."""
        if self.descent is None:
            return 0
        began, done = time.perf_counter(), 0
        while done < count and self.descent.step() is not None:
            done += 1
            if time.perf_counter() - began > STEP_BUDGET_S:
                break
        if done:
            self._redraw()
        if self.descent.reason is not None:
            self.play.setChecked(False)
        return done

    def _on_play_toggled(self, on: bool) -> None:
        self.play.setText("Pause" if on else "Play")
        if not on:
            self._to_end = False
        self.timer.setInterval(15 if self._to_end else 120)
        (self.timer.start if on else self.timer.stop)()

    def _on_run_clicked(self) -> None:
        """Play as fast as the time budget allows, the speed slider left as it is."""
        self._to_end = True
        if self.play.isChecked():
            self.timer.setInterval(15)
        self.play.setChecked(True)

    def _on_timer_timeout(self) -> None:
        self.advance(10 ** 9 if self._to_end else self.speed.value())

    # ------------------------------------------------------------ drawing
    def _update_regime(self) -> None:
        plain = self.optimizer.currentData() == "sgd"
        if self.typed_mode.isChecked() or not plain:
            self.regime.setText("The regimes below hold for plain gradient descent on a "
                                "parabola; choose a2 x\u00b2 + a1 x + a0 and Gradient "
                                "descent to see them.")
            return
        a2 = self.coefficients[0].value()
        regime = quadratic_regime(a2, self.lr.value())
        self.regime.setText(f"<b>{regime.name}</b>: {regime.sentence} On a2 x\u00b2 each "
                            f"step multiplies the distance to the minimum by 1 - 2 a2 lr "
                            f"= {regime.multiplier:.3g}.")

    def _redraw(self) -> None:
        rows = self.descent.iterations if self.descent else []
        self.model.set_rows(rows)
        if rows:
            self.table.scrollToBottom()
        if self.descent is None:
            for item in (self.curve, self.path):
                item.setData([], [])
            self.current.setData([], [])
            return
        self.plot.setTitle(f"f(x) = {self.function_label()}")
        xs = [row.x for row in rows] + [self.descent.x]
        self._draw_curve(xs)
        finite = [(x, self._f(x)) for x in xs if math.isfinite(x) and abs(x) < 1e6]
        self.path.setData([p[0] for p in finite], [p[1] for p in finite])
        if finite:
            self.current.setData([finite[-1][0]], [finite[-1][1]])
        reason = {"converged": "converged", "diverged": "diverged",
                  "max_iter": "stopped at the maximum"}.get(self.descent.reason or "")
        x = self.descent.x
        self.status.setText(f"after {len(rows)} iterations: x = {x:.6g}, "
                            f"f(x) = {self._f(x):.6g}"
                            + (f" \u2014 {reason}" if reason else ""))

    def _f(self, x: float) -> float:
        try:
            return self.descent.expression.value(x)
        except (OverflowError, ValueError):
            return math.nan

    def _draw_curve(self, xs: list[float]) -> None:
        shown = [x for x in xs if math.isfinite(x) and abs(x) < 1e6] or [0.0]
        low, high = min(shown + [-abs(shown[0])]), max(shown + [abs(shown[0])])
        margin = 0.15 * (high - low or 2.0)
        wanted = (low - margin, high + margin)
        if self._curve_range and self._curve_range[0] <= wanted[0] and \
                wanted[1] <= self._curve_range[1]:
            return  # the drawn stretch already covers the path
        self._curve_range = wanted
        grid = np.linspace(*wanted, 400)
        values = self.descent.expression.values(grid)
        self.curve.setData(grid, np.where(np.isfinite(values), values, np.nan))

    def set_colors(self, theme: Theme) -> None:
        self.theme = theme
        theme_plot(self.plot, theme)
        self.curve.setPen(pg.mkPen(theme.muted, width=2))
        self.path.setPen(pg.mkPen(theme.series[0], width=1.5))
        self.path.setSymbolBrush(theme.series[0])
        self.current.setBrush(pg.mkBrush(theme.series[1]))
