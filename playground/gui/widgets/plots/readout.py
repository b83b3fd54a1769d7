"""The lines of text under the plots: the summary (the latest loss, and how much it
changed since the first epoch) and the hover readout (every value at the epoch under
the mouse pointer)."""
from __future__ import annotations

import math

import numpy as np

from ..plot_parts import Series
from ..units import Units, label
from .text import number


def summary_text(series: dict[str, Series], factor: float, first_loss: tuple[float, float] | None,
            units: Units) -> str:
    """"epoch E: loss L (+x% since epoch F) · validation V · in <units>"; "" before
    the first loss."""
    loss = series.get("loss")
    if loss is None or loss.size == 0:
        return ""
    last = loss.data[loss.size - 1] * factor
    epoch = series["epoch"].data[loss.size - 1]
    text = f"epoch {epoch:,.0f}: loss {number(last)}"
    if first_loss is not None and math.isfinite(last):
        first_epoch, first = first_loss
        first *= factor
        if first and epoch > first_epoch:
            change = (last - first) / abs(first) * 100
            text += (f" ({change:+.3g}% since epoch {first_epoch:g})" if abs(change) < 1
                     else f" ({change:+.1f}% since epoch {first_epoch:g})")
    val = series.get("val_loss")
    if val is not None and math.isfinite(val.data[val.size - 1]):
        text += f" \u00b7 validation {val.data[val.size - 1] * factor:.4g}"
    if units.phrase():  # the same words as the tables' and the status bar's
        text += f" \u00b7 {'in ' if units.converts else ''}{units.phrase()}"
    return text


def readout_text(series: dict[str, Series], units: Units, metric_name: str, x_key: str,
            x_value: float) -> str:
    """Every value at the recorded epoch nearest `x_value` on the `x_key` axis
    ("epoch" or "step")."""
    x = series[x_key].view()
    index = int(np.clip(np.searchsorted(x, x_value), 0, len(x) - 1))

    def value(key: str) -> float:
        column = series.get(key)
        return column.data[index] * units.factor(key) if column else math.nan

    metric = label(metric_name)
    return (f"epoch {int(series['epoch'].data[index])}, update "
            f"{int(series['step'].data[index])}: "
            f"loss {value('loss'):.4g}, validation loss {value('val_loss'):.4g}, "
            f"{metric} {value(metric_name):.4g}, validation {metric} "
            f"{value('val_' + metric_name):.4g}, lr {value('lr'):.3g}")
