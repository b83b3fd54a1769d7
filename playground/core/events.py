"""Immutable event payloads the trainer hands to its callbacks.

They carry plain Python values only (never tensors), so the GUI's worker can pass them
straight through Qt signals and the CLI can print them as JSON.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, Mapping

REASONS = ("completed", "stopped", "max_steps", "early_stopping", "converged",
           "diverged", "failed")


def _frozen(value: Mapping[str, Any] | None) -> Mapping[str, Any]:
    return MappingProxyType(dict(value or {}))


@dataclass(frozen=True)
class TrainBegan:
    epoch: int
    step: int
    epochs: int
    steps_per_epoch: int
    device: str
    threads: int


@dataclass(frozen=True)
class EpochEnded:
    """One epoch's record: `logs` holds epoch, step, loss, metrics, val_ twins, lr,
    seconds and samples_per_s; the norms are per layer, taken at the epoch's last update."""

    logs: Mapping[str, float]
    grad_norms: Mapping[str, float] = field(default_factory=dict)
    weight_norms: Mapping[str, float] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for name in ("logs", "grad_norms", "weight_norms"):
            object.__setattr__(self, name, _frozen(getattr(self, name)))

    @property
    def epoch(self) -> int:
        return int(self.logs["epoch"])

    def to_record(self) -> dict[str, Any]:
        """The flat JSON record the CLI's --jsonl prints."""
        return {"event": "epoch", **self.logs, "grad_norm": dict(self.grad_norms),
                "weight_norm": dict(self.weight_norms)}


@dataclass(frozen=True)
class Paused:
    epoch: int  # epochs completed
    step: int
    batch: int  # position inside the current epoch


@dataclass(frozen=True)
class Resumed:
    epoch: int
    step: int


@dataclass(frozen=True)
class BatchStepped:
    """A single update made on request while paused ("step one batch")."""

    epoch: int
    step: int
    batch: int
    loss: float


@dataclass(frozen=True)
class HyperparametersChanged:
    epoch: int
    step: int
    changes: Mapping[str, Any]

    def __post_init__(self) -> None:
        object.__setattr__(self, "changes", _frozen(self.changes))


@dataclass(frozen=True)
class Finished:
    reason: str        # one of REASONS
    message: str       # a sentence for people; empty when there is nothing to add
    epoch: int
    step: int
    test: Mapping[str, float] = field(default_factory=dict)

    def __post_init__(self) -> None:
        object.__setattr__(self, "test", _frozen(self.test))

    def to_record(self) -> dict[str, Any]:
        return {"event": "finished", "reason": self.reason, "message": self.message,
                "epoch": self.epoch, "step": self.step, **self.test}
