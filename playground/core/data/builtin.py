"""Real data sets that ship inside scikit-learn (no network needed)."""
from __future__ import annotations

import gzip
import importlib.util
from pathlib import Path
from types import SimpleNamespace
from typing import Any, Callable

import numpy as np


def _digits_file() -> Any:
    """Digits straight from the file scikit-learn ships, without importing sklearn
    (about 1 s idle, 5 s on a busy machine: the learner's wait before the first epoch).
    Read as sklearn.datasets.load_digits reads it; None where the file is not found."""
    spec = importlib.util.find_spec("sklearn")  # finds the package, runs nothing
    for folder in (spec.submodule_search_locations or ()) if spec else ():
        path = Path(folder) / "datasets" / "data" / "digits.csv.gz"
        if path.is_file():
            with gzip.open(path, "rt", encoding="utf-8") as file:
                data = np.loadtxt(file, delimiter=",")
            return SimpleNamespace(
                data=data[:, :-1], target=data[:, -1].astype(int),
                feature_names=[f"pixel_{r}_{c}" for r in range(8) for c in range(8)],
                target_names=np.arange(10))
    return None


def _loader(name: str) -> Callable[..., Any]:
    if name == "digits" and (bunch := _digits_file()) is not None:
        return lambda: bunch
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
