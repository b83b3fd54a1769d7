"""RacerRow: one optimizer of a race: its colour, registry kind, learning rate and
hyperparameters (the same schema-driven form as the optimizer panel's)."""
from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (QComboBox, QDoubleSpinBox, QFrame, QGridLayout, QLabel,
                               QSizePolicy, QToolButton, QWidget)

from ....core.lab import MoverSpec
from ....core.lab.mover import lab_lr
from ....core.optim import OPTIMIZERS
from ..param_form import ParamForm

LR_MIN, LR_MAX = 1e-6, 10.0


class RacerRow(QFrame):
    kindChanged = Signal()          # a different optimizer: the race starts over
    lrChanged = Signal(float)       # live: the next step uses it
    paramsChanged = Signal(object)  # live: dict of hyperparameters
    removeRequested = Signal()

    def __init__(self, name: str, lr: float, color: str,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("racerRow")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        grid = QGridLayout(self)
        grid.setContentsMargins(4, 4, 4, 4)
        self.swatch = QLabel(objectName="racerSwatch")
        self.swatch.setFixedSize(14, 14)
        self.swatch.setToolTip("This optimizer's colour on the map.")
        self.kind = QComboBox(objectName="racerOptimizer")
        for kind in OPTIMIZERS.values():
            self.kind.addItem(kind.label, kind.name)
            self.kind.setItemData(self.kind.count() - 1, kind.description,
                                  Qt.ItemDataRole.ToolTipRole)
        self.kind.setCurrentIndex(self.kind.findData(name))
        self.kind.setToolTip("Which optimizer of the registry moves this point: the same "
                             "code that trains your network.")
        self.lr = QDoubleSpinBox(objectName="racerLr", decimals=6, minimum=LR_MIN,
                                 maximum=LR_MAX, value=lr, singleStep=0.0005)
        self.lr.setKeyboardTracking(False)
        self.lr.setStepType(QDoubleSpinBox.StepType.AdaptiveDecimalStepType)
        self.lr.setToolTip("Learning rate. Change it while the race runs: the next step "
                           "uses it.")
        self.more = QToolButton(text="\u2699", objectName="racerMore", checkable=True)
        self.more.setToolTip("Show this optimizer's hyperparameters (momentum, betas, "
                             "...); changes apply at the next step.")
        self.remove = QToolButton(text="\u2715", objectName="racerRemove")
        self.remove.setToolTip("Take this optimizer out of the race.")
        self.params = ParamForm()
        grid.addWidget(self.swatch, 0, 0)
        grid.addWidget(self.kind, 0, 1)
        grid.addWidget(QLabel("lr"), 0, 2)
        grid.addWidget(self.lr, 0, 3)
        grid.addWidget(self.more, 0, 4)
        grid.addWidget(self.remove, 0, 5)
        grid.addWidget(self.params, 1, 1, 1, 5)
        self.params.setVisible(False)
        self.more.toggled.connect(self.params.setVisible)
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Fixed)
        grid.setColumnStretch(1, 1)
        self.set_color(color)
        self._render_params()
        self.kind.currentIndexChanged.connect(self._on_kind_current_index_changed)
        self.lr.valueChanged.connect(self.lrChanged)
        self.params.valuesChanged.connect(self.paramsChanged)
        self.remove.clicked.connect(self.removeRequested)

    def set_color(self, color: str) -> None:
        self.color = color
        self.swatch.setStyleSheet(f"background: {color}; border-radius: 3px;")

    def spec(self) -> MoverSpec:
        return MoverSpec(self.kind.currentData(), self.lr.value(), self.params.values())

    def set_kind(self, name: str, lr: float | None = None) -> None:
        self.kind.setCurrentIndex(self.kind.findData(name))
        if lr is not None:
            self.lr.setValue(lr)

    def _render_params(self) -> None:
        kind = OPTIMIZERS[self.kind.currentData()]
        self.params.set_schema(kind.params, {p.name: p.default for p in kind.params})

    def _on_kind_current_index_changed(self, _index: int) -> None:
        self._render_params()
        self.lr.blockSignals(True)
        self.lr.setValue(suggested_lr(self.kind.currentData()))
        self.lr.blockSignals(False)
        self.kindChanged.emit()


def suggested_lr(name: str) -> float:
    return lab_lr(name)
