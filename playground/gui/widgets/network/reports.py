"""ReportsWidget: how the trained network does, split by split.

Classification: the confusion matrix (rows the true class, columns the predicted one,
cells shaded by the share of their row) and each class's precision, recall and F1.
Regression: predicted against true values with the line of perfect predictions, and the
residuals (predicted - true), both in the target's own units. Reports arrive from the
training thread on every pause and at the end of a run (controller.reported).
"""
from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (QComboBox, QHBoxLayout, QLabel, QStackedWidget,
                               QTableWidget, QTableWidgetItem, QVBoxLayout, QWidget)

from ....core.inspect.reports import ClassificationReport

SPLIT_NAMES = {"train": "training", "val": "validation", "test": "test"}


class ReportsWidget(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("reportsView")
        self.report = None
        self.accent = QColor("#2563eb")
        layout = QVBoxLayout(self)
        row = QHBoxLayout()
        row.addWidget(QLabel("Split"))
        self.split = QComboBox(objectName="reportSplit")
        self.split.setToolTip("Test rows were never trained on nor used to choose "
                              "settings: their report is the honest one.")
        self.split.currentIndexChanged.connect(self._on_split_current_changed)
        row.addWidget(self.split)
        self.caption = QLabel("Train, pause or finish a run to see its report.",
                              objectName="reportCaption", wordWrap=True)
        row.addWidget(self.caption, 1)
        layout.addLayout(row)
        self.stack = QStackedWidget()
        layout.addWidget(self.stack, 1)
        classes = QWidget()
        column = QVBoxLayout(classes)
        column.addWidget(QLabel("Confusion matrix: rows are the true class, columns the "
                                "predicted one."))
        self.confusion = QTableWidget(objectName="confusionMatrix")
        column.addWidget(self.confusion, 2)
        self.scores = QTableWidget(objectName="classScores")
        column.addWidget(self.scores, 1)
        self.stack.addWidget(classes)
        plots = QWidget()
        side = QHBoxLayout(plots)
        self.versus = pg.PlotWidget(title="predicted against true")
        self.residuals = pg.PlotWidget(title="residuals (predicted - true)")
        for plot in (self.versus, self.residuals):
            side.addWidget(plot)
            for axis in ("left", "bottom"):  # the target's units, never rescaled (x0.001)
                plot.getAxis(axis).enableAutoSIPrefix(False)
        self.versus_points = pg.ScatterPlotItem(size=5)
        self.perfect = pg.PlotDataItem(pen=pg.mkPen("#9ca3af", width=1, style=Qt.PenStyle.DashLine))
        self.versus.addItem(self.perfect)
        self.versus.addItem(self.versus_points)
        self.residual_points = pg.ScatterPlotItem(size=5)
        self.residuals.addItem(pg.InfiniteLine(angle=0, pen=pg.mkPen("#9ca3af", style=Qt.PenStyle.DashLine)))
        self.residuals.addItem(self.residual_points)
        self.stack.addWidget(plots)

    def set_colors(self, background: str, text: str, series: tuple[str, ...]) -> None:
        self.accent = QColor(series[0])
        for plot in (self.versus, self.residuals):
            plot.setBackground(background)
            for axis in ("left", "bottom"):
                plot.getAxis(axis).setPen(text)
                plot.getAxis(axis).setTextPen(text)
            plot.setTitle(plot.plotItem.titleLabel.text, color=text)
        brush = pg.mkBrush(series[0])
        self.versus_points.setBrush(brush)
        self.residual_points.setBrush(brush)
        self._show()

    def clear(self) -> None:
        self.report = None
        self.split.clear()
        self.confusion.clear()
        self.scores.clear()
        self.versus_points.clear()
        self.residual_points.clear()
        self.caption.setText("Train, pause or finish a run to see its report.")

    def show_report(self, report) -> None:
        self.report = report
        splits = list(report.confusion if isinstance(report, ClassificationReport)
                      else report.true)
        current = self.split.currentData()
        self.split.blockSignals(True)
        self.split.clear()
        for split in splits:
            self.split.addItem(SPLIT_NAMES[split], split)
        index = splits.index(current) if current in splits else len(splits) - 1
        self.split.setCurrentIndex(index)
        self.split.blockSignals(False)
        self._show()

    def _on_split_current_changed(self, index: int) -> None:
        self._show()

    def _show(self) -> None:
        report, split = self.report, self.split.currentData()
        if report is None or split is None:
            return
        if isinstance(report, ClassificationReport):
            self.stack.setCurrentIndex(0)
            self._show_classes(report, split)
        else:
            self.stack.setCurrentIndex(1)
            self._show_regression(report, split)

    def _show_classes(self, report: ClassificationReport, split: str) -> None:
        matrix, names = report.confusion[split], report.class_names
        table = self.confusion
        table.setRowCount(len(names))
        table.setColumnCount(len(names))
        table.setVerticalHeaderLabels([f"true {n}" for n in names])
        table.setHorizontalHeaderLabels([f"predicted {n}" for n in names])
        totals = matrix.sum(1)
        for i in range(len(names)):
            for j in range(len(names)):
                item = QTableWidgetItem(f"{int(matrix[i, j])}")
                share = matrix[i, j] / totals[i] if totals[i] else 0.0
                shade = QColor(self.accent)
                shade.setAlphaF(0.1 + 0.7 * float(share))
                item.setBackground(shade)
                item.setToolTip(f"{share:.0%} of the true {names[i]} rows")
                table.setItem(i, j, item)
        scores = report.scores[split]
        self.scores.setRowCount(len(names))
        self.scores.setColumnCount(4)
        self.scores.setHorizontalHeaderLabels(["precision", "recall", "F1", "rows"])
        self.scores.setVerticalHeaderLabels(list(names))
        for i in range(len(names)):
            for j, value in enumerate(scores[i]):
                self.scores.setItem(i, j, QTableWidgetItem(f"{value:.3f}"))
            self.scores.setItem(i, 3, QTableWidgetItem(f"{int(totals[i])}"))
        accuracy = np.trace(matrix) / max(matrix.sum(), 1)
        self.caption.setText(f"{SPLIT_NAMES[split].capitalize()} rows: {int(matrix.sum())}, "
                             f"accuracy {accuracy:.3f}.")

    def _show_regression(self, report, split: str) -> None:
        true, predicted = report.true[split], report.predicted[split]
        finite = np.isfinite(predicted)  # a diverged network predicts NaN
        true, predicted = true[finite], predicted[finite]
        residuals = predicted - true
        self.versus_points.setData(true, predicted)
        if len(true):
            low, high = float(min(true.min(), predicted.min())), float(max(true.max(),
                                                                           predicted.max()))
            self.perfect.setData([low, high], [low, high])
        self.residual_points.setData(true, residuals)
        for plot, y in ((self.versus, "predicted"), (self.residuals, "residual")):
            plot.setLabel("bottom", f"true {report.target}")
            plot.setLabel("left", f"{y} {report.target}")
        mae = float(np.abs(residuals).mean()) if len(residuals) else float("nan")
        rmse = float(np.sqrt((residuals ** 2).mean())) if len(residuals) else float("nan")
        self.caption.setText(f"{SPLIT_NAMES[split].capitalize()} rows: {len(true)}; in "
                             f"the target's units: MAE {mae:.4g}, RMSE {rmse:.4g}.")
