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


def compute(head: Head, names: tuple[str, ...], out: torch.Tensor,
            y: torch.Tensor) -> dict[str, float]:
    """Return {metric: value} for the raw outputs `out` and loss-ready targets `y`."""
    if len(y) == 0:
        return {}
    if head.is_classification:
        return _classification(head, names, out, y)
    return _regression(names, out, y)


def _classification(head: Head, names: tuple[str, ...], out: torch.Tensor,
                    y: torch.Tensor) -> dict[str, float]:
    k = max(head.n_classes, 2)
    pred = head.classes(out)
    true = head.target_classes(y)
    confusion = torch.bincount(true * k + pred, minlength=k * k).reshape(k, k).double()
    hits = confusion.diagonal()
    predicted, actual = confusion.sum(dim=0), confusion.sum(dim=1)
    precision_each = torch.where(predicted > 0, hits / predicted.clamp(min=1), 0.0)
    recall_each = torch.where(actual > 0, hits / actual.clamp(min=1), 0.0)
    f1_each = torch.where(precision_each + recall_each > 0,
                          2 * precision_each * recall_each
                          / (precision_each + recall_each).clamp(min=1e-12), 0.0)
    if k == 2:  # binary: the positive class, as the introductory material defines them
        precision, recall, f1 = precision_each[1], recall_each[1], f1_each[1]
    else:
        precision, recall, f1 = precision_each.mean(), recall_each.mean(), f1_each.mean()
    values = {"accuracy": hits.sum() / confusion.sum(), "precision": precision,
              "recall": recall, "f1": f1}
    return {name: float(values[name]) for name in names if name in values}


def _regression(names: tuple[str, ...], out: torch.Tensor,
                y: torch.Tensor) -> dict[str, float]:
    error = (out - y).double()
    total = ((y - y.mean(dim=0)) ** 2).double().sum()
    residual = (error ** 2).sum()
    values = {
        "mae": error.abs().mean(),
        "mse": (error ** 2).mean(),
        "r2": 1.0 - residual / total if total > 0 else torch.tensor(0.0),
    }
    return {name: float(values[name]) for name in names if name in values}
