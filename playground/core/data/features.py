"""Engineered inputs for the 2-D data sets, as in the classic web playground.

With x1*x2 a single linear unit separates xor; with x1^2 and x2^2 it separates circle.
"""
from __future__ import annotations

from typing import Callable

import numpy as np

FEATURES: dict[str, tuple[str, Callable[[np.ndarray, np.ndarray], np.ndarray]]] = {
    "x1": ("x\u2081", lambda a, b: a),
    "x2": ("x\u2082", lambda a, b: b),
    "x1sq": ("x\u2081\u00b2", lambda a, b: a * a),
    "x2sq": ("x\u2082\u00b2", lambda a, b: b * b),
    "x1x2": ("x\u2081x\u2082", lambda a, b: a * b),
    "sinx1": ("sin(x\u2081)", lambda a, b: np.sin(a)),
    "sinx2": ("sin(x\u2082)", lambda a, b: np.sin(b)),
}


def engineer(X: np.ndarray, names: tuple[str, ...]) -> tuple[np.ndarray, tuple[str, ...]]:
    """Columns `names` computed from the two raw coordinates of X."""
    a, b = X[:, 0].astype(np.float64), X[:, 1].astype(np.float64)
    columns = [FEATURES[name][1](a, b) for name in names]
    return np.stack(columns, axis=1).astype(np.float32), tuple(FEATURES[n][0] for n in names)
