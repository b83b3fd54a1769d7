"""Branches: continue a run from a kept checkpoint (or the paused point) as a new run.

A branch restores the exact state (weights, optimizer and schedule state, every random
generator, the position inside the epoch, the callbacks' state) and may change what a
running trainer can take live (learning rate, the optimizer's own hyperparameters,
epochs) or the optimizer itself. A new optimizer starts with fresh state (no momentum,
no Adam moments: nothing of the old optimizer's state means anything to it); the
weights, the schedule's position and the shuffling go on exactly. A branch that changes
nothing continues bit for bit as its parent did (tests/core/test_branch.py).

Checkpoints are kept by CheckpointRecorder, a callback in the training thread: one
every N epochs, N chosen so a run's checkpoints stay small (see checkpoint_every).
"""
from __future__ import annotations

import dataclasses
from typing import Any

import numpy as np
import torch

from .. import catalog  # noqa: F401 - what SessionSpec.validate() checks against
from ..callbacks import Callback
from ..errors import SpecError
from ..sessioncheck import restore_state
from ..spec import SessionSpec
from .runs import Checkpoint, Run, RunError

# A session must stay small: each run keeps at most CHECKPOINTS_PER_RUN checkpoints
# taking at most CHECKPOINT_BYTES together (a spiral net's checkpoint is a few kB, the
# digits 64-64-10 net's with Adam about 60 kB, so both keep all 8; a net of 1M weights
# keeps one). N, the epochs between checkpoints, follows from the planned epochs.
CHECKPOINTS_PER_RUN = 8
CHECKPOINT_BYTES = 8 * 2**20
WEIGHT_COPIES = 4  # a checkpoint holds at most the weights, two Adam moments and
                   # early stopping's best weights: four copies of the weights


def nice_at_least(value: float) -> int:
    """The smallest 1, 2 or 5 times a power of ten at or above `value` (at least 1):
    checkpoints at round epochs (50, 100, ...) read better in a menu."""
    return next(c for c in _ROUND if c >= value)


_ROUND = [m * 10**e for e in range(16) for m in (1, 2, 5)]


