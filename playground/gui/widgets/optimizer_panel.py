"""OptimizerPanel: optimizer, learning rate, batch mode, schedule (with a preview of
the planned curve), loss, penalties, clipping, early stopping and epochs."""
from __future__ import annotations

import dataclasses
import math

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (QButtonGroup, QCheckBox, QComboBox, QDoubleSpinBox,
                               QFormLayout, QGroupBox, QHBoxLayout, QRadioButton,
                               QSlider, QSpinBox, QVBoxLayout, QWidget)

from ...core.losses import LOSS_HELP, LOSS_LABELS
from ...core.optim import OPTIMIZERS, SCHEDULES, WARMUP_HELP, planned_lr_curve
from ...core.spec import EarlyStoppingSpec, OptimizerSpec, ScheduleSpec, SessionSpec
from .live_plots import keep_flat_lines_readable
from .param_form import ParamForm

LR_MIN, LR_MAX, LR_STEPS = 1e-5, 10.0, 600  # the slider moves in equal log steps


def lr_to_slider(lr: float) -> int:
    span = math.log10(LR_MAX) - math.log10(LR_MIN)
    return round((math.log10(min(max(lr, LR_MIN), LR_MAX)) - math.log10(LR_MIN)) / span * LR_STEPS)


def slider_to_lr(position: int) -> float:
    span = math.log10(LR_MAX) - math.log10(LR_MIN)
    return float(f"{10 ** (math.log10(LR_MIN) + position / LR_STEPS * span):.3g}")


