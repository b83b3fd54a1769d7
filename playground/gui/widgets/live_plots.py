"""LivePlots: loss, the task's main metric, the learning rate and per-layer gradient
norms, live. Every epoch is recorded into growing numpy buffers; curves are created
once and redrawn from a 30 Hz timer only when something changed (pyqtgraph's own
pattern), with downsampling and clip-to-view set once."""
from __future__ import annotations

import math

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import (QCheckBox, QComboBox, QGraphicsItem, QGraphicsPathItem,
                               QHBoxLayout, QLabel, QSlider, QVBoxLayout, QWidget)

REDRAW_MS = 40   # 25 frames a second
MAX_POINTS = 800  # per curve and redraw: a min/max pair per two pixels of a plot


def decimate(x: np.ndarray, y: np.ndarray, lo: float, hi: float,
             budget: int = MAX_POINTS) -> tuple[np.ndarray, np.ndarray]:
    """The part of (x, y) inside [lo, hi] (x sorted), reduced to at most `budget` points
    by keeping each bucket's minimum and maximum, so spikes stay visible. Handing
    pyqtgraph the whole growing arrays cost the UI thread tens of ms per redraw."""
    start = max(0, int(np.searchsorted(x, lo)) - 1)
    end = min(len(x), int(np.searchsorted(x, hi, side="right")) + 1)
    x, y = x[start:end], y[start:end]
    if len(x) <= budget:
        return x, y
    size = -(-len(x) // (budget // 2))  # ceiling
    first = np.arange(0, len(x), size)
    last = np.minimum(first + size, len(x)) - 1
    low, high = np.fmin.reduceat(y, first), np.fmax.reduceat(y, first)  # NaN-blind
    # A falling bucket is drawn from its maximum down to its minimum, a rising one up:
    # the line keeps its direction instead of zig-zagging inside a bucket.
    falling = y[first] > y[last]
    xs, ys = np.empty(2 * len(first)), np.empty(2 * len(first))
    xs[0::2], xs[1::2] = x[first], x[last]
    ys[0::2] = np.where(falling, high, low)
    ys[1::2] = np.where(falling, low, high)
    return xs, ys


def exponential_average(values: np.ndarray, alpha: float, previous: float) -> np.ndarray:
    """y[n] = alpha * y[n-1] + (1 - alpha) * x[n], from y[-1] = previous, vectorised:
    y[n] = alpha^n * (alpha * previous + (1 - alpha) * cumsum(x[k] / alpha^k)), in chunks
    short enough that 1 / alpha^k stays far from overflowing. (scipy's lfilter does this
    too, but importing scipy.signal added two seconds to the window's start.)"""
    out = np.empty(len(values))
    chunk = max(1, int(100 / -math.log10(alpha)))
    for start in range(0, len(values), chunk):
        part = values[start:start + chunk]
        powers = alpha ** np.arange(len(part))
        out[start:start + len(part)] = powers * (
            alpha * previous + (1 - alpha) * np.cumsum(part / powers))
        previous = out[start + len(part) - 1]
    return out


class PathCurve(QGraphicsPathItem):
    """A curve that Qt paints by itself. pyqtgraph's curves paint in Python, and every
    millisecond the UI thread holds the GIL is a millisecond the training thread waits;
    this item overrides no virtual method, so painting it runs no Python at all."""

    def __init__(self, pen) -> None:
        super().__init__()
        self.setPen(pen)
        self.log_y = False
        self.x = self.y = None

    def setData(self, x: np.ndarray, y: np.ndarray) -> None:  # noqa: N802 - pyqtgraph's name
        self.x, self.y = x, y
        if self.log_y:
            with np.errstate(divide="ignore", invalid="ignore"):
                y = np.log10(y)
        y = np.where(np.isfinite(y), y, np.nan)  # a gap, not a line to infinity
        self.setPath(pg.arrayToQPath(np.asarray(x, dtype=np.float64), y, connect="finite"))

    def getData(self) -> tuple[np.ndarray | None, np.ndarray | None]:  # noqa: N802
        return self.x, self.y

    def setLogMode(self, x_mode: bool, y_mode: bool) -> None:  # noqa: N802 - called by PlotItem
        self.log_y = bool(y_mode)
        if self.x is not None:
            self.setData(self.x, self.y)


class Series:
    """A float64 buffer that doubles when full, plus its exponentially smoothed twin."""

    def __init__(self, capacity: int = 1024) -> None:
        self.data = np.empty(capacity)
        self.smooth = np.empty(capacity)
        self.size = 0
        self.alpha = 0.0
        self._state = None
        # Running [min, max, smallest positive] of the finite values, raw and smoothed,
        # so the axes can follow the data without rescanning it every frame.
        self._spans = {False: _empty_span(), True: _empty_span()}

    def extend(self, values: list[float]) -> None:
        new = np.asarray(values, dtype=np.float64)
        end = self.size + len(new)
        if end > len(self.data):
            capacity = max(end, 2 * len(self.data))
            self.data = np.resize(self.data, capacity)
            self.smooth = np.resize(self.smooth, capacity)
        self.data[self.size:end] = new
        self.smooth[self.size:end] = self._smoothed(new)
        _widen(self._spans[False], new)
        _widen(self._spans[True], self.smooth[self.size:end])
        self.size = end

    def _smoothed(self, new: np.ndarray) -> np.ndarray:
        if self.alpha == 0 or len(new) == 0:
            return new
        clean = np.where(np.isfinite(new), new, 0.0)
        if self._state is None:
            self._state = float(clean[0])  # the average starts at the first value
        out = exponential_average(clean, self.alpha, self._state)
        self._state = float(out[-1])
        return out

    def set_smoothing(self, alpha: float) -> None:
        self.alpha, self._state = alpha, None
        values = self.data[:self.size].copy()
        self.size = 0
        self._spans = {False: _empty_span(), True: _empty_span()}
        self.extend(list(values))

    def view(self, smoothed: bool = False) -> np.ndarray:
        return (self.smooth if smoothed and self.alpha else self.data)[:self.size]

    def span(self, smoothed: bool, log: bool) -> tuple[float, float] | None:
        """The finite values' range (log10 of the positive ones on a log axis)."""
        low, high, smallest_positive = self._spans[bool(smoothed and self.alpha)]
        if log:
            if high <= 0 or not math.isfinite(smallest_positive):
                return None
            return math.log10(smallest_positive), math.log10(high)
        return (low, high) if low <= high else None


def _empty_span() -> list[float]:
    return [math.inf, -math.inf, math.inf]


def _widen(span: list[float], values: np.ndarray) -> None:
    finite = values[np.isfinite(values)]
    if len(finite):
        span[0] = min(span[0], float(finite.min()))
        span[1] = max(span[1], float(finite.max()))
        positive = finite[finite > 0]
        if len(positive):
            span[2] = min(span[2], float(positive.min()))


def _nice_ceiling(value: float) -> float:
    """The next 1, 2 or 5 times a power of ten at or above `value`."""
    if value <= 1:
        return 1.0
    power = 10 ** np.floor(np.log10(value))
    for step in (1, 2, 5, 10):
        if step * power >= value:
            return float(step * power)
    return float(10 * power)


def _finite_span(series: list[Series], smoothed: bool,
                 log: bool) -> tuple[float | None, float | None]:
    spans = [span for one in series if (span := one.span(smoothed, log)) is not None]
    if not spans:
        return None, None
    return min(low for low, _ in spans), max(high for _, high in spans)


def keep_flat_lines_readable(plot: pg.PlotItem, values: np.ndarray) -> None:
    """A constant series autoscales to a meaningless +-0.5 band; show 0 to 1.5x it."""
    finite = values[np.isfinite(values)] if len(values) else values
    if len(finite) and np.ptp(finite) <= 1e-12 * max(1.0, abs(finite[0])):
        plot.setYRange(0, abs(finite[0]) * 1.5 or 1.0, padding=0)
    else:
        plot.enableAutoRange(axis="y")


class LivePlots(QWidget):
    hovered = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.colors = ("#2563eb", "#f97316", "#16a34a", "#9333ea", "#dc2626", "#0891b2", "#ca8a04")
        self.metric_name = "accuracy"  # not `metric`: that would shadow QWidget.metric()
        self.foreground = "#374151"
        self.dirty = False
        self.redraws = 0
        self.epochs_recorded = 0
        layout = QVBoxLayout(self)
        layout.addLayout(self._controls())
        self.canvas = pg.GraphicsLayoutWidget()
        self.canvas.setObjectName("plotCanvas")
        layout.addWidget(self.canvas, 1)
        self.readout = QLabel(objectName="plotReadout")
        layout.addWidget(self.readout)
        self._make_plots()
        self.reset()
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
        self.x_axis = QComboBox(objectName="xAxis")
        self.x_axis.addItems(["epochs", "updates"])
        self.x_axis.setToolTip("Plot against epochs (passes over the data) or updates "
                               "(optimizer steps): compare batch sizes fairly with updates.")
        self.x_axis.currentTextChanged.connect(self._on_x_axis_changed)
        row.addWidget(self.x_axis)
        return row

    def _make_plots(self) -> None:
        self.plots = {}
        self.titles: dict[str, str] = {}
        for row, (name, title) in enumerate((("loss", "Loss"), ("metric", "Accuracy"),
                                             ("lr", "Learning rate"),
                                             ("grad", "Gradient norm per layer"))):
            plot = self.canvas.addPlot(row=row // 2, col=row % 2)
            self.titles[name] = title
            plot.showGrid(x=True, y=True, alpha=0.2)
            plot.titleLabel.setCacheMode(QGraphicsItem.CacheMode.DeviceCoordinateCache)
            plot.disableAutoRange()
            for axis in ("left", "bottom"):  # axes repaint as pixmaps, not replayed text
                plot.getAxis(axis).setCacheMode(QGraphicsItem.CacheMode.DeviceCoordinateCache)
            plot.vb.sigRangeChangedManually.connect(lambda *_, n=name: self._following.discard(n))
            plot.autoBtn.clicked.connect(lambda *_, n=name: self._follow(n))
            self.plots[name] = plot
        self._following = set(self.plots)
        self.plots["metric"].setXLink(self.plots["loss"])
        self.plots["lr"].setXLink(self.plots["loss"])
        self.plots["grad"].setXLink(self.plots["loss"])
        self.plots["loss"].setLogMode(y=True)
        self.plots["grad"].setLogMode(y=True)

    def set_colors(self, background: str, foreground: str, series: tuple[str, ...]) -> None:
        self.colors = series
        self.foreground = foreground
        self.canvas.setBackground(background)
        for plot in self.plots.values():
            for axis in ("left", "bottom"):
                plot.getAxis(axis).setPen(foreground)
                plot.getAxis(axis).setTextPen(foreground)
        self.reset(keep_data=True)

    # ------------------------------------------------------------ the data
    def reset(self, keep_data: bool = False, metric: str | None = None) -> None:
        """Forget the curves (a new run); with keep_data, only re-create them."""
        if metric:
            self.metric_name = metric
            self.titles["metric"] = metric.replace("_", " ").capitalize()
        if not keep_data:
            self.series = {key: Series() for key in ("epoch", "step", "loss", "val_loss",
                                                     "metric", "val_metric", "lr")}
            self.grad_series: dict[str, Series] = {}
            self.markers: list[tuple[float, float, str]] = []
            self.epochs_recorded = 0
        for plot in self.plots.values():
            plot.clear()
        self.legends: dict[str, list[tuple[str, str]]] = {name: [] for name in self.plots}
        # Pens one pixel wide: Qt's raster engine draws wider lines several times slower.
        pen = lambda i, style=Qt.PenStyle.SolidLine: pg.mkPen(self.colors[i % len(self.colors)],
                                                               width=1, style=style)
        self.curves = {
            "loss": self._add_curve("loss", pen(0), "train"),
            "val_loss": self._add_curve("loss", pen(1), "validation"),
            "metric": self._add_curve("metric", pen(0), "train"),
            "val_metric": self._add_curve("metric", pen(1), "validation"),
            "lr": self._add_curve("lr", pen(2)),
        }
        self.grad_curves = {}
        for index, label in enumerate(self.grad_series):
            self.grad_curves[label] = self._add_curve("grad", pen(index), label)
        for name in self.plots:
            self._render_title(name)
        for epoch, step, text in self.markers:
            self._draw_marker(epoch, step, text)
        self.dirty = True

    def _add_curve(self, plot_name: str, pen, name: str | None = None) -> PathCurve:
        plot = self.plots[plot_name]
        curve = PathCurve(pen)
        plot.addItem(curve)
        if name is not None:
            self.legends[plot_name].append((name, pen.color().name()))
        return curve

    def _render_title(self, plot_name: str) -> None:
        """The title, with the legend on a line of its own beneath it: a legend inside
        the plot hides the curves, and repainting it every frame costs the UI thread."""
        entries = "&nbsp;&nbsp; ".join(
            f'<span style="color:{color}">\u2501\u2501</span>&nbsp;{name}'
            for name, color in self.legends[plot_name])
        title = self.titles[plot_name] + (f'<br><span style="font-size:8pt">{entries}</span>'
                                          if entries else "")
        self.plots[plot_name].setTitle(title, color=self.foreground)

    def add_epochs(self, events: list) -> None:
        """Record a batch of EpochEnded events (every one is kept)."""
        if not events:
            return
        columns = {"epoch": [], "step": [], "loss": [], "val_loss": [], "metric": [],
                   "val_metric": [], "lr": []}
        grads: dict[str, list[float]] = {}
        for event in events:
            logs = event.logs
            columns["epoch"].append(logs["epoch"])
            columns["step"].append(logs["step"])
            columns["loss"].append(logs["loss"])
            columns["val_loss"].append(logs.get("val_loss", math.nan))
            columns["metric"].append(logs.get(self.metric_name, math.nan))
            columns["val_metric"].append(logs.get(f"val_{self.metric_name}", math.nan))
            columns["lr"].append(logs["lr"])
            for label, value in event.grad_norms.items():
                grads.setdefault(label, []).append(value)
        for key, values in columns.items():
            self.series[key].extend(values)
        for label, values in grads.items():
            if label not in self.grad_series:
                self.grad_series[label] = Series()
                self.grad_series[label].set_smoothing(self.smoothing.value() / 100)
                index = len(self.grad_curves)
                self.grad_curves[label] = self._add_curve(
                    "grad", pg.mkPen(self.colors[index % len(self.colors)], width=1), label)
                self._render_title("grad")
            self.grad_series[label].extend(values)
        self.epochs_recorded += len(events)
        self.dirty = True

    def view_state(self) -> dict:
        """What a session file keeps of the plots' settings."""
        return {"log_scale": self.log_scale.isChecked(), "smoothing": self.smoothing.value(),
                "x_axis": self.x_axis.currentText(), "markers": [list(m) for m in self.markers]}

    def restore_view(self, state: dict) -> None:
        self.log_scale.setChecked(bool(state.get("log_scale", True)))
        self.smoothing.setValue(int(state.get("smoothing", 0)))
        self.x_axis.setCurrentText(state.get("x_axis", "epochs"))
        self.markers = [tuple(m) for m in state.get("markers", [])]
        self.reset(keep_data=True)

    def mark_change(self, epoch: float, step: float, changes: dict) -> None:
        """A vertical line where a hyperparameter was changed during the run."""
        text = ", ".join(f"{k} {v:g}" if isinstance(v, float) else f"{k} {v}"
                         for k, v in changes.items())
        self.markers.append((epoch, step, text))
        self._draw_marker(epoch, step, text)

    def _draw_marker(self, epoch: float, step: float, text: str) -> None:
        x = epoch if self.x_axis.currentText() == "epochs" else step
        for name, plot in self.plots.items():
            line = pg.InfiniteLine(pos=x, angle=90, movable=False,
                                   pen=pg.mkPen("#9ca3af", style=Qt.PenStyle.DashLine),
                                   label=text if name == "loss" else None,
                                   labelOpts={"position": 0.9, "color": "#9ca3af"})
            plot.addItem(line, ignoreBounds=True)

    # ------------------------------------------------------------ drawing
    def _on_timer_timeout(self) -> None:
        if not self.dirty:
            return
        self.dirty = False
        self.redraws += 1
        x = self.series["epoch" if self.x_axis.currentText() == "epochs" else "step"].view()
        smoothed = self.smoothing.value() > 0
        lo, hi = self._visible_x(x)
        for key, curve in self.curves.items():
            curve.setData(*decimate(x, self.series[key].view(smoothed), lo, hi))
        for label, curve in self.grad_curves.items():
            series = self.grad_series[label]
            curve.setData(*decimate(x[-series.size:], series.view(smoothed), lo, hi))
        self._settle_ranges(x, smoothed)

    def _follow(self, name: str) -> None:
        self._following.add(name)
        self.plots[name].disableAutoRange()
        self.dirty = True

    def _visible_x(self, x: np.ndarray) -> tuple[float, float]:
        """The x range on screen: everything while the view follows the data, else the
        part the user zoomed into."""
        if "loss" in self._following or len(x) == 0:
            return -np.inf, np.inf
        lo, hi = self.plots["loss"].vb.viewRange()[0]
        return lo, hi

    def _settle_ranges(self, x: np.ndarray, smoothed: bool) -> None:
        """Move the axes only when the data leaves them (x in 1-2-5 steps, y with some
        headroom): an axis whose range changes re-renders its text, which at 25 frames a
        second cost more than everything else in the window together."""
        if len(x) == 0:
            return
        if "loss" in self._following:  # the other plots' x axes are linked to this one
            right = _nice_ceiling(float(x[-1]))
            x_lo, x_hi = self.plots["loss"].vb.viewRange()[0]
            if x_hi < x[-1] or x_hi > right * 2.5 or x_lo > x[0] or x_lo < x[0] - 0.1 * right:
                self.plots["loss"].setXRange(float(x[0]), right, padding=0.02)
        series = {"loss": ("loss", "val_loss"), "metric": ("metric", "val_metric"),
                  "lr": ("lr",)}
        for name, plot in self.plots.items():
            if name not in self._following:
                continue
            followed = [self.series[k] for k in series.get(name, ())] if name != "grad" \
                else list(self.grad_series.values())
            log = plot.ctrl.logYCheck.isChecked()
            low, high = _finite_span(followed, smoothed, log)
            if low is None:
                continue
            y_lo, y_hi = plot.vb.viewRange()[1]
            span = high - low
            if span <= 1e-9 * max(1.0, abs(high)):  # a flat line: show it from 0 up
                low, high = (high - 1, high + 0.2) if log else (0.0, abs(high) * 1.5 or 1.0)
                span = high - low
            if low < y_lo or high > y_hi or (y_hi - y_lo) > 5 * span:
                # Headroom, so a falling loss does not move the axis every frame.
                plot.setYRange(low - 0.3 * span, high + 0.3 * span, padding=0)

    def _on_log_scale_toggled(self, on: bool) -> None:
        self.plots["loss"].setLogMode(y=on)
        self.plots["grad"].setLogMode(y=on)

    def _on_smoothing_changed(self, value: int) -> None:
        for series in [*self.series.values(), *self.grad_series.values()]:
            if series not in (self.series["epoch"], self.series["step"]):
                series.set_smoothing(value / 100)
        self.dirty = True

    def _on_x_axis_changed(self, text: str) -> None:
        self.plots["loss"].setLabel("bottom", text)
        self.reset(keep_data=True)

    def _on_mouse_moved(self, event) -> None:
        position = event[0]
        epochs = self.series["epoch"]
        if epochs.size == 0:
            return
        plot = self.plots["loss"]
        if not plot.sceneBoundingRect().contains(position):
            for other in self.plots.values():
                if other.sceneBoundingRect().contains(position):
                    plot = other
                    break
            else:
                return
        x_value = plot.vb.mapSceneToView(position).x()
        x = self.series["epoch" if self.x_axis.currentText() == "epochs" else "step"].view()
        index = int(np.clip(np.searchsorted(x, x_value), 0, len(x) - 1))
        values = {key: self.series[key].data[index]
                  for key in ("loss", "val_loss", "metric", "val_metric", "lr")}
        text = (f"epoch {int(epochs.data[index])}, update {int(self.series['step'].data[index])}: "
                f"loss {values['loss']:.4g}, val_loss {values['val_loss']:.4g}, "
                f"{self.metric_name} {values['metric']:.4g}, val_{self.metric_name} "
                f"{values['val_metric']:.4g}, lr {values['lr']:.3g}")
        self.readout.setText(text)
        self.hovered.emit(text)
