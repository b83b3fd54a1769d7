"""Metrics computed on whole splits at once (vectorised, one pass per epoch)."""
from __future__ import annotations

import torch

from .losses import Head
from .spec import CLASSIFICATION_METRICS, REGRESSION_METRICS

METRIC_HELP = {
    "accuracy": "Share of points classified correctly.",
    "precision": "Of the points predicted as a class, the share that truly are "
                 "(averaged over classes).",
    "recall": "Of the points truly in a class, the share that were found "
              "(averaged over classes).",
    "f1": "Harmonic mean of precision and recall.",
    "mae": "Mean absolute error of the predictions.",
    "mse": "Mean squared error of the predictions.",
    "r2": "Share of the target's variance explained (1 is perfect, 0 is no better "
          "than predicting the mean).",
}


def default_metrics(task: str) -> tuple[str, ...]:
    return CLASSIFICATION_METRICS if task != "regression" else REGRESSION_METRICS


def target_codes(head: Head, y: torch.Tensor) -> torch.Tensor | None:
    """k * true class per row (classification), so that adding the predicted class gives
    the confusion-matrix cell; made once per split instead of every epoch."""
    if not head.is_classification:
        return None
    return head.target_classes(y) * max(head.n_classes, 2)


def compute(head: Head, names: tuple[str, ...], out: torch.Tensor, y: torch.Tensor,
            codes: torch.Tensor | None = None) -> dict[str, float]:
    """Return {metric: value} for the raw outputs `out` and loss-ready targets `y`
    (`codes` from target_codes() saves recomputing them)."""
    if len(y) == 0:
        return {}
    if head.is_classification:
        return _classification(head, names, out,
                               target_codes(head, y) if codes is None else codes)
    return _regression(names, out, y)


def _classification(head: Head, names: tuple[str, ...], out: torch.Tensor,
                    codes: torch.Tensor) -> dict[str, float]:
    # One confusion matrix from one bincount, then a few dozen Python numbers: every
    # array operation at an epoch's end costs 20-30 us on a cold cache (measured, for
    # torch and numpy alike), so as few of them as possible.
    k = max(head.n_classes, 2)
    counts = torch.bincount(codes + head.predicted(out), minlength=k * k).tolist()
    return from_counts(counts, k, names)


def from_counts(counts: list[int], k: int, names: tuple[str, ...]) -> dict[str, float]:
    """Classification metrics from a flat k x k confusion matrix (row: true class)."""
    confusion = [counts[row * k:(row + 1) * k] for row in range(k)]
    hits = [confusion[c][c] for c in range(k)]
    predicted = [sum(row[c] for row in confusion) for c in range(k)]
    actual = [sum(row) for row in confusion]
    precision = [h / p if p else 0.0 for h, p in zip(hits, predicted)]
    recall = [h / a if a else 0.0 for h, a in zip(hits, actual)]
    f1 = [2 * p * r / (p + r) if p + r else 0.0 for p, r in zip(precision, recall)]

    def summary(per_class: list[float]) -> float:
        # Binary: the positive class, as the introductory material defines them;
        # several classes: the unweighted (macro) mean.
        return per_class[1] if k == 2 else sum(per_class) / k

    values = {"accuracy": sum(hits) / sum(actual), "precision": summary(precision),
              "recall": summary(recall), "f1": summary(f1)}
    return {name: float(values[name]) for name in names if name in values}


def _regression(names: tuple[str, ...], out: torch.Tensor,
                y: torch.Tensor) -> dict[str, float]:
    error = (out - y).double()
    total = float(((y - y.mean(dim=0)) ** 2).sum())
    squared = float((error ** 2).sum())
    values = {
        "mae": lambda: float(error.abs().mean()),
        "mse": lambda: squared / error.numel(),
        "r2": lambda: 1.0 - squared / total if total > 0 else 0.0,
    }
    return {name: values[name]() for name in names if name in values}
