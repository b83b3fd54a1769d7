"""OptimizerPanel: optimizer, learning rate, batch mode, schedule (with a preview of
the planned curve), loss, metrics, penalties, clipping, stopping rules and epochs.

It renders its part of the session spec and emits only what the user changed, as an
edit: {dotted path: value} plus a few words naming it (see gui.session_model). It
never holds the whole spec, so it can never send another panel's old values back.
"""
from __future__ import annotations

import math

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (QButtonGroup, QCheckBox, QComboBox, QDoubleSpinBox,
                               QFormLayout, QGridLayout, QGroupBox, QHBoxLayout, QRadioButton,
                               QSlider, QSpinBox, QVBoxLayout, QWidget)

from ...core.losses import LOSS_HELP, LOSS_LABELS
from ...core.optim import (OPTIMIZERS, SCHEDULES, WARMUP_HELP, planned_lr_curve,
                           schedule_defaults_for)
from ...core.metrics import METRIC_HELP, default_metrics
from ...core.spec import OptimizerSpec, SessionSpec
from .plots.ranges import keep_flat_lines_readable
from .param_form import ParamForm

LR_MIN, LR_MAX, LR_STEPS = 1e-5, 10.0, 600  # the slider moves in equal log steps


def lr_to_slider(lr: float) -> int:
    span = math.log10(LR_MAX) - math.log10(LR_MIN)
    return round((math.log10(min(max(lr, LR_MIN), LR_MAX)) - math.log10(LR_MIN)) / span * LR_STEPS)


def slider_to_lr(position: int) -> float:
    span = math.log10(LR_MAX) - math.log10(LR_MIN)
    return float(f"{10 ** (math.log10(LR_MIN) + position / LR_STEPS * span):.3g}")


METRIC_LABELS = {"accuracy": "accuracy", "precision": "precision", "recall": "recall",
                 "f1": "F1", "mae": "MAE", "mse": "MSE", "r2": "R\u00b2"}


