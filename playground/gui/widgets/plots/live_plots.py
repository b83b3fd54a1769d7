"""LivePlots: loss, the task's main metric, the learning rate and per-layer gradient
norms, live. Every epoch is recorded into growing numpy buffers; curves are created
once per reset and redrawn from a 25 Hz timer only when something changed (pyqtgraph's
own pattern), decimated to the pixels they cover.

What the plots promise, whatever the run does: the x axis spans the planned epochs;
a y axis never blows a flat curve up into a cliff and always has labelled ticks; any
number of layers gets distinct colours in depth order with a key that fits; the epoch
whose loss became NaN or infinite is marked; the run's end is marked with its reason,
and early stopping's best epoch too; regression losses and errors are in the target's
units. Reset, in any order of calls, leaves plots that draw the next run.

This file is the widget: its controls, what it is told (configuration, epochs, changes,
the end), building the curves and drawing them. What it records is recording.py's;
where the axes go, ranges.py's; the lines and words for changes and the end,
markers.py's; titles and keys, titles.py's; the summary and hover lines, readout.py's."""
from __future__ import annotations

from typing import Any, Mapping

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import (QCheckBox, QComboBox, QHBoxLayout, QLabel, QSizePolicy,
                               QSlider, QVBoxLayout, QWidget)

from ..plot_parts import ReadableAxis, Series, decimate, depth_colors
from ..qt_plot import REDRAW_MS, PathCurve, PlotCanvas, QtPlotItem
from ..runs.overlays import RunOverlays
from ..units import Units, label
from .markers import (BEST_COLOR, MARKER_COLOR, NAN_COLOR, STOP_COLORS, STOP_LABELS,
                      add_change, parse_change, place_best_dot, stop_message,
                      vertical_lines)
