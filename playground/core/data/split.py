"""Seeded, stratified train/validation/test splits."""
from __future__ import annotations

import numpy as np

from ..errors import DataError


def _counts(n: int, fractions: tuple[float, float, float]) -> tuple[int, int, int]:
    n_val = int(round(n * fractions[1]))
    n_test = int(round(n * fractions[2]))
    return n - n_val - n_test, n_val, n_test


def split_indices(y: np.ndarray, fractions: tuple[float, float, float], seed: int,
                  stratify: bool) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Indices of the train, validation and test rows.

    Stratified splits keep each class's share in every part, as far as rounding allows.
    """
    rng = np.random.default_rng(seed)
    groups = [np.flatnonzero(y == c) for c in np.unique(y)] if stratify else [
        np.arange(len(y))]
    parts: list[list[np.ndarray]] = [[], [], []]
    for group in groups:
        shuffled = rng.permutation(group)
        n_train, n_val, _ = _counts(len(shuffled), fractions)
        for part, chunk in zip(parts, np.split(shuffled, [n_train, n_train + n_val])):
            part.append(chunk)
    result = tuple(rng.permutation(np.concatenate(part)) for part in parts)
    _check_sizes(len(y), fractions, result)
    return result  # type: ignore[return-value]


def _check_sizes(n: int, fractions: tuple[float, float, float],
                 parts: tuple[np.ndarray, ...]) -> None:
    for name, fraction, part in zip(("training", "validation", "test"), fractions, parts):
        if fraction > 0 and len(part) == 0:
            raise DataError(
                f"The data set has {n} rows, too few for a {fraction:.0%} {name} part: "
                "use more samples or a larger fraction."
            )
