"""Feature scaling, fitted on the training rows only and saved with the session."""
from __future__ import annotations

import numpy as np

from ..errors import DataError


class Scaler:
    """One of: none, standard, minmax, robust, normalize (per-sample L2)."""

    def __init__(self, method: str = "standard"):
        if method not in ("none", "standard", "minmax", "robust", "normalize"):
            raise DataError(f"Unknown scaling {method!r}.")
        self.method = method
        self.offset: np.ndarray | None = None
        self.scale: np.ndarray | None = None

    def fit(self, X: np.ndarray) -> "Scaler":
        if self.method in ("none", "normalize"):
            return self
        if len(X) == 0:
            raise DataError("Cannot fit the scaling on an empty training set.")
        X = X.astype(np.float64)
        if self.method == "standard":
            offset, scale = X.mean(axis=0), X.std(axis=0)
        elif self.method == "minmax":
            offset, scale = X.min(axis=0), X.max(axis=0) - X.min(axis=0)
        else:
            q1, median, q3 = np.percentile(X, [25, 50, 75], axis=0)
            offset, scale = median, q3 - q1
        # A constant column carries no information; leave it centred rather than divide by 0.
        scale = np.where(scale > 1e-12, scale, 1.0)
        self.offset, self.scale = offset.astype(np.float32), scale.astype(np.float32)
        return self

    def transform(self, X: np.ndarray) -> np.ndarray:
        if self.method == "none":
            return X.astype(np.float32, copy=False)
        if self.method == "normalize":
            norms = np.linalg.norm(X, axis=1, keepdims=True)
            return (X / np.where(norms > 0, norms, 1.0)).astype(np.float32)
        if self.offset is None:
            raise DataError("The scaling has not been fitted.")
        return ((X - self.offset) / self.scale).astype(np.float32)

    def state_dict(self) -> dict:
        return {"method": self.method,
                "offset": None if self.offset is None else self.offset.tolist(),
                "scale": None if self.scale is None else self.scale.tolist()}

    @classmethod
    def from_state(cls, state: dict) -> "Scaler":
        scaler = cls(state["method"])
        if state.get("offset") is not None:
            scaler.offset = np.asarray(state["offset"], dtype=np.float32)
            scaler.scale = np.asarray(state["scale"], dtype=np.float32)
        return scaler
