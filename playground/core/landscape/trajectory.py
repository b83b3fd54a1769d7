"""The run's path through weight space: its initial weights and a bounded number of
snapshots along the way, kept by a callback in the training thread and saved with the
trainer's state (so a session file carries them, and a branch inherits its stem).

Snapshots are taken every `every` epochs; when more than the budget allows are kept,
`every` doubles and the snapshots in between are dropped (as the run checkpoints are
thinned), so a run of any length keeps at most MAX_SNAPSHOTS of them, spread over it.
"""
from __future__ import annotations

from typing import Any

import torch

from ..callbacks import Callback, TrainerView

MAX_SNAPSHOTS = 32
SNAPSHOT_BYTES = 2**20  # all snapshots together; a checkpoint of the run copies them


def flat_weights(model: torch.nn.Module) -> torch.Tensor:
    """The model's trainable parameters as one float32 vector on the CPU, in
    named_parameters() order (the order every landscape function uses)."""
    return torch.cat([p.detach().reshape(-1).float().cpu() for p in model.parameters()])


def snapshot_capacity(parameters: int) -> int:
    """How many snapshots a run of this size keeps (0: its weights are too large)."""
    fits = SNAPSHOT_BYTES // max(1, 4 * parameters)
    return min(MAX_SNAPSHOTS, fits) if fits >= 2 else 0


class WeightTrajectory(Callback):
    """Keeps the initial weights (once, at the first update of a new run) and the
    weights at every `every`-th epoch's end, thinned to stay within the budget."""

    name = "trajectory"

    def __init__(self) -> None:
        self.initial: torch.Tensor | None = None
        self.epochs: list[int] = []
        self.snapshots: list[torch.Tensor] = []
        self.every = 1

    def on_train_begin(self, trainer: TrainerView, event: Any) -> None:
        if self.initial is None and trainer.step == 0:
            self.initial = flat_weights(trainer.model)

    def on_epoch_end(self, trainer: TrainerView, event: Any) -> None:
        epoch = event.epoch
        if epoch % self.every or (self.epochs and self.epochs[-1] >= epoch):
            return
        weights = flat_weights(trainer.model)
        capacity = snapshot_capacity(weights.numel())
        if not capacity:
            return
        self.epochs.append(epoch)
        self.snapshots.append(weights)
        while len(self.epochs) > capacity:
            self.every *= 2
            kept = [i for i, e in enumerate(self.epochs) if e % self.every == 0]
            self.epochs = [self.epochs[i] for i in kept]
            self.snapshots = [self.snapshots[i] for i in kept]

    def state_dict(self) -> dict[str, Any]:
        return {"initial": None if self.initial is None else self.initial.clone(),
                "epochs": list(self.epochs), "every": self.every,
                "snapshots": torch.stack(self.snapshots) if self.snapshots else None}

    def load_state_dict(self, state: dict[str, Any]) -> None:
        initial, snapshots = state.get("initial"), state.get("snapshots")
        self.initial = None if initial is None else initial.float().clone()
        self.epochs = [int(e) for e in state.get("epochs", [])]
        self.snapshots = [] if snapshots is None else list(snapshots.float().clone())
        self.every = max(1, int(state.get("every", 1)))
        if len(self.snapshots) != len(self.epochs):
            raise ValueError("the weight trajectory's epochs and snapshots differ in number")
