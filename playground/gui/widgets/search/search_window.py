"""SearchWindow: set up a hyperparameter search, watch its trials, open the best.

It keeps no spec: Start emits the settings and the storage, the main window starts the
search on the session's spec; the trials come back as records (TrialResult) that fill the
curves, the table, the importances and the scatter. "Open best trial" emits the best
trial's values; the main window turns them into the session's spec through its gate.
"""
from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (QComboBox, QFormLayout, QGroupBox, QHBoxLayout, QLabel,
                               QLineEdit, QPushButton, QSpinBox, QSplitter, QTableWidget,
                               QTableWidgetItem, QTabWidget, QVBoxLayout, QWidget)

from ....core.search import SearchSettings, parse_space
from ....core.search.stored import MAX_BATCH
from .space_editor import SpaceEditor
from .trial_views import ImportanceView, ScatterView, TrialCurves

SAMPLER_TIPS = {
    "tpe": ("TPE (Bayesian)", "Tree-structured Parzen estimator: after 10 random trials, "
            "proposes values where good trials were denser than poor ones."),
    "random": ("Random", "Every trial draws its values independently: a strong baseline."),
    "grid": ("Grid", "Every combination of the grid points (5 per range unless the range "
             "says :N), each once."),
}
PRUNER_TIPS = {
    "median": ("Median", "Stop a trial whose loss is worse than the median of earlier "
               "trials at the same epoch."),
    "hyperband": ("Hyperband", "Successive halving in several brackets: many trials get "
                  "a few epochs, only the best a full run."),
    "none": ("None", "Every trial trains all its epochs."),
}
_FIXED = ("Trial", "State", "Value", "Epochs", "Seconds")