from .ranges import AxisRanges, right_end
from .readout import readout_text, summary_text
from .recording import Recording
from .titles import key_entries, set_title


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
            plot.vb.sigRangeChangedManually.connect(
                lambda *_, n=name: self.ranges.stop_following(n))
            plot.autoBtn.clicked.connect(lambda *_, n=name: self._follow(n))
            self.plots[name] = plot
        layout = self.canvas.ci.layout
        for column in (0, 1):  # equal columns, whatever a title holds
            layout.setColumnStretchFactor(column, 1)
            layout.setColumnPreferredWidth(column, 10)
        for name in ("metric", "lr", "grad"):
            self.plots[name].setXLink(self.plots["loss"])
        self.ranges = AxisRanges(self.plots)
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
        self.ranges.reset_x()
        self.dirty = True

    def set_steps_per_epoch(self, steps: int) -> None:
        """Updates per epoch: places stepped batches and the planned end in updates."""
        self.steps_per_epoch = max(0, int(steps))
        self.ranges.reset_x()
        self.dirty = True

    def set_runs(self, runs: list, current_color: str | None = None) -> None:
        """Finished runs to draw under the current one, each (key, colour, History
        columns), bottom first; `current_color` draws the current run in its own colour
        (None: the usual train and validation colours). Their curves are set here, once."""
        self.overlays.set_runs(runs)
        if current_color != self.run_color:
            self.run_color = current_color
            self._build()
        self.ranges.restart()
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
        self.recording = Recording()
        self.markers: list[tuple[float, float, str]] = []
        self._marker_changes: list[dict[str, Any]] = []
        self.finish: dict[str, Any] | None = None
        self.stop_message.clear()
        self.summary.clear()
        self.readout.clear()

    def _plotted(self) -> set[str]:
        return {"loss", "val_loss", "lr", self.metric_name, f"val_{self.metric_name}"}

    # What was recorded, as the tests and the runs' overlays read it.
    series = property(lambda self: self.recording.series)
    grad_series = property(lambda self: self.recording.grad_series)
    batch = property(lambda self: self.recording.batch)
    nonfinite = property(lambda self: self.recording.nonfinite)
    epochs_recorded = property(lambda self: self.recording.epochs)

    def _smooth_plotted(self) -> None:
        """The drawn series smoothed as the slider says (recomputed only on a change)."""
        self.recording.smooth(self._plotted(), self.smoothing.value() / 100)

    def add_epochs(self, events: list) -> None:
        """Record a batch of EpochEnded events (every one is kept). Logs may carry
        gradient norms as "grad_norm/<layer>" keys (History's columns) instead."""
        if not events:
            return
        epochs, new_layers, nonfinite = self.recording.add(
            events, self._plotted(), self.smoothing.value() / 100)
        if nonfinite:
            self._draw_nonfinite()
        if self.finish is not None and epochs and epochs[-1] > self.finish["epoch"]:
            self.finish = None  # the run goes on after it stopped: that end is history
            self._show_stop_message()
            new_layers = True
        if new_layers:
            self._build()  # colours are by depth: a new layer recolours them all
        self.dirty = True

    def add_batch_step(self, event) -> None:
        """A single update made on request (BatchStepped: epoch completed before it,
        step, batch inside the epoch, the update's loss): drawn as a dot on the loss
        plot, so stepping batch by batch shows each update's loss."""
        self.recording.add_batch_step(event, self._steps_per_epoch())
        if self.batch["loss"].size == 1:
            self._render_title("loss")
        self.dirty = True

    def mark_change(self, epoch: float, step: float, changes: Mapping[str, Any]) -> None:
        """A vertical line where a hyperparameter was changed during the run; changes
        made at the same update merge into one line (the last value of each wins)."""
        add_change(self.markers, self._marker_changes, epoch, step, changes)
        self._build()

    def mark_finished(self, epoch: float, reason: str, message: str = "",
                      best_epoch: float | None = None, step: float | None = None) -> None:
        """Mark where and why the run ended (Finished.epoch, .reason, .message, .step),
        and, for early stopping, the best epoch (EarlyStopping.best_epoch; taken from
        the lowest validation loss when not given). The message stays under the plots
        until the next reset."""
        if best_epoch is None and reason == "early_stopping":
            best_epoch = self.recording.lowest("val_loss") or self.recording.lowest("loss")
        self.finish = {"epoch": epoch, "step": step, "reason": reason, "message": message,
                       "best_epoch": best_epoch}
        self._show_stop_message()
        self._build()

    def _show_stop_message(self) -> None:
        text = stop_message(self.finish, self.foreground)
        if text:
            self.stop_message.setText(text)
        else:
            self.stop_message.clear()

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
        self._marker_changes = [parse_change(m[2]) for m in self.markers]
        self.finish = dict(state["finish"]) if state.get("finish") else None
        self._show_stop_message()
        self._build()

    # ------------------------------------------------------------ building
    def _steps_per_epoch(self) -> float:
        return self.recording.steps_per_epoch(self.steps_per_epoch)

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
        self.ranges.restart()
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
        return vertical_lines(self.plots, self._x(epoch, step), self._x_right(), text, color,
                              style, position)

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
        """The title, with a one-line key beneath it that never grows with the data."""
        entries = key_entries(plot_name, self.colors, self.foreground, self.run_color,
                              bool(self.batch["loss"].size), self.grad_colors)
        set_title(self.plots[plot_name], plot_name, self.titles[plot_name], entries,
                  self.foreground, self.units)

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
        lo, hi = self.ranges.visible_x(x)
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
        place_best_dot(self.best_dot, self.finish.get("best_epoch") if self.finish else None,
                       self.series, self._factor, epochs_mode, self.log_scale.isChecked())
        self._settle_ranges(x, smoothed)
        self._update_summary()
        self.canvas.prepare()

    def _series_key(self, curve_key: str) -> str:
        return {"metric": self.metric_name,
                "val_metric": f"val_{self.metric_name}"}.get(curve_key, curve_key)

    def _factor(self, curve_key: str) -> float:
        return self.units.factor(self._series_key(curve_key))

    def _follow(self, name: str) -> None:
        self.ranges.follow(name)
        self.dirty = True

    def _planned_x(self) -> float:
        if not self.planned_epochs:
            return 0.0
        if self.x_axis.currentText() == "epochs":
            return float(self.planned_epochs)
        return self.planned_epochs * self._steps_per_epoch()

    def _x_right(self) -> float:
        """The x axis' right end (ranges.right_end), from the data, the plan and the end."""
        epochs_mode = self.x_axis.currentText() == "epochs"
        last_series = self.series["epoch" if epochs_mode else "step"]
        last = float(last_series.data[last_series.size - 1]) if last_series.size else 0.0
        extra = [float(self.batch["epoch" if epochs_mode else "step"].view().max())] \
            if self.batch["loss"].size else []
        if self.nonfinite is not None:
            extra.append(self._x(self.nonfinite[0], self.nonfinite[1]))
        right_data = max([last, *extra, self.overlays.x_max()])
        end = self._x(self.finish["epoch"], self.finish.get("step")) \
            if self.finish is not None else None
        return right_end(right_data, self._planned_x(), end, 10.0 * self._x(1.0, None))

    def _settle_ranges(self, x: np.ndarray, smoothed: bool) -> None:
        """Set the axes only when their target changes (ranges.AxisRanges): x spans the
        run (_x_right); y follows the data with headroom and a minimum span relative to
        its level."""
        if "loss" in self.ranges.following:
            self.ranges.settle_x(self._x_right())
        log = self.log_scale.isChecked()
        for name in self.plots:
            if name in self.ranges.following:
                self.ranges.settle_y(name, self._followed(name), smoothed and name != "lr",
                                     log and name in ("loss", "grad"))

    def _followed(self, name: str) -> list[tuple[Series, float]]:
        """The series a plot's y axis follows, each with its factor."""
        if name == "grad":
            followed = [(series, 1.0) for series in self.grad_series.values()]
        else:
            keys = {"loss": ("loss", "val_loss"), "metric": ("metric", "val_metric"),
                    "lr": ("lr",)}[name]
            followed = [(self.series[self._series_key(k)], self._factor(k))
                        for k in keys if self._series_key(k) in self.series]
            if name == "loss" and self.batch["loss"].size:
                followed.append((self.batch["loss"], self._factor("loss")))
        return followed + self.overlays.spans(name)

    def _update_summary(self) -> None:
        text = summary_text(self.series, self._factor("loss"), self.recording.first_loss,
                            self.units)
        if text and text != self.summary.text():
            self.summary.setText(text)

    def _set_log(self, on: bool) -> None:
        for name in ("loss", "grad"):
            plot = self.plots[name]
            plot.setLogMode(y=on)
            plot.disableAutoRange()  # setLogMode turned pyqtgraph's autorange back on

    def _on_log_scale_toggled(self, on: bool) -> None:
        self._set_log(on)
        self.ranges.follow_y(("loss", "grad"))
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
        x_key = "epoch" if self.x_axis.currentText() == "epochs" else "step"
        text = readout_text(self.series, self.units, self.metric_name, x_key, x_value)
        self.readout.setText(text)
        self.hovered.emit(text)

