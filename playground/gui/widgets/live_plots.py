"""LivePlots: loss, the task's main metric, the learning rate and per-layer gradient
norms, live. Every epoch is recorded into growing numpy buffers; curves are created
once per reset and redrawn from a 30 Hz timer only when something changed (pyqtgraph's
own pattern), decimated to the pixels they cover.

What the plots promise, whatever the run does: the x axis spans the planned epochs;
a y axis never blows a flat curve up into a cliff and always has labelled ticks; any
number of layers gets distinct colours in depth order with a key that fits; the epoch
whose loss became NaN or infinite is marked; the run's end is marked with its reason,
and early stopping's best epoch too; regression losses and errors are in the target's
units. Reset, in any order of calls, leaves plots that draw the next run."""
from __future__ import annotations

import math
from typing import Any, Mapping

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import (QCheckBox, QComboBox, QHBoxLayout, QLabel, QSizePolicy,
                               QSlider, QVBoxLayout, QWidget)

from .plot_parts import (MAX_POINTS, ReadableAxis, Series,  # noqa: F401 - the tests' names
                         decimate, depth_colors, finite_span,
                         nice_ceiling, readable_y_range)
from .qt_plot import REDRAW_MS, PathCurve, PlotCanvas, QtPlotItem
from .runs.overlays import RunOverlays
from .units import Units, label

# How each way a run ends is written on the curve, and in which colour.
STOP_LABELS = {"completed": "done", "stopped": "stopped", "max_steps": "update limit",
               "early_stopping": "stopped early", "converged": "converged",
               "diverged": "diverged", "failed": "failed"}
STOP_COLORS = {"diverged": "#dc2626", "failed": "#dc2626", "early_stopping": "#16a34a",
               "converged": "#16a34a"}
MARKER_COLOR = "#9ca3af"
NAN_COLOR = "#dc2626"
BEST_COLOR = "#16a34a"
UNPLOTTED = frozenset(("seconds", "samples_per_s"))  # logged, never drawn: not kept
NAMED_LAYERS = 4  # up to this many layers the key names each one; beyond, a colour ramp
KEY_SWATCHES = 8
ROOM_AHEAD = 0.5  # of the new y range, added beyond the side the data left by


def keep_flat_lines_readable(plot: pg.PlotItem, values: np.ndarray) -> None:
    """For other plots (the schedule preview): a constant series autoscales to a
    meaningless +-0.5 band; show 0 to 1.5x it."""
    finite = values[np.isfinite(values)] if len(values) else values
    if len(finite) and np.ptp(finite) <= 1e-12 * max(1.0, abs(finite[0])):
        plot.setYRange(0, abs(finite[0]) * 1.5 or 1.0, padding=0)
    else:
        plot.enableAutoRange(axis="y")


