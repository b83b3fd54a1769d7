"""A health finding: what is wrong with a run, why, and the spec change that fixes it."""
from __future__ import annotations

from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, Mapping

CHECK_NAMES = ("divergence", "exploding_gradients", "vanishing_gradients", "dead_units",
               "symmetry", "stalled", "overfitting", "lr_too_high")

# Causes before their effects: a run that holds several findings is explained by the
# first of them (NaN ends everything; identical units make gradients vanish and the loss
# flat; too-large steps saturate and kill units; a flat loss is the last resort).
CAUSE_ORDER = ("divergence", "symmetry", "exploding_gradients", "lr_too_high",
               "dead_units", "vanishing_gradients", "overfitting", "stalled")


@dataclass(frozen=True)
class Finding:
    """`fix` maps dotted spec paths to new values, the form of the GUI's session edits
    ({"optimizer.lr": 0.001, "model": ModelSpec(...)}); `fix_label` says it in words.
    `rank` is the finding's place in the run's diagnosis when it was made (1: the root
    cause); `detail` is the clause a cause quotes when it folds this finding in as one
    of its symptoms ("gradients vanish in layer 1 Dense")."""

    check: str          # one of CHECK_NAMES
    epoch: int
    message: str        # one sentence: what is happening
    reason: str         # one more: why, in terms of gradient descent
    fix: Mapping[str, Any] = field(default_factory=dict)
    fix_label: str = ""
    rank: int = 1
    detail: str = ""

    def __post_init__(self) -> None:
        object.__setattr__(self, "fix", MappingProxyType(dict(self.fix)))

    @property
    def priority(self) -> int:
        """Its place in CAUSE_ORDER: the lower, the nearer the root of a run's trouble."""
        return CAUSE_ORDER.index(self.check) if self.check in CAUSE_ORDER else len(CAUSE_ORDER)

    def to_record(self) -> dict[str, Any]:
        """The JSON record the CLI's --jsonl stream prints; `fix` holds plain JSON values
        (a ModelSpec as its spec-file dict)."""
        from ..spec import to_plain

        return {"event": "health", "check": self.check, "epoch": self.epoch,
                "message": self.message, "reason": self.reason, "rank": self.rank,
                "fix": {path: to_plain(value) for path, value in self.fix.items()}}
