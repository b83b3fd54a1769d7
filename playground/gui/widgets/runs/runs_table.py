"""RunsTable: the session's runs side by side, one row each.

Columns: shown (a check box), the run (its colour and its name, editable: rename),
what differs from the selected run, the final train / validation / test figures, the
epochs and the training time. Sortable by any column (numbers sort as numbers). The
context menu shows or hides, branches (from the paused point or a kept checkpoint)
and deletes. The table renders rows it is given and emits what the user asked for;
the runs feature owns the runs (gui/runs_feature.py).

A regression run's figures are shown in the units the rest of the window shows (each
row converts with its own run's target scale; set_standardised follows the window's
"standardised units" toggle). A run whose early stopping put back an earlier epoch's
weights shows that epoch's figures, and its epochs cell says which.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtGui import QAction, QColor, QIcon, QKeySequence, QPixmap
from PySide6.QtWidgets import (QAbstractItemView, QHeaderView, QMenu, QTableWidget,
                               QTableWidgetItem, QVBoxLayout, QWidget)

from ..units import Units, label

ID_ROLE = Qt.ItemDataRole.UserRole
SORT_ROLE = Qt.ItemDataRole.UserRole + 1
SHOW, NAME, DIFFERS = 0, 1, 2


@dataclass(frozen=True)
class RunRow:
    """What one row shows."""

    id: int
    name: str
    color: str
    differs: str
    figures: dict = field(default_factory=dict)  # loss, val_loss, <metric>, test_<...>
    epochs: int = 0
    seconds: float = 0.0
    visible: bool = True
    current: bool = False          # the run the window trains
    can_branch_here: bool = False  # it is paused (or stopped) at a point to branch from
    checkpoints: int = 0           # kept checkpoints to branch from (the start counts)
    units: Units | None = None     # how its figures convert (None: shown as logged)
    restored_epoch: int = 0        # figures of this epoch, whose weights were put back


class _Item(QTableWidgetItem):
    """Sorts by SORT_ROLE (numbers as numbers, NaN last) where it is set."""

    def __lt__(self, other: QTableWidgetItem) -> bool:
        mine, theirs = self.data(SORT_ROLE), other.data(SORT_ROLE)
        if mine is None or theirs is None:
            return super().__lt__(other)
        if isinstance(mine, float) and math.isnan(mine):
            return False
        if isinstance(theirs, float) and math.isnan(theirs):
            return True
        return mine < theirs


class RunsTable(QWidget):
    renamed = Signal(int, str)
    visibilityChanged = Signal(int, bool)
    deleteRequested = Signal(int)
    branchHereRequested = Signal(int)
    branchRequested = Signal(int)      # from a kept checkpoint: the window asks which
    referenceChanged = Signal(int)     # the selected run, which the others are compared to

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.metric_name = "accuracy"  # not `metric`: that is QWidget.metric()
        self.standardised = False      # regression figures as the optimizer sees them
        self.rows: dict[int, RunRow] = {}
        self.table = QTableWidget(0, 0, objectName="runsTable")
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.DoubleClicked
                                   | QAbstractItemView.EditTrigger.EditKeyPressed)
        self.table.verticalHeader().hide()
        self.table.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 8)
        self.table.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.table.customContextMenuRequested.connect(self._on_table_context_menu)
        self.table.itemChanged.connect(self._on_table_item_changed)
        self.table.itemSelectionChanged.connect(self._on_table_selection_changed)
        self.table.setToolTip("Every Train makes a run. Tick to overlay it on the plots; "
                              "double-click a name to rename it; right-click to branch "
                              "or delete. \u2018Differs\u2019 compares each run with the "
                              "selected one.")
        self.actionDelete = QAction("&Delete run", self, objectName="actionDeleteRun",
                                    shortcut=QKeySequence.StandardKey.Delete)
        self.actionDelete.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        self.actionDelete.setToolTip("Delete the selected run (it asks first).")
        self.actionDelete.triggered.connect(self._on_delete_triggered)
        self.addAction(self.actionDelete)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.table)
        self._set_headers()

    def sizeHint(self) -> QSize:  # noqa: N802 - Qt's name
        """A few rows high: the plots above want the height more."""
        return QSize(640, 130)

    # ------------------------------------------------------------ rendering
    def set_metric(self, metric: str) -> None:
        if metric != self.metric_name:
            self.metric_name = metric
            self._set_headers()
            self.set_rows(list(self.rows.values()))

    def set_standardised(self, on: bool) -> None:
        """Standardised (True) or the target's own units, as the window's toggle says."""
        if on != self.standardised:
            self.standardised = on
            self.set_rows(list(self.rows.values()))

    def _columns(self) -> list[tuple[str, str]]:
        """(header, figure key) of the figure columns."""
        m = self.metric_name
        return [("loss", "loss"), ("val loss", "val_loss"), (label(m), m),
                (f"val {label(m)}", f"val_{m}"), (f"test {label(m)}", f"test_{m}")]

    def _set_headers(self) -> None:
        headers = ["show", "run", "differs from selected",
                   *[h for h, _ in self._columns()], "epochs", "time (s)"]
        self.table.setColumnCount(len(headers))
        self.table.setHorizontalHeaderLabels(headers)
        # Widths from the headers, set once: sizing columns to their contents scanned
        # every cell on every change (10 ms for a row's update with 17 runs, 90 ms for
        # the whole table), which a training run's live row would pay twice a second.
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setSectionResizeMode(DIFFERS, QHeaderView.ResizeMode.Stretch)
        metrics = header.fontMetrics()
        for column, text in enumerate(headers):
            width = metrics.horizontalAdvance(text) + 24
            header.resizeSection(column, max(width, 160 if column == NAME else 64))

    def set_rows(self, rows: list[RunRow], reference: int | None = None) -> None:
        """Show these runs (all rows are made again)."""
        selected = reference if reference is not None else self.selected()
        self.rows = {row.id: row for row in rows}
        table = self.table
        table.blockSignals(True)
        table.setSortingEnabled(False)
        table.setRowCount(len(rows))
        for index, row in enumerate(rows):
            self._fill(index, row)
        table.setSortingEnabled(True)
        table.blockSignals(False)
        if selected in self.rows:
            self.select(selected)

    def update_row(self, row: RunRow) -> None:
        """Refresh one run's cells (a run that trains, say)."""
        index = self._row_of(row.id)
        if index is None:
            return
        self.rows[row.id] = row
        self.table.blockSignals(True)
        self.table.setSortingEnabled(False)
        self._fill(index, row)
        self.table.setSortingEnabled(True)
        self.table.blockSignals(False)

    def _fill(self, index: int, row: RunRow) -> None:
        show = _Item()
        show.setFlags(Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsUserCheckable
                      | Qt.ItemFlag.ItemIsSelectable)
        show.setCheckState(Qt.CheckState.Checked if row.visible else Qt.CheckState.Unchecked)
        show.setData(SORT_ROLE, int(row.visible))
        show.setToolTip("Overlay this run on the plots.")
        if row.current:  # drawn live, on top: always shown
            show.setFlags(Qt.ItemFlag.ItemIsSelectable)
            show.setToolTip("The run being trained is always shown, on top.")
        name = _Item(row.name)
        name.setIcon(_swatch(row.color))
        name.setToolTip("The run the window trains now." if row.current else
                        "Double-click to rename.")
        if row.current:
            font = name.font()
            font.setBold(True)
            name.setFont(font)
        cells = [show, name, _Item(row.differs or ("\u2014" if row.current else "same"))]
        units = row.units.with_standardised(self.standardised) if row.units else None
        note = units.phrase() if units else ""
        for _, key in self._columns():
            value = row.figures.get(key, math.nan)
            value = units.show(key, value) if units else value
            item = _number_item(value, f"{value:.4g}" if math.isfinite(value) else "")
            if note:
                item.setToolTip(f"In {note}.")
            cells.append(item)
        epochs = _number_item(float(row.epochs), f"{row.epochs:,}")
        if row.restored_epoch:
            epochs.setText(f"{row.epochs:,} (restored {row.restored_epoch:,})")
            epochs.setToolTip(f"Early stopping put back the weights of epoch "
                              f"{row.restored_epoch}: the figures are that epoch's.")
        cells.append(epochs)
        cells.append(_number_item(row.seconds, f"{row.seconds:,.1f}"))
        for column, item in enumerate(cells):
            item.setData(ID_ROLE, row.id)
            if column > NAME:
                item.setFlags(item.flags() & ~Qt.ItemFlag.ItemIsEditable)
            self.table.setItem(index, column, item)
        if row.restored_epoch:  # rare: widen the epochs column once for the longer text
            column = len(cells) - 2
            width = self.table.fontMetrics().horizontalAdvance(epochs.text()) + 16
            header = self.table.horizontalHeader()
            header.resizeSection(column, max(header.sectionSize(column), width))

    # ---------------------------------------------------------- selection
    def selected(self) -> int | None:
        items = self.table.selectedItems()
        return items[0].data(ID_ROLE) if items else None

    def select(self, run_id: int) -> None:
        index = self._row_of(run_id)
        if index is not None:
            self.table.selectRow(index)

    def _row_of(self, run_id: int) -> int | None:
        for index in range(self.table.rowCount()):
            item = self.table.item(index, NAME)
            if item is not None and item.data(ID_ROLE) == run_id:
                return index
        return None

    # -------------------------------------------------------------- slots
    def _on_table_item_changed(self, item: QTableWidgetItem) -> None:
        run_id = item.data(ID_ROLE)
        if run_id not in self.rows:
            return
        if item.column() == SHOW:
            self.visibilityChanged.emit(run_id, item.checkState() == Qt.CheckState.Checked)
        elif item.column() == NAME:
            text = item.data(Qt.ItemDataRole.EditRole)
            if text != self.rows[run_id].name:
                self.renamed.emit(run_id, str(text))

    def _on_table_selection_changed(self) -> None:
        run_id = self.selected()
        if run_id is not None:
            self.referenceChanged.emit(run_id)

    def _on_delete_triggered(self) -> None:
        run_id = self.selected()
        if run_id is not None and not self.rows[run_id].current:
            self.deleteRequested.emit(run_id)

    def _on_table_context_menu(self, position) -> None:
        item = self.table.itemAt(position)
        if item is None:
            return
        run_id = item.data(ID_ROLE)
        self.select(run_id)
        self.context_menu(run_id).exec(self.table.viewport().mapToGlobal(position))

    def context_menu(self, run_id: int) -> QMenu:
        """The row's menu (a method of its own, so tests can trigger its actions)."""
        row = self.rows[run_id]
        menu = QMenu(self)
        shown = menu.addAction("Hide" if row.visible else "Show")
        shown.triggered.connect(lambda: self.visibilityChanged.emit(run_id, not row.visible))
        menu.addSeparator()
        here = menu.addAction("Branch from here", lambda: self.branchHereRequested.emit(run_id))
        here.setObjectName("actionBranchHere")
        here.setEnabled(row.can_branch_here)
        here.setToolTip("Continue from where this run is paused as a new run, with "
                        "another learning rate or optimizer; this run stays as it is.")
        kept = menu.addAction("Branch from checkpoint\u2026",
                              lambda: self.branchRequested.emit(run_id))
        kept.setObjectName("actionBranchCheckpoint")
        kept.setEnabled(row.checkpoints > 0)
        menu.addSeparator()
        delete = menu.addAction("Delete\u2026", lambda: self.deleteRequested.emit(run_id))
        delete.setObjectName("actionDeleteRunMenu")
        delete.setEnabled(not row.current)
        if row.current:
            delete.setToolTip("The run being trained cannot be deleted: Reset starts a new one.")
        return menu


def _number_item(value: float, text: str) -> _Item:
    item = _Item(text)
    item.setData(SORT_ROLE, float(value))
    item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
    return item


def _swatch(color: str) -> QIcon:
    pixmap = QPixmap(12, 12)
    pixmap.fill(QColor(color))
    return QIcon(pixmap)
