"""The input plane of a 2-D data set as a grid of network inputs, for neuron maps.

The grid spans the raw data's range (5% padding, as the decision-boundary view does) so
each neuron's map lines up with the data and the output; its points go through exactly
the transforms the training inputs went through (engineered inputs, then scaling).
"""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import numpy as np
import torch

from ..data import load_dataset
from ..data.features import engineer

# Points per axis evaluated, each a pixel of the 50x50 maps: finer than the web
# playground's 10x10 block averages of its 100x100 grid. Evaluating 100x100 and sending
# 2x2 averages looked the same at thumbnail size and cost four times the forward pass:
# 3.5 ms a snapshot for a 2-8-8-8-1 net, most of it in the training thread's linear and
# tanh over the 10,000 points (a snapshot is taken up to 24 times a second).
GRID = 50
BLOCK = 1    # maps are sent as BLOCK x BLOCK averages (1: the points themselves)


@dataclass(frozen=True)
class Plane:
    points: torch.Tensor   # GRID*GRID x inputs, transformed, on the trainer's device
    x_range: tuple[float, float]
    y_range: tuple[float, float]
    size: int              # points per axis


def has_plane(trainer) -> bool:
    return trainer.data.dataset.info.two_dimensional


def make_plane(trainer, size: int = GRID) -> Plane:
    """The grid over the data's plane; rows run over y (bottom to top), columns over x."""
    spec = trainer.spec.data
    raw = load_dataset(dataclasses.replace(spec, inputs=())).X
    low, high = raw.min(axis=0), raw.max(axis=0)
    pad = (high - low) * 0.05
    xs = np.linspace(low[0] - pad[0], high[0] + pad[0], size)
    ys = np.linspace(low[1] - pad[1], high[1] + pad[1], size)
    gx, gy = np.meshgrid(xs, ys)
    plane = np.stack([gx.ravel(), gy.ravel()], axis=1).astype(np.float32)
    if spec.inputs:
        plane, _ = engineer(plane, spec.inputs)
    scaled = trainer.data.scaler.transform(plane.astype(np.float32))
    points = torch.from_numpy(np.ascontiguousarray(scaled, dtype=np.float32))
    return Plane(points.to(trainer.device), (float(xs[0]), float(xs[-1])),
                 (float(ys[0]), float(ys[-1])), size)


def to_maps(values, size: int, block: int = BLOCK) -> np.ndarray:
    """(size*size) x units -> units x (size/block) x (size/block) block averages, in
    numpy (a torch call gives up the GIL and may wait long to get it back). The block's
    points are added as block*block strided views: numpy's mean over two axes of a
    transposed array cost ten times more."""
    if isinstance(values, torch.Tensor):
        values = values.detach().cpu().numpy()
    values = np.asarray(values, dtype=np.float32)
    units, cells = values.shape[1], size // block
    grid = values.reshape(cells, block, cells, block, units)  # rows run over y
    total = grid[:, 0, :, 0].copy()
    for dy in range(block):
        for dx in range(block):
            if dy or dx:
                total += grid[:, dy, :, dx]
    total *= np.float32(1.0 / (block * block))
    return np.ascontiguousarray(total.transpose(2, 0, 1))
