"""Names and units of what the plots, the metrics table, the runs table and the status
bar show (Qt-free): one Units value per screen, so all of them agree.

Regression targets are standardised for training (y' = (y - mean) / s, fitted on the
training rows), so the losses and metrics the trainer logs are in units of s. The
views convert them back to the target's own units: MAE * s, MSE * s^2, RMSE =
sqrt(MSE) * s; R^2 does not change. An MSE or MAE loss converts like its metric; the
Huber loss has no exact conversion (its threshold is in standardised units) and is
shown as logged."""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

LABELS = {"loss": "Loss", "accuracy": "Accuracy", "precision": "Precision",
          "recall": "Recall", "f1": "F1 score", "mae": "MAE", "mse": "MSE",
          "rmse": "RMSE", "r2": "R\u00b2", "lr": "Learning rate"}
LOSS_NAMES = {"mse": "MSE", "mae": "MAE", "huber": "Huber", "bce": "binary cross-entropy",
              "cce": "cross-entropy", "hinge": "hinge"}
HELP = {
    "loss": "What the optimizer minimises, averaged over the points.",
    "accuracy": "Share of points classified correctly.",
    "precision": "Of the points predicted as a class, the share that truly are.",
    "recall": "Of the points truly in a class, the share that were found.",
    "f1": "Harmonic mean of precision and recall.",
    "mae": "Mean absolute error: how far off a prediction is, on average.",
    "mse": "Mean squared error: large errors count much more than small ones.",
    "rmse": "Root mean squared error: the square root of MSE, in the target's units.",
    "r2": "Share of the target's variance explained: 1 is perfect, 0 is no better than "
          "always predicting the mean.",
}
PREFIXES = ("val_", "test_")


def base_name(key: str) -> str:
    for prefix in PREFIXES:
        if key.startswith(prefix):
            return key[len(prefix):]
    return key


def label(key: str) -> str:
    """A metric's display name: "MAE", "R²", "Accuracy" (never str.title())."""
    name = base_name(key)
    return LABELS.get(name, name.replace("_", " ").capitalize())


def target_scale(data: Any) -> float | None:
    """The standard deviation the regression target was divided by (one number), from
    a PreparedData's target_scaler; None when the target was not scaled, or when several
    targets were scaled differently (their errors are then averaged in standardised
    units and cannot be converted back as one number)."""
    scaler = getattr(data, "target_scaler", None)
    scale = getattr(scaler, "scale", None)
    if scale is None:
        return None
    values = [float(v) for v in (scale.reshape(-1) if hasattr(scale, "reshape") else scale)]
    if not values or any(abs(v - values[0]) > 1e-9 * abs(values[0]) for v in values):
        return None
    return values[0]


@dataclass(frozen=True)
class Units:
    """How to show logged values: task, loss kind, the target's scale s (None: nothing
    to convert) and whether the user asked for the standardised values."""

    task: str = "binary"
    loss: str = ""
    scale: float | None = None
    standardised: bool = False

    @property
    def can_convert(self) -> bool:
        return self.task == "regression" and self.scale is not None

    @property
    def converts(self) -> bool:
        return self.can_convert and not self.standardised

    def factor(self, key: str) -> float:
        """What a logged value is multiplied by to be shown (1 when unchanged)."""
        if not self.converts:
            return 1.0
        name = base_name(key)
        kind = self.loss if name == "loss" else name
        s = self.scale
        return {"mae": s, "mse": s * s, "rmse": s}.get(kind, 1.0)

    def show(self, key: str, value: float) -> float:
        return value * self.factor(key)

    def with_standardised(self, on: bool) -> "Units":
        return Units(self.task, self.loss, self.scale, on)

    def phrase(self) -> str:
        """A few words for beside a number: which units a regression figure is in."""
        if not self.can_convert:
            return "standardised units" if self.task == "regression" else ""
        return "standardised units" if self.standardised else "the target's units"

    def loss_title(self) -> str:
        name = LOSS_NAMES.get(self.loss)
        return f"Loss ({name})" if name else "Loss"

    def describe(self) -> str:
        """A sentence for tooltips: which units the numbers are in."""
        if self.task != "regression":
            return "Losses and metrics are shown as the trainer computes them."
        if self.scale is None:
            return ("The target was not standardised (or several targets were scaled "
                    "differently), so losses and errors are shown as computed.")
        if self.standardised:
            return (f"Shown in standardised units, as the optimizer sees them: the target "
                    f"was divided by its spread s = {self.scale:.4g} for training.")
        huber = (" The Huber loss has no exact conversion and stays in standardised "
                 "units." if self.loss == "huber" else "")
        return (f"Shown in the target's own units: the trainer works on the target "
                f"divided by s = {self.scale:.4g}, so MAE and RMSE are multiplied back by "
                f"s and MSE by s\u00b2; R\u00b2 is the same either way.{huber}")


def finish_text(sentence: str, test: dict[str, float], units: Units) -> str:
    """The status bar's end of a run: its sentence, then the test figures in `units`."""
    figures = ", ".join(f"{_in_sentence(label(k))} {units.show(k, v):.4g}"
                        for k, v in test.items())
    where = f" ({units.phrase()})" if figures and units.phrase() else ""
    return f"{sentence} Test: {figures}{where}" if figures else sentence


def _in_sentence(name: str) -> str:
    """A metric's name mid-sentence: "loss", "accuracy", but "MAE" and "F1 score"."""
    return name.lower() if name in ("Loss", "Accuracy", "Precision", "Recall") else name


def early_stop_sentence(monitor: str, patience: int, best_epoch: int,
                        restored: bool) -> str:
    """Early stopping's end in words with no figure in it, so it holds in any units."""
    watched = {"val_loss": "validation loss", "loss": "training loss"}.get(
        monitor, label(monitor))
    sentence = (f"Stopped early: the {watched}, best at epoch {best_epoch}, did not "
                f"improve for {patience} epoch{'s' if patience != 1 else ''}")
    if restored:
        return (f"{sentence}; epoch {best_epoch}'s weights were put back and the tables "
                "show its figures.")
    return f"{sentence}."


def rmse(mse: float) -> float:
    return math.sqrt(mse) if math.isfinite(mse) and mse >= 0 else math.nan
