"""The pieces the live plots are made of: decimation, smoothing, growing buffers, an
axis whose log scale always has labelled ticks, and the sequential colours that stand
for a layer's depth. The Qt-painted plot items they are drawn with are in qt_plot."""
from __future__ import annotations

import math

import numpy as np
from PySide6.QtGui import QColor

from .qt_plot import QtAxis

MAX_POINTS = 800  # per curve and redraw: a min/max pair per two pixels of a plot


def decimate(x: np.ndarray, y: np.ndarray, lo: float, hi: float,
             budget: int = MAX_POINTS) -> tuple[np.ndarray, np.ndarray]:
    """The part of (x, y) inside [lo, hi] (x sorted), reduced to at most `budget` points
    by keeping each bucket's minimum and maximum, so spikes stay visible. Handing
    pyqtgraph the whole growing arrays cost the UI thread tens of ms per redraw."""
    # numpy's search releases the GIL, a chance for the training thread to take it and
    # for this one to wait: skipped while the view follows the whole run.
    if lo != -math.inf or hi != math.inf:
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
        self._spanned = {False: 0, True: 0}  # how much of the data the spans cover

    def extend(self, values) -> None:
        new = np.asarray(values, dtype=np.float64).reshape(-1)
        end = self.size + len(new)
        if end > len(self.data):
            capacity = max(end, 2 * len(self.data))
            self.data = np.resize(self.data, capacity)
            self.smooth = np.resize(self.smooth, capacity)
        self.data[self.size:end] = new
        if self.alpha:  # unsmoothed, the raw buffer is drawn: nothing to copy
            self.smooth[self.size:end] = self._smoothed(new)
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
        self._spanned = {False: 0, True: 0}
        self.extend(values)

    def view(self, smoothed: bool = False) -> np.ndarray:
        return (self.smooth if smoothed and self.alpha else self.data)[:self.size]

    def span(self, smoothed: bool, log: bool) -> tuple[float, float] | None:
        """The finite values' range (log10 of the positive ones on a log axis)."""
        smoothed = bool(smoothed and self.alpha)
        done = self._spanned[smoothed]
        if done < self.size:  # widened lazily: only series that are drawn pay for it
            _widen(self._spans[smoothed], (self.smooth if smoothed else self.data)[done:self.size])
            self._spanned[smoothed] = self.size
        low, high, smallest_positive = self._spans[smoothed]
        if log:
            if high <= 0 or not math.isfinite(smallest_positive):
                return None
            return math.log10(smallest_positive), math.log10(high)
        return (low, high) if low <= high else None


def _empty_span() -> list[float]:
    return [math.inf, -math.inf, math.inf]


SHORT = 64  # values a plain loop goes through faster than numpy's calls do


def _widen(span: list[float], values: np.ndarray) -> None:
    if len(values) <= SHORT:  # a frame's few new values: no numpy call per step
        for value in values.tolist():
            if math.isfinite(value):
                span[0], span[1] = min(span[0], value), max(span[1], value)
                if value > 0:
                    span[2] = min(span[2], value)
        return
    finite = values[np.isfinite(values)]
    if len(finite):
        span[0] = min(span[0], float(finite.min()))
        span[1] = max(span[1], float(finite.max()))
        positive = finite[finite > 0]
        if len(positive):
            span[2] = min(span[2], float(positive.min()))


def nice_ceiling(value: float) -> float:
    """The next 1, 2 or 5 times a power of ten at or above `value`."""
    if value <= 1:
        return 1.0
    power = 10 ** np.floor(np.log10(value))
    for step in (1, 2, 5, 10):
        if step * power >= value:
            return float(step * power)
    return float(10 * power)


def finite_span(series: list[tuple[Series, float]], smoothed: bool,
                log: bool) -> tuple[float | None, float | None]:
    """The range of several series' finite values, each shown times a positive factor."""
    spans = []
    for one, factor in series:
        span = one.span(smoothed, log)
        if span is not None:
            shift = math.log10(factor) if log else 0.0
            spans.append((span[0] + shift, span[1] + shift) if log else
                         (span[0] * factor, span[1] * factor))
    if not spans:
        return None, None
    return min(low for low, _ in spans), max(high for _, high in spans)




MIN_RELATIVE_SPAN = 0.1  # a flat curve's axis spans at least 10% of its level
MIN_DECADES = math.log10(1.25)  # on a log axis: at least a factor 1.25 top to bottom


def readable_y_range(low: float, high: float, log: bool) -> tuple[float, float]:
    """The y range to show for data in [low, high] (log10 values on a log axis): the
    data with 30% headroom, but never narrower than a span relative to the level, so a
    loss that changes by 0.03% stays a flat line instead of a cliff over the whole
    height. Where the data is negative and positive around 0, 1e-12 is the floor."""
    span = high - low
    if log:
        minimum = MIN_DECADES
    else:
        minimum = max(MIN_RELATIVE_SPAN * max(abs(low), abs(high)), 1e-12)
    if span < minimum:
        middle = (low + high) / 2
        low, high, span = middle - minimum / 2, middle + minimum / 2, minimum
    return low - 0.15 * span, high + 0.15 * span