class OptimizerPanel(QWidget):
    specChanged = Signal(object)  # SessionSpec

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._spec: SessionSpec | None = None
        self.train_rows = 350  # for the schedule preview's updates per epoch
        layout = QVBoxLayout(self)
        layout.addWidget(self._optimizer_box())
        layout.addWidget(self._batch_box())
        layout.addWidget(self._schedule_box())
        layout.addWidget(self._training_box())
        layout.addStretch(1)

    # ------------------------------------------------------------ building
    def _optimizer_box(self) -> QGroupBox:
        box = QGroupBox("Optimizer")
        form = QFormLayout(box)
        self.optimizer = QComboBox(objectName="optimizerCombo")
        for kind in OPTIMIZERS.values():
            self.optimizer.addItem(kind.label, kind.name)
            self.optimizer.setItemData(self.optimizer.count() - 1, kind.description,
                                       Qt.ItemDataRole.ToolTipRole)
        self.optimizer.currentIndexChanged.connect(self._on_optimizer_changed)
        form.addRow("method", self.optimizer)
        self.lr_slider = QSlider(Qt.Orientation.Horizontal, objectName="lrSlider")
        self.lr_slider.setRange(0, LR_STEPS)
        self.lr_box = QDoubleSpinBox(objectName="lrSpin", decimals=6, minimum=1e-6,
                                     maximum=100.0, singleStep=0.001)
        tip = ("The learning rate: how far each update moves the weights along the negative "
               "gradient. Too high and the loss explodes; too low and it crawls. The slider "
               "is logarithmic: each notch is the same factor.")
        for widget in (self.lr_slider, self.lr_box):
            widget.setToolTip(tip)
        self.lr_slider.valueChanged.connect(lambda p: self._set_lr(slider_to_lr(p)))
        self.lr_box.valueChanged.connect(self._set_lr)
        row = QHBoxLayout()
        row.addWidget(self.lr_slider, 1)
        row.addWidget(self.lr_box)
        form.addRow("learning rate", row)
        self.params = ParamForm()
        self.params.valuesChanged.connect(self._on_params_changed)
        form.addRow(self.params)
        return box

    def _batch_box(self) -> QGroupBox:
        box = QGroupBox("Updates")
        box.setToolTip("How many examples each update averages its gradient over: all of "
                       "them (batch gradient descent: smooth but slow), a mini-batch, or one "
                       "(stochastic: noisy but many updates).")
        layout = QHBoxLayout(box)
        self.batch_mode = QButtonGroup(self)
        for index, (label, name) in enumerate((("Full batch", "full"),
                                               ("Mini-batch", "mini"),
                                               ("Stochastic", "stochastic"))):
            button = QRadioButton(label, objectName=f"batch_{name}")
            self.batch_mode.addButton(button, index)
            layout.addWidget(button)
        self.batch_size = QSpinBox(objectName="batchSize", minimum=2, maximum=1_000_000)
        self.batch_size.setToolTip("Examples per mini-batch.")
        layout.addWidget(self.batch_size)
        self.batch_mode.idClicked.connect(self._emit)
        self.batch_size.valueChanged.connect(self._emit)
        return box

    def _schedule_box(self) -> QGroupBox:
        box = QGroupBox("Learning-rate schedule")
        form = QFormLayout(box)
        self.schedule = QComboBox(objectName="scheduleCombo")
        for kind in SCHEDULES.values():
            self.schedule.addItem(kind.label, kind.name)
            self.schedule.setItemData(self.schedule.count() - 1, kind.description,
                                      Qt.ItemDataRole.ToolTipRole)
        self.schedule.currentIndexChanged.connect(self._on_schedule_changed)
        form.addRow("schedule", self.schedule)
        self.schedule_params = ParamForm()
        self.schedule_params.valuesChanged.connect(self._emit)
        form.addRow(self.schedule_params)
        self.warmup = QDoubleSpinBox(objectName="warmup", maximum=1e6, decimals=1)
        self.warmup.setToolTip(WARMUP_HELP)
        self.warmup.valueChanged.connect(self._emit)
        form.addRow("warm-up epochs", self.warmup)
        self.preview = pg.PlotWidget()
        self.preview.setObjectName("schedulePreview")
        self.preview.setMinimumHeight(90)
        self.preview.setMaximumHeight(120)
        self.preview.setMenuEnabled(False)
        self.preview.setMouseEnabled(False, False)
        self.preview.setLabel("bottom", "epoch")
        self.preview.setToolTip("The learning rate the schedule plans, epoch by epoch.")
        self.preview_curve = self.preview.plot(pen=pg.mkPen("#2563eb", width=2))
        form.addRow(self.preview)
        return box

    def _training_box(self) -> QGroupBox:
        box = QGroupBox("Training")
        form = QFormLayout(box)
        self.loss = QComboBox(objectName="lossCombo")
        self.loss.addItem("Automatic (from the task)", "auto")
        for name, label in LOSS_LABELS.items():
            self.loss.addItem(label, name)
            self.loss.setItemData(self.loss.count() - 1, LOSS_HELP[name],
                                  Qt.ItemDataRole.ToolTipRole)
        self.loss.currentIndexChanged.connect(self._emit)
        form.addRow("loss", self.loss)
        self.epochs = QSpinBox(objectName="epochs", minimum=1, maximum=10_000_000)
        self.epochs.setToolTip("Passes over the training data; Train stops after this many.")
        form.addRow("epochs", self.epochs)
        self.l1 = self._penalty("l1", "L1 penalty: pushes weights to exactly zero (sparse "
                                "networks).")
        form.addRow("L1", self.l1)
        self.l2 = self._penalty("l2", "L2 penalty (weight decay): keeps weights small, "
                                "which fights overfitting.")
        form.addRow("L2", self.l2)
        self.clip = self._penalty("clipNorm", "Gradient clipping: if the gradient's norm "
                                  "exceeds this, it is scaled down. Tames exploding "
                                  "gradients. 0 is off.", 1e6)
        form.addRow("clip norm", self.clip)
        row = QHBoxLayout()
        self.early = QCheckBox("stop after", objectName="earlyStopping")
        self.early.setToolTip("Early stopping: end the run when the validation loss has not "
                              "improved for this many epochs, and restore the best weights.")
        self.patience = QSpinBox(objectName="patience", minimum=1, maximum=100_000,
                                 suffix=" epochs without progress")
        row.addWidget(self.early)
        row.addWidget(self.patience, 1)
        form.addRow("early stopping", row)
        for widget in (self.epochs, self.patience):
            widget.valueChanged.connect(self._emit)
        self.early.toggled.connect(self._emit)
        return box

    def _penalty(self, name: str, tip: str, maximum: float = 10.0) -> QDoubleSpinBox:
        box = QDoubleSpinBox(objectName=name, decimals=6, maximum=maximum, singleStep=0.0001)
        box.setToolTip(tip)
        box.valueChanged.connect(self._emit)
        return box

    # ------------------------------------------------------------- the spec
    def set_spec(self, spec: SessionSpec) -> None:
        """Show `spec`; nothing is emitted."""
        self._spec = spec
        widgets = (self.optimizer, self.lr_slider, self.lr_box, self.batch_size, self.schedule,
                   self.warmup, self.loss, self.epochs, self.l1, self.l2, self.clip,
                   self.early, self.patience)
        for widget in widgets:
            widget.blockSignals(True)
        self.optimizer.setCurrentIndex(self.optimizer.findData(spec.optimizer.name))
        self.lr_box.setValue(spec.optimizer.lr)
        self.lr_slider.setValue(lr_to_slider(spec.optimizer.lr))
        kind = OPTIMIZERS[spec.optimizer.name]
        self.params.set_schema(kind.params, dict(spec.optimizer.params))
        size = spec.train.batch_size
        mode = 0 if size is None else 2 if size == 1 else 1
        self.batch_mode.button(mode).setChecked(True)
        self.batch_size.setValue(size if size and size > 1 else 32)
        self.batch_size.setEnabled(mode == 1)
        for button in self.batch_mode.buttons():
            button.setEnabled(not kind.full_batch_only or button is self.batch_mode.button(0))
        self.schedule.setCurrentIndex(self.schedule.findData(spec.schedule.name))
        self.schedule_params.set_schema(SCHEDULES[spec.schedule.name].params,
                                        dict(spec.schedule.params))
        self.warmup.setValue(spec.schedule.warmup_epochs)
        self.loss.setCurrentIndex(max(0, self.loss.findData(spec.train.loss)))
        self.epochs.setValue(spec.train.epochs)
        self.l1.setValue(spec.train.l1)
        self.l2.setValue(spec.train.l2)
        self.clip.setValue(spec.train.clip_norm)
        self.early.setChecked(spec.train.early_stopping.enabled)
        self.patience.setValue(spec.train.early_stopping.patience)
        self.patience.setEnabled(spec.train.early_stopping.enabled)
        for widget in widgets:
            widget.blockSignals(False)
        self._update_preview()

    def _read(self) -> SessionSpec:
        spec = self._spec
        name = self.optimizer.currentData()
        optimizer = OptimizerSpec(name, self.lr_box.value(),
                                  self.params.values() if name == spec.optimizer.name else {})
        mode = self.batch_mode.checkedId()
        size = None if mode == 0 or OPTIMIZERS[name].full_batch_only else \
            1 if mode == 2 else self.batch_size.value()
        schedule_name = self.schedule.currentData()
        schedule = ScheduleSpec(schedule_name, self.schedule_params.values()
                                if schedule_name == spec.schedule.name else {},
                                self.warmup.value())
        train = dataclasses.replace(
            spec.train, loss=self.loss.currentData(), epochs=self.epochs.value(),
            batch_size=size, l1=self.l1.value(), l2=self.l2.value(),
            clip_norm=self.clip.value(),
            early_stopping=dataclasses.replace(spec.train.early_stopping or EarlyStoppingSpec(),
                                               enabled=self.early.isChecked(),
                                               patience=self.patience.value()))
        return dataclasses.replace(spec, optimizer=optimizer, schedule=schedule, train=train)

    def _emit(self, *_: object) -> None:
        if self._spec is None:
            return
        new = self._read()
        if new != self._spec:
            self.set_spec(new)
            self.specChanged.emit(new)

    def _set_lr(self, lr: float) -> None:
        self.lr_box.blockSignals(True)
        self.lr_slider.blockSignals(True)
        self.lr_box.setValue(lr)
        self.lr_slider.setValue(lr_to_slider(lr))
        self.lr_box.blockSignals(False)
        self.lr_slider.blockSignals(False)
        self._emit()

    def _on_optimizer_changed(self, index: int) -> None:
        kind = OPTIMIZERS[self.optimizer.currentData()]
        self._set_lr(kind.default_lr)  # each method has its own sensible rate

    def _on_params_changed(self, values: dict) -> None:
        self._emit()

    def _on_schedule_changed(self, index: int) -> None:
        self._emit()

    def _update_preview(self) -> None:
        spec = self._spec
        size = spec.train.batch_size or self.train_rows
        steps = max(1, math.ceil(self.train_rows / size))
        try:
            epochs, rates = planned_lr_curve(spec.schedule.name, dict(spec.schedule.params),
                                             spec.optimizer.lr, spec.schedule.warmup_epochs,
                                             spec.train.epochs, steps, max_points=400)
        except Exception:  # noqa: BLE001 - a half-typed parameter: show nothing yet
            epochs, rates = [], []
        self.preview_curve.setData(epochs, rates)
        keep_flat_lines_readable(self.preview.getPlotItem(), np.asarray(rates, dtype=float))