class OptimizerPanel(QWidget):
    edited = Signal(object, str)  # {dotted path: value}, what changed in words

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.train_rows = 350  # for the schedule preview's updates per epoch
        self._shown: SessionSpec | None = None  # what is on screen, for the preview only
        self._batch_before_full_only: int | None = None
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self._optimizer_box())
        layout.addWidget(self._batch_box())
        layout.addWidget(self._schedule_box())
        layout.addWidget(self._training_box())
        layout.addWidget(self._stopping_box())
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
        self.optimizer.setToolTip("The update rule: how the gradient turns into a step.")
        self.optimizer.currentIndexChanged.connect(self._on_optimizer_changed)
        form.addRow("method", self.optimizer)
        self.lr_slider = QSlider(Qt.Orientation.Horizontal, objectName="lrSlider")
        self.lr_slider.setRange(0, LR_STEPS)
        self.lr_box = QDoubleSpinBox(objectName="lrSpin", decimals=6, minimum=1e-6,
                                     maximum=100.0, singleStep=0.001, keyboardTracking=False)
        tip = ("The learning rate: how far each update moves the weights along the negative "
               "gradient. Too high and the loss explodes; too low and it crawls. The slider "
               "is logarithmic: each notch is the same factor.")
        for widget in (self.lr_slider, self.lr_box):
            widget.setToolTip(tip)
        # A drag is one change (one marker on the curves), made when the slider is let go.
        self.lr_slider.valueChanged.connect(self._on_lr_slider_moved)
        self.lr_slider.sliderReleased.connect(self._on_lr_slider_released)
        self.lr_box.valueChanged.connect(self._on_lr_box_changed)
        row = QHBoxLayout()
        row.addWidget(self.lr_slider, 1)
        row.addWidget(self.lr_box)
        form.addRow("learning rate", row)
        self.params = ParamForm()
        self.params.valuesChanged.connect(
            lambda values: self._edit({"optimizer.params": values}, "the optimizer's settings"))
        form.addRow(self.params)
        return box

    def _batch_box(self) -> QGroupBox:
        box = QGroupBox("Updates")
        box.setToolTip("How many examples each update averages its gradient over: all of "
                       "them (batch gradient descent: smooth but slow), a mini-batch, or one "
                       "(stochastic: noisy but many updates).")
        layout = QGridLayout(box)
        self.batch_mode = QButtonGroup(self)
        for index, (label, name, row, column) in enumerate((
                ("Full batch", "full", 0, 0), ("Mini-batch", "mini", 1, 0),
                ("Stochastic", "stochastic", 0, 1))):
            button = QRadioButton(label, objectName=f"batch_{name}")
            button.setToolTip(box.toolTip())
            self.batch_mode.addButton(button, index)
            layout.addWidget(button, row, column)
        self.batch_size = QSpinBox(objectName="batchSize", minimum=2, maximum=1_000_000,
                                   keyboardTracking=False, suffix=" per batch")
        self.batch_size.setToolTip("Examples per mini-batch.")
        layout.addWidget(self.batch_size, 1, 1)
        self.batch_mode.idClicked.connect(self._on_batch_changed)
        self.batch_size.valueChanged.connect(self._on_batch_changed)
        return box

    def _schedule_box(self) -> QGroupBox:
        box = QGroupBox("Learning-rate schedule")
        form = QFormLayout(box)
        self.schedule = QComboBox(objectName="scheduleCombo")
        for kind in SCHEDULES.values():
            self.schedule.addItem(kind.label, kind.name)
            self.schedule.setItemData(self.schedule.count() - 1, kind.description,
                                      Qt.ItemDataRole.ToolTipRole)
        self.schedule.setToolTip("How the learning rate changes as training goes on.")
        self.schedule.currentIndexChanged.connect(self._on_schedule_changed)
        form.addRow("schedule", self.schedule)
        self.schedule_params = ParamForm()
        self.schedule_params.valuesChanged.connect(
            lambda values: self._edit({"schedule.params": values}, "the schedule's settings"))
        form.addRow(self.schedule_params)
        self.warmup = QDoubleSpinBox(objectName="warmup", maximum=1e6, decimals=1,
                                     keyboardTracking=False)
        self.warmup.setToolTip(WARMUP_HELP)
        self.warmup.valueChanged.connect(
            lambda value: self._edit({"schedule.warmup_epochs": value}, "the warm-up"))
        form.addRow("warm-up epochs", self.warmup)
        self.preview = pg.PlotWidget()
        self.preview.setObjectName("schedulePreview")
        self.preview.setMinimumHeight(80)
        self.preview.setMaximumHeight(110)
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
        self.loss.setToolTip("What the network minimises: how wrong a prediction counts.")
        self.loss.currentIndexChanged.connect(
            lambda _: self._edit({"train.loss": self.loss.currentData()}, "the loss"))
        form.addRow("loss", self.loss)
        self.metrics_box = QWidget(objectName="metricsChoice")
        self.metrics_row = QGridLayout(self.metrics_box)
        self.metrics_row.setContentsMargins(0, 0, 0, 0)
        self.metric_checks: dict[str, QCheckBox] = {}
        form.addRow("metrics", self.metrics_box)
        self.epochs = QSpinBox(objectName="epochs", minimum=1, maximum=10_000_000,
                               keyboardTracking=False)
        self.epochs.setToolTip("Passes over the training data; Train stops after this many. "
                               "Changing it during a run re-plans the run and its schedule.")
        self.epochs.valueChanged.connect(
            lambda value: self._edit({"train.epochs": value}, "the number of epochs"))
        form.addRow("epochs", self.epochs)
        self.validate_every = QSpinBox(objectName="validateEvery", minimum=1,
                                       maximum=10_000_000, keyboardTracking=False,
                                       prefix="every ", suffix=" epochs",
                                       specialValueText="every epoch")
        self.validate_every.setToolTip(
            "How often the validation rows are scored. Every epoch shows overfitting as it "
            "happens; on a large validation set, every few epochs trains faster. The last "
            "epoch is always validated, and early stopping judges validated epochs only.")
        self.validate_every.valueChanged.connect(
            lambda value: self._edit({"train.validate_every": value}, "how often to validate"))
        form.addRow("validate", self.validate_every)
        self.l1 = self._number("l1", "train.l1", "the L1 penalty", "L1 penalty: pushes weights "
                               "to exactly zero (sparse networks).")
        form.addRow("L1", self.l1)
        self.l2 = self._number("l2", "train.l2", "the L2 penalty", "L2 penalty (weight "
                               "decay): keeps weights small, which fights overfitting.")
        form.addRow("L2", self.l2)
        self.clip = self._number("clipNorm", "train.clip_norm", "gradient clipping",
                                 "Gradient clipping: if the gradient's norm exceeds this, it "
                                 "is scaled down. Tames exploding gradients. 0 is off.", 1e6)
        form.addRow("clip norm", self.clip)
        return box

    def _stopping_box(self) -> QGroupBox:
        box = QGroupBox("Stopping early")
        form = QFormLayout(box)
        row = QHBoxLayout()
        self.early = QCheckBox("after", objectName="earlyStopping")
        self.early.setToolTip("Early stopping: end the run when the validation loss has not "
                              "improved for this many epochs, and restore the best weights.")
        self.patience = QSpinBox(objectName="patience", minimum=1, maximum=100_000,
                                 suffix=" epochs", keyboardTracking=False)
        self.patience.setToolTip(self.early.toolTip())
        row.addWidget(self.early)
        row.addWidget(self.patience, 1)
        form.addRow("no progress", row)
        self.early.toggled.connect(
            lambda on: self._edit({"train.early_stopping.enabled": on}, "early stopping"))
        self.patience.valueChanged.connect(
            lambda value: self._edit({"train.early_stopping.patience": value},
                                     "early stopping's patience"))
        row = QHBoxLayout()
        self.converge = QCheckBox("below", objectName="convergence")
        self.converge.setToolTip("Convergence: end the run once the training loss changes by "
                                 "less than this from one epoch to the next, several epochs "
                                 "in a row. Gradient descent has then found a flat spot.")
        self.tolerance = QDoubleSpinBox(objectName="convergenceTol", decimals=8,
                                        minimum=1e-8, maximum=1e6, singleStep=1e-4,
                                        keyboardTracking=False)
        self.tolerance.setToolTip(self.converge.toolTip())
        row.addWidget(self.converge)
        row.addWidget(self.tolerance, 1)
        form.addRow("loss change", row)
        self.converge.toggled.connect(self._on_convergence_changed)
        self.tolerance.valueChanged.connect(self._on_convergence_changed)
        return box

    def _number(self, name: str, path: str, what: str, tip: str,
                maximum: float = 10.0) -> QDoubleSpinBox:
        box = QDoubleSpinBox(objectName=name, decimals=6, maximum=maximum, singleStep=0.0001,
                             keyboardTracking=False)
        box.setToolTip(tip)
        box.valueChanged.connect(lambda value: self._edit({path: value}, what))
        return box

    # ------------------------------------------------------------- the spec
    def set_spec(self, spec: SessionSpec) -> None:
        """Show the optimizer, schedule and training parts of `spec`; emits nothing."""
        self._shown = spec
        widgets = (self.optimizer, self.lr_slider, self.lr_box, self.batch_size, self.schedule,
                   self.warmup, self.loss, self.epochs, self.validate_every, self.l1,
                   self.l2, self.clip,
                   self.early, self.patience, self.converge, self.tolerance,
                   *self.metric_checks.values())
        for widget in widgets:
            widget.blockSignals(True)
        self.optimizer.setCurrentIndex(self.optimizer.findData(spec.optimizer.name))
        self.lr_box.setValue(spec.optimizer.lr)
        self.lr_slider.setValue(lr_to_slider(spec.optimizer.lr))
        kind = OPTIMIZERS[spec.optimizer.name]
        self.params.set_schema(kind.params, dict(spec.optimizer.params))
        self._show_batch(spec.train.batch_size, kind.full_batch_only)
        self.schedule.setCurrentIndex(self.schedule.findData(spec.schedule.name))
        self.schedule_params.set_schema(SCHEDULES[spec.schedule.name].params,
                                        dict(spec.schedule.params))
        self.warmup.setValue(spec.schedule.warmup_epochs)
        self.loss.setCurrentIndex(max(0, self.loss.findData(spec.train.loss)))
        self.epochs.setValue(spec.train.epochs)
        self.validate_every.setValue(spec.train.validate_every)
        self.l1.setValue(spec.train.l1)
        self.l2.setValue(spec.train.l2)
        self.clip.setValue(spec.train.clip_norm)
        stop = spec.train.early_stopping
        self.early.setChecked(stop.enabled)
        self.patience.setValue(max(1, stop.patience))
        self.patience.setEnabled(stop.enabled)
        tol = spec.train.convergence_tol
        self.converge.setChecked(tol > 0)
        if tol > 0:
            self.tolerance.setValue(tol)
        self.tolerance.setEnabled(tol > 0)
        for name, check in self.metric_checks.items():
            check.setChecked(not spec.train.metrics or name in spec.train.metrics)
        for widget in widgets:
            widget.blockSignals(False)
        self._update_preview()

    def set_task(self, task: str | None) -> None:
        """Offer the metrics of `task` (classification or regression)."""
        names = default_metrics(task) if task else ()
        if tuple(self.metric_checks) == names:
            return
        for check in self.metric_checks.values():
            check.deleteLater()
        self.metric_checks = {}
        for name in names:
            check = QCheckBox(METRIC_LABELS.get(name, name), objectName=f"metric_{name}")
            check.setToolTip(METRIC_HELP.get(name, ""))
            check.setChecked(True)
            check.toggled.connect(self._on_metrics_changed)
            self.metrics_row.addWidget(check, len(self.metric_checks) // 2,
                                       len(self.metric_checks) % 2)
            self.metric_checks[name] = check
        if self._shown is not None:
            self.set_spec(self._shown)

    def _show_batch(self, size: int | None, full_only: bool) -> None:
        mode = 0 if size is None else 2 if size == 1 else 1
        self.batch_mode.button(mode).setChecked(True)
        self.batch_size.setValue(size if size and size > 1 else 32)
        self.batch_size.setEnabled(mode == 1)
        for button in self.batch_mode.buttons():
            button.setEnabled(not full_only or button is self.batch_mode.button(0))

    def _edit(self, changes: dict, what: str) -> None:
        self.edited.emit(changes, what)

    def _on_optimizer_changed(self, index: int) -> None:
        kind = OPTIMIZERS[self.optimizer.currentData()]
        was_full_only = self._shown is not None and \
            OPTIMIZERS[self._shown.optimizer.name].full_batch_only
        # Each method has its own sensible rate and its own settings.
        changes: dict = {"optimizer": OptimizerSpec(kind.name, kind.default_lr, {})}
        if kind.full_batch_only and not was_full_only:
            self._batch_before_full_only = self._shown.train.batch_size if self._shown else None
            changes["train.batch_size"] = None
        elif was_full_only and not kind.full_batch_only and self._batch_before_full_only:
            changes["train.batch_size"] = self._batch_before_full_only  # as it was before
        self._edit(changes, "the optimizer")

    def _on_schedule_changed(self, index: int) -> None:
        """A decay is set up to show its idea over this run's epochs."""
        name = self.schedule.currentData()
        epochs = self._shown.train.epochs if self._shown is not None else self.epochs.value()
        self._edit({"schedule.name": name,
                    "schedule.params": schedule_defaults_for(name, epochs)}, "the schedule")

    def _on_lr_slider_moved(self, position: int) -> None:
        lr = slider_to_lr(position)
        self.lr_box.blockSignals(True)
        self.lr_box.setValue(lr)
        self.lr_box.blockSignals(False)
        if not self.lr_slider.isSliderDown():  # keys and clicks: one change each
            self._edit({"optimizer.lr": lr}, "the learning rate")

    def _on_lr_slider_released(self) -> None:
        self._edit({"optimizer.lr": slider_to_lr(self.lr_slider.value())}, "the learning rate")

    def _on_lr_box_changed(self, lr: float) -> None:
        self._edit({"optimizer.lr": float(f"{lr:.6g}")}, "the learning rate")

    def _on_batch_changed(self, *_: object) -> None:
        mode = self.batch_mode.checkedId()
        size = None if mode == 0 else 1 if mode == 2 else self.batch_size.value()
        self._edit({"train.batch_size": size}, "the batch size")

    def _on_convergence_changed(self, *_: object) -> None:
        tol = self.tolerance.value() if self.converge.isChecked() else 0.0
        self._edit({"train.convergence_tol": tol}, "the convergence stop")

    def _on_metrics_changed(self, *_: object) -> None:
        chosen = tuple(n for n, check in self.metric_checks.items() if check.isChecked())
        if not chosen:  # at least one: the metric plot needs something to show
            self.set_spec(self._shown)
            return
        everything = chosen == tuple(self.metric_checks)
        self._edit({"train.metrics": () if everything else chosen}, "the metrics")

    def _update_preview(self) -> None:
        spec = self._shown
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