class SearchWindow(QWidget):
    startRequested = Signal(object, str)   # SearchSettings, storage URL
    stopRequested = Signal()
    openBestRequested = Signal(object)     # the best trial's params

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent, Qt.WindowType.Window)
        self.setObjectName("searchWindow")
        self.setWindowTitle("Hyperparameter search")
        self.results: dict[int, Any] = {}
        self.running = False
        self.training: dict[int, dict] = {}  # trials begun and not yet ended
        self.space = SpaceEditor()
        self.sampler = self._combo("searchSampler", SAMPLER_TIPS)
        self.pruner = self._combo("searchPruner", PRUNER_TIPS)
        self.trials = QSpinBox(objectName="searchTrials", minimum=1, maximum=100_000,
                               value=20, toolTip="The study's trial budget (a resumed "
                               "study counts the trials it already has).")
        self.timeout = QSpinBox(objectName="searchTimeout", minimum=0, maximum=10_000_000,
                                value=0, suffix=" s", specialValueText="none",
                                toolTip="Stop starting trials after this many seconds.")
        self.batch = QSpinBox(objectName="searchBatch", minimum=1, maximum=MAX_BATCH,
                              value=1, specialValueText="1 (one at a time)", toolTip=(
            "Trials asked at once. Those that differ only in learning rate, momentum, "
            "L2, optimizer or initialisation train together as one stacked model, "
            "about as fast as one; the sampler keeps them apart (TPE counts the ones "
            "still running as poor guesses). 1 asks each trial after the last ended, so "
            "the sampler and the pruner learn from every trial before the next. Fastest "
            "with no pruner: a pruner re-reads every running trial from the storage "
            "each epoch."))
        self.storage = QLineEdit(objectName="searchStorage", toolTip=(
            "Where the study is kept: an Optuna storage URL. By default an SQLite file "
            "beside the session; postgresql://user@host/db lets `playground search worker` "
            "processes on other machines join."))
        self.study = QLineEdit("search", objectName="searchStudy", toolTip=(
            "The study's name. The same name and storage resumes a search."))
        self.start = QPushButton("Start", objectName="searchStart")
        self.stop = QPushButton("Stop", objectName="searchStop", enabled=False,
                                toolTip="Stop after the current epoch; the unfinished "
                                "trial is tried again when the search resumes.")
        self.open_best = QPushButton("Open best trial", objectName="searchOpenBest",
                                     enabled=False, toolTip="Put the best trial's settings "
                                     "into the session, to train it and go on from there.")
        self.status = QLabel(objectName="searchStatus", wordWrap=True)
        self.curves, self.importance, self.scatter = TrialCurves(), ImportanceView(), \
            ScatterView()
        self.table = QTableWidget(0, len(_FIXED), objectName="searchResults")
        self.table.setHorizontalHeaderLabels(_FIXED)
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        self._layout()
        self.start.clicked.connect(self._on_start_clicked)
        self.stop.clicked.connect(self.stopRequested)
        self.open_best.clicked.connect(self._on_open_best_clicked)
        self.space.changed.connect(self._on_space_changed)
        self._on_space_changed(self.space.text())
        self.resize(1200, 720)

    def _combo(self, name: str, tips: dict[str, tuple[str, str]]) -> QComboBox:
        combo = QComboBox(objectName=name)
        for key, (label, tip) in tips.items():
            combo.addItem(label, key)
            combo.setItemData(combo.count() - 1, tip, Qt.ItemDataRole.ToolTipRole)
        return combo

    def _layout(self) -> None:
        setup = QGroupBox("Search")
        form = QFormLayout(setup)
        form.addRow(self.space)
        form.addRow("Sampler", self.sampler)
        form.addRow("Pruner", self.pruner)
        form.addRow("Trials", self.trials)
        form.addRow("Time budget", self.timeout)
        form.addRow("Trials at once", self.batch)
        form.addRow("Storage", self.storage)
        form.addRow("Study", self.study)
        buttons = QHBoxLayout()
        for button in (self.start, self.stop, self.open_best):
            buttons.addWidget(button)
        form.addRow(buttons)
        form.addRow(self.status)
        tabs = QTabWidget(objectName="searchTabs")
        tabs.addTab(self.curves, "Trials")
        tabs.addTab(self.table, "Results")
        tabs.addTab(self.importance, "Importance")
        tabs.addTab(self.scatter, "Scatter")
        self.tabs = tabs
        split = QSplitter()
        split.addWidget(setup)
        split.addWidget(tabs)
        split.setStretchFactor(1, 1)
        column = QVBoxLayout(self)
        column.addWidget(split)

    # -------------------------------------------------------------- inputs
    def settings(self) -> SearchSettings:
        return SearchSettings(self.space.text(), self.trials.value(), float(self.timeout.value()),
                              self.sampler.currentData(), self.pruner.currentData(),
                              0, self.study.text().strip(), self.batch.value())

    def set_storage(self, url: str) -> None:
        self.storage.setText(url)

    def set_running(self, running: bool) -> None:
        self.running = running
        self.start.setEnabled(not running and not self.space.problem_text())
        self.stop.setEnabled(running)
        for widget in (self.space, self.sampler, self.pruner, self.trials, self.timeout,
                       self.batch, self.storage, self.study):
            widget.setEnabled(not running)

    def set_colors(self, theme: Any) -> None:
        self.curves.set_colors(theme.plot_background, theme.text, theme.accent, theme.muted,
                               theme.series[1])
        self.importance.set_colors(theme.plot_background, theme.text, theme.accent)
        self.scatter.set_colors(theme.plot_background, theme.text, theme.accent,
                                theme.series[1])

    # ----------------------------------------------------------- the search
    def begin(self, existing: list[Any]) -> None:
        """A search started; `existing` are the trials its study already held."""
        self.results, self.training = {}, {}
        self.curves.clear()
        self.table.setRowCount(0)
        space = parse_space(self.space.text())
        self.scatter.set_parameters(list(space.names),
                                    {d.name for d in space.dimensions if d.log})
        for result in existing:
            self.add_result(result)
        self.status.setText(f"Searching: {len(existing)} trials in the study so far.")

    def add_epoch(self, number: int, epoch: int, value: float) -> None:
        self.curves.add_point(number, epoch, value)

    def trial_began(self, number: int, params: dict) -> None:
        self.training[number] = dict(params)
        self._show_training()

    def _show_training(self) -> None:
        if len(self.training) == 1:
            (number, params), = self.training.items()
            shown = "  ".join(f"{k}={v:.3g}" if isinstance(v, float) else f"{k}={v}"
                              for k, v in params.items())
            self.status.setText(f"Trial {number} running: {shown}")
        elif self.training:
            numbers = ", ".join(str(n) for n in sorted(self.training))
            self.status.setText(f"Trials {numbers} running together.")

    def add_result(self, result: Any) -> None:
        self.results[result.number] = result
        if self.training.pop(result.number, None) is not None:
            self._show_training()
        best = self.best()
        self.curves.set_trial(result.number, result.state, result.curve,
                              best.number if best else None)
        self._fill_table()
        self.scatter.set_results(list(self.results.values()))
        self.open_best.setEnabled(best is not None)

    def end(self, reason: str) -> None:
        words = {"budget": "the trial budget is used up", "timeout": "the time is up",
                 "stopped": "stopped", "grid": "every grid point was tried"}
        best = self.best()
        tail = f"; best: trial {best.number}, value {best.value:.4g}" if best else ""
        self.status.setText(f"Search ended: {words.get(reason, reason)}{tail}.")

    def show_problem(self, message: str) -> None:
        self.status.setText(message)

    def best(self) -> Any:
        done = [r for r in self.results.values() if r.state == "complete"]
        return min(done, key=lambda r: r.value) if done else None

    def _fill_table(self) -> None:
        rows = sorted(self.results.values(), key=lambda r: r.number)
        names = sorted({name for r in rows for name in r.params},
                       key=lambda n: (self.space.text().find(n + "="), n))
        self.table.setColumnCount(len(_FIXED) + len(names))
        self.table.setHorizontalHeaderLabels([*_FIXED, *names])
        self.table.setRowCount(len(rows))
        best = self.best()
        for i, r in enumerate(rows):
            cells = [str(r.number), r.state, "" if r.value is None else f"{r.value:.4g}",
                     str(r.epochs), f"{r.seconds:.1f}",
                     *(_format(r.params.get(n)) for n in names)]
            for j, text in enumerate(cells):
                item = QTableWidgetItem(text)
                if best is not None and r.number == best.number:
                    font = QFont(item.font())
                    font.setBold(True)
                    item.setFont(font)
                self.table.setItem(i, j, item)
        self.table.resizeColumnsToContents()

    # -------------------------------------------------------------- slots
    @Slot(str)
    def _on_space_changed(self, text: str) -> None:
        if not self.running:
            self.start.setEnabled(not self.space.problem_text())

    @Slot()
    def _on_start_clicked(self) -> None:
        problem = self.space.problem_text()
        if problem:
            self.show_problem(problem)
            return
        self.startRequested.emit(self.settings(), self.storage.text().strip())

    @Slot()
    def _on_open_best_clicked(self) -> None:
        best = self.best()
        if best is not None:
            self.openBestRequested.emit(dict(best.params))


def _format(value: Any) -> str:
    if value is None:
        return ""
    return f"{value:.4g}" if isinstance(value, float) else str(value)
