"""Losses and the output "head": how the network's outputs meet the targets.

Binary and categorical cross-entropy are computed on logits (a final Sigmoid or Softmax
is folded into the loss), which is the numerically stable form; predictions apply it.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np
import torch
import torch.nn.functional as F

from .errors import SpecError

LOSS_LABELS = {
    "mse": "Mean squared error", "mae": "Mean absolute error", "huber": "Huber",
    "bce": "Binary cross-entropy", "cce": "Categorical cross-entropy", "hinge": "Hinge",
}
LOSS_HELP = {
    "mse": "Average squared difference: punishes large errors hard.",
    "mae": "Average absolute difference: robust to outliers, constant-size gradients.",
    "huber": "Squared for small errors, absolute for large ones.",
    "bce": "Log loss for two classes: how surprised the model is by the true label.",
    "cce": "Log loss over several classes (softmax + negative log-likelihood).",
    "hinge": "The SVM loss: zero once a point is on the right side with a margin.",
}
_REGRESSION = ("mse", "mae", "huber")


def _hinge_binary(out: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    return torch.clamp(1.0 - y * out, min=0.0).mean()


_CRITERIA: dict[str, Callable[[torch.Tensor, torch.Tensor], torch.Tensor]] = {
    "mse": F.mse_loss, "mae": F.l1_loss, "huber": F.huber_loss,
    "bce": F.binary_cross_entropy_with_logits, "cce": F.cross_entropy,
}


@dataclass(frozen=True)
class Head:
    loss: str
    task: str
    n_outputs: int
    n_classes: int  # 0 for regression

    @property
    def folds(self) -> str | None:
        """The final activation computed inside the loss rather than the network."""
        return {"bce": "sigmoid", "cce": "softmax"}.get(self.loss)

    @property
    def is_classification(self) -> bool:
        return self.task != "regression"

    def criterion(self) -> Callable[[torch.Tensor, torch.Tensor], torch.Tensor]:
        if self.loss == "hinge":
            return _hinge_binary if self.n_outputs == 1 else F.multi_margin_loss
        return _CRITERIA[self.loss]

    def targets(self, y: np.ndarray) -> torch.Tensor:
        """Targets in the form the loss wants, made once per data set."""
        y_t = torch.from_numpy(np.ascontiguousarray(y))
        if not self.is_classification:
            return y_t.float()
        if self.loss in ("cce",) or (self.loss == "hinge" and self.n_outputs > 1):
            return y_t.long()
        if self.n_outputs == 1:  # bce, hinge or regression-style loss on 0/1 labels
            column = y_t.float().unsqueeze(1)
            return column * 2.0 - 1.0 if self.loss == "hinge" else column
        return F.one_hot(y_t.long(), self.n_outputs).float()  # mse & co. on several classes

    def classes(self, out: torch.Tensor) -> torch.Tensor:
        """Predicted class indices from raw outputs."""
        return self.predicted(out).long()

    def predicted(self, out: torch.Tensor) -> torch.Tensor:
        """Predicted classes in the cheapest form: indices, or booleans for one output."""
        if self.n_outputs > 1:
            return out.argmax(dim=1)
        return (out > (0.5 if self.loss in _REGRESSION else 0.0)).view(-1)

    def target_classes(self, y: torch.Tensor) -> torch.Tensor:
        """Class indices back from the loss-ready targets."""
        if y.ndim == 1:
            return y
        if y.shape[1] > 1:
            return y.argmax(dim=1)
        return (y[:, 0] > 0).long()

    def probabilities(self, out: torch.Tensor) -> torch.Tensor:
        """Per-class scores in [0, 1] for display (decision boundaries)."""
        if self.loss == "bce":
            return torch.sigmoid(out)
        if self.loss == "cce":
            return torch.softmax(out, dim=1)
        return out


def resolve_head(loss: str, task: str, n_classes: int, n_targets: int,
                 dataset: str) -> Head:
    """Choose the loss for 'auto' and check that the loss suits the task."""
    if loss == "auto":
        loss = {"binary": "bce", "multiclass": "cce", "regression": "mse"}[task]
    if task == "regression":
        if loss not in _REGRESSION:
            raise SpecError(
                f"train.loss: {LOSS_LABELS[loss]} is for classification, but {dataset} "
                "is a regression task: use mse, mae or huber."
            )
        return Head(loss, task, n_targets, 0)
    if loss == "bce" and n_classes > 2:
        raise SpecError(
            f"train.loss: binary cross-entropy needs two classes, but {dataset} has "
            f"{n_classes}: use categorical cross-entropy (cce)."
        )
    outputs = n_classes if (n_classes > 2 or loss == "cce") else 1
    return Head(loss, task, outputs, n_classes)
