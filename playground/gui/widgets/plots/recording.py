"""What the plots were told about the run, kept whole (drawing decimates it): every
epoch's logged values as growing Series, NaN where an epoch lacked a key; each layer's
gradient norms; the single updates stepped on request; the first finite loss and the
first epoch whose loss was not finite. The drawn series are smoothed as the slider
says; the others never pay for it."""
from __future__ import annotations

import math

import numpy as np

from ..plot_parts import Series

UNPLOTTED = frozenset(("seconds", "samples_per_s"))  # logged, never drawn: not kept


class Recording:
    def __init__(self) -> None:
        self.series: dict[str, Series] = {"epoch": Series(), "step": Series()}
        self.grad_series: dict[str, Series] = {}
        self.batch = {key: Series() for key in ("epoch", "step", "loss")}
        self.first_loss: tuple[float, float] | None = None
        self.nonfinite: tuple[float, float, str] | None = None  # epoch, step, words
        self.epochs = 0

    def add(self, events: list, plotted: set[str],
            alpha: float) -> tuple[list[float] | None, bool, bool]:
        """Record a batch of EpochEnded events (every one is kept). Logs may carry
        gradient norms as "grad_norm/<layer>" keys (History's columns) instead. Returns
        the events' epochs, whether a layer is new, and whether the loss has just
        stopped being finite."""
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
            self._column(key, alpha if key in plotted else None).extend(values)
        for key, series in self.series.items():
            if key not in columns:
                series.extend(np.full(count, np.nan))
        new_layers = False
        for label_, values in grads.items():
            series = self.grad_series.get(label_)
            if series is None:
                series = self.grad_series[label_] = Series()
                series.set_smoothing(alpha)
                series.extend(np.full(self.epochs, np.nan))
                new_layers = True
            series.extend(values)
        for label_, series in self.grad_series.items():
            if label_ not in grads:
                series.extend(np.full(count, np.nan))
        self.epochs += count
        had_nonfinite = self.nonfinite is not None
        self._note_losses(columns.get("loss"), columns.get("epoch"), columns.get("step"))
        return columns.get("epoch"), new_layers, not had_nonfinite and \
            self.nonfinite is not None

    def _column(self, key: str, alpha: float | None) -> Series:
        """The series of a logged key, created (NaN for the epochs before) on first use;
        smoothed by `alpha` unless None (only drawn series pay for smoothing)."""
        series = self.series.get(key)
        if series is None:
            series = self.series[key] = Series()
            if alpha is not None:
                series.set_smoothing(alpha)
            series.extend(np.full(self.epochs, np.nan))
        return series

    def _note_losses(self, losses, epochs, steps) -> None:
        """Remember the first finite loss and the first epoch whose loss was not."""
        if not losses:
            return
        values = np.asarray(losses, dtype=np.float64)
        finite = np.isfinite(values)
        if self.first_loss is None and finite.any():
            first = int(np.argmax(finite))
            self.first_loss = (float(epochs[first]) if epochs else 1.0, float(values[first]))
        if self.nonfinite is None and not finite.all():
            bad = int(np.argmin(finite))
            what = "NaN" if math.isnan(values[bad]) else "infinite"
            epoch = float(epochs[bad]) if epochs else float(self.epochs)
            step = float(steps[bad]) if steps else epoch
            self.nonfinite = (epoch, step, f"loss {what} at epoch {epoch:g}")

    def smooth(self, plotted: set[str], alpha: float) -> None:
        """The drawn series smoothed by `alpha` (recomputed only on a change)."""
        for key in plotted:
            series = self.series.get(key)
            if series is not None and series.alpha != alpha:
                series.set_smoothing(alpha)
        for series in self.grad_series.values():
            if series.alpha != alpha:
                series.set_smoothing(alpha)

    def add_batch_step(self, event, steps_per_epoch: float) -> None:
        """A single update made on request (BatchStepped: epoch completed before it,
        step, batch inside the epoch, the update's loss)."""
        self.batch["epoch"].extend([event.epoch + event.batch / steps_per_epoch])
        self.batch["step"].extend([event.step])
        self.batch["loss"].extend([event.loss])

    def lowest(self, key: str) -> float | None:
        """The epoch of the key's lowest finite value."""
        series = self.series.get(key)
        if series is None or series.size == 0:
            return None
        values = series.view()
        if not np.isfinite(values).any():
            return None
        return float(self.series["epoch"].view()[int(np.nanargmin(values))])

    def steps_per_epoch(self, fixed: int = 0) -> float:
        """Updates per epoch: `fixed` if given, else the records' updates / epochs."""
        if fixed:
            return float(fixed)
        epochs, steps = self.series["epoch"], self.series["step"]
        if epochs.size and epochs.data[epochs.size - 1] > 0:
            return max(1.0, steps.data[steps.size - 1] / epochs.data[epochs.size - 1])
        return 1.0


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
