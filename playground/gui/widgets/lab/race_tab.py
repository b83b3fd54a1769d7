"""RaceTab: choose a surface and a start, line up optimizers, and watch them race.

The race (core.lab.Race: a few 2-element tensors) is stepped on the GUI thread by a
QTimer, in chunks bounded by a time budget, so a tick stays a few milliseconds however
high the speed; the view redraws once per tick and only when something moved. The lab's
state is its own: nothing here edits the session's spec.
"""
from __future__ import annotations

import dataclasses
import time
from collections import deque

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import (QCheckBox, QComboBox, QDoubleSpinBox, QFormLayout,
                               QGroupBox, QHBoxLayout, QLabel, QLineEdit, QMenu, QPushButton,
                               QScrollArea, QSlider, QSpinBox, QSplitter, QVBoxLayout,
                               QWidget)

from ....core.errors import PlaygroundError
from ....core.lab import SURFACES, MoverSpec, Race, surface, typed_surface
from ....core.optim import SCHEDULES
from ..param_form import ParamForm
from ...theme import LIGHT, Theme
from .race_view import RaceView
from .racer_row import RacerRow, suggested_lr

TICK_MS = 30              # about 33 redraws a second
STEP_BUDGET_S = 0.012     # stepping stops for this tick once it has taken this long
TYPED = "typed"
MAX_STEPS = 20_000        # paths are kept whole for drawing: 12 racers, a few MB
KEEP_RECORDS = 2          # the view draws the last step's internals only
LINEUP = ("sgd", "momentum", "adam", "rmsprop", "adagrad", "nesterov", "adadelta",
          "nadam", "adamax", "radam", "adamw", "lbfgs")


