"""Where the plots' axes go. The x axis spans the planned run (or the data, in 1-2-5
steps, when it goes further), or ends where a run that ended early ended; a y axis
follows its data with headroom and a minimum span relative to its level, and moves
only when the data leaves it. A plot the user pans or zooms stops following until its
autorange button is pressed."""
from __future__ import annotations

import numpy as np
import pyqtgraph as pg

from ..plot_parts import Series, finite_span, nice_ceiling, readable_y_range

ROOM_AHEAD = 0.5  # of the new y range, added beyond the side the data left by


def keep_flat_lines_readable(plot: pg.PlotItem, values: np.ndarray) -> None:
    """For other plots (the schedule preview): a constant series autoscales to a
    meaningless +-0.5 band; show 0 to 1.5x it."""
    finite = values[np.isfinite(values)] if len(values) else values
    if len(finite) and np.ptp(finite) <= 1e-12 * max(1.0, abs(finite[0])):
        plot.setYRange(0, abs(finite[0]) * 1.5 or 1.0, padding=0)
    else:
        plot.enableAutoRange(axis="y")


def right_end(right_data: float, planned: float, end: float | None,
              ten_epochs: float) -> float:
    """The x axis' right end: the planned run (or the data, in 1-2-5 steps, when it
    goes further); once a run has ended (at `end`) before its plan (stopped early,
    diverged, converged...), where it ended: 95% of the plot empty helps nobody."""
    if end is not None and end >= right_data:  # (at least 10 epochs' worth, if planned)
        return max(end, min(planned or end, ten_epochs), 1.0)
    return max(planned if planned >= right_data else nice_ceiling(right_data), 1.0)


class AxisRanges:
    """Which plots follow their data, and the ranges last set on them: an axis is set
    only when its target changes, since an axis whose range changes re-renders its
    text, which at 25 frames a second cost more than everything else in the window
    together."""

    def __init__(self, plots: dict[str, pg.PlotItem]) -> None:
        self.plots = plots
        self.following = set(plots)
        self.x_target: tuple[float, float] | None = None
        self.y_targets: dict[str, tuple[float, float]] = {}

    def restart(self) -> None:
        """Every plot follows its data again, from ranges yet to be set."""
        self.following = set(self.plots)
        self.x_target = None
        self.y_targets = {}

    def reset_x(self) -> None:
        """The x axis is set again at the next frame (its plan changed)."""
        self.x_target = None

    def stop_following(self, name: str) -> None:
        self.following.discard(name)

    def follow(self, name: str) -> None:
        """The plot's autorange button: follow the data again (our way, not pyqtgraph's)."""
        self.following.add(name)
        self.plots[name].disableAutoRange()
        self.x_target = None
        self.y_targets.pop(name, None)

    def follow_y(self, names: tuple[str, ...]) -> None:
        """These plots' y axes follow again, from a range yet to be set."""
        self.following.update(names)
        for name in names:
            self.y_targets.pop(name, None)

    def visible_x(self, x: np.ndarray) -> tuple[float, float]:
        """The x range on screen: everything while the view follows the data, else the
        part the user zoomed into."""
        if "loss" in self.following or len(x) == 0:
            return -np.inf, np.inf
        lo, hi = self.plots["loss"].vb.viewRange()[0]
        return lo, hi

    def settle_x(self, right: float) -> None:
        """x spans 0 to `right`, while the loss plot follows (the others share its x
        axis)."""
        target = (0.0, right)
        if target != self.x_target:
            self.x_target = target
            self.plots["loss"].setXRange(*target, padding=0.02)

    def settle_y(self, name: str, followed: list[tuple[Series, float]], smoothed: bool,
                 log: bool) -> None:
        """A followed plot's y axis around `followed` (series, each with its factor)."""
        plot = self.plots[name]
        low, high = finite_span(followed, smoothed, log)
        if low is None:
            target = (-1.0, 1.0) if log else (0.0, 1.0)
            if self.y_targets.get(name) is None:
                self.y_targets[name] = target
                plot.setYRange(*target, padding=0)
            return
        wanted = readable_y_range(low, high, log)
        current = self.y_targets.get(name)
        if current is not None:
            shown = current[1] - current[0]
            inside = current[0] <= low and high <= current[1]
            if inside and shown <= 4 * (wanted[1] - wanted[0]):
                return  # the data still fits well: leave the axis (and its text) be
            wanted = room_ahead(wanted, low < current[0], high > current[1])
        self.y_targets[name] = wanted
        plot.setYRange(*wanted, padding=0)


def room_ahead(wanted: tuple[float, float], fell: bool,
               rose: bool) -> tuple[float, float]:
    """A range for data that left the old one: extra room on the side it left by, as
    it will likely go on that way (a falling loss); each step re-renders the axis text,
    the costliest Python in a frame, and the GIL it holds is taken from the trainer."""
    low, high = wanted
    room = ROOM_AHEAD * (high - low)
    return (low - room if fell else low, high + room if rose else high)
