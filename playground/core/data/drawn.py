"""The drawn data set: points a learner puts on the plane with the mouse.

The points live in the spec (DataSpec.points, rows of (x1, x2, label-or-value)), so a
session file, undo, spec JSON, share codes, sweeps and the CLI carry them like any other
setting. A classification set (task "auto", "binary" or "multiclass") labels each point
with a class 0 to 7; a regression set (task "regression") gives each point a value, the
target to predict from its two inputs x1 and x2.
"""
from __future__ import annotations

import math

import numpy as np

from ..errors import DataError, SpecError

NAME = "drawn"
MAX_POINTS = 5000   # a full canvas still fits a share code (tests/core/test_drawn.py)
MAX_CLASSES = 8
MAX_COORDINATE = 1e6
DECIMALS = 3        # a point's place and value, rounded: finer than any screen's pixel
HOW_TO_DRAW = ("No points drawn yet: choose Draw, pick a class and click or drag on the "
               "plot; draw at least two classes.")


def is_regression(task: str) -> bool:
    return task == "regression"


def check_points(name: str, task: str, points: tuple) -> None:
    """SpecError naming the first point that cannot be a drawn point (checked on every
    edit and when a spec is read, before any array is made)."""
    if not points:
        return
    if name != NAME:
        raise SpecError(f"data.points: only the {NAME} data set has points; {name} makes "
                        "its own.")
    if len(points) > MAX_POINTS:
        raise SpecError(f"data.points: {len(points):,} points are drawn; a drawn set holds "
                        f"at most {MAX_POINTS:,}: erase some, or import the rows as a file.")
    regression = is_regression(task)
    for index, (x1, x2, target) in enumerate(points):
        if not all(math.isfinite(v) and abs(v) <= MAX_COORDINATE for v in (x1, x2, target)):
            raise SpecError(f"data.points[{index}]: every number of a point must be finite "
                            f"and at most {MAX_COORDINATE:g} in size.")
        if not regression and (target != int(target) or not 0 <= target < MAX_CLASSES):
            raise SpecError(f"data.points[{index}]: the class {target:g} is not one of 0 to "
                            f"{MAX_CLASSES - 1}; a set of values needs the task "
                            "'regression'.")


def arrays(task: str, points: tuple, split: tuple[float, float, float]
           ) -> tuple[np.ndarray, np.ndarray, tuple[str, ...], str]:
    """(X, y, class names, task) of the drawn points; DataError, one sentence, while
    they cannot be trained on yet (none, one class, too few for the split)."""
    if not points:
        raise DataError(HOW_TO_DRAW)
    rows = np.asarray(points, dtype=np.float64)
    X = rows[:, :2].astype(np.float32)
    if is_regression(task):
        _check_split_sizes([len(rows)], split, "points")
        return X, rows[:, 2:].astype(np.float32), (), "regression"
    y = rows[:, 2].astype(np.int64)
    present = np.unique(y)
    if len(present) < 2:
        raise DataError(f"The drawn points are all of class {present[0]}: pick another "
                        "class and draw some, so that there is a boundary to learn.")
    _check_split_sizes(np.bincount(y).tolist(), split, "points of one class")
    count = int(present[-1]) + 1  # a class's colour and output stay its own number
    return X, y, tuple(str(c) for c in range(count)), "binary" if count == 2 else "multiclass"


def _check_split_sizes(groups: list[int], split: tuple[float, float, float],
                       what: str) -> None:
    """The split (stratified by class) leaves no part with a share empty: said here in
    drawing words, before split_indices would refuse it in general ones."""
    from .split import _counts

    for position, name in ((1, "validation"), (2, "test")):
        fraction = split[position]
        if fraction > 0 and sum(_counts(n, split)[position] for n in groups) == 0:
            need = next(n for n in range(1, 10_000) if _counts(n, split)[position] > 0)
            raise DataError(f"The drawn set has {sum(groups)} points, too few for its "
                            f"{fraction:.0%} {name} part: draw at least {need} {what}, or "
                            f"set the {name} part to 0%.")


def points_from(X: np.ndarray, y: np.ndarray, task: str, seed: int = 0) -> tuple:
    """Drawn points that start from another 2-D data set's raw points (at most
    MAX_POINTS of them, a seeded sample), so that a learner can edit a spiral."""
    pick = np.sort(np.random.default_rng(seed).permutation(len(X))[:MAX_POINTS])
    targets = np.asarray(y, dtype=np.float64).reshape(len(y), -1)[pick, 0]
    return tuple(point(float(a), float(b), float(t))
                 for (a, b), t in zip(np.asarray(X)[pick, :2].tolist(), targets.tolist()))


def point(x1: float, x2: float, target: float) -> tuple[float, float, float]:
    """A drawn point as the spec keeps it: place and value rounded to DECIMALS."""
    return (round(x1, DECIMALS), round(x2, DECIMALS), round(target, DECIMALS))
