"""Each plot's title, with a one-line key beneath it that never grows with the data (a
legend inside the plot hides curves; one that grows pushed the plots off the window:
a 10-layer key was 1029 px wide), and the title's tooltip."""
from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt

from ..units import Units
from .text import short

NAMED_LAYERS = 4  # up to this many layers the key names each one; beyond, a colour ramp
KEY_SWATCHES = 8
TIPS = {"lr": "The learning rate of each epoch's last update (schedules change it).",
        "grad": "Each layer's gradient norm at the epoch's last update, coloured by "
                "depth from the input (dark) to the output (light): deep sigmoid "
                "nets show the early layers' gradients vanishing."}


def key_entries(plot_name: str, colors: tuple[str, ...], foreground: str,
                run_color: str | None, per_update: bool,
                grad_colors: dict[str, str]) -> list[str]:
    """The key's entries: train and validation (and the single updates, when there are
    some) in their colours, or, while runs are overlaid, in the text's colour (the runs
    table says which colour is whose); each layer, or a ramp from the first to the
    last when there are many."""
    def entry(color: str, name: str, dash: str = "\u2501\u2501") -> str:
        return f'<span style="color:{color}">{dash}</span>&nbsp;{name}'

    c = colors
    entries = []
    if plot_name in ("loss", "metric") and run_color is not None:
        entries = [entry(foreground, "train"),
                   entry(foreground, "validation", "\u2504\u2504")]
    elif plot_name in ("loss", "metric"):
        entries = [entry(c[0], "train"), entry(c[1 % len(c)], "validation")]
        if plot_name == "loss" and per_update:
            entries.append(entry(c[3 % len(c)], "per update", "\u2022\u2022"))
    elif plot_name == "grad" and grad_colors:
        names, layer_colors = list(grad_colors), list(grad_colors.values())
        if len(names) <= NAMED_LAYERS:
            entries = [entry(color, short(name)) for name, color in zip(names, layer_colors)]
        else:
            picks = np.linspace(0, len(layer_colors) - 1, KEY_SWATCHES).round().astype(int)
            ramp = "".join(f'<span style="color:{layer_colors[i]}">\u2588</span>'
                           for i in picks)
            entries = [f"{short(names[0])} {ramp} {short(names[-1])} "
                       f"({len(names)} layers)"]
    return entries


def set_title(plot: pg.PlotItem, plot_name: str, title: str, entries: list[str],
              foreground: str, units: Units) -> None:
    """The title and its key on the plot, and what the plot shows as the tooltip."""
    if entries:
        title += f'<br><span style="font-size:8pt">{"&nbsp;&nbsp; ".join(entries)}</span>'
    let_width_go(plot.titleLabel)
    plot.setTitle(title, color=foreground)
    tip = units.describe() if plot_name in ("loss", "metric") else TIPS[plot_name]
    plot.titleLabel.setToolTip(tip)


def let_width_go(label: pg.LabelItem) -> None:
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