class LivePlots(QWidget):
    hovered = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.colors = ("#2563eb", "#f97316", "#16a34a", "#9333ea", "#dc2626", "#0891b2",
                       "#ca8a04")
        self.background = "#ffffff"
        self.foreground = "#374151"
        self.metric_name = "accuracy"  # not `metric`: that would shadow QWidget.metric()
        self.units = Units()
        self.planned_epochs = 0
        self.steps_per_epoch = 0  # 0: taken from the records (updates / epochs)
        self.dirty = False
        self.redraws = 0
        layout = QVBoxLayout(self)
        layout.addLayout(self._controls())
        self.canvas = PlotCanvas()
        self.canvas.setObjectName("plotCanvas")
        self.canvas.setBackground(self.background)
        layout.addWidget(self.canvas, 1)
        self.summary = QLabel(objectName="plotSummary")
        self.summary.setToolTip("The latest loss, and how much it changed since the first "
                                "epoch: a learning rate that is too low shows as a tiny "
                                "change, however steep the curve may look.")
        # a long line (large numbers, the units) is cut, never widens the window
        self.summary.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        layout.addWidget(self.summary)
        self.stop_message = QLabel(objectName="stopMessage", wordWrap=True)
        self.stop_message.setToolTip("Why the run ended. It stays until the next run.")
        self.stop_message.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(self.stop_message)
        self.readout = QLabel(objectName="plotReadout")
        self.readout.setToolTip("The values under the mouse pointer.")
        layout.addWidget(self.readout)
        self._make_plots()
        self.run_color: str | None = None  # the current run's, while runs are overlaid
        self.overlays = RunOverlays(self.plots, self._series_key, self._factor)
        self._forget()
        self._build()
        self.timer = QTimer(self, interval=REDRAW_MS)
        self.timer.timeout.connect(self._on_timer_timeout)
        self.timer.start()
        self._proxy = pg.SignalProxy(self.canvas.scene().sigMouseMoved, rateLimit=30,
                                     slot=self._on_mouse_moved)

    def _controls(self) -> QHBoxLayout:
        row = QHBoxLayout()
        self.log_scale = QCheckBox("log scale", objectName="logScale", checked=True)
        self.log_scale.setToolTip("Plot the loss and gradient norms on a logarithmic axis: "
                                  "slow late progress and vanishing gradients become visible.")
        self.log_scale.toggled.connect(self._on_log_scale_toggled)
        row.addWidget(self.log_scale)
        row.addWidget(QLabel("smoothing"))
        self.smoothing = QSlider(Qt.Orientation.Horizontal, objectName="smoothing")
        self.smoothing.setRange(0, 99)
        self.smoothing.setToolTip("Exponential moving average of the curves, to see the "
                                  "trend through noisy (mini-batch, stochastic) updates.")
        self.smoothing.valueChanged.connect(self._on_smoothing_changed)
        row.addWidget(self.smoothing, 1)
        self.standardised = QCheckBox("standardised units", objectName="standardisedUnits")
        self.standardised.setToolTip(
            "For regression the target is standardised for training (divided by its "
            "spread). Off: losses and errors in the target's own units. On: as the "
            "optimizer sees them.")
        self.standardised.setVisible(False)
        self.standardised.toggled.connect(self._on_standardised_toggled)
        row.addWidget(self.standardised)
        self.metric_choice = QComboBox(objectName="metricChoice")
        self.metric_choice.setToolTip("Which of the chosen metrics the metric plot draws, "
                                      "on the training and the validation rows.")
        self.metric_choice.setVisible(False)  # shown when there is a choice
        self.metric_choice.currentIndexChanged.connect(self._on_metric_choice_changed)
        row.addWidget(self.metric_choice)
        self.x_axis = QComboBox(objectName="xAxis")
        self.x_axis.addItems(["epochs", "updates"])
        self.x_axis.setToolTip("Plot against epochs (passes over the data) or updates "
                               "(optimizer steps): compare batch sizes fairly with updates.")
        self.x_axis.currentTextChanged.connect(self._on_x_axis_changed)
        row.addWidget(self.x_axis)
        return row

    def _make_plots(self) -> None:
        self.plots: dict[str, pg.PlotItem] = {}
        self.titles = {"loss": "Loss", "metric": label(self.metric_name),
                       "lr": "Learning rate", "grad": "Gradient norm per layer"}
        for index, name in enumerate(("loss", "metric", "lr", "grad")):
            plot = QtPlotItem(axisItems={"left": ReadableAxis("left")})
            self.canvas.addItem(plot, row=index // 2, col=index % 2)
            plot.showGrid(x=True, y=True, alpha=0.2)
            plot.disableAutoRange()
            plot.setMenuEnabled(False, None)  # its log/FFT toggles would undo ours
            plot.getAxis("left").setWidth(48)  # ticks may change; the columns may not
            plot.vb.sigRangeChangedManually.connect(lambda *_, n=name: self._following.discard(n))
            plot.autoBtn.clicked.connect(lambda *_, n=name: self._follow(n))
            self.plots[name] = plot
        layout = self.canvas.ci.layout
        for column in (0, 1):  # equal columns, whatever a title holds
            layout.setColumnStretchFactor(column, 1)
            layout.setColumnPreferredWidth(column, 10)
        for name in ("metric", "lr", "grad"):
            self.plots[name].setXLink(self.plots["loss"])
        self._following = set(self.plots)
        self._set_log(self.log_scale.isChecked())
        self._label_x_axes()

    # ------------------------------------------------------------ configuration
    def set_colors(self, background: str, foreground: str, series: tuple[str, ...]) -> None:
        self.colors = tuple(series)
        self.background, self.foreground = background, foreground
        self.canvas.setBackground(background)
        for plot in self.plots.values():
            for axis in ("left", "bottom"):
                plot.getAxis(axis).setPen(foreground)
                plot.getAxis(axis).setTextPen(foreground)
        self._build()

    def set_task(self, task: str, metric: str | None = None, loss: str = "",
                 target_scale: float | None = None) -> None:
        """What is trained: the task ("binary", "multiclass", "regression"), the metric
        to plot, the loss kind ("mse", "bce", ...) and, for regression, the scale the
        target was divided by (units.target_scale(trainer.data)). The recorded data is
        kept: only how it is shown changes."""
        self.units = Units(task, loss, target_scale, self.standardised.isChecked())
        self.standardised.setVisible(self.units.can_convert)
        self.standardised.setToolTip(self.units.describe())
        if metric:
            self.metric_name = metric
        self._build()

    def set_metrics(self, metrics: tuple[str, ...]) -> None:
        """The metrics the run computes, offered in the metric choice; the one drawn
        stays if it is still among them, else the first is drawn."""
        choice = self.metric_choice
        if tuple(choice.itemData(i) for i in range(choice.count())) != tuple(metrics):
            choice.blockSignals(True)
            choice.clear()
            for name in metrics:
                choice.addItem(label(name), name)
            choice.blockSignals(False)
        choice.setVisible(len(metrics) > 1)
        if not metrics:
            return
        keep = self.metric_name if self.metric_name in metrics else metrics[0]
        choice.blockSignals(True)
        choice.setCurrentIndex(choice.findData(keep))
        choice.blockSignals(False)
        if keep != self.metric_name:
            self.metric_name = keep
            self._build()

    def _on_metric_choice_changed(self, index: int) -> None:
        name = self.metric_choice.itemData(index)
        if name and name != self.metric_name:
            self.metric_name = name  # every logged column is kept: its past shows at once
            self._build()

    def set_planned_epochs(self, epochs: int) -> None:
        """The x axis spans this many epochs (any time: the user may change it mid-run)."""
        self.planned_epochs = max(0, int(epochs))
        self._x_target = None
        self.dirty = True

    def set_steps_per_epoch(self, steps: int) -> None:
        """Updates per epoch: places stepped batches and the planned end in updates."""
        self.steps_per_epoch = max(0, int(steps))
        self._x_target = None
        self.dirty = True

    def set_runs(self, runs: list, current_color: str | None = None) -> None:
        """Finished runs to draw under the current one, each (key, colour, History
        columns), bottom first; `current_color` draws the current run in its own colour
        (None: the usual train and validation colours). Their curves are set here, once."""
        self.overlays.set_runs(runs)
        if current_color != self.run_color:
            self.run_color = current_color
            self._build()
        self._following = set(self.plots)
        self._x_target = None
        self._y_targets = {}
        self.dirty = True

    # ------------------------------------------------------------ the data
    def reset(self, keep_data: bool = False, metric: str | None = None) -> None:
        """Forget the run (a new one starts); with keep_data, keep it and only rebuild
        the curves. Either way, in any order, the plots draw whatever comes next."""
        if metric:
            self.metric_name = metric
        if not keep_data:
            self._forget()
        self._build()

    def _forget(self) -> None:
        self.series: dict[str, Series] = {"epoch": Series(), "step": Series()}
        self.grad_series: dict[str, Series] = {}
        self.markers: list[tuple[float, float, str]] = []
        self._marker_changes: list[dict[str, Any]] = []
        self.finish: dict[str, Any] | None = None
        self.nonfinite: tuple[float, float, str] | None = None
        self.batch = {key: Series() for key in ("epoch", "step", "loss")}
        self._first_loss: tuple[float, float] | None = None
        self.epochs_recorded = 0
        self.stop_message.clear()
        self.summary.clear()
        self.readout.clear()

    def _column(self, key: str) -> Series:
        """The series of a logged key, created (NaN for the epochs before) on first use."""
        series = self.series.get(key)
        if series is None:
            series = self.series[key] = Series()
            if key in self._plotted():  # only drawn series pay for smoothing
                series.set_smoothing(self.smoothing.value() / 100)
            series.extend(np.full(self.epochs_recorded, np.nan))
        return series

    def _plotted(self) -> set[str]:
        return {"loss", "val_loss", "lr", self.metric_name, f"val_{self.metric_name}"}

    def _smooth_plotted(self) -> None:
        """The drawn series smoothed as the slider says (recomputed only on a change)."""
        alpha = self.smoothing.value() / 100
        for key in self._plotted():
            series = self.series.get(key)
            if series is not None and series.alpha != alpha:
                series.set_smoothing(alpha)
        for series in self.grad_series.values():
            if series.alpha != alpha:
                series.set_smoothing(alpha)

    def add_epochs(self, events: list) -> None:
        """Record a batch of EpochEnded events (every one is kept). Logs may carry
        gradient norms as "grad_norm/<layer>" keys (History's columns) instead."""
        if not events:
            return
        count = len(events)
        first = events[0]
        keys, layers = first.logs.keys(), getattr(first, "grad_norms", {}).keys()
        if all(e.logs.keys() == keys and getattr(e, "grad_norms", {}).keys() == layers
               for e in events):
            # The usual case, every event alike: one comprehension per column.
            columns = {key: [e.logs[key] for e in events] for key in keys
                       if key not in UNPLOTTED}
            grads = {key: [e.grad_norms[key] for e in events] for key in layers} \
                if layers else {}
        else:
            columns, grads = _columns(events)
        for key in [k for k in columns if k.startswith("grad_norm/")]:
            grads.setdefault(key[len("grad_norm/"):], columns.pop(key))
        for key, values in columns.items():
            self._column(key).extend(values)
        for key, series in self.series.items():
            if key not in columns:
                series.extend(np.full(count, np.nan))
        new_layers = False
        for label_, values in grads.items():
            series = self.grad_series.get(label_)
            if series is None:
                series = self.grad_series[label_] = Series()
                series.set_smoothing(self.smoothing.value() / 100)
                series.extend(np.full(self.epochs_recorded, np.nan))
                new_layers = True
            series.extend(values)
        for label_, series in self.grad_series.items():
            if label_ not in grads:
                series.extend(np.full(count, np.nan))
        self.epochs_recorded += count
        self._note_losses(columns.get("loss"), columns.get("epoch"), columns.get("step"))
        epochs = columns.get("epoch")
        if self.finish is not None and epochs and epochs[-1] > self.finish["epoch"]:
            self.finish = None  # the run goes on after it stopped: that end is history
            self._show_stop_message()
            new_layers = True
        if new_layers:
            self._build()  # colours are by depth: a new layer recolours them all
        self.dirty = True

    def _note_losses(self, losses, epochs, steps) -> None:
        """Remember the first finite loss and the first epoch whose loss was not."""
        if not losses:
            return
        values = np.asarray(losses, dtype=np.float64)
        finite = np.isfinite(values)
        if self._first_loss is None and finite.any():
            first = int(np.argmax(finite))
            self._first_loss = (float(epochs[first]) if epochs else 1.0, float(values[first]))
        if self.nonfinite is None and not finite.all():
            bad = int(np.argmin(finite))
            what = "NaN" if math.isnan(values[bad]) else "infinite"
            epoch = float(epochs[bad]) if epochs else float(self.epochs_recorded)
            step = float(steps[bad]) if steps else epoch
            self.nonfinite = (epoch, step, f"loss {what} at epoch {epoch:g}")
            self._draw_nonfinite()

    def add_batch_step(self, event) -> None:
        """A single update made on request (BatchStepped: epoch completed before it,
        step, batch inside the epoch, the update's loss): drawn as a dot on the loss
        plot, so stepping batch by batch shows each update's loss."""
        spe = self._steps_per_epoch()
        self.batch["epoch"].extend([event.epoch + event.batch / spe])
        self.batch["step"].extend([event.step])
        self.batch["loss"].extend([event.loss])
        if self.batch["loss"].size == 1:
            self._render_title("loss")
        self.dirty = True

    def mark_change(self, epoch: float, step: float, changes: Mapping[str, Any]) -> None:
        """A vertical line where a hyperparameter was changed during the run; changes
        made at the same update merge into one line (the last value of each wins)."""
        if self.markers and self.markers[-1][1] == step:
            merged = {**self._marker_changes[-1], **dict(changes)}
            self.markers.pop()
            self._marker_changes.pop()
        else:
            merged = dict(changes)
        text = ", ".join(f"{k} {v:g}" if isinstance(v, float) else f"{k} {v}"
                         for k, v in merged.items())
        self.markers.append((epoch, step, text))
        self._marker_changes.append(merged)
        self._build()

    def mark_finished(self, epoch: float, reason: str, message: str = "",
                      best_epoch: float | None = None, step: float | None = None) -> None:
        """Mark where and why the run ended (Finished.epoch, .reason, .message, .step),
        and, for early stopping, the best epoch (EarlyStopping.best_epoch; taken from
        the lowest validation loss when not given). The message stays under the plots
        until the next reset."""
        if best_epoch is None and reason == "early_stopping":
            best_epoch = self._lowest("val_loss") or self._lowest("loss")
        self.finish = {"epoch": epoch, "step": step, "reason": reason, "message": message,
                       "best_epoch": best_epoch}
        self._show_stop_message()
        self._build()

    def _lowest(self, key: str) -> float | None:
        series = self.series.get(key)
        if series is None or series.size == 0:
            return None
        values = series.view()
        if not np.isfinite(values).any():
            return None
        return float(self.series["epoch"].view()[int(np.nanargmin(values))])

    def _show_stop_message(self) -> None:
        finish = self.finish
        if finish is None or finish["reason"] == "diverged":
            self.stop_message.clear()  # a divergence: the health banner and status bar say it
            return
        color = STOP_COLORS.get(finish["reason"], self.foreground)
        what = STOP_LABELS.get(finish["reason"], finish["reason"])
        text = (finish["message"] or "").strip() or f"{what[0].upper()}{what[1:]}."
        if finish.get("best_epoch") is not None and "best" not in text:
            text += f" Best epoch: {finish['best_epoch']:g}."
        self.stop_message.setText(f'<span style="color:{color}"><b>Epoch '
                                  f'{finish["epoch"]:g}:</b></span> {_html(text)}')

    def load_history(self, events: list, changes: list[Mapping[str, Any]] = ()) -> None:
        """Show a reopened session: forget the data, then replay its epochs
        (History.events(), gradient norms included) and, if given, its hyperparameter
        changes (History.changes) as markers; otherwise the markers and the end that
        restore_view() put back stay, before or after this call."""
        finish, markers, merged = self.finish, self.markers, self._marker_changes
        self.reset()
        self.finish = finish  # from restore_view(), whichever came first
        self.add_epochs(events)
        self._show_stop_message()
        if not changes:
            self.markers, self._marker_changes = markers, merged
            self._build()
        spe = self._steps_per_epoch()
        for change in changes:
            values = {k: v for k, v in change.items() if k not in ("epoch", "step")}
            self.mark_change(change["step"] / spe, change["step"], values)

    def view_state(self) -> dict:
        """What a session file keeps of the plots' settings."""
        return {"log_scale": self.log_scale.isChecked(), "smoothing": self.smoothing.value(),
                "x_axis": self.x_axis.currentText(), "markers": [list(m) for m in self.markers],
                "standardised": self.standardised.isChecked(),
                "finish": dict(self.finish) if self.finish else None}

    def restore_view(self, state: dict) -> None:
        self.log_scale.setChecked(bool(state.get("log_scale", True)))
        self.smoothing.setValue(int(state.get("smoothing", 0)))
        self.x_axis.setCurrentText(state.get("x_axis", "epochs"))
        self.standardised.setChecked(bool(state.get("standardised", False)))
        self.markers = [tuple(m) for m in state.get("markers", [])]
        self._marker_changes = [_parse_change(m[2]) for m in self.markers]
        self.finish = dict(state["finish"]) if state.get("finish") else None
        self._show_stop_message()
        self._build()

    # ------------------------------------------------------------ building
    def _steps_per_epoch(self) -> float:
        if self.steps_per_epoch:
            return float(self.steps_per_epoch)
        epochs, steps = self.series["epoch"], self.series["step"]
        if epochs.size and epochs.data[epochs.size - 1] > 0:
            return max(1.0, steps.data[steps.size - 1] / epochs.data[epochs.size - 1])
        return 1.0

    def _x(self, epoch: float, step: float | None) -> float:
        if self.x_axis.currentText() == "epochs":
            return epoch
        return step if step is not None else epoch * self._steps_per_epoch()

    def _build(self) -> None:
        """(Re)create every item from the recorded data: curves, markers, titles."""
        for plot in self.plots.values():
            plot.clear()
        # Pens one pixel wide: Qt's raster engine draws wider lines several times slower.
        pen = lambda color, style=Qt.PenStyle.SolidLine: pg.mkPen(color, width=1, style=style)
        c = self.colors
        train, val = (pen(c[0]), pen(c[1 % len(c)])) if self.run_color is None else \
            (pen(self.run_color), pen(self.run_color, Qt.PenStyle.DashLine))
        self.curves = {
            "loss": self._add_curve("loss", train),
            "val_loss": self._add_curve("loss", val),
            "metric": self._add_curve("metric", train),
            "val_metric": self._add_curve("metric", val),
            "lr": self._add_curve("lr", pen(c[2 % len(c)] if self.run_color is None
                                            else self.run_color)),
            "batch_loss": self._add_curve("loss", pen(c[3 % len(c)], Qt.PenStyle.DotLine)),
        }
        x_name = "epoch" if self.x_axis.currentText() == "epochs" else "step"
        for key, curve in self.curves.items():  # named as the records name the series
            curve.series_name, curve.x_name = self._series_key(key), x_name
        self.batch_dots = pg.ScatterPlotItem(size=5, pen=None, brush=pg.mkBrush(c[3 % len(c)]))
        self.batch_dots.setVisible(False)
        self.plots["loss"].addItem(self.batch_dots)
        self.grad_colors = dict(zip(self.grad_series,
                                    depth_colors(len(self.grad_series), self.background)))
        self.grad_curves = {label_: self._add_curve("grad", pen(color))
                            for label_, color in self.grad_colors.items()}
        for label_, curve in self.grad_curves.items():
            curve.series_name, curve.x_name = f"grad_norm/{label_}", x_name
        self.best_dot = pg.ScatterPlotItem(size=9, symbol="o", pen=pg.mkPen(BEST_COLOR, width=2),
                                           brush=None)
        self.best_dot.setVisible(False)
        self.plots["loss"].addItem(self.best_dot)
        self.marker_lines: list[list[pg.InfiniteLine]] = []
        for epoch, step, text in self.markers:
            self.marker_lines.append(self._vertical(epoch, step, text, MARKER_COLOR))
        self._draw_nonfinite()
        self._draw_finish()
        self.overlays.build()
        self.titles["metric"] = label(self.metric_name)
        self.titles["loss"] = self.units.loss_title()
        for name in self.plots:
            self._render_title(name)
        self._smooth_plotted()
        self._following = set(self.plots)
        self._x_target = None
        self._y_targets: dict[str, tuple[float, float]] = {}
        self._batch_drawn = None
        self.dirty = True

    def _add_curve(self, plot_name: str, pen) -> PathCurve:
        plot = self.plots[plot_name]
        curve = PathCurve(pen)
        plot.addItem(curve)
        # PlotItem.addItem does not pass its log mode on: set it here, or a curve made
        # after a reset draws raw values on a log axis (off the view: "vanished").
        curve.log_y = plot.ctrl.logYCheck.isChecked()
        return curve

    def _vertical(self, epoch: float, step: float | None, text: str, color: str,
                  style=Qt.PenStyle.DashLine, position: float = 0.92) -> list[pg.InfiniteLine]:
        lines = []
        x = self._x(epoch, step)
        # The label goes on the side with room: left of a line in the right part of the
        # run, right of one near its start (else the plot's edge cuts it).
        anchor = (1, 0) if x > 0.6 * max(self._x_right(), x) else (0, 0)
        for name, plot in self.plots.items():
            line = pg.InfiniteLine(pos=x, angle=90, movable=False,
                                   pen=pg.mkPen(color, style=style),
                                   label=text if name == "loss" else None,
                                   labelOpts={"position": position, "color": color,
                                              "anchors": [anchor, anchor]})
            plot.addItem(line, ignoreBounds=True)
            lines.append(line)
        return lines

    def _draw_nonfinite(self) -> None:
        if self.nonfinite is not None and hasattr(self, "curves"):
            epoch, step, text = self.nonfinite
            self.nonfinite_lines = self._vertical(epoch, step, text, NAN_COLOR,
                                                  Qt.PenStyle.SolidLine, 0.75)

    def _draw_finish(self) -> None:
        finish = self.finish
        if finish is None:
            return
        reason = finish["reason"]
        color = STOP_COLORS.get(reason, MARKER_COLOR)
        self.finish_lines = self._vertical(finish["epoch"], finish.get("step"),
                                           STOP_LABELS.get(reason, reason), color,
                                           Qt.PenStyle.SolidLine, 0.6)
        best = finish.get("best_epoch")
        if best is not None:
            self.best_lines = self._vertical(best, None, f"best (epoch {best:g})", BEST_COLOR,
                                             Qt.PenStyle.DotLine, 0.45)

    def _render_title(self, plot_name: str) -> None:
        """The title, with a one-line key beneath it that never grows with the data (a
        legend inside the plot hides curves; one that grows pushed the plots off the
        window: a 10-layer key was 1029 px wide)."""
        def entry(color: str, name: str, dash: str = "\u2501\u2501") -> str:
            return f'<span style="color:{color}">{dash}</span>&nbsp;{name}'

        c = self.colors
        entries = []
        if plot_name in ("loss", "metric") and self.run_color is not None:
            entries = [entry(self.foreground, "train"),  # the runs table says which colour
                       entry(self.foreground, "validation", "\u2504\u2504")]
        elif plot_name in ("loss", "metric"):
            entries = [entry(c[0], "train"), entry(c[1 % len(c)], "validation")]
            if plot_name == "loss" and self.batch["loss"].size:
                entries.append(entry(c[3 % len(c)], "per update", "\u2022\u2022"))
        elif plot_name == "grad" and self.grad_colors:
            names, colors = list(self.grad_colors), list(self.grad_colors.values())
            if len(names) <= NAMED_LAYERS:
                entries = [entry(color, _short(name)) for name, color in zip(names, colors)]
            else:
                picks = np.linspace(0, len(colors) - 1, KEY_SWATCHES).round().astype(int)
                ramp = "".join(f'<span style="color:{colors[i]}">\u2588</span>' for i in picks)
                entries = [f"{_short(names[0])} {ramp} {_short(names[-1])} "
                           f"({len(names)} layers)"]
        title = self.titles[plot_name]
        if entries:
            title += f'<br><span style="font-size:8pt">{"&nbsp;&nbsp; ".join(entries)}</span>'
        plot = self.plots[plot_name]
        _let_width_go(plot.titleLabel)
        plot.setTitle(title, color=self.foreground)
        tip = {"loss": self.units.describe(),
               "metric": self.units.describe(),
               "lr": "The learning rate of each epoch's last update (schedules change it).",
               "grad": "Each layer's gradient norm at the epoch's last update, coloured by "
                       "depth from the input (dark) to the output (light): deep sigmoid "
                       "nets show the early layers' gradients vanishing."}[plot_name]
        plot.titleLabel.setToolTip(tip)

    def _label_x_axes(self) -> None:
        text = "epoch" if self.x_axis.currentText() == "epochs" else "update"
        for plot in self.plots.values():
            plot.setLabel("bottom", text)

    # ------------------------------------------------------------ drawing
    @property
    def dirty(self) -> bool:
        return self._dirty

    @dirty.setter
    def dirty(self, value: bool) -> None:
        """Something to draw: the timer runs (hidden, too, so the curves are current
        when the tab is shown; tests read them)."""
        self._dirty = value
        timer = getattr(self, "timer", None)
        if value and timer is not None and not timer.isActive():
            timer.start()

    def showEvent(self, event) -> None:  # noqa: N802 - Qt's name
        super().showEvent(event)
        self.timer.start()

    def _on_timer_timeout(self) -> None:
        if not self.dirty:
            if self.isVisible():
                self.canvas.prepare()  # a pan or zoom by the mouse, say
            else:  # nothing to draw and nothing shown: no ticks until there is
                self.timer.stop()
            return
        self.dirty = False
        self.redraws += 1
        epochs_mode = self.x_axis.currentText() == "epochs"
        x = self.series["epoch" if epochs_mode else "step"].view()
        smoothed = self.smoothing.value() > 0
        self.overlays.set_view(epochs_mode, self.smoothing.value() / 100)  # on a change only
        lo, hi = self._visible_x(x)
        for key, curve in self.curves.items():
            if key == "batch_loss":
                continue
            series = self.series.get(self._series_key(key))
            if series is None:
                curve.setData(np.empty(0), np.empty(0))
                continue
            xs, ys = decimate(x, series.view(smoothed), lo, hi)
            curve.setData(xs, ys * self._factor(key))
        for label_, curve in self.grad_curves.items():
            curve.setData(*decimate(x, self.grad_series[label_].view(smoothed), lo, hi))
        drawn = (self.batch["loss"].size, epochs_mode, self._factor("loss"))
        if drawn != self._batch_drawn:  # a scatter's setData costs: only on a change
            self._batch_drawn = drawn
            bx = self.batch["epoch" if epochs_mode else "step"].view()
            by = self.batch["loss"].view() * self._factor("loss")
            self.curves["batch_loss"].setData(bx, by)
            self.batch_dots.setData(bx, by)
            # An empty scatter still paints in Python every frame: hide it instead.
            self.batch_dots.setVisible(len(bx) > 0)
        self._place_best_dot()
        self._settle_ranges(x, smoothed)
        self._update_summary()
        self.canvas.prepare()

    def _series_key(self, curve_key: str) -> str:
        return {"metric": self.metric_name,
                "val_metric": f"val_{self.metric_name}"}.get(curve_key, curve_key)

    def _factor(self, curve_key: str) -> float:
        return self.units.factor(self._series_key(curve_key))

    def _place_best_dot(self) -> None:
        best = self.finish.get("best_epoch") if self.finish else None
        key = "val_loss" if "val_loss" in self.series else "loss"
        epochs = self.series["epoch"]
        if best is None or epochs.size == 0:
            if self.best_dot.data.size:
                self.best_dot.setData([], [])
            self.best_dot.setVisible(False)
            return
        index = int(np.clip(np.searchsorted(epochs.view(), best), 0, epochs.size - 1))
        value = self.series[key].data[index] * self._factor(key)
        x = epochs.data[index] if self.x_axis.currentText() == "epochs" \
            else self.series["step"].data[index]
        if not math.isfinite(value) or (self.log_scale.isChecked() and value <= 0):
            self.best_dot.setData([], [])
            self.best_dot.setVisible(False)
            return
        y = math.log10(value) if self.log_scale.isChecked() else value
        self.best_dot.setData([x], [y])
        self.best_dot.setVisible(True)

    def _follow(self, name: str) -> None:
        self._following.add(name)
        self.plots[name].disableAutoRange()
        self._x_target = None
        self._y_targets.pop(name, None)
        self.dirty = True

    def _visible_x(self, x: np.ndarray) -> tuple[float, float]:
        """The x range on screen: everything while the view follows the data, else the
        part the user zoomed into."""
        if "loss" in self._following or len(x) == 0:
            return -np.inf, np.inf
        lo, hi = self.plots["loss"].vb.viewRange()[0]
        return lo, hi

    def _planned_x(self) -> float:
        if not self.planned_epochs:
            return 0.0
        if self.x_axis.currentText() == "epochs":
            return float(self.planned_epochs)
        return self.planned_epochs * self._steps_per_epoch()

    def _x_right(self) -> float:
        """The x axis' right end: the planned run (or the data, in 1-2-5 steps, when it
        goes further); once a run has ended before its plan (stopped early, diverged,
        converged...), where it ended: 95% of the plot empty helps nobody."""
        epochs_mode = self.x_axis.currentText() == "epochs"
        last_series = self.series["epoch" if epochs_mode else "step"]
        last = float(last_series.data[last_series.size - 1]) if last_series.size else 0.0
        extra = [float(self.batch["epoch" if epochs_mode else "step"].view().max())] \
            if self.batch["loss"].size else []
        if self.nonfinite is not None:
            extra.append(self._x(self.nonfinite[0], self.nonfinite[1]))
        right_data = max([last, *extra, self.overlays.x_max()])
        if self.finish is not None:
            end = self._x(self.finish["epoch"], self.finish.get("step"))
            if end >= right_data:  # (at least 10 epochs' worth, where the plan has them)
                return max(end, min(self._planned_x() or end, 10.0 * self._x(1.0, None)), 1.0)
        planned = self._planned_x()
        return max(planned if planned >= right_data else nice_ceiling(right_data), 1.0)

    def _settle_ranges(self, x: np.ndarray, smoothed: bool) -> None:
        """Set the axes only when their target changes: an axis whose range changes
        re-renders its text, which at 25 frames a second cost more than everything else
        in the window together. x spans the run (_x_right); y follows the data with
        headroom and a minimum span relative to its level."""
        if "loss" in self._following:
            target = (0.0, self._x_right())
            if target != self._x_target:
                self._x_target = target
                self.plots["loss"].setXRange(*target, padding=0.02)
        log = self.log_scale.isChecked()
        groups = {"loss": [("loss", "loss"), ("val_loss", "val_loss")],
                  "metric": [("metric", "metric"), ("val_metric", "val_metric")],
                  "lr": [("lr", "lr")]}
        for name, plot in self.plots.items():
            if name not in self._following:
                continue
            plot_log = log and name in ("loss", "grad")
            if name == "grad":
                followed = [(series, 1.0) for series in self.grad_series.values()]
            else:
                followed = [(self.series[self._series_key(k)], self._factor(k))
                            for k, _ in groups[name] if self._series_key(k) in self.series]
                if name == "loss" and self.batch["loss"].size:
                    followed.append((self.batch["loss"], self._factor("loss")))
            followed += self.overlays.spans(name)
            low, high = finite_span(followed, smoothed and name != "lr", plot_log)
            if low is None:
                target = (-1.0, 1.0) if plot_log else (0.0, 1.0)
                if self._y_targets.get(name) is None:
                    self._y_targets[name] = target
                    plot.setYRange(*target, padding=0)
                continue
            wanted = readable_y_range(low, high, plot_log)
            current = self._y_targets.get(name)
            if current is not None:
                shown = current[1] - current[0]
                inside = current[0] <= low and high <= current[1]
                if inside and shown <= 4 * (wanted[1] - wanted[0]):
                    continue  # the data still fits well: leave the axis (and its text) be
                wanted = _room_ahead(wanted, low < current[0], high > current[1])
            self._y_targets[name] = wanted
            plot.setYRange(*wanted, padding=0)

    def _update_summary(self) -> None:
        loss = self.series.get("loss")
        if loss is None or loss.size == 0:
            return
        factor = self._factor("loss")
        last = loss.data[loss.size - 1] * factor
        epoch = self.series["epoch"].data[loss.size - 1]
        text = f"epoch {epoch:,.0f}: loss {_number(last)}"
        if self._first_loss is not None and math.isfinite(last):
            first_epoch, first = self._first_loss
            first *= factor
            if first and epoch > first_epoch:
                change = (last - first) / abs(first) * 100
                text += (f" ({change:+.3g}% since epoch {first_epoch:g})" if abs(change) < 1
                         else f" ({change:+.1f}% since epoch {first_epoch:g})")
        val = self.series.get("val_loss")
        if val is not None and math.isfinite(val.data[val.size - 1]):
            text += f" \u00b7 validation {val.data[val.size - 1] * factor:.4g}"
        if self.units.phrase():  # the same words as the tables' and the status bar's
            text += f" \u00b7 {'in ' if self.units.converts else ''}{self.units.phrase()}"
        if text != self.summary.text():
            self.summary.setText(text)

    def _set_log(self, on: bool) -> None:
        for name in ("loss", "grad"):
            plot = self.plots[name]
            plot.setLogMode(y=on)
            plot.disableAutoRange()  # setLogMode turned pyqtgraph's autorange back on

    def _on_log_scale_toggled(self, on: bool) -> None:
        self._set_log(on)
        self._following.update(("loss", "grad"))
        self._y_targets.pop("loss", None)
        self._y_targets.pop("grad", None)
        self.dirty = True

    def _on_smoothing_changed(self, value: int) -> None:
        self._smooth_plotted()
        self.dirty = True

    def _on_standardised_toggled(self, on: bool) -> None:
        self.units = Units(self.units.task, self.units.loss, self.units.scale, on)
        self.standardised.setToolTip(self.units.describe())
        self._build()

    def _on_x_axis_changed(self, text: str) -> None:
        self._label_x_axes()
        self._build()

    def _on_mouse_moved(self, event) -> None:
        position = event[0]
        epochs = self.series["epoch"]
        if epochs.size == 0:
            return
        for plot in self.plots.values():
            if plot.sceneBoundingRect().contains(position):
                break
        else:
            return
        x_value = plot.vb.mapSceneToView(position).x()
        x = self.series["epoch" if self.x_axis.currentText() == "epochs" else "step"].view()
        index = int(np.clip(np.searchsorted(x, x_value), 0, len(x) - 1))

        def value(key: str) -> float:
            series = self.series.get(key)
            return series.data[index] * self.units.factor(key) if series else math.nan

        metric = label(self.metric_name)
        text = (f"epoch {int(epochs.data[index])}, update {int(self.series['step'].data[index])}: "
                f"loss {value('loss'):.4g}, validation loss {value('val_loss'):.4g}, "
                f"{metric} {value(self.metric_name):.4g}, validation {metric} "
                f"{value('val_' + self.metric_name):.4g}, lr {value('lr'):.3g}")
        self.readout.setText(text)
        self.hovered.emit(text)


def _columns(events: list) -> tuple[dict[str, list[float]], dict[str, list[float]]]:
    """Logs and gradient norms as columns, NaN where an event lacks a key."""
    columns: dict[str, list[float]] = {}
    grads: dict[str, list[float]] = {}
    for index, event in enumerate(events):
        for target, values in ((columns, event.logs),
                               (grads, getattr(event, "grad_norms", {}))):
            for key, value in values.items():
                if key in UNPLOTTED:
                    continue
                column = target.get(key)
                if column is None:
                    column = target[key] = [math.nan] * index
                column.append(value)
            for column in target.values():
                if len(column) <= index:
                    column.append(math.nan)
    return columns, grads


def _number(value: float) -> str:
    return f"{value:.4g}" if math.isfinite(value) else "NaN" if math.isnan(value) else \
        ("infinite" if value > 0 else "-infinite")


def _short(name: str, limit: int = 14) -> str:
    return _html(name if len(name) <= limit else name[:limit - 1] + "\u2026")


def _html(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _parse_change(text: str) -> dict[str, Any]:
    """A marker's text back into its changes ("lr 0.002, momentum 0.9"), for merging."""
    changes: dict[str, Any] = {}
    for part in text.split(", "):
        key, _, value = part.partition(" ")
        try:
            changes[key] = float(value)
        except ValueError:
            changes[key] = value
    return changes


def _room_ahead(wanted: tuple[float, float], fell: bool,
                rose: bool) -> tuple[float, float]:
    """A range for data that left the old one: extra room on the side it left by, as
    it will likely go on that way (a falling loss); each step re-renders the axis text,
    the costliest Python in a frame, and the GIL it holds is taken from the trainer."""
    low, high = wanted
    room = ROOM_AHEAD * (high - low)
    return (low - room if fell else low, high + room if rose else high)


def _let_width_go(label: pg.LabelItem) -> None:
    """The column's width is not the title's to set: pyqtgraph makes a title's text
    width its minimum again on every resize, so a long key kept the plots wider than the
    window (clipped at 1280x720). Keep the height rule only."""
    if getattr(label, "_width_let_go", False):
        return

    def update_min() -> None:
        bounds = label.itemRect()
        label.setMinimumWidth(0)
        label.setMinimumHeight(bounds.height())
        label._sizeHint = {Qt.SizeHint.MinimumSize: (0, bounds.height()),
                           Qt.SizeHint.PreferredSize: (0, bounds.height()),
                           Qt.SizeHint.MaximumSize: (-1, -1),
                           Qt.SizeHint.MinimumDescent: (0, 0)}
        label.updateGeometry()

    label.updateMin = update_min
    label._width_let_go = True

