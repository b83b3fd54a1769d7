"""MetricsTable: the run's loss and metrics on the training, validation and test rows, in
one small table that stays after the run ends (a status-bar sentence is gone in seconds).

Rows are the task's metrics, loss first (for regression RMSE is added, from MSE);
columns are train / validation / test. The train and validation columns follow the
latest epoch's logs (keys "loss", "mae", ... and "val_loss", "val_mae", ...); the test
column is filled once, from Finished.test ("test_loss", ...), at the end of a run.
Regression values are in the target's units unless the user asks for standardised ones
(units.Units), said in the tooltips. When early stopping has put back an earlier epoch's
weights, the train and validation columns show that epoch's figures and their headers
say so (show_restored); the next epoch trained goes back to the latest."""
from __future__ import annotations

import math
from typing import Mapping

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (QAbstractItemView, QHeaderView, QTableWidget,
                               QTableWidgetItem, QWidget)

from .units import HELP, Units, label, rmse

CLASSIFICATION = ("accuracy", "precision", "recall", "f1")
REGRESSION = ("mae", "mse", "r2")
SPLITS = (("train", ""), ("validation", "val_"), ("test", "test_"))


class MetricsTable(QTableWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(0, len(SPLITS), parent)
        self.setObjectName("metricsTable")
        self.setHorizontalHeaderLabels([name for name, _ in SPLITS])
        self.setToolTip("The loss and metrics of the latest epoch on the training and "
                        "validation rows, and on the test rows (never trained on, never "
                        "used to choose anything) once the run ends. Train much better "
                        "than validation means the model memorises instead of learning.")
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.units = Units()
        self.metrics: tuple[str, ...] = ()
        self.values: dict[str, float] = {}  # logged key -> value, as logged
        self.restored_epoch = 0  # the epoch whose figures the columns show (0: the latest)
        self.set_task("binary")

    def set_task(self, task: str, metrics: tuple[str, ...] | None = None, loss: str = "",
                 target_scale: float | None = None, standardised: bool = False) -> None:
        """The rows: loss, then the task's metrics (trainer.metric_names, or the task's
        defaults); loss kind and target scale as for LivePlots.set_task. Keeps values."""
        self.units = Units(task, loss, target_scale, standardised)
        if metrics is None:
            metrics = REGRESSION if task == "regression" else CLASSIFICATION
        metrics = tuple(metrics)
        if task == "regression" and "mse" in metrics and "rmse" not in metrics:
            at = metrics.index("mse") + 1
            metrics = metrics[:at] + ("rmse",) + metrics[at:]
        self.metrics = ("loss", *metrics)
        self.setRowCount(len(self.metrics))
        for row, name in enumerate(self.metrics):
            header = QTableWidgetItem(self.units.loss_title() if name == "loss" else label(name))
            header.setToolTip(f"{HELP.get(name, '')} {self.units.describe()}".strip())
            self.setVerticalHeaderItem(row, header)
        self._render()

    def set_standardised(self, on: bool) -> None:
        """Standardised (True) or the target's own units (LivePlots.standardised)."""
        self.set_task(self.units.task, tuple(m for m in self.metrics[1:] if m != "rmse"),
                      self.units.loss, self.units.scale, on)

    def update_from_logs(self, logs: Mapping[str, float]) -> None:
        """The train and validation columns from an epoch's logs (EpochEnded.logs, or a
        reopened session's last History record)."""
        if self.restored_epoch:
            self._set_restored(0)
        for key, value in logs.items():
            if not key.startswith("test_"):
                self.values[key] = value
        self._render()

    def show_restored(self, epoch: int, logs: Mapping[str, float]) -> None:
        """The train and validation columns from the logs of `epoch`, whose weights early
        stopping put back (core.callbacks.restored_figures), said in the headers."""
        self.values = {key: value for key, value in self.values.items()
                       if key.startswith("test_")}
        self.update_from_logs(logs)
        self._set_restored(epoch)

    def _set_restored(self, epoch: int) -> None:
        self.restored_epoch = epoch
        suffix = f" (epoch {epoch})" if epoch else ""  # "restored" too: cut at 1280x720
        self.setHorizontalHeaderLabels([name + suffix if prefix != "test_" else name
                                        for name, prefix in SPLITS])
        for column in (0, 1):
            self.horizontalHeaderItem(column).setToolTip(
                f"Early stopping put back the weights of epoch {epoch}: these are that "
                "epoch's figures, and the test column is measured on those weights."
                if epoch else "")

    def set_test(self, test: Mapping[str, float]) -> None:
        """The test column, from Finished.test."""
        self.values.update({key: value for key, value in test.items()
                            if key.startswith("test_")})
        self._render()

    def clear_values(self) -> None:
        """Empty every cell (a reset): the rows stay."""
        self.values = {}
        if self.restored_epoch:
            self._set_restored(0)
        self._render()

    def value(self, metric: str, split: str) -> float:
        """What a cell shows, as a number (NaN when empty): metric "loss", "mae", ...;
        split "train", "validation" or "test"."""
        prefix = dict(SPLITS)[split]
        if metric == "rmse":
            raw = rmse(self.values.get(prefix + "mse", math.nan))
        else:
            raw = self.values.get(prefix + metric, math.nan)
        return self.units.show(metric, raw)

    def _render(self) -> None:
        for row, name in enumerate(self.metrics):
            for column, (split, _) in enumerate(SPLITS):
                value = self.value(name, split)
                logged = dict(SPLITS)[split] + ("mse" if name == "rmse" else name)
                text = f"{value:.4g}" if math.isfinite(value) else \
                    "" if logged not in self.values else "NaN" if math.isnan(value) else \
                    f"{value:g}"  # a diverged run's NaN or inf says so, not a blank
                item = self.item(row, column)
                if item is None:
                    item = QTableWidgetItem()
                    item.setTextAlignment(Qt.AlignmentFlag.AlignRight
                                          | Qt.AlignmentFlag.AlignVCenter)
                    self.setItem(row, column, item)
                if item.text() != text:
                    item.setText(text)
