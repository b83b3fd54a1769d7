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


# ------------------------------------------------------------ several classes

def blobs(n: int, noise: float, rng: np.random.Generator,
          classes: int = 3) -> tuple[np.ndarray, np.ndarray]:
    """k Gaussian clouds on a circle; noise widens them."""
    angles = 2 * np.pi * np.arange(classes) / classes
    centres = np.stack([np.cos(angles), np.sin(angles)], axis=1) * RADIUS * 0.6
    y = np.arange(n) % classes
    X = centres[y] + rng.normal(0.0, 0.4 + noise * 5.0, (n, 2))
    return X.astype(np.float32), y.astype(np.int64)


def spirals(n: int, noise: float, rng: np.random.Generator,
            classes: int = 3) -> tuple[np.ndarray, np.ndarray]:
    """k interleaved spiral arms (the classic CS231n toy problem)."""
    y = np.arange(n) % classes
    t = np.repeat(np.linspace(0.0, 1.0, n // classes + 1), classes)[:n]
    angle = y * 2 * np.pi / classes + t * 1.75 * 2 * np.pi * 0.5
    radius = t * RADIUS
    X = np.stack([radius * np.sin(angle), radius * np.cos(angle)], axis=1)
    X += rng.normal(0.0, 1.0, X.shape) * noise * 2.0
    return X.astype(np.float32), y.astype(np.int64)


# ----------------------------------------------------------------- regression

def plane(n: int, noise: float, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """y = (x1 + x2) / 10 plus noise: a linear model is enough."""
    X = rng.uniform(-RADIUS, RADIUS, (n, 2))
    y = (X[:, 0] + X[:, 1]) / 10.0 + rng.normal(0.0, noise, n)
    return X.astype(np.float32), y.reshape(-1, 1).astype(np.float32)


def multi_gauss(n: int, noise: float,
                rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Bumps of opposite signs: the target rises and falls over the plane."""
    centres = np.array([[-4, 2.5], [0, 2.5], [4, 2.5], [-4, -2.5], [0, -2.5], [4, -2.5]])
    signs = np.array([-1.0, 1.0, -1.0, 1.0, -1.0, 1.0])
    X = rng.uniform(-RADIUS, RADIUS, (n, 2))
    distances = np.linalg.norm(X[:, None, :] - centres[None], axis=2)
    y = (signs * np.exp(-(distances ** 2) / 2.0)).sum(axis=1) + rng.normal(0.0, noise, n)
    return X.astype(np.float32), y.reshape(-1, 1).astype(np.float32)


def sine(n: int, noise: float, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """y = sin(x) on one input: the curve a network bends itself into."""
    X = np.sort(rng.uniform(-2 * np.pi, 2 * np.pi, (n, 1)), axis=0)
    y = np.sin(X[:, 0]) + rng.normal(0.0, noise, n)
    return X.astype(np.float32), y.reshape(-1, 1).astype(np.float32)


MULTICLASS_GENERATORS = {"blobs": blobs, "spirals": spirals}
REGRESSION_GENERATORS = {"plane": plane, "multi_gauss": multi_gauss, "sine": sine}