class RaceTab(QWidget):
    redrawn = Signal()
    optimizerChosen = Signal(object)   # a MoverSpec: "use this optimizer in my network"

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.theme = LIGHT
        self.rows: list[RacerRow] = []
        self.race: Race | None = None
        self.surface = surface("rosenbrock")
        self.start_point = self.surface.start
        self.tick_seconds: deque[float] = deque(maxlen=2000)
        self._dirty = False
        self.view = RaceView()
        self.view.startClicked.connect(self._on_view_start_clicked)
        controls = self._build_controls()
        scroll = QScrollArea(widgetResizable=True)
        scroll.setWidget(controls)
        scroll.setMinimumWidth(330)
        splitter = QSplitter()
        splitter.addWidget(scroll)
        splitter.addWidget(self.view)
        splitter.setStretchFactor(1, 1)
        QVBoxLayout(self).addWidget(splitter)
        self.timer = QTimer(self, interval=TICK_MS)
        self.timer.timeout.connect(self._on_timer_timeout)
        for name in ("sgd", "momentum", "adam"):
            self.add_racer(name, restart=False)
        self._apply_surface()

    # ------------------------------------------------------------ building
    def _build_controls(self) -> QWidget:
        box = QWidget()
        column = QVBoxLayout(box)
        column.addWidget(self._surface_group())
        self.racer_box = QGroupBox("Optimizers")
        self.racer_box.setToolTip("Each optimizer starts from the same point; each has "
                                  "its colour.")
        self.racer_layout = QVBoxLayout(self.racer_box)
        self.add_button = QPushButton("Add optimizer", objectName="addRacer")
        self.add_button.setToolTip("Add another optimizer to the race (up to 12).")
        self.add_button.clicked.connect(lambda: self.add_racer())
        self.racer_layout.addWidget(self.add_button)
        self.use_button = QPushButton("Use in my network\u2026", objectName="useInNetwork")
        self.use_button.setToolTip("Make one of these optimizers, with its learning rate "
                                   "and settings, the one that trains your network (an "
                                   "edit you can undo). A rate that suits a surface may "
                                   "not suit your network.")
        self.use_menu = QMenu(self.use_button)
        self.use_menu.aboutToShow.connect(self._fill_use_menu)
        self.use_button.setMenu(self.use_menu)
        self.racer_layout.addWidget(self.use_button)
        column.addWidget(self.racer_box)
        column.addWidget(self._run_group())
        column.addStretch(1)
        return box

    def _surface_group(self) -> QGroupBox:
        group = QGroupBox("Surface")
        form = QFormLayout(group)
        self.surface_combo = QComboBox(objectName="surfaceCombo")
        for item in SURFACES.values():
            self.surface_combo.addItem(item.label, item.name)
            self.surface_combo.setItemData(self.surface_combo.count() - 1,
                                           item.description, Qt.ItemDataRole.ToolTipRole)
        self.surface_combo.addItem("Typed function of x and y", TYPED)
        self.surface_combo.setCurrentIndex(self.surface_combo.findData("rosenbrock"))
        self.surface_combo.setToolTip("The landscape the optimizers descend.")
        self.surface_combo.currentIndexChanged.connect(self._on_surface_combo_changed)
        form.addRow("surface", self.surface_combo)
        self.condition = QSlider(Qt.Orientation.Horizontal, objectName="conditionSlider",
                                 minimum=0, maximum=30, value=10)
        self.condition.setToolTip("The bowl's condition number (1 to 1000): how many "
                                  "times steeper it is along y than along x. Plain "
                                  "gradient descent needs a rate below 2 / the steepest "
                                  "curvature, so it crawls along the gentle direction.")
        self.condition_label = QLabel()
        self.condition.valueChanged.connect(self._on_condition_value_changed)
        form.addRow(self.condition_label, self.condition)
        self.typed = QLineEdit(objectName="typedSurface", placeholderText="e.g. x**2 + 3*y**2")
        self.typed.setToolTip("Your own f(x, y): numbers, x, y, + - * / ** and sin, cos, "
                              "tan, exp, log, sqrt, abs, tanh, ... Nothing typed is run "
                              "as code.")
        self.typed.editingFinished.connect(self._on_typed_editing_finished)
        form.addRow("f(x, y)", self.typed)
        self.description = QLabel(wordWrap=True, objectName="surfaceDescription")
        form.addRow(self.description)
        self.problem = QLabel(wordWrap=True, objectName="surfaceProblem")
        self.problem.setStyleSheet("color: #dc2626;")
        form.addRow(self.problem)
        self.start_label = QLabel(objectName="startLabel")
        self.start_label.setToolTip("Click on the map to start from another point.")
        form.addRow("start", self.start_label)
        return group

    def _run_group(self) -> QGroupBox:
        group = QGroupBox("Race")
        form = QFormLayout(group)
        buttons = QHBoxLayout()
        self.play = QPushButton("Play", objectName="playButton", checkable=True)
        self.play.setToolTip("Run the race; press again to pause.")
        self.play.toggled.connect(self._on_play_toggled)
        self.step_button = QPushButton("Step", objectName="stepButton")
        self.step_button.setToolTip("One update of every optimizer.")
        self.step_button.clicked.connect(self.step_once)
        self.reset_button = QPushButton("Reset", objectName="resetButton")
        self.reset_button.setToolTip("Back to the start point, optimizers' state cleared.")
        self.reset_button.clicked.connect(self.restart)
        for button in (self.play, self.step_button, self.reset_button):
            buttons.addWidget(button)
        form.addRow(buttons)
        self.speed = QSlider(Qt.Orientation.Horizontal, objectName="speedSlider",
                             minimum=1, maximum=50, value=2)
        self.speed.setToolTip("Updates per frame (about 33 frames a second).")
        form.addRow("speed", self.speed)
        self.max_steps = QSpinBox(objectName="maxSteps", minimum=1, maximum=MAX_STEPS,
                                  value=3000)
        self.max_steps.setToolTip("The race stops after this many updates.")
        self.max_steps.valueChanged.connect(self._on_max_steps_value_changed)
        form.addRow("max steps", self.max_steps)
        self.noise = QDoubleSpinBox(objectName="noiseSpin", minimum=0.0, maximum=1000.0,
                                    decimals=3, singleStep=0.1)
        self.noise.setToolTip("Gradient noise: a normal draw of this size is added to "
                              "each gradient component, as a mini-batch's gradient "
                              "differs from the full one (stochastic descent). Every "
                              "optimizer gets the same draws.")
        self.noise.setKeyboardTracking(False)
        self.noise.valueChanged.connect(self.restart)
        form.addRow("gradient noise", self.noise)
        self.schedule = QComboBox(objectName="raceSchedule")
        for kind in SCHEDULES.values():
            if kind.name != "plateau":   # it needs a validation loss: none here
                self.schedule.addItem(kind.label, kind.name)
                self.schedule.setItemData(self.schedule.count() - 1, kind.description,
                                          Qt.ItemDataRole.ToolTipRole)
        self.schedule.setToolTip("A learning-rate schedule of the registry, the same one "
                                 "that trains networks, for every optimizer of the race; "
                                 "an epoch here is one update.")
        self.schedule_params = ParamForm()
        self.schedule.currentIndexChanged.connect(self._on_schedule_changed)
        self.schedule_params.valuesChanged.connect(self.restart)
        form.addRow("lr schedule", self.schedule)
        form.addRow(self.schedule_params)
        self.part_boxes = {}
        parts = QHBoxLayout()
        for key, text, tip in (("gradient", "gradient", "Dotted: the downhill gradient, "
                                "scaled so the first one is an eighth of the map."),
                               ("momentum", "momentum", "Dashed: the momentum (velocity or "
                                "Adam's first moment), on the gradient's scale."),
                               ("step", "step", "Thick: the actual step, true length."),
                               ("square", "accumulator", "Rectangle: the adaptive "
                                "accumulator, sides the square roots of the summed squared "
                                "gradients along x and y (Adagrad, RMSprop, Adam)."),
                               ("path", "path", "The path so far.")):
            box = QCheckBox(text, checked=True, objectName=f"show_{key}")
            box.setToolTip(tip)
            box.toggled.connect(lambda on, k=key: self._on_part_toggled(k, on))
            self.part_boxes[key] = box
            parts.addWidget(box)
        form.addRow(parts)
        self.status = QLabel(objectName="raceStatus", wordWrap=True)
        self.status.setTextFormat(Qt.TextFormat.RichText)
        form.addRow(self.status)
        return group

    # ------------------------------------------------------------ racers
    def add_racer(self, name: str | None = None, restart: bool = True) -> RacerRow | None:
        if len(self.rows) >= 12:
            return None
        if name is None:
            used = {row.spec().optimizer for row in self.rows}
            name = next((n for n in LINEUP if n not in used), "sgd")
        color = self._color(len(self.rows))
        row = RacerRow(name, suggested_lr(name), color)
        row.kindChanged.connect(self.restart)
        row.lrChanged.connect(lambda lr, r=row: self._on_row_lr_changed(r, lr))
        row.paramsChanged.connect(lambda values, r=row: self._on_row_params_changed(r, values))
        row.removeRequested.connect(lambda r=row: self.remove_racer(r))
        self.rows.append(row)
        self.racer_layout.insertWidget(self.racer_layout.count() - 2, row)
        self.add_button.setEnabled(len(self.rows) < 12)
        if restart:
            self.restart()
        return row

    def remove_racer(self, row: RacerRow) -> None:
        if len(self.rows) <= 1:
            return  # a race needs someone
        self.rows.remove(row)
        row.setParent(None)
        row.deleteLater()
        for index, other in enumerate(self.rows):
            other.set_color(self._color(index))
        self.add_button.setEnabled(True)
        self.restart()

    def _fill_use_menu(self) -> None:
        self.use_menu.clear()
        for row in self.rows:
            spec = row.spec()
            action = self.use_menu.addAction(f"{row.kind.currentText()}, lr {spec.lr:g}")
            action.triggered.connect(lambda checked=False, s=spec: self.optimizerChosen.emit(s))

    def _color(self, index: int) -> str:
        palette = self.theme.series
        return palette[index % len(palette)]

    def _on_row_lr_changed(self, row: RacerRow, lr: float) -> None:
        if self.race is not None:
            self.race.racers[self.rows.index(row)].mover.set_lr(lr)

    def _on_row_params_changed(self, row: RacerRow, values: dict) -> None:
        if self.race is not None:
            self.race.racers[self.rows.index(row)].mover.set_params(values)

    # ------------------------------------------------------------ surface and start
    def _on_surface_combo_changed(self, _index: int) -> None:
        if self.surface_combo.currentData() == TYPED:
            self._on_typed_editing_finished()
        else:
            self._apply_surface()

    def _on_condition_value_changed(self, _value: int) -> None:
        if self.surface_combo.currentData() == "bowl":
            self._apply_surface()

    def condition_number(self) -> float:
        return round(10 ** (self.condition.value() / 10), 1)

    def _on_typed_editing_finished(self) -> None:
        text = self.typed.text()
        if self.surface_combo.currentData() != TYPED:
            self.surface_combo.setCurrentIndex(self.surface_combo.findData(TYPED))
            return  # the combo's change comes back here
        try:
            chosen = typed_surface(text)
            chosen.expression.value(*chosen.start)
        except PlaygroundError as exc:
            self.problem.setText(str(exc))
            return
        self.problem.clear()
        self._use_surface(chosen)

    def _apply_surface(self) -> None:
        name = self.surface_combo.currentData()
        self.condition_label.setText(f"condition {self.condition_number():g}")
        visible = name == "bowl"
        self.condition.setEnabled(visible)
        self.problem.clear()
        self._use_surface(surface(name, self.condition_number()))

    def _use_surface(self, chosen) -> None:
        keep_start = chosen.name == self.surface.name == "bowl"
        self.surface = chosen
        if not keep_start:
            self.start_point = chosen.start
        self.description.setText(chosen.description)
        self.view.set_surface(chosen)
        self.restart()

    def _on_view_start_clicked(self, x: float, y: float) -> None:
        self.set_start(x, y)

    def set_start(self, x: float, y: float) -> None:
        self.start_point = (round(x, 4), round(y, 4))
        self.restart()

    # ------------------------------------------------------------ running
    def _on_schedule_changed(self, _index: int) -> None:
        kind = SCHEDULES[self.schedule.currentData()]
        self.schedule_params.set_schema(kind.params, {p.name: p.default for p in kind.params})
        self.restart()

    def restart(self) -> None:
        try:
            race = Race(self.surface, self.start_point, self.specs(),
                        self.max_steps.value(), self.noise.value(), keep_records=KEEP_RECORDS)
        except PlaygroundError as exc:   # a setting the core refuses: say so, keep the race
            self.problem.setText(str(exc))
            return
        self.race = race
        self.start_label.setText(f"({self.start_point[0]:.4g}, {self.start_point[1]:.4g})")
        self.view.set_race(self.race, [row.color for row in self.rows])
        self._update_status()
        self.redrawn.emit()

    def specs(self) -> list[MoverSpec]:
        """The racers as the core runs them, with the race's schedule."""
        name = self.schedule.currentData()
        params = self.schedule_params.values()
        return [dataclasses.replace(row.spec(), schedule=name, schedule_params=params)
                for row in self.rows]

    def _on_max_steps_value_changed(self, value: int) -> None:
        if self.race is not None:
            self.race.steps = value
            for racer in self.race.racers:   # cosine and one-cycle span the race
                racer.mover.schedule.replan(value)

    def _on_part_toggled(self, key: str, on: bool) -> None:
        self.view.set_visible_parts(**{key: on})
        if self.race is not None:
            self.view.redraw(self.race)

    def _on_play_toggled(self, on: bool) -> None:
        self.play.setText("Pause" if on else "Play")
        if on and self.race is not None and self.race.done:
            self.restart()
        if on:
            self.timer.start()
        else:
            self.timer.stop()

    def step_once(self) -> None:
        if self.race is not None and self.race.step():
            self._redraw()

    def _on_timer_timeout(self) -> None:
        self.tick()

    def tick(self) -> None:
        """Step up to `speed` updates within the time budget, then redraw once."""
        began = time.perf_counter()
        moved = 0
        for _ in range(self.speed.value()):
            if self.race is None or self.race.done:
                break
            moved += self.race.step()
            if time.perf_counter() - began > STEP_BUDGET_S:
                break
        if moved:
            self._redraw()
        elif self.race is not None and self.race.done and self.play.isChecked():
            self.play.setChecked(False)
        self.tick_seconds.append(time.perf_counter() - began)

    def _redraw(self) -> None:
        self.view.redraw(self.race)
        self._update_status()
        self.redrawn.emit()

    def _update_status(self) -> None:
        lines = []
        for row, racer in zip(self.rows, self.race.racers):
            x, y = racer.path[-1]
            loss = racer.mover.value()
            state = " diverged" if racer.status == "diverged" else ""
            reached = (f", within 1e-4 of the minimum at step {racer.reached_at}"
                       if racer.reached_at is not None else "")
            lines.append(f"<span style='color:{row.color}'>\u25a0</span> "
                         f"{row.kind.currentText()}: step {racer.steps}, "
                         f"f {loss:.4g} at ({x:.3g}, {y:.3g}){state}{reached}")
        self.status.setText("<br>".join(lines))

    def set_colors(self, theme: Theme) -> None:
        self.theme = theme
        for index, row in enumerate(self.rows):
            row.set_color(self._color(index))
        self.view.set_colors(theme)
        if self.race is not None:
            self.view.set_race(self.race, [row.color for row in self.rows])

    def shutdown(self) -> None:
        """Stop playing (the window closes): the button and the timer agree."""
        self.play.setChecked(False)
        self.timer.stop()
