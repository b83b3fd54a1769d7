"""Finished runs drawn under the current one, one colour each, on every plot.

A finished run never changes, so its curves are set once (when the runs, the x axis,
the smoothing or the units change), never on the redraw timer: with 16 runs overlaid a
redraw still only touches the current run's curves. Each run is one item per plot and
line style (train solid, validation dashed; a run's layers share one item in the
gradient plot, separated by gaps), so Qt paints few items, and none runs Python.
"""
from __future__ import annotations

from typing import Any, Callable, Iterable

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt

from ..plot_parts import Series, decimate
from ..qt_plot import PathCurve

# One colour per run, by the run's colour index; mid-tone, so they read on the light
# and the dark theme alike. The first is the light theme's train colour.
RUN_COLORS = ("#2563eb", "#ea580c", "#16a34a", "#dc2626", "#9333ea", "#0891b2", "#ca8a04",
              "#db2777", "#4f46e5", "#65a30d", "#0d9488", "#c2410c", "#7c3aed", "#059669",
              "#b45309", "#6b7280")
OVERLAY_POINTS = 400  # per curve: finished runs are context, the current run has 800
_GRAD = "grad_norm/"
# plot -> (series key or "metric"/"val_metric", dashed)
_CURVES = {"loss": (("loss", False), ("val_loss", True)),
           "metric": (("metric", False), ("val_metric", True)),
           "lr": (("lr", False),)}


def run_color(index: int) -> str:
    return RUN_COLORS[index % len(RUN_COLORS)]


class _Overlay:
    """One finished run's columns as Series (so smoothing and spans work as for the
    current run)."""

    def __init__(self, key: Any, color: str, columns: dict[str, np.ndarray]) -> None:
        self.key, self.color = key, color
        self.series = {name: _series(values) for name, values in columns.items()}

    def grads(self) -> list[Series]:
        return [s for name, s in self.series.items() if name.startswith(_GRAD)]


def _series(values: np.ndarray) -> Series:
    series = Series(max(1, len(values)))
    series.extend(values)
    return series


class RunOverlays:
    """Owned by LivePlots: `set_runs` takes (key, colour, columns) per run to show."""

    def __init__(self, plots: dict[str, pg.PlotItem], series_key: Callable[[str], str],
                 factor: Callable[[str], float]) -> None:
        self.plots, self.series_key, self.factor = plots, series_key, factor
        self.runs: list[_Overlay] = []
        self.items: list[tuple[_Overlay, str, tuple[str, ...], PathCurve]] = []
        self.alpha = 0.0
        self.epochs_mode = True

    def set_runs(self, runs: Iterable[tuple[Any, str, dict[str, np.ndarray]]]) -> None:
        """The runs to overlay (bottom first); the items are made again."""
        self.runs = [_Overlay(key, color, columns) for key, color, columns in runs]
        self._smooth()
        self.build()

    def build(self) -> None:
        """(Re)create the items after the plots were cleared or the runs changed."""
        for _, plot_name, _, item in self.items:
            if item.scene() is not None:
                self.plots[plot_name].removeItem(item)
        self.items = []
        for overlay in self.runs:
            for plot_name, curves in _CURVES.items():
                for key, dashed in curves:
                    self._add(overlay, plot_name, (key,), dashed)
            grads = tuple(name for name in overlay.series if name.startswith(_GRAD))
            if grads:
                self._add(overlay, "grad", grads, False)
        self.draw()

    def _add(self, overlay: _Overlay, plot_name: str, keys: tuple[str, ...],
             dashed: bool) -> None:
        style = Qt.PenStyle.DashLine if dashed else Qt.PenStyle.SolidLine
        item = PathCurve(pg.mkPen(overlay.color, width=1, style=style))
        plot = self.plots[plot_name]
        plot.addItem(item)
        item.log_y = plot.ctrl.logYCheck.isChecked()
        item.setZValue(-1)  # under the current run
        self.items.append((overlay, plot_name, keys, item))

    def set_view(self, epochs_mode: bool, alpha: float) -> None:
        """The x axis (epochs or updates) and the smoothing; redrawn only on a change."""
        changed = (epochs_mode, alpha) != (self.epochs_mode, self.alpha)
        self.epochs_mode, self.alpha = epochs_mode, alpha
        if changed and self.runs:
            self._smooth()
            self.draw()

    def _smooth(self) -> None:
        for overlay in self.runs:
            for name, series in overlay.series.items():
                if name not in ("epoch", "step") and series.alpha != self.alpha:
                    series.set_smoothing(self.alpha)

    def draw(self) -> None:
        """Set every item's data: once per change of the runs or of the view."""
        smoothed = self.alpha > 0
        for overlay, _, keys, item in self.items:
            x = overlay.series.get("epoch" if self.epochs_mode else "step")
            parts = []
            for key in keys:
                name = self.series_key(key) if not key.startswith(_GRAD) else key
                series = overlay.series.get(name)
                if x is None or series is None:
                    continue
                xs, ys = decimate(x.view(), series.view(smoothed), -np.inf, np.inf,
                                  OVERLAY_POINTS)
                parts.append((xs, ys * self.factor(key)))
            if not parts:
                item.setData(np.empty(0), np.empty(0))
                continue
            gap = (np.array([np.nan]),) * 2
            xs = np.concatenate([p for xy in parts for p in (xy[0], gap[0])][:-1])
            ys = np.concatenate([p for xy in parts for p in (xy[1], gap[1])][:-1])
            item.setData(xs, ys)

    def spans(self, plot_name: str) -> list[tuple[Series, float]]:
        """(series, factor) pairs the plot's y range must include."""
        pairs = []
        for overlay in self.runs:
            if plot_name == "grad":
                pairs.extend((series, 1.0) for series in overlay.grads())
                continue
            for key, _ in _CURVES.get(plot_name, ()):
                series = overlay.series.get(self.series_key(key))
                if series is not None:
                    pairs.append((series, self.factor(key)))
        return pairs

    def x_max(self) -> float:
        ends = [float(np.nanmax(s.view())) for o in self.runs
                for s in [o.series.get("epoch" if self.epochs_mode else "step")]
                if s is not None and s.size]
        return max(ends, default=0.0)
