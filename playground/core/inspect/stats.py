"""Layer statistics and neuron pictures: what the network looks like inside, now.

`Inspector(trainer).snapshot()` runs in the training thread (between epochs, or while
paused) and returns a frozen Snapshot of numpy arrays and floats that any thread may
read: per unit layer the update/weight ratio, the dead-ReLU fraction, the saturation of
sigmoid/tanh units, histograms of weights, activations and gradients on fixed bins (so
they stack into heat maps by epoch), and per shown neuron a map over the input plane
(2-D data) or its activation distribution (other data), plus the links between shown
neurons. Layers wider than MAX_SHOWN show their MAX_SHOWN most active neurons.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import torch

from .grid import Plane, has_plane, make_plane, to_maps
from .probe import UnitLayer, activations, per_unit, probe_rows, unit_layers

MAX_SHOWN = 16
BINS = 40
VALUE_RANGE = (-3.0, 3.0)        # weights and activations; outliers go to the end bins
GRADIENT_RANGE = (-10.0, 2.0)    # log10 |gradient|
DIST_RANGE = (-1.0, 1.0)         # a neuron's activation distribution (tanh-like scale)
DEAD_RELU = ("relu",)            # units that output exactly 0 when "off"
SATURATING = {"tanh": (-0.99, 0.99), "sigmoid": (0.01, 0.99)}


def _frozen(array: np.ndarray | None) -> np.ndarray | None:
    if array is not None:
        array.setflags(write=False)
    return array


@dataclass(frozen=True)
class LayerSnapshot:
    label: str
    activation: str
    units: int
    is_output: bool
    shown: tuple[int, ...]          # indices of the units drawn (at most MAX_SHOWN)
    activity: np.ndarray            # mean |output| per unit, all units
    weights: np.ndarray | None      # shown x previous layer's shown: the links drawn
    bias: np.ndarray | None         # shown
    maps: np.ndarray | None         # shown x h x w over the input plane (2-D data)
    distributions: np.ndarray | None  # shown x BINS, fractions over DIST_RANGE
    dead_fraction: float            # NaN where it does not apply (not ReLU, output)
    saturation: float               # NaN where it does not apply (not sigmoid/tanh)
    update_ratio: float             # |dW| per update / |W| since the last snapshot
    weight_hist: np.ndarray         # BINS counts over VALUE_RANGE
    activation_hist: np.ndarray     # BINS counts over VALUE_RANGE
    gradient_hist: np.ndarray       # BINS counts of log10|g| over GRADIENT_RANGE

    @property
    def hidden(self) -> int:
        return self.units - len(self.shown)


@dataclass(frozen=True)
class InputSnapshot:
    names: tuple[str, ...]          # every input's name
    shown: tuple[int, ...]
    maps: np.ndarray | None         # shown x h x w (2-D data)
    distributions: np.ndarray | None


@dataclass(frozen=True)
class Snapshot:
    epoch: int
    step: int
    inputs: InputSnapshot
    layers: tuple[LayerSnapshot, ...]
    x_range: tuple[float, float] | None   # the plane the maps cover (2-D data)
    y_range: tuple[float, float] | None


# ------------------------------------------------------------------ helpers

def as_numpy(values) -> np.ndarray:
    """A tensor's values as a numpy array (a view where it can be). The statistics work
    in numpy: each torch call gives up the GIL and waits to get it back, which beside a
    busy GUI thread made a snapshot of a few hundred small calls 5-10x slower."""
    if isinstance(values, torch.Tensor):
        return values.numpy(force=True)  # one call for detach().cpu().numpy()
    return np.asarray(values)


def histogram(values, low: float, high: float, bins: int = BINS) -> np.ndarray:
    """Counts on fixed bins; values outside land in the end bins (NaN are left out).
    The bin of each value is computed and counted (np.bincount): np.histogram's general
    edges cost about five times as much."""
    flat = as_numpy(values).astype(np.float64, copy=False).ravel()
    flat = flat[np.isfinite(flat)]
    index = np.clip((flat - low) * (bins / (high - low)), 0, bins - 1).astype(np.intp)
    return np.bincount(index, minlength=bins).astype(np.float32)


def gradient_histogram(grad) -> np.ndarray:
    if grad is None:
        return np.zeros(BINS, np.float32)
    magnitude = np.abs(as_numpy(grad).astype(np.float64).ravel())
    return histogram(np.log10(np.maximum(magnitude, 10.0 ** GRADIENT_RANGE[0])),
                     *GRADIENT_RANGE)


def dead_fraction(layer: UnitLayer, units_out) -> float:
    """Share of the layer's ReLU units that output 0 on every probe row."""
    units_out = as_numpy(units_out)
    if layer.is_output or layer.activation not in DEAD_RELU or not len(units_out):
        return math.nan
    return float((units_out.max(0) <= 0).mean())


