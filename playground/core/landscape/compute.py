"""The three landscapes of a network's loss around its training run.

- interp: the loss along the straight line from the initial weights (a = 0) to the
  current ones (a = 1), a quarter beyond both ends (Goodfellow et al. 2015);
- random: a plane through the current weights along two random directions normalised
  filter by filter, from -1 to 1 along each (Li et al. 2018);
- pca: the plane of the first two principal directions of the run's kept weights, the
  current weights at its origin, with the path projected on it (Li et al. 2018).

Every grid holds its anchors exactly: a = 0 and a = 1 (interp) and the origin (0, 0)
(planes) are grid points, and the weights there are the anchors bit for bit, because
each point is a combination whose other coefficients are exactly 0.
"""
from __future__ import annotations

import math
import time
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
import torch

from ..errors import PlaygroundError
from .directions import filter_normalised, principal_plane
from .evaluate import LossSurface
from .trajectory import WeightTrajectory, flat_weights

KINDS = ("interp", "random", "pca")
MIN_POINTS, MAX_POINTS = 3, 101
DEFAULT_POINTS = 31
INTERP_BEYOND = 0.25   # how far past each end the line goes, as a share of its length
PLANE_MARGIN = 1.25    # the pca plane reaches this far beyond the path


class LandscapeError(PlaygroundError):
    """A landscape that cannot be drawn for this run, in words."""


@dataclass(frozen=True)
class PathPoint:
    epoch: int
    a: float
    b: float
    loss: float


@dataclass(frozen=True)
class Landscape:
    kind: str
    a: np.ndarray                     # the grid along the first axis
    b: np.ndarray | None              # along the second (None for interp)
    loss: np.ndarray                  # (len(a),) or (len(b), len(a)): loss[j, i] at (a_i, b_j)
    current: tuple[float, float]      # where the current weights are (b 0 for interp)
    epoch: int                        # the run's epoch at the current weights
    rows: int                         # training rows the losses are measured on
    seconds: float
    path: tuple[PathPoint, ...] = ()
    explained: tuple[float, float] | None = None   # pca: variance share per direction
    notes: tuple[str, ...] = field(default_factory=tuple)

    def records(self) -> list[dict[str, Any]]:
        """The grid (and the path) as the CLI's records."""
        rows: list[dict[str, Any]] = []
        if self.b is None:
            rows += [{"event": "landscape", "kind": self.kind, "a": float(a),
                      "loss": float(v)} for a, v in zip(self.a, self.loss)]
        else:
            rows += [{"event": "landscape", "kind": self.kind, "a": float(a), "b": float(b),
                      "loss": float(self.loss[j, i])}
                     for j, b in enumerate(self.b) for i, a in enumerate(self.a)]
        rows += [{"event": "path", "a": p.a, "b": p.b, "epoch": p.epoch, "loss": p.loss}
                 for p in self.path]
        return rows


def odd_points(points: int) -> int:
    """The points per axis, checked and rounded up to odd (so the anchors are on it)."""
    if isinstance(points, bool) or not isinstance(points, int) or \
            not MIN_POINTS <= points <= MAX_POINTS:
        raise LandscapeError(f"The points per axis must be a whole number from {MIN_POINTS} "
                             f"to {MAX_POINTS}, not {points!r}.")
    return points if points % 2 else points + 1


def centred_axis(points: int, extent: float) -> np.ndarray:
    """`points` (odd) values from -extent to extent, 0 exactly in the middle."""
    half = (points - 1) // 2
    return np.array([extent * (i - half) / half for i in range(points)])


def interp_axis(points: int) -> np.ndarray:
    """`points` (odd) values through 0 and 1 exactly, about a quarter beyond each: the
    step is 1/k for an even k, so both ends fall on the grid."""
    inner = max(2, 2 * round((points - 1) / (1 + 2 * INTERP_BEYOND) / 2))
    inner = min(inner, points - 1 - (points - 1 - inner) % 2)
    outer = (points - 1 - inner) // 2
    return np.array([(i - outer) / inner for i in range(points)])


# ---------------------------------------------------------------- the kinds

def landscape(trainer: Any, kind: str, points: int = DEFAULT_POINTS, seed: int = 0,
              surface: LossSurface | None = None) -> Landscape:
    """The `kind` landscape of the trainer's network now (the trainer idle or paused:
    nothing may train it meanwhile)."""
    if kind not in KINDS:
        raise LandscapeError(f"Unknown landscape {kind!r}; choose one of {', '.join(KINDS)}.")
    points = odd_points(points)
    return compute(read_trainer(trainer), surface or LossSurface.from_trainer(trainer),
                   kind, points, seed)


def compute(run: "RunWeights", surface: LossSurface, kind: str,
            points: int = DEFAULT_POINTS, seed: int = 0) -> Landscape:
    """The `kind` landscape from copies taken of a run (read_trainer and
    LossSurface.from_trainer): safe on another thread while the run goes on."""
    if kind not in KINDS:
        raise LandscapeError(f"Unknown landscape {kind!r}; choose one of {', '.join(KINDS)}.")
    points = odd_points(points)
    started = time.perf_counter()
    result = {"interp": _interp, "random": _random, "pca": _pca}[kind](
        run, surface, points, seed)
    return replace(result, seconds=time.perf_counter() - started)


