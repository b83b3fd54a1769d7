"""The drawn data set: points a learner puts on the plane with the mouse.

The points live in the spec (DataSpec.points, rows of (x1, x2, label-or-value)), so a
session file, undo, spec JSON, share codes, sweeps and the CLI carry them like any other
setting. A classification set (task "auto", "binary" or "multiclass") labels each point
with a class 0 to 7; a regression set (task "regression") gives each point a value, the
target to predict from its two inputs x1 and x2. The spec checks each point
(spec._check_points); this module says whether they can be trained on yet.
"""
from __future__ import annotations

import numpy as np

from ..errors import DataError, NoDrawnPointsError
from ..limits import MAX_DRAWN_POINTS as MAX_POINTS
from ..spec import DRAWN as NAME, DRAWN_CLASSES as MAX_CLASSES
from .split import _counts  # the split's own arithmetic, so the two never disagree

DECIMALS = 3        # a point's place and value, rounded: finer than any screen's pixel
# The window's sentence; the command line has its own (cli.NO_DRAWN_POINTS).
HOW_TO_DRAW = ("No points drawn yet: choose Draw, pick a class and click or drag on the "
               "plot; draw at least two classes.")


def is_regression(task: str) -> bool:
    return task == "regression"


def arrays(task: str, points: tuple, split: tuple[float, float, float]
           ) -> tuple[np.ndarray, np.ndarray, tuple[str, ...], str]:
    """(X, y, class names, task) of the drawn points; DataError, one sentence, while
    they cannot be trained on yet (none, one class, too few for the split)."""
    if not points:
        raise NoDrawnPointsError(HOW_TO_DRAW)
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