def _nice_step(span: float, count: int = 4) -> float:
    raw = span / max(count, 1)
    power = 10 ** math.floor(math.log10(raw))
    for step in (1, 2, 2.5, 5, 10):
        if step * power >= raw:
            return step * power
    return 10 * power


class ReadableAxis(QtAxis):
    """An axis whose log mode always has a few readable labels: pyqtgraph's log ticks
    sit at 1..9 times powers of ten, so a range inside one such step (a loss going from
    0.6931 to 0.6929) showed no label at all, and a range of two decades labelled all
    eighteen. Here: below one decade, plain 1-2-5 values ("0.69", "0.7"); up to three
    decades, 1, 2 and 5 times powers of ten; beyond, powers of ten, with unlabelled
    minor ticks between."""

    def __init__(self, orientation: str, **kwargs) -> None:
        super().__init__(orientation, **kwargs)
        self._linear_step: float | None = None
        self._labelled: set[float] = set()

    def logTickValues(self, minVal, maxVal, size, stdTicks):  # noqa: N802 - pyqtgraph's name
        self._linear_step, self._labelled = None, set()
        if not (math.isfinite(minVal) and math.isfinite(maxVal)) or maxVal <= minVal:
            return super().logTickValues(minVal, maxVal, size, stdTicks)
        span = maxVal - minVal
        if span < 1:
            lo, hi = 10.0 ** minVal, 10.0 ** maxVal
            step = _nice_step(hi - lo, max(2, min(6, int(size / 40))))
            first = math.ceil(lo / step) * step
            values = [first + i * step for i in range(int((hi - first) / step) + 1)]
            self._linear_step = step
            return [(None, [math.log10(v) for v in values if v > 0])]
        decades = range(math.floor(minVal), math.ceil(maxVal) + 1)
        if span < 3:
            major = [d + math.log10(m) for d in decades for m in (1, 2, 5)]
            minor = [d + math.log10(m) for d in decades for m in (3, 4, 6, 7, 8, 9)]
        else:
            every = max(1, math.ceil(span / max(2, min(7, int(size / 30)))))
            major = [float(d) for d in decades if d % every == 0]
            minor = [d + math.log10(m) for d in decades for m in range(2, 10)] \
                if span < 8 else []
        major = [v for v in major if minVal <= v <= maxVal]
        minor = [v for v in minor if minVal <= v <= maxVal]
        self._labelled = {round(v, 9) for v in major}
        return [(1.0, major), (None, minor)]

    def logTickStrings(self, values, scale, spacing):  # noqa: N802 - pyqtgraph's name
        if self._linear_step is not None:
            return [format_tick(10.0 ** v * scale, self._linear_step) for v in values]
        if not self._labelled:
            return super().logTickStrings(values, scale, spacing)
        plain = all(-3 <= v <= 4 for v in self._labelled)  # else powers of ten, all alike
        return [("" if round(v, 9) not in self._labelled else
                 f"{10.0 ** v * scale:g}" if plain else _power(v)) for v in values]


def _power(v: float) -> str:
    """10 to a power in superscript, times 2 or 5 where it is not a whole power."""
    exponent = math.floor(v + 1e-9)
    mantissa = round(10 ** (v - exponent))
    digits = str(exponent).translate(str.maketrans("-0123456789", "\u207b\u2070\u00b9\u00b2"
                                                   "\u00b3\u2074\u2075\u2076\u2077\u2078\u2079"))
    if exponent == 0:
        return str(mantissa)
    return f"{mantissa}\u00b710{digits}" if mantissa != 1 else f"10{digits}"


def format_tick(value: float, step: float) -> str:
    if value == 0 or 1e-4 <= abs(value) < 1e5:
        places = max(0, -math.floor(math.log10(step) + 1e-9)) if step < 1 else 0
        if step * 10 ** places % 1 > 1e-6:
            places += 1  # a step of 0.25 needs one more place than 0.2
        return f"{value:.{places}f}"
    return f"{value:.3g}"


# Viridis at five points: a sequential map, dark to light, readable by colour-blind
# people and in grey print; the first layer is the darkest.
_VIRIDIS = ((0.0, (68, 1, 84)), (0.25, (59, 82, 139)), (0.5, (33, 145, 140)),
            (0.75, (94, 201, 98)), (1.0, (253, 231, 37)))


def _viridis(t: float) -> tuple[int, int, int]:
    for (t0, c0), (t1, c1) in zip(_VIRIDIS, _VIRIDIS[1:]):
        if t <= t1:
            f = (t - t0) / (t1 - t0) if t1 > t0 else 0.0
            return tuple(round(a + (b - a) * f) for a, b in zip(c0, c1))
    return _VIRIDIS[-1][1]


def depth_colors(count: int, background: str) -> list[str]:
    """One colour per layer along a sequential map, the input side darkest, the output
    side lightest: any number of layers gets distinct colours in depth order. The end of
    the map that would vanish into the background (yellow on white, purple on black)
    is cut off."""
    dark = QColor(background).lightness() < 128
    lo, hi = (0.33, 1.0) if dark else (0.0, 0.82)
    if count <= 1:
        return [QColor(*_viridis((lo + hi) / 2)).name()]
    colors = [QColor(*_viridis(lo + (hi - lo) * i / (count - 1))).name()
              for i in range(count)]
    return colors
