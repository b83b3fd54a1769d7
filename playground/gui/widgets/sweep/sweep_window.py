"""SweepWindow: choose what to vary (or a preset), run, watch, compare, export.

A widget: it takes the session's spec in (set_base, read-only) and sends a plan out
(runRequested); the main window's sweep wiring hands the plan to the SweepController and
feeds its records back (add_records, run_finished, sweep_finished). It never touches the
controller or torch.
"""
from __future__ import annotations

from dataclasses import replace
from typing import Any

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (QComboBox, QFileDialog, QFormLayout, QHBoxLayout, QLabel,
                               QLineEdit, QProgressBar, QPushButton, QSpinBox, QSplitter,
                               QTableWidget, QTableWidgetItem, QTabWidget, QVBoxLayout,
                               QWidget)

from ....core.errors import PlaygroundError
from ....core.experiments.presets import PRESETS
from ....core.experiments.sweep import (plan_sweep, parse_values, rows_to_csv,
                                        table_columns)
from ....core.experiments.variables import VARIABLES
from ....core.spec import SessionSpec
from .curves import SweepCurves, colour
from .heatmap import SweepHeatMap

NONE = "\u2014"
CUSTOM = "Custom: vary the current session"


class _NumberItem(QTableWidgetItem):
    """A cell that sorts by its number, not its text."""

    def __init__(self, value: Any) -> None:
        text = "\u2013" if value is None else f"{value:.4g}" if isinstance(value, float) \
            else str(value)
        super().__init__(text)
        self.number = value if isinstance(value, (int, float)) else None

    def __lt__(self, other: QTableWidgetItem) -> bool:
        mine, theirs = self.number, getattr(other, "number", None)
        if mine is not None and theirs is not None:
            return mine < theirs
        return (mine is None, self.text()) < (theirs is None, other.text())