def checkpoint_every(planned_epochs: int, weight_bytes: int) -> int:
    """Epochs between kept checkpoints, so a run keeps at most CHECKPOINTS_PER_RUN
    of them within CHECKPOINT_BYTES; 0 when even one would not fit."""
    per_checkpoint = max(1, WEIGHT_COPIES * weight_bytes)
    count = min(CHECKPOINTS_PER_RUN, CHECKPOINT_BYTES // per_checkpoint)
    if count < 1:
        return 0
    return nice_at_least(max(1, planned_epochs) / count)


def take_checkpoint(trainer: Any) -> Checkpoint:
    """The trainer's exact state now, without its history (the run holds that)."""
    state = trainer.state_dict()
    history = state["callbacks"].pop("history", None)
    rows = int(history["length"]) if history else 0
    changes = len(history["changes"]) if history else 0
    return Checkpoint(trainer.epoch, rows, state, trainer.spec, changes)


class CheckpointRecorder(Callback):
    """Keeps `run.checkpoints` as the run trains: one every N epochs (N from
    checkpoint_every; doubled, and the checkpoints in between dropped, when a run goes
    on past its plan). Runs in the training thread; the list is replaced whole, never
    edited in place, so the GUI thread can read it at any time. Not part of the
    trainer's saved state (state_dict() is empty)."""

    name = "run_checkpoints"

    def __init__(self, run: Run, every: int | None = None) -> None:
        self.run = run
        self.every = every

    def on_train_begin(self, trainer, event) -> None:
        if self.every is None:
            weights = sum(t.numel() * t.element_size() for t in trainer.model.state_dict().values())
            self.every = checkpoint_every(trainer.spec.train.epochs, weights)

    def on_epoch_end(self, trainer, event) -> None:
        if not self.every or trainer.epoch % self.every:
            return
        if any(c.epoch == trainer.epoch and c.batch == 0 for c in self.run.checkpoints):
            return
        kept = [*self.run.checkpoints, take_checkpoint(trainer)]
        # A branch's first checkpoint is its start (maybe a paused point): always kept.
        start = kept[0] if self.run.parent is not None else None
        while len(kept) > CHECKPOINTS_PER_RUN + (start is not None):
            self.every *= 2
            kept = [c for c in kept if c is start or (c.epoch % self.every == 0
                                                      and c.batch == 0)]
        self.run.checkpoints = kept


def start_checkpoint(spec: SessionSpec) -> Checkpoint:
    """The start of a run (epoch 0) is not stored: a new trainer of the same spec is
    exactly it (the seed decides the initial weights)."""
    return Checkpoint(0, 0, {}, spec, 0)


_LIVE_TRAIN = ("epochs", "validate_every", "threads")


def check_branch_spec(base: SessionSpec, spec: SessionSpec) -> None:
    """A branch continues the same network on the same data: only the optimizer (its
    kind, learning rate and hyperparameters) and the live training settings may differ."""
    same_train = dataclasses.replace(spec.train, **{k: getattr(base.train, k)
                                                    for k in _LIVE_TRAIN})
    for what, equal in (("the data", spec.data == base.data),
                        ("the network", spec.model == base.model),
                        ("the schedule", spec.schedule == base.schedule),
                        ("the training settings", same_train == base.train)):
        if not equal:
            raise RunError(f"A branch continues the same run: {what} cannot change (only the "
                           "optimizer, its learning rate and settings, and the epochs can).")


def history_state(run: Run, checkpoint: Checkpoint) -> dict[str, Any]:
    """History's state as it was at the checkpoint: the run's first rows and changes."""
    rows = checkpoint.rows
    return {"columns": {k: torch.from_numpy(np.ascontiguousarray(v[:rows], dtype=np.float64))
                        for k, v in run.columns.items()},
            "length": rows, "changes": [dict(c) for c in run.changes[:checkpoint.changes]]}


def branch_trainer(run: Run, checkpoint: Checkpoint, spec: SessionSpec | None = None, *,
                   data: Any = None, control: Any = None, interactive: bool = False) -> Any:
    """A Trainer at `checkpoint` of `run`, running `spec` (by default the checkpoint's
    own): the same state exactly, with the optimizer and live settings `spec` changes.
    Training it continues the run as a branch; its history holds the parent's stem."""
    from ..trainer import Trainer

    trainer = Trainer(start_spec(checkpoint, spec), data=data, control=control,
                      interactive=interactive)
    restore_branch(trainer, run, checkpoint, spec)
    return trainer


def start_spec(checkpoint: Checkpoint, spec: SessionSpec | None = None) -> SessionSpec:
    """The spec to build the branch's trainer with (restore_branch then restores it):
    the checkpoint's, with `spec`'s optimizer where that is another one. Checked."""
    base = checkpoint.spec
    spec = (spec or base).validate()
    check_branch_spec(base, spec)
    if spec.optimizer.name != base.optimizer.name:
        return dataclasses.replace(base, optimizer=spec.optimizer)
    return base


def restore_branch(trainer: Any, run: Run, checkpoint: Checkpoint,
                   spec: SessionSpec | None = None) -> None:
    """Put `trainer` (built from start_spec) at `checkpoint` of `run`, then apply what
    `spec` changes: a new optimizer (fresh state) and live settings."""
    base = checkpoint.spec
    spec = (spec or base).validate()
    new_optimizer = spec.optimizer.name != base.optimizer.name
    if checkpoint.state:  # epoch 0 is the fresh trainer itself
        state = dict(checkpoint.state)
        state["callbacks"] = {**state["callbacks"], "history": history_state(run, checkpoint)}
        if new_optimizer:  # fresh state: the old optimizer's moments mean nothing here
            state["optimizer"] = trainer.optimizer.state_dict()
            state["base_lr"] = spec.optimizer.lr
        restore_state(trainer, state, f"{run.name} at {checkpoint.label}")
    # The branch point, marked on the plots (History's changes become markers).
    trainer.history.changes.append({"epoch": trainer.epoch, "step": trainer.step,
                                    "branch of": run.name})
    if new_optimizer:
        trainer.history.changes.append({"epoch": trainer.epoch, "step": trainer.step,
                                        "optimizer": spec.optimizer.name})
        trainer.change_hyperparameters(lr=spec.optimizer.lr)  # the schedule's factor too
    changes = _live_changes(trainer.spec, spec)
    if changes:
        try:
            trainer.change_hyperparameters(**changes)
        except SpecError as exc:
            raise RunError(f"The branch cannot apply that change: {exc}") from None


def _live_changes(current: SessionSpec, spec: SessionSpec) -> dict[str, Any]:
    changes: dict[str, Any] = {}
    if spec.optimizer.lr != current.optimizer.lr:
        changes["lr"] = spec.optimizer.lr
    changes.update({k: v for k, v in spec.optimizer.params.items()
                    if current.optimizer.params.get(k) != v})
    for name in _LIVE_TRAIN:
        if getattr(spec.train, name) != getattr(current.train, name):
            changes[name] = getattr(spec.train, name)
    return changes
