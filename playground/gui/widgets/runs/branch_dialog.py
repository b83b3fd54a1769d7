"""BranchDialog: where a branch starts (a kept checkpoint) and what it changes.

A branch continues the same network on the same data; it may change the learning rate
or the optimizer itself (a new optimizer starts with fresh state: no momentum, no Adam
moments). The optimizer's other settings and the epochs are changed afterwards in the
optimizer panel, live, like any paused run's.
"""
from __future__ import annotations

from PySide6.QtWidgets import (QComboBox, QDialog, QDialogButtonBox, QDoubleSpinBox,
                               QFormLayout, QLabel, QWidget)

from ....core.optim import OPTIMIZERS


class BranchDialog(QDialog):
    def __init__(self, run_name: str, points: list[str], optimizer: str, lr: float,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("branchDialog")
        self.setWindowTitle(f"Branch {run_name}")
        form = QFormLayout(self)
        intro = QLabel("The branch starts from the exact state kept at that point and "
                       "trains as a new run; the original run stays as it is.",
                       wordWrap=True)
        form.addRow(intro)
        self.point = QComboBox(objectName="branchPoint")
        self.point.addItems(points)
        self.point.setCurrentIndex(len(points) - 1)
        self.point.setToolTip("Kept checkpoints: a run keeps a few (every N epochs), so a "
                              "session file stays small.")
        form.addRow("from", self.point)
        self.optimizer = QComboBox(objectName="branchOptimizer")
        for name, kind in OPTIMIZERS.items():
            self.optimizer.addItem(kind.label, name)
        self.optimizer.setCurrentIndex(self.optimizer.findData(optimizer))
        self.optimizer.setToolTip("Another optimizer starts with fresh state (no momentum, "
                                  "no running averages) from the same weights.")
        form.addRow("optimizer", self.optimizer)
        self.lr = QDoubleSpinBox(objectName="branchLr", decimals=6, minimum=1e-6,
                                 maximum=100.0, singleStep=0.001)
        self.lr.setValue(lr)
        self.lr.setToolTip("The learning rate the branch continues with.")
        form.addRow("learning rate", self.lr)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                   | QDialogButtonBox.StandardButton.Cancel)
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText("Branch")
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)

    def choice(self) -> tuple[int, str, float]:
        """(index of the point, optimizer name, learning rate)."""
        return self.point.currentIndex(), self.optimizer.currentData(), self.lr.value()
