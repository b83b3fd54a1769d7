"""Directions in weight space: random ones normalised filter by filter, and the plane
of a trajectory's first two principal directions."""
from __future__ import annotations

from typing import Sequence

import torch


def filter_normalised(weights: torch.Tensor, shapes: Sequence[torch.Size],
                      generator: torch.Generator) -> torch.Tensor:
    """A random Gaussian direction scaled filter by filter to the weights' own norms
    (Li et al. 2018): each row of a weight matrix or convolution kernel (one unit's or
    one filter's incoming weights) gets the norm of the same row of the weights, so a
    step of 1 along it changes every filter by its own size, whatever the layer's scale.
    A vector parameter (a bias, BatchNorm's scale and shift) is one filter."""
    direction = torch.randn(weights.numel(), generator=generator)
    pieces = []
    sizes = [int(torch.Size(s).numel()) for s in shapes]
    for w, d, shape in zip(weights.split(sizes), direction.split(sizes), shapes):
        rows = shape[0] if len(shape) > 1 else 1
        w2, d2 = w.view(rows, -1), d.view(rows, -1)
        scale = w2.norm(dim=1, keepdim=True) / d2.norm(dim=1, keepdim=True).clamp_min(1e-12)
        pieces.append((d2 * scale).reshape(-1))
    return torch.cat(pieces)


def principal_plane(path: torch.Tensor, origin: torch.Tensor
                    ) -> tuple[torch.Tensor, torch.Tensor, tuple[float, float]]:
    """The first two principal directions of the path's offsets from `origin` (rows of
    `path`, (k, P)), as an orthonormal (2, P) matrix; the path's coordinates in that
    plane (k, 2); and the share of the offsets' variance each direction explains.
    The offsets are taken from the origin (the current weights), not their mean, so the
    origin is the plane's (0, 0) and the path ends there, as in Li et al. 2018."""
    offsets = path - origin
    _, s, vh = torch.linalg.svd(offsets.double(), full_matrices=False)
    if len(s) < 2 or not s[0] > 0:
        raise ValueError("the path does not leave its origin")
    plane = vh[:2].float()
    if len(s) > 1 and s[1] <= s[0] * 1e-9:  # a straight path: any second direction will do
        plane[1] = _orthogonal_to(plane[0])
    total = float((s * s).sum())
    explained = (float(s[0] ** 2) / total, float(s[1] ** 2) / total)
    return plane, offsets @ plane.t(), explained


def _orthogonal_to(v: torch.Tensor) -> torch.Tensor:
    other = torch.zeros_like(v)
    other[int(v.abs().argmin())] = 1.0
    other -= (other @ v) * v
    return other / other.norm()
