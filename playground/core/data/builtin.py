"""Real data sets that ship inside scikit-learn (no network needed)."""
from __future__ import annotations

from typing import Any, Callable

import numpy as np


def _loader(name: str) -> Callable[..., Any]:
    from sklearn import datasets  # imported lazily: it costs about a second

    return getattr(datasets, f"load_{name}")


def load(name: str) -> tuple[np.ndarray, np.ndarray, tuple[str, ...], tuple[str, ...]]:
    """Return X, y, feature names and class names (empty for regression)."""
    bunch = _loader(name)()
    X = np.asarray(bunch.data, dtype=np.float32)
    target = np.asarray(bunch.target)
    features = tuple(str(f) for f in getattr(bunch, "feature_names", ())) or tuple(
        f"x{i + 1}" for i in range(X.shape[1]))
    if name == "diabetes":
        return X, target.astype(np.float32).reshape(-1, 1), features, ()
    classes = tuple(str(c) for c in getattr(bunch, "target_names", ()))
    return X, target.astype(np.int64), features, classes