def saturation(layer: UnitLayer, values) -> float:
    """Share of a sigmoid/tanh layer's outputs in the flat tails of its curve."""
    values = as_numpy(values)
    if layer.is_output or layer.activation not in SATURATING or not values.size:
        return math.nan
    low, high = SATURATING[layer.activation]
    return float(((values < low) | (values > high)).mean())


def most_active(activity: np.ndarray, limit: int = MAX_SHOWN) -> tuple[int, ...]:
    """The `limit` most active units, in their own order (stable between frames)."""
    if len(activity) <= limit:
        return tuple(range(len(activity)))
    order = np.argsort(-activity, kind="stable")[:limit]
    return tuple(sorted(int(i) for i in order))


def distributions(values, shown: tuple[int, ...]) -> np.ndarray:
    """Per shown unit, the fraction of probe rows in each of BINS bins over DIST_RANGE."""
    values = as_numpy(values)
    rows = max(len(values), 1)
    return np.stack([histogram(values[:, i], *DIST_RANGE) / rows for i in shown]) \
        if shown else np.zeros((0, BINS), np.float32)


# ---------------------------------------------------------------- inspector

class Inspector:
    """Computes Snapshots of one trainer's network; keeps the weights of the previous
    snapshot for the update/weight ratio. Use from the training thread only."""

    def __init__(self, trainer, maps: bool = True) -> None:
        self.trainer = trainer
        self.layers = unit_layers(trainer)
        self.plane: Plane | None = make_plane(trainer) if maps and has_plane(trainer) else None
        self.rows = probe_rows(trainer)
        # The probe rows and the plane's points go through the network in one pass.
        self._probe_input = self.rows if self.plane is None or self.rows.shape[1:] != \
            self.plane.points.shape[1:] else torch.cat([self.rows, self.plane.points])
        self._previous: list[torch.Tensor] | None = None
        self._previous_step = 0
        self._input_maps: np.ndarray | None = None

    def snapshot(self) -> Snapshot:
        trainer = self.trainer
        modules = list(trainer.model)
        probe, on_plane = self._activations()
        # Each tensor read once, as numpy: a torch call gives up the GIL (see as_numpy).
        layer_weights = [as_numpy(modules[layer.weighted].weight) for layer in self.layers]
        ratios = self._update_ratios(layer_weights)
        inputs = self._inputs(modules, layer_weights)
        shown_before, before_units, out = inputs.shown, len(inputs.names), []
        for index, layer in enumerate(self.layers):
            module = modules[layer.weighted]
            raw = probe[index]
            units_out = per_unit(raw)
            activity = np.abs(units_out).mean(0).astype(np.float32) \
                if len(units_out) else np.zeros(layer.units, np.float32)
            shown = most_active(activity)
            weight = layer_weights[index]
            weights, bias = _links(module, weight, shown, shown_before, before_units)
            maps = dists = None
            if on_plane is not None and on_plane[index].ndim == 2:
                maps = to_maps(on_plane[index][:, list(shown)], self.plane.size)
            else:
                dists = distributions(units_out, shown)
            out.append(LayerSnapshot(
                layer.label, layer.activation, layer.units, layer.is_output, shown,
                _frozen(activity), _frozen(weights), _frozen(bias), _frozen(maps),
                _frozen(dists), dead_fraction(layer, units_out),
                saturation(layer, raw), ratios[index],
                _frozen(histogram(weight, *VALUE_RANGE)),
                _frozen(histogram(raw, *VALUE_RANGE)),
                _frozen(gradient_histogram(module.weight.grad))))
            shown_before, before_units = shown, layer.units
        plane = self.plane
        return Snapshot(trainer.epoch, trainer.step, inputs, tuple(out),
                        plane.x_range if plane else None, plane.y_range if plane else None)

    def _activations(self):
        """Each layer's outputs (numpy) on the probe rows, and on the plane's points (or
        None)."""
        both = [as_numpy(o) for o in activations(self.trainer, self.layers,
                                                 self._probe_input)]
        rows = len(self.rows)
        if self.plane is None:
            return both, None
        if len(self._probe_input) == rows:  # the plane's inputs differ: a pass of its own
            return both, [as_numpy(o) for o in activations(self.trainer, self.layers,
                                                           self.plane.points)]
        return [o[:rows] for o in both], [o[rows:] for o in both]

    def _inputs(self, modules, layer_weights: list[np.ndarray]) -> InputSnapshot:
        """The input 'neurons': the input columns, the 16 the first layer weighs most."""
        x = self.rows.flatten(1)
        count = x.shape[1]
        names = _input_names(self.trainer, count)
        first = modules[self.layers[0].weighted] if self.layers else None
        if first is not None and isinstance(first, torch.nn.Linear) and \
                first.in_features == count:
            weight = np.abs(layer_weights[0]).sum(0)
        else:
            weight = np.abs(as_numpy(x)).mean(0)
        shown = most_active(weight)
        if self.plane is not None:
            if self._input_maps is None:  # the inputs' maps never change
                self._input_maps = to_maps(self.plane.points, self.plane.size)
            maps = self._input_maps[list(shown)]
            return InputSnapshot(names, shown, _frozen(maps), None)
        return InputSnapshot(names, shown, None, _frozen(distributions(x, shown)))

    def _update_ratios(self, layer_weights: list[np.ndarray]) -> list[float]:
        """|W - W_then| / (updates since then) / |W| per layer: the mean step's size
        relative to the weights (healthy: about 1e-3). NaN for the first snapshot."""
        weights = [weight.astype(np.float64) for weight in layer_weights]
        steps = self.trainer.step - self._previous_step
        ratios = [math.nan] * len(weights)
        if self._previous is not None and steps > 0:
            for i, (now, then) in enumerate(zip(weights, self._previous)):
                norm = float(np.linalg.norm(now))
                ratios[i] = float(np.linalg.norm(now - then)) / steps / norm \
                    if norm > 0 else math.nan
        if self._previous is None or steps > 0:
            self._previous = weights  # float64 copies already
            self._previous_step = self.trainer.step
        return ratios


def _links(module, weight: np.ndarray, shown: tuple[int, ...],
           shown_before: tuple[int, ...], before: int):
    """The drawn links' weights (shown x shown before) and the shown units' biases, for a
    Dense layer that reads the previous layer's units directly; None otherwise."""
    if not isinstance(module, torch.nn.Linear) or module.in_features != before:
        return None, None
    rows = weight[np.ix_(list(shown), list(shown_before))].astype(np.float32)
    bias = None if module.bias is None else \
        as_numpy(module.bias)[list(shown)].astype(np.float32)
    return rows, bias


def _input_names(trainer, count: int) -> tuple[str, ...]:
    spec = trainer.spec.data
    if spec.inputs and len(spec.inputs) == count:
        return tuple(spec.inputs)
    names = getattr(trainer.data.dataset, "feature_names", None)
    if names is not None and len(names) == count:
        return tuple(str(n) for n in names)
    return tuple(f"x{i + 1}" for i in range(count))