@dataclass(frozen=True)
class RunWeights:
    """What a landscape needs of a run, copied out of the trainer at one moment."""

    current: torch.Tensor
    initial: torch.Tensor | None
    epochs: tuple[int, ...]
    snapshots: tuple[torch.Tensor, ...]
    epoch: int
    notes: tuple[str, ...] = ()


def read_trainer(trainer: Any) -> RunWeights:
    """The trainer's current weights and its kept trajectory (copies). A run saved
    before the trajectory was kept has no initial weights stored: they are rebuilt from
    the seed, as a new trainer of the same spec starts exactly there."""
    current = flat_weights(trainer.model)
    kept = next((c for c in trainer.callbacks if isinstance(c, WeightTrajectory)), None)
    initial = kept.initial.clone() if kept is not None and kept.initial is not None else None
    epochs = tuple(kept.epochs) if kept is not None else ()
    snapshots = tuple(s.clone() for s in kept.snapshots) if kept is not None else ()
    notes: tuple[str, ...] = ()
    if initial is None:
        initial = initial_from_seed(trainer)
        notes = ("The initial weights were not kept with this run; they were rebuilt "
                 "from its seed.",)
    for tensor in (initial, *snapshots):
        if tensor.numel() != current.numel():
            raise LandscapeError("The kept weight trajectory does not fit this network "
                                 f"({tensor.numel():,} weights, the network has "
                                 f"{current.numel():,}).")
    return RunWeights(current, initial, epochs, snapshots, int(trainer.epoch), notes)


def initial_from_seed(trainer: Any) -> torch.Tensor:
    """The weights a new trainer of this spec starts from (its seed decides them),
    built without touching the global random state the run draws dropout masks from."""
    from ..model import build_model

    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(trainer.spec.train.seed)
        built = build_model(trainer.spec.model, trainer.data.input_shape, trainer.head)
    return flat_weights(built.module)


def _interp(run: RunWeights, surface: LossSurface, points: int, seed: int) -> Landscape:
    axis = interp_axis(points)
    coefficients = torch.tensor(np.stack([1.0 - axis, axis], axis=1), dtype=torch.float32)
    ends = torch.stack([run.initial, run.current])
    loss = surface.losses(coefficients @ ends).numpy().astype(np.float64)
    return Landscape("interp", axis, None, loss, (1.0, 0.0), run.epoch, surface.rows, 0.0,
                     notes=run.notes)


def _plane(run: RunWeights, surface: LossSurface, plane: torch.Tensor, a: np.ndarray,
           b: np.ndarray) -> np.ndarray:
    """The loss on the grid origin + a * plane[0] + b * plane[1], as (len(b), len(a))."""
    bb, aa = np.meshgrid(b, a, indexing="ij")
    coefficients = torch.tensor(np.stack([aa.ravel(), bb.ravel()], axis=1),
                                dtype=torch.float32)
    weights = torch.addmm(run.current.expand(len(coefficients), -1), coefficients, plane)
    return surface.losses(weights).numpy().astype(np.float64).reshape(len(b), len(a))


def _random(run: RunWeights, surface: LossSurface, points: int, seed: int) -> Landscape:
    generator = torch.Generator().manual_seed(seed)
    plane = torch.stack([filter_normalised(run.current, surface.shapes, generator)
                         for _ in range(2)])
    if not bool(plane.abs().sum(dim=1).gt(0).all()):
        raise LandscapeError("The weights are all zero, so directions scaled to them are "
                             "zero too; train the network first.")
    axis = centred_axis(points, 1.0)
    return Landscape("random", axis, axis.copy(), _plane(run, surface, plane, axis, axis),
                     (0.0, 0.0), run.epoch, surface.rows, 0.0, notes=run.notes)


def _pca(run: RunWeights, surface: LossSurface, points: int, seed: int) -> Landscape:
    epochs = [0, *run.epochs] if run.initial is not None else list(run.epochs)
    weights = [run.initial, *run.snapshots] if run.initial is not None else list(run.snapshots)
    if not epochs or epochs[-1] != run.epoch:
        epochs.append(run.epoch)
        weights.append(run.current)
    if len(weights) < 3:
        raise LandscapeError("The pca landscape needs a path of at least 3 kept points; "
                             "train a few epochs first.")
    try:
        plane, coords, explained = principal_plane(torch.stack(weights), run.current)
    except ValueError:
        raise LandscapeError("The run has not moved from its current weights, so its path "
                             "has no direction to show; train it first.") from None
    extent_a = PLANE_MARGIN * float(coords[:, 0].abs().max())
    extent_b = max(PLANE_MARGIN * float(coords[:, 1].abs().max()), 0.1 * extent_a)
    a, b = centred_axis(points, extent_a), centred_axis(points, extent_b)
    loss = _plane(run, surface, plane, a, b)
    path_loss = surface.losses(torch.addmm(run.current.expand(len(coords), -1), coords,
                                           plane)).tolist()
    path = tuple(PathPoint(int(e), float(c[0]), float(c[1]), float(v))
                 for e, c, v in zip(epochs, coords.tolist(), path_loss))
    return Landscape("pca", a, b, loss, (0.0, 0.0), run.epoch, surface.rows, 0.0, path,
                     explained, run.notes)


def finite_range(loss: np.ndarray) -> tuple[float, float]:
    """The lowest and highest finite loss on a grid (NaN, NaN if none is finite)."""
    finite = loss[np.isfinite(loss)]
    return (float(finite.min()), float(finite.max())) if finite.size else (math.nan, math.nan)
