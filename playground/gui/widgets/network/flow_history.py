"""FlowHistory: what the Gradient flow view draws, kept as numpy rows, one per snapshot.

Each snapshot adds one row (or replaces the last, for the same epoch again: paused,
stepped, or snapshots between updates), so a frame costs the new rows only instead of a
Python loop over every snapshot kept. Snapshots themselves are not kept: their neuron
maps made 2000 of them weigh hundreds of megabytes. Beyond MAX_SNAPSHOTS rows every
other one is dropped: the shape of the history stays.
"""
from __future__ import annotations

import math

import numpy as np

MAX_SNAPSHOTS = 2000
HISTOGRAMS = ("weight_hist", "activation_hist", "gradient_hist")


class Rows:
    """Rows of one shape in a numpy array that doubles when full."""

    def __init__(self, shape: tuple[int, ...] = (), dtype=np.float64) -> None:
        self.data = np.empty((64, *shape), dtype)
        self.size = 0

    def append(self, row) -> None:
        if self.size == len(self.data):
            grown = np.empty((2 * len(self.data), *self.data.shape[1:]), self.data.dtype)
            grown[:self.size] = self.data[:self.size]
            self.data = grown
        self.data[self.size] = row
        self.size += 1

    def replace_last(self, row) -> None:
        self.data[self.size - 1] = row

    def keep_every_other(self) -> None:
        kept = self.data[:self.size:2].copy()
        self.data[:len(kept)] = kept
        self.size = len(kept)

    def view(self) -> np.ndarray:
        return self.data[:self.size]


class FlowHistory:
    """Per snapshot: its epoch; per layer, the update/weight ratio (NaN where it is not
    positive: a log axis has no place for it), the share of dead ReLU units (or, where
    that does not apply, of saturated outputs), and the three histograms."""

    def __init__(self, labels: tuple[str, ...] = (), bins: int = 0) -> None:
        self.labels = labels
        layers = len(labels)
        self.epochs = Rows()
        self.ratios = Rows((layers,))
        self.shares = Rows((layers,))
        self.histograms = Rows((len(HISTOGRAMS), layers, bins), np.float32)

    @property
    def count(self) -> int:
        return self.epochs.size

    def add(self, snapshot) -> None:
        """Add a snapshot of the same layers (the owner starts a new history otherwise)."""
        ratios = [layer.update_ratio if layer.update_ratio > 0 else math.nan
                  for layer in snapshot.layers]
        shares = [layer.dead_fraction if not math.isnan(layer.dead_fraction)
                  else layer.saturation for layer in snapshot.layers]
        histograms = [[getattr(layer, name) for layer in snapshot.layers]
                      for name in HISTOGRAMS]
        rows = (self.epochs, snapshot.epoch), (self.ratios, ratios), \
            (self.shares, shares), (self.histograms, histograms)
        same_epoch = self.count and snapshot.epoch == self.epochs.data[self.count - 1]
        for buffer, row in rows:
            if same_epoch:
                buffer.replace_last(row)
            else:
                buffer.append(row)
        if self.count > MAX_SNAPSHOTS:
            for buffer, _ in rows:
                buffer.keep_every_other()

    def last_epoch(self) -> float | None:
        return float(self.epochs.data[self.count - 1]) if self.count else None

    def heat_rows(self, kind: int, layer: int) -> np.ndarray:
        """The histograms of `kind` (an index into HISTOGRAMS) of one layer, by row."""
        return self.histograms.view()[:, kind, layer]