class SweepWindow(QWidget):
    runRequested = Signal(object)    # SweepPlan
    stopRequested = Signal()
    closing = Signal()
    keepRunsRequested = Signal(object)  # [KeptRun]: add them to the window's runs table

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent, Qt.WindowType.Window)
        self.setObjectName("sweepWindow")
        self.setWindowTitle("Sweep \u2014 Gradient Playground")
        self.base: SessionSpec | None = None
        self.plan = None
        self.rows: list[dict] = []
        self.total = self.done = 0
        self._finished_runs = 0
        layout = QVBoxLayout(self)
        layout.addLayout(self._build_form())
        layout.addLayout(self._build_buttons())
        self.error = QLabel(objectName="sweepError", wordWrap=True)
        self.error.setStyleSheet("color: #dc2626")
        self.error.hide()
        layout.addWidget(self.error)
        splitter = QSplitter(Qt.Orientation.Vertical)
        self.tabs = QTabWidget(objectName="sweepTabs")
        self.curves = SweepCurves()
        self.heatmap = SweepHeatMap()
        self.tabs.addTab(self.curves, "Curves")
        self.tabs.addTab(self.heatmap, "Heat map")
        self.tabs.setTabEnabled(1, False)
        self.tabs.setTabToolTip(1, "For two variables: one cell per combination.")
        splitter.addWidget(self.tabs)
        self.table = QTableWidget(objectName="sweepTable")
        self.table.setSortingEnabled(True)
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.table.setToolTip("Each run's final metrics; click a header to sort.")
        self.table.verticalHeader().hide()
        splitter.addWidget(self.table)
        splitter.setSizes([420, 200])
        layout.addWidget(splitter, 1)
        self.resize(1000, 760)
        self._on_preset_current_index_changed(0)

    # ---------------------------------------------------------------- building
    def _build_form(self) -> QFormLayout:
        form = QFormLayout()
        self.preset = QComboBox(objectName="sweepPreset")
        self.preset.addItem(CUSTOM, None)
        for item in PRESETS.values():
            self.preset.addItem(item.title, item.name)
        self.preset.setToolTip("A ready comparison on real data (its own network and data "
                               "set), or your own sweep of the current session.")
        self.preset.currentIndexChanged.connect(self._on_preset_current_index_changed)
        form.addRow("Preset", self.preset)
        self.about = QLabel(objectName="sweepAbout", wordWrap=True)
        form.addRow(self.about)
        self.variables, self.values = [], []
        for number in (1, 2):
            combo = QComboBox(objectName=f"sweepVariable{number}")
            if number == 2:
                combo.addItem(NONE, None)
            for var in VARIABLES.values():
                combo.addItem(var.label, var.name)
            combo.setToolTip("What to vary" + (" (a second variable gives a heat map)."
                                                if number == 2 else "."))
            edit = QLineEdit(objectName=f"sweepValues{number}")
            edit.setToolTip("The values, separated by commas.")
            combo.currentIndexChanged.connect(self._on_variable_current_index_changed)
            row = QHBoxLayout()
            row.addWidget(combo)
            row.addWidget(edit, 1)
            form.addRow(f"Vary {number}", row)
            self.variables.append(combo)
            self.values.append(edit)
        self.epochs = QSpinBox(objectName="sweepEpochs", minimum=1, maximum=100_000)
        self.epochs.setToolTip("Epochs of every run.")
        self.target = QLineEdit(objectName="sweepTarget", placeholderText="none")
        self.target.setToolTip("A training loss to reach: the table gives the epoch and the "
                               "seconds at which each run first got there.")
        row = QHBoxLayout()
        row.addWidget(self.epochs)
        row.addWidget(QLabel("Target loss"))
        row.addWidget(self.target)
        row.addStretch(1)
        form.addRow("Epochs", row)
        return form

    def _build_buttons(self) -> QHBoxLayout:
        self.run_button = QPushButton("Run sweep", objectName="sweepRun")
        self.run_button.setToolTip("Train every combination; runs that share data and "
                                   "network train together as one stacked model.")
        self.run_button.clicked.connect(self._on_run_button_clicked)
        self.stop_button = QPushButton("Stop", objectName="sweepStop", enabled=False)
        self.stop_button.setToolTip("End the sweep after the current batch; finished runs "
                                    "keep their results.")
        self.stop_button.clicked.connect(self.stopRequested)
        self.export_button = QPushButton("Export CSV\u2026", objectName="sweepExport",
                                         enabled=False)
        self.export_button.setToolTip("Save the results table as a CSV file.")
        self.export_button.clicked.connect(self._on_export_button_clicked)
        self.keep_button = QPushButton("Keep as runs", objectName="sweepKeepRuns",
                                       enabled=False)
        self.keep_button.setToolTip(
            "Add the sweep's runs to the main window's runs table: their curves overlay "
            "your own runs there, and they are saved with the session.")
        self.keep_button.clicked.connect(self._on_keep_button_clicked)
        self.progress = QProgressBar(objectName="sweepProgress")
        self.progress.setToolTip("Epochs trained of all the sweep's epochs.")
        self.status = QLabel(objectName="sweepStatus")
        row = QHBoxLayout()
        for widget in (self.run_button, self.stop_button, self.export_button,
                       self.keep_button):
            row.addWidget(widget)
        row.addWidget(self.progress, 1)
        row.addWidget(self.status)
        return row

    def set_colors(self, background: str, foreground: str) -> None:
        self.curves.set_colors(background, foreground)
        self.heatmap.set_colors(background, foreground)

    # ------------------------------------------------------------------ inputs
    def set_base(self, spec: SessionSpec) -> None:
        """The current session's spec: what a custom sweep varies (never edited here)."""
        self.base = spec
        if self.preset.currentData() is None and self.plan is None:
            self.epochs.setValue(spec.train.epochs)
        self._describe()

    def choose(self, variables: list[tuple[str, str]]) -> None:
        """Fill the variable rows: [(name, "v1,v2"), ...] (one or two)."""
        for number, (combo, edit) in enumerate(zip(self.variables, self.values)):
            if number < len(variables):
                name, text = variables[number]
                combo.setCurrentIndex(combo.findData(name))
                edit.setText(text)
            elif number == 1:
                combo.setCurrentIndex(0)
                edit.clear()

    def run_preset(self, name: str) -> None:
        """Choose a preset and run it: the one-click path."""
        self.preset.setCurrentIndex(self.preset.findData(name))
        self._on_run_button_clicked()

    @Slot(int)
    def _on_preset_current_index_changed(self, index: int) -> None:
        name = self.preset.currentData()
        if name is None:
            self.choose([("lr", VARIABLES["lr"].example)])
            if self.base is not None:
                self.epochs.setValue(self.base.train.epochs)
            self.target.clear()
        else:
            item = PRESETS[name]
            self.choose([(var, ",".join("full" if v is None else f"{v:g}" if
                                        isinstance(v, float) else str(v) for v in values))
                         for var, values in item.vary])
            self.epochs.setValue(item.base().train.epochs)
            self.target.setText("" if item.target_loss is None else f"{item.target_loss:g}")
        self._describe()

    @Slot(int)
    def _on_variable_current_index_changed(self, index: int) -> None:
        combo = self.sender()
        edit = self.values[self.variables.index(combo)]
        name = combo.currentData()
        # Another variable's values rarely fit this one: offer its own to start from.
        edit.setPlaceholderText(VARIABLES[name].example if name else "")
        edit.setText(VARIABLES[name].example if name else "")

    def _describe(self) -> None:
        name = self.preset.currentData()
        if name is not None:
            item = PRESETS[name]
            data = item.base().data.name
            self.about.setText(f"{item.question} On {data}, with its own network. "
                               f"Expected: {item.expect}")
        elif self.base is not None:
            spec = self.base
            self.about.setText(f"Varies the current session: {spec.data.name}, "
                               f"{len(spec.model.layers)} layers, {spec.optimizer.name} "
                               f"(lr {spec.optimizer.lr:g}), batch "
                               f"{spec.train.batch_size or 'full'}.")

    def build_plan(self):
        """The plan the form describes; PlaygroundError (a sentence) if it cannot be."""
        name = self.preset.currentData()
        item = PRESETS[name] if name else None
        base = item.base() if item else self.base
        if base is None:
            raise PlaygroundError("There is no session to vary yet.")
        base = replace(base, train=replace(base.train, epochs=self.epochs.value()))
        vary = []
        for combo, edit in zip(self.variables, self.values):
            if combo.currentData():
                vary.append((combo.currentData(), parse_values(combo.currentData(),
                                                                edit.text())))
        text = self.target.text().strip()
        try:
            target = float(text) if text else None
        except ValueError:
            raise PlaygroundError(f"Target loss: {text!r} is not a number.") from None
        return plan_sweep(base, vary, target, keep_lr=bool(item and item.keep_lr))

    @Slot()
    def _on_run_button_clicked(self) -> None:
        try:
            plan = self.build_plan()
        except PlaygroundError as exc:
            self.show_error(str(exc))
            return
        self.error.hide()
        self.runRequested.emit(plan)

    # ------------------------------------------------------------------ a sweep
    def sweep_started(self, plan) -> None:
        self.plan, self.rows = plan, []
        self.total = len(plan.runs) * plan.runs[0].spec.train.epochs
        self.done = self._finished_runs = 0
        self.progress.setRange(0, self.total)
        self.progress.setValue(0)
        self.curves.begin([run.name for run in plan.runs], plan.runs[0].spec.train.epochs)
        self.table.clear()
        self.table.setRowCount(0)
        self.tabs.setTabEnabled(1, len(plan.variables) == 2)
        self.export_button.setEnabled(False)
        self.keep_button.setEnabled(False)
        self.kept_runs = []
        self._set_status()

    def set_running(self, running: bool) -> None:
        self.run_button.setEnabled(not running)
        self.stop_button.setEnabled(running)

    def add_records(self, batch: list) -> None:
        self.curves.add(batch)
        self.done += len(batch)
        self.progress.setValue(min(self.done, self.total))

    def run_finished(self, index: int, reason: str) -> None:
        self._finished_runs += 1
        self._set_status()

    def _set_status(self) -> None:
        runs = len(self.plan.runs) if self.plan else 0
        self.status.setText(f"{self._finished_runs} of {runs} runs done")

    def sweep_finished(self, outcome: dict | None) -> None:
        if outcome is None:
            return
        self.rows = outcome["rows"]
        self.progress.setValue(self.total if not outcome["stopped"] else self.done)
        self.status.setText(f"{self._finished_runs} of {len(self.rows)} runs done"
                            + (" (stopped)" if outcome["stopped"] else ""))
        self.curves.redraw()
        self._fill_table()
        if len(self.plan.variables) == 2:
            self.heatmap.show_rows(self.rows, self.plan.variables)
        self.export_button.setEnabled(bool(self.rows))
        self.kept_runs = list(outcome.get("runs", ()))
        self.keep_button.setEnabled(bool(self.kept_runs))

    def _fill_table(self) -> None:
        extra = PRESETS[self.preset.currentData()].columns if self.preset.currentData() \
            else ()
        columns = table_columns(self.rows, self.plan.names, extra)
        self.table.setSortingEnabled(False)
        self.table.setColumnCount(len(columns))
        self.table.setHorizontalHeaderLabels(columns)
        self.table.setRowCount(len(self.rows))
        for r, row in enumerate(self.rows):
            for c, key in enumerate(columns):
                item = _NumberItem(row.get(key))
                if key == "run":  # the run's colour, as in the curves
                    item.setBackground(QColor(colour(row["run"] - 1)))
                    item.setForeground(QColor("#ffffff"))
                self.table.setItem(r, c, item)
        self.table.resizeColumnsToContents()
        self.table.setSortingEnabled(True)

    def show_error(self, message: str) -> None:
        self.error.setText(message)
        self.error.show()

    @Slot()
    def _on_keep_button_clicked(self) -> None:
        self.keep_button.setEnabled(False)  # once: a second click would add them again
        self.keepRunsRequested.emit(self.kept_runs)

    @Slot()
    def _on_export_button_clicked(self) -> None:
        path, _ = QFileDialog.getSaveFileName(self, "Export the results", "sweep.csv",
                                              "CSV files (*.csv);;All files (*)")
        if not path:
            return
        try:
            rows_to_csv(self.rows, path)
        except PlaygroundError as exc:
            self.show_error(str(exc))
            return
        self.status.setText(f"Saved {path}")

    def closeEvent(self, event) -> None:
        self.closing.emit()  # the wiring stops and joins the sweep's thread
        super().closeEvent(event)
