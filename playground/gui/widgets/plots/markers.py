"""The vertical lines on the plots and the words under them: where a hyperparameter
was changed (changes at the same update merge into one line), where the run ended and
why, early stopping's best epoch, the epoch whose loss stopped being finite; and the
stop message that stays under the plots until the next run."""
from __future__ import annotations

import math
from typing import Any, Callable, Mapping

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt

from ..plot_parts import Series
from .text import html

# How each way a run ends is written on the curve, and in which colour.
STOP_LABELS = {"completed": "done", "stopped": "stopped", "max_steps": "update limit",
               "early_stopping": "stopped early", "converged": "converged",
               "diverged": "diverged", "failed": "failed"}
STOP_COLORS = {"diverged": "#dc2626", "failed": "#dc2626", "early_stopping": "#16a34a",
               "converged": "#16a34a"}
MARKER_COLOR = "#9ca3af"
NAN_COLOR = "#dc2626"
BEST_COLOR = "#16a34a"


def add_change(markers: list[tuple[float, float, str]], changes_made: list[dict[str, Any]],
               epoch: float, step: float, changes: Mapping[str, Any]) -> None:
    """Append a change's marker (epoch, step, text) and its values; a change at the
    update of the last marker merges into it (the last value of each wins)."""
    if markers and markers[-1][1] == step:
        merged = {**changes_made[-1], **dict(changes)}
        markers.pop()
        changes_made.pop()
    else:
        merged = dict(changes)
    text = ", ".join(f"{k} {v:g}" if isinstance(v, float) else f"{k} {v}"
                     for k, v in merged.items())
    markers.append((epoch, step, text))
    changes_made.append(merged)


def parse_change(text: str) -> dict[str, Any]:
    """A marker's text back into its changes ("lr 0.002, momentum 0.9"), for merging."""
    changes: dict[str, Any] = {}
    for part in text.split(", "):
        key, _, value = part.partition(" ")
        try:
            changes[key] = float(value)
        except ValueError:
            changes[key] = value
    return changes


def stop_message(finish: dict[str, Any] | None, foreground: str) -> str:
    """The words under the plots for how the run ended ("" for none, and for a
    divergence: the health banner and the status bar say that)."""
    if finish is None or finish["reason"] == "diverged":
        return ""
    color = STOP_COLORS.get(finish["reason"], foreground)
    what = STOP_LABELS.get(finish["reason"], finish["reason"])
    text = (finish["message"] or "").strip() or f"{what[0].upper()}{what[1:]}."
    if finish.get("best_epoch") is not None and "best" not in text:
        text += f" Best epoch: {finish['best_epoch']:g}."
    return (f'<span style="color:{color}"><b>Epoch '
            f'{finish["epoch"]:g}:</b></span> {html(text)}')


def vertical_lines(plots: dict[str, pg.PlotItem], x: float, right: float, text: str,
                   color: str, style=Qt.PenStyle.DashLine,
                   position: float = 0.92) -> list[pg.InfiniteLine]:
    """One line at `x` on every plot, labelled on the loss plot; the axis ends at
    `right`."""
    lines = []
    # The label goes on the side with room: left of a line in the right part of the
    # run, right of one near its start (else the plot's edge cuts it).
    anchor = (1, 0) if x > 0.6 * max(right, x) else (0, 0)
    for name, plot in plots.items():
        line = pg.InfiniteLine(pos=x, angle=90, movable=False,
                               pen=pg.mkPen(color, style=style),
                               label=text if name == "loss" else None,
                               labelOpts={"position": position, "color": color,
                                          "anchors": [anchor, anchor]})
        plot.addItem(line, ignoreBounds=True)
        lines.append(line)
    return lines


def place_best_dot(dot: pg.ScatterPlotItem, best: float | None, series: dict[str, Series],
                   factor: Callable[[str], float], epochs_mode: bool, log: bool) -> None:
    """Early stopping's best epoch as a ring on the loss curve (validation's, if there
    is one); hidden when there is none or its loss cannot be drawn."""
    key = "val_loss" if "val_loss" in series else "loss"
    epochs = series["epoch"]
    if best is None or epochs.size == 0:
        if dot.data.size:
            dot.setData([], [])
        dot.setVisible(False)
        return
    index = int(np.clip(np.searchsorted(epochs.view(), best), 0, epochs.size - 1))
    value = series[key].data[index] * factor(key)
    x = epochs.data[index] if epochs_mode else series["step"].data[index]
    if not math.isfinite(value) or (log and value <= 0):
        dot.setData([], [])
        dot.setVisible(False)
        return
    y = math.log10(value) if log else value
    dot.setData([x], [y])
    dot.setVisible(True)
