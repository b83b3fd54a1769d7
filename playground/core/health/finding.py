"""A health finding: what is wrong with a run, why, and the spec change that fixes it."""
from __future__ import annotations

from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, Mapping

CHECK_NAMES = ("divergence", "exploding_gradients", "vanishing_gradients", "dead_units",
               "symmetry", "stalled", "overfitting")


@dataclass(frozen=True)
class Finding:
    """`fix` maps dotted spec paths to new values, the form of the GUI's session edits
    ({"optimizer.lr": 0.001, "model": ModelSpec(...)}); `fix_label` says it in words."""

    check: str          # one of CHECK_NAMES
    epoch: int
    message: str        # one sentence: what is happening
    reason: str         # one more: why, in terms of gradient descent
    fix: Mapping[str, Any] = field(default_factory=dict)
    fix_label: str = ""

    def __post_init__(self) -> None:
        object.__setattr__(self, "fix", MappingProxyType(dict(self.fix)))

    def to_record(self) -> dict[str, Any]:
        """The JSON record the CLI's --jsonl stream prints."""
        return {"event": "health", "check": self.check, "epoch": self.epoch,
                "message": self.message}
