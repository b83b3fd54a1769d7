"""Reports on a trained network, per split (train, validation, test).

Classification: the confusion matrix (rows: true class, columns: predicted) and each
class's precision, recall and F1. Regression: predicted against true values and the
residuals, in the target's own units (the target's standardisation undone). Computed in
the training thread, in evaluation mode, drawing no random numbers.
"""
from __future__ import annotations

from dataclasses import dataclass
from types import MappingProxyType
from typing import Mapping

import numpy as np

SPLITS = ("train", "val", "test")


@dataclass(frozen=True)
class ClassificationReport:
    class_names: tuple[str, ...]
    confusion: Mapping[str, np.ndarray]   # split -> classes x classes counts
    scores: Mapping[str, np.ndarray]      # split -> classes x (precision, recall, F1)


@dataclass(frozen=True)
class RegressionReport:
    target: str
    true: Mapping[str, np.ndarray]        # split -> values, the target's units
    predicted: Mapping[str, np.ndarray]

    def residuals(self, split: str) -> np.ndarray:
        return self.predicted[split] - self.true[split]


def confusion_matrix(true: np.ndarray, predicted: np.ndarray, classes: int) -> np.ndarray:
    index = true.astype(np.int64) * classes + predicted.astype(np.int64)
    return np.bincount(index, minlength=classes * classes).reshape(classes, classes)


def class_scores(confusion: np.ndarray) -> np.ndarray:
    """Per class: precision, recall, F1 (0 where undefined, as scikit-learn's default)."""
    hits = np.diag(confusion).astype(float)
    predicted, actual = confusion.sum(0).astype(float), confusion.sum(1).astype(float)
    precision = np.divide(hits, predicted, out=np.zeros_like(hits), where=predicted > 0)
    recall = np.divide(hits, actual, out=np.zeros_like(hits), where=actual > 0)
    total = precision + recall
    f1 = np.divide(2 * precision * recall, total, out=np.zeros_like(hits), where=total > 0)
    return np.stack([precision, recall, f1], axis=1)


def make_report(trainer) -> ClassificationReport | RegressionReport:
    head, splits = trainer.head, [s for s in SPLITS if len(trainer.x[s])]
    outputs = {s: trainer.predict_raw(trainer.x[s]) for s in splits}
    if head.is_classification:
        names = tuple(trainer.data.dataset.class_names) or tuple(
            str(i) for i in range(max(head.n_outputs, 2)))
        k = len(names)
        confusion = {s: confusion_matrix(head.target_classes(trainer.y[s]).cpu().numpy(),
                                         head.classes(outputs[s]).cpu().numpy(), k)
                     for s in splits}
        return ClassificationReport(names, MappingProxyType(confusion), MappingProxyType(
            {s: class_scores(m) for s, m in confusion.items()}))
    scaler = trainer.data.target_scaler

    def units(values) -> np.ndarray:
        column = values.detach().cpu().numpy().reshape(len(values), -1)[:, 0].astype(float)
        if scaler is None or scaler.scale is None or scaler.method == "none":
            return column
        return column * float(np.ravel(scaler.scale)[0]) + float(np.ravel(scaler.offset)[0])

    dataset = trainer.data.dataset
    target = trainer.spec.data.target or getattr(dataset, "target_name", "") or "target"
    return RegressionReport(target, MappingProxyType({s: units(trainer.y[s]) for s in splits}),
                            MappingProxyType({s: units(outputs[s]) for s in splits}))
