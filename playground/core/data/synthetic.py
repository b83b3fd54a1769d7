"""Synthetic 2-D data sets in the spirit of the classic web playground.

Each generator takes the sample count, a noise level (0 to 0.5) and a numpy Generator,
and returns (X float32 of shape (n, 2), y int64 of shape (n,)).
"""
from __future__ import annotations

import numpy as np

RADIUS = 5.0


def circle(n: int, noise: float, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """An inner disc (class 1) inside a ring (class 0)."""
    inner = n // 2
    radius = np.concatenate([
        rng.uniform(0.0, RADIUS * 0.5, inner),
        rng.uniform(RADIUS * 0.7, RADIUS, n - inner),
    ])
    angle = rng.uniform(0.0, 2 * np.pi, n)
    X = np.stack([radius * np.sin(angle), radius * np.cos(angle)], axis=1)
    X += rng.uniform(-RADIUS, RADIUS, X.shape) * noise
    y = np.concatenate([np.ones(inner), np.zeros(n - inner)])
    return X.astype(np.float32), y.astype(np.int64)


def xor(n: int, noise: float, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Four quadrants; opposite quadrants share a class."""
    padding = 0.3
    X = rng.uniform(-RADIUS, RADIUS, (n, 2))
    X += np.where(X > 0, padding, -padding)
    y = (X[:, 0] * X[:, 1] >= 0).astype(np.int64)
    X += rng.uniform(-RADIUS, RADIUS, X.shape) * noise
    return X.astype(np.float32), y


def gauss(n: int, noise: float, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Two Gaussian clouds; noise widens them until they overlap."""
    spread = 0.5 + noise * 7.0
    half = n // 2
    X = np.concatenate([
        rng.normal(2.0, spread, (half, 2)),
        rng.normal(-2.0, spread, (n - half, 2)),
    ])
    y = np.concatenate([np.ones(half), np.zeros(n - half)])
    return X.astype(np.float32), y.astype(np.int64)


def spiral(n: int, noise: float, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Two interleaved spiral arms: needs a non-linear boundary with several turns."""
    half = n // 2
    parts, labels = [], []
    for label, (count, delta) in enumerate(((half, 0.0), (n - half, np.pi))):
        t = np.arange(count) / max(1, count) * RADIUS
        angle = 1.75 * t * 2 * np.pi / RADIUS + delta
        points = np.stack([t * np.sin(angle), t * np.cos(angle)], axis=1)
        points += rng.uniform(-1.0, 1.0, points.shape) * noise * 2.0
        parts.append(points)
        labels.append(np.full(count, 1 - label))
    return np.concatenate(parts).astype(np.float32), np.concatenate(labels).astype(np.int64)


def moons(n: int, noise: float, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Two interleaving half circles."""
    upper = n // 2
    t_up = rng.uniform(0.0, np.pi, upper)
    t_down = rng.uniform(0.0, np.pi, n - upper)
    X = np.concatenate([
        np.stack([np.cos(t_up), np.sin(t_up)], axis=1),
        np.stack([1.0 - np.cos(t_down), 0.5 - np.sin(t_down)], axis=1),
    ])
    X = (X - [0.5, 0.25]) * 2.5
    X += rng.normal(0.0, 1.0, X.shape) * noise * 2.0
    y = np.concatenate([np.zeros(upper), np.ones(n - upper)])
    return X.astype(np.float32), y.astype(np.int64)


GENERATORS = {"circle": circle, "xor": xor, "gauss": gauss, "spiral": spiral, "moons": moons}
