"""SweepWindow: choose what to vary (or a preset), run, watch, compare, export.

A widget: it takes the session's spec in (set_base, read-only) and sends a plan out
(runRequested); the sweep feature (gui/sweep_feature.py) hands the plan to the
SweepController and feeds its records back (add_records, run_finished, sweep_finished).
It never touches the controller or torch.
"""
from __future__ import annotations

import html
import os
from dataclasses import replace

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (QComboBox, QFileDialog, QFormLayout, QHBoxLayout, QLabel,
                               QLineEdit, QProgressBar, QPushButton, QSpinBox, QSplitter,
                               QTableWidget, QTableWidgetItem, QTabWidget, QVBoxLayout,
                               QWidget)

from ....core.errors import PlaygroundError
from ....core.experiments.presets import DEFAULT_SEEDS, PRESETS, Verdict
from ....core.experiments.sweep import (cell_text, plan_sweep, parse_values, rows_to_csv,
                                        table_columns)
from ....core.experiments.variables import VARIABLES
from ....core.spec import SessionSpec
from ... import settings
from .curves import SweepCurves, colour
from .heatmap import SweepHeatMap

NONE = "\u2014"
CUSTOM = "Custom: vary the current session"


class _NumberItem(QTableWidgetItem):
    """A cell that sorts by its number, not its text."""

    def __init__(self, row: dict, key: str) -> None:
        super().__init__(cell_text(row, key))
        value = row.get(key)
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
        self.rows: list[dict] = []      # the table shown: per run, or per variant
        self.run_rows: list[dict] = []  # per run, always (what Export CSV writes)
        self.judged: str | None = None      # the preset whose claim this sweep tests
        self._requested: str | None = None  # the preset of the sweep last asked for
        self.total = self.done = 0
        self._finished_runs = 0
        layout = QVBoxLayout(self)
        layout.addLayout(self._build_form())
        layout.addLayout(self._build_buttons())
        # A preset's caption says when the epochs typed differ from its own.
        self.epochs.valueChanged.connect(self._on_epochs_value_changed)
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
        lower = QWidget()
        below = QVBoxLayout(lower)
        below.setContentsMargins(0, 0, 0, 0)
        self.verdict_label = QLabel(objectName="sweepVerdict", wordWrap=True)
        self.verdict_label.setTextFormat(Qt.TextFormat.RichText)
        self.verdict_label.setToolTip("Whether this table agrees with the preset's claim, "
                                      "judged on the means over the seeds.")
        self.verdict_label.hide()
        below.addWidget(self.verdict_label)
        self.verdict: Verdict | None = None
        self.table = QTableWidget(objectName="sweepTable")
        self.table.setSortingEnabled(True)
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.table.setToolTip("Each run's final metrics; click a header to sort.")
        self.table.verticalHeader().hide()
        below.addWidget(self.table, 1)
        splitter.addWidget(lower)
        splitter.setSizes([380, 260])
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
        self.seeds = QSpinBox(objectName="sweepSeeds", minimum=1, maximum=10)
        self.seeds.setToolTip("Each combination trained from this many seeds (the spec's "
                              "seed and the next ones): the table gives the mean \u00b1 the "
                              "spread. Seeds train together, so 3 cost little more than 1.")
        self.target = QLineEdit(objectName="sweepTarget", placeholderText="none")
        self.target.setToolTip("A training loss to reach: the table gives the epoch and the "
                               "seconds at which each run first got there.")
        row = QHBoxLayout()
        row.addWidget(self.epochs)
        row.addWidget(QLabel("Seeds"))
        row.addWidget(self.seeds)
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
            self.seeds.setValue(1)
            self.target.clear()
        else:
            item = PRESETS[name]
            self.choose([(var, ",".join("full" if v is None else f"{v:g}" if
                                        isinstance(v, float) else str(v) for v in values))
                         for var, values in item.vary])
            self.epochs.setValue(item.base().train.epochs)
            self.seeds.setValue(DEFAULT_SEEDS)
            self.curves.with_validation.setChecked(item.with_validation)
            self.curves.x_axis.setCurrentText(item.x_axis)
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

    @Slot(int)
    def _on_epochs_value_changed(self, value: int) -> None:
        self._describe()

    def _describe(self) -> None:
        name = self.preset.currentData()
        if name is not None:
            item, epochs = PRESETS[name], self.epochs.value()
            preset_epochs = item.base().train.epochs
            changed = (f" You set {epochs:,} epochs instead of the preset's "
                       f"{preset_epochs:,}: the runs and the verdict use yours."
                       if epochs != preset_epochs else "")
            self.about.setText(item.caption() + changed)
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
        if item is not None:
            return item.plan(base, vary, seeds=self.seeds.value(), target_loss=target)
        return plan_sweep(base, vary, target, seeds=self.seeds.value())

    @Slot()
    def _on_run_button_clicked(self) -> None:
        try:
            plan = self.build_plan()
        except PlaygroundError as exc:
            self.show_error(str(exc))
            return
        self.error.hide()
        self._requested = self.preset.currentData()
        self.runRequested.emit(plan)

    # ------------------------------------------------------------------ a sweep
    def sweep_started(self, plan) -> None:
        self.plan, self.rows = plan, []
        self.total = len(plan.runs) * plan.runs[0].spec.train.epochs
        self.done = self._finished_runs = 0
        self.progress.setRange(0, self.total)
        self.progress.setValue(0)
        names = [run.variant_name if plan.repeated else run.name for run in plan.runs]
        self.curves.begin(names, plan.runs[0].spec.train.epochs,
                          [run.variant for run in plan.runs])
        self.verdict, self.run_rows, self.judged = None, [], self._requested
        self.verdict_label.hide()
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
        self.run_rows = outcome["rows"]
        summary = outcome.get("summary") or []
        self.rows = summary if self.plan.repeated else self.run_rows
        if self.plan.lr_factors:  # the curves of each variant's chosen lr only
            chosen = {row["variant"]: row["lr"] for row in summary}
            self.curves.show_only({run.index for run in self.plan.runs
                                   if run.trial.get("lr") == chosen.get(run.variant + 1)})
        self._show_verdict([] if outcome["stopped"] else summary)
        self.progress.setValue(self.total if not outcome["stopped"] else self.done)
        self.status.setText(f"{self._finished_runs} of {len(self.run_rows)} runs done"
                            + (" (stopped)" if outcome["stopped"] else ""))
        self.curves.redraw()
        self._fill_table()
        if len(self.plan.variables) == 2:
            self.heatmap.show_rows(self.rows, self.plan.variables)
        self.export_button.setEnabled(bool(self.run_rows))
        self.kept_runs = list(outcome.get("runs", ()))
        self.keep_button.setEnabled(bool(self.kept_runs))

    def _show_verdict(self, summary: list[dict]) -> None:
        """The preset's claim judged on the summary, above the table (a custom sweep
        makes no claim, and a stopped one is not judged)."""
        if self.judged is None or not summary:
            return
        verdict = self.verdict = PRESETS[self.judged].verdict(summary)
        colour = "#15803d" if verdict.agrees else "#b45309"
        head = "Agrees with the claim" if verdict.agrees else "Does not agree with the claim"
        reason = "" if verdict.agrees else \
            f"<br><i>Likely reason:</i> {html.escape(verdict.reason)}"
        self.verdict_label.setText(
            f"<b style='color:{colour}'>{head}.</b> <i>Claim:</i> "
            f"{html.escape(verdict.claim)}<br><i>Evidence:</i> "
            f"{html.escape(verdict.evidence)}{reason}")
        self.verdict_label.show()

    def _fill_table(self) -> None:
        extra = PRESETS[self.judged].columns if self.judged else ()
        columns = table_columns(self.rows, self.plan.names, extra)
        self.table.setSortingEnabled(False)
        self.table.setColumnCount(len(columns))
        self.table.setHorizontalHeaderLabels(columns)
        self.table.setRowCount(len(self.rows))
        for r, row in enumerate(self.rows):
            for c, key in enumerate(columns):
                item = _NumberItem(row, key)
                if key in ("run", "variant"):  # the run's colour, as in the curves
                    item.setBackground(QColor(colour(row[key] - 1)))
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
        start = os.path.join(settings.start_folder(), "sweep.csv")  # never the working
        path, _ = QFileDialog.getSaveFileName(self, "Export the results", start,  # folder
                                              "CSV files (*.csv);;All files (*)")
        if not path:
            return
        try:
            rows_to_csv(self.run_rows, path)
        except PlaygroundError as exc:
            self.show_error(str(exc))
            return
        self.status.setText(f"Saved {path}")

    def closeEvent(self, event) -> None:
        self.closing.emit()  # the sweep feature stops and joins the sweep's thread
        super().closeEvent(event)
