"""Phase diagrams of descent on a quadratic f = lambda/2 x^2.

Heavy-ball momentum as torch's SGD runs it (v = beta v + g; x = x - lr v) on a quadratic
of curvature lambda is the recurrence x_{k+1} = (1 + beta - lr lambda) x_k - beta x_{k-1}.
We run that recurrence for a whole grid of (lr, beta) at once (numpy, vectorised) and
classify what each run did; the analytic bounds (converges iff 0 < lr lambda < 2 + 2 beta;
without momentum 0 < lr lambda < 2) are drawn over the result and checked by the tests.
"""
from __future__ import annotations

import numpy as np

CONVERGE, OSCILLATE, DIVERGE = 0, 1, 2
LABELS = {CONVERGE: "converges smoothly", OSCILLATE: "converges, oscillating",
          DIVERGE: "diverges"}


def heavy_ball_phase(lrs: np.ndarray, betas: np.ndarray, curvature: float = 1.0,
                     steps: int = 400) -> np.ndarray:
    """Codes (CONVERGE, OSCILLATE, DIVERGE) of shape (len(lrs), len(betas))."""
    lr, beta = np.meshgrid(np.asarray(lrs, float), np.asarray(betas, float), indexing="ij")
    a = 1.0 + beta - lr * curvature
    # x_0 = 1; torch's first step sets v = g (no beta term): x_1 = (1 - lr lambda) x_0.
    previous = np.ones_like(lr)
    current = previous - lr * curvature * previous
    half = steps // 2
    crossings = np.zeros(lr.shape, dtype=int)
    log_growth = np.zeros_like(lr)
    landed = np.zeros(lr.shape, dtype=bool)   # exactly at the minimum (lr lambda = 1)
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        for k in range(2, steps + 1):
            previous, current = current, a * current - beta * previous
            # Rescale each run to size 1 and keep the log of the factor: no overflow
            # or underflow however fast a run grows or shrinks, so the sign changes and
            # the growth rate stay visible to the end.
            scale = np.maximum(np.abs(previous), np.abs(current))
            landed |= scale == 0
            scale = np.where(scale > 0, scale, 1.0)
            previous, current = previous / scale, current / scale
            if k > half:
                log_growth += np.log(scale)
                crossings += (previous * current) < 0
    codes = np.full(lr.shape, CONVERGE)
    codes[crossings > 0] = OSCILLATE
    codes[(log_growth >= 0.0) | ~np.isfinite(log_growth) | (lr * curvature <= 0)] = DIVERGE
    codes[landed & (lr * curvature > 0)] = CONVERGE
    return codes


def gd_phase(lrs: np.ndarray, curvature: float = 1.0, steps: int = 400) -> np.ndarray:
    """Plain gradient descent (beta = 0): codes per learning rate."""
    return heavy_ball_phase(lrs, np.array([0.0]), curvature, steps)[:, 0]


def analytic_code(lr: float, beta: float, curvature: float = 1.0) -> int:
    """The closed form: converges iff 0 < lr lambda < 2 + 2 beta; oscillates when the
    characteristic roots of z^2 - (1 + beta - lr lambda) z + beta are complex or the
    dominant one is negative."""
    h = lr * curvature
    if not 0 < h < 2 + 2 * beta:
        return DIVERGE
    a = 1 + beta - h
    roots = np.roots([1.0, -a, beta])
    dominant = roots[np.argmax(np.abs(roots))]
    if abs(dominant.imag) > 1e-12 or dominant.real < 0:
        return OSCILLATE
    return CONVERGE


def momentum_bound(betas: np.ndarray, curvature: float = 1.0) -> np.ndarray:
    """The largest stable learning rate for each beta: (2 + 2 beta) / lambda."""
    return (2.0 + 2.0 * np.asarray(betas, float)) / curvature
