"""What a trial reports each epoch and how its training ended, the same whether it
trained alone on the Trainer or as one row of a stacked model (batch.py), and what it
leaves when it is told (TrialResult)."""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Sequence

Outcome = tuple[str, "float | None", int, tuple[float, ...]]  # state, value, epochs, curve


@dataclass(frozen=True)
class TrialResult:
    """What one finished trial left: plain values, safe to send between threads."""

    number: int
    state: str                       # complete, pruned, fail
    value: float | None
    params: dict[str, Any]
    epochs: int
    curve: tuple[float, ...] = ()    # the monitored loss, epoch by epoch
    seconds: float = 0.0


def report_epoch(trial: Any, listener: Any, curve: list[float], epoch: int,
                 logs: dict[str, float], has_val: bool) -> bool:
    """Report the monitored loss of one epoch (validation loss, or the training loss
    where there is no validation split); True when the pruner gives the trial up."""
    if has_val and "val_loss" not in logs:
        return False  # an epoch that skipped validation has nothing to report
    value = float(logs["val_loss"] if has_val else logs["loss"])
    curve.append(value)
    listener.epoch_ended(trial.number, epoch, value)
    if not math.isfinite(value):
        return False  # the divergence guard ends the run
    trial.report(value, epoch)
    return bool(trial.should_prune())


def outcome_of(trial: Any, curve: Sequence[float], pruned: bool, reason: str | None,
               epochs: int, message: str) -> Outcome:
    """The trial's state and value from how its training ended: pruned, stopped (tried
    again on resume), failed (no finite loss: it diverged at once) or complete with
    its best monitored loss."""
    curve = tuple(curve)
    if pruned:
        return "pruned", None, epochs, curve
    if reason == "stopped":
        return "stopped", None, epochs, curve
    finite = [v for v in curve if math.isfinite(v)]
    if not finite:  # diverged before its first epoch ended: nothing to compare
        trial.set_user_attr("error", message or "no finite loss")
        return "fail", None, epochs, curve
    return "complete", min(finite), epochs, curve
