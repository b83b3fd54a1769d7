"""SpecGate: may an edit replace the spec while a run has trained?

The session model asks it before every edit lands. A trained run takes the learning
rate, the optimizer's hyperparameters, the number of epochs, how often to validate and
the number of threads live (sent to the trainer through the controller); any other
change starts over with new weights, if the user agrees.
Reads: the controller's trainer and busy flag. Changes: the trainer's hyperparameters
(live changes), or the run, forgotten through the window's `forget_run` callable.
"""
from __future__ import annotations

import dataclasses
from typing import Callable

from PySide6.QtWidgets import QMessageBox, QWidget

from ..core.errors import PlaygroundError
from ..core.optim import OPTIMIZERS
from ..core.schema import coerce_params
from ..core.spec import SessionSpec


class SpecGate:
    def __init__(self, parent: QWidget, controller, forget_run: Callable[[], None],
                 warn: Callable[[str, str], None]) -> None:
        self.parent, self.controller = parent, controller
        self.forget_run, self.warn = forget_run, warn

    def __call__(self, old: SessionSpec, new: SessionSpec, what: str) -> bool:
        # A run being launched has no trainer yet but takes changes all the same.
        if self.controller.trainer is None and not self.controller.busy:
            return True
        if only_live_changes(old, new):
            return self.change_live(old, new)
        if not self.confirm_reset(what):
            return False
        self.forget_run()
        return True

    def change_live(self, old: SessionSpec, new: SessionSpec) -> bool:
        """Send what changed to the trainer; False (and a warning) if it refuses."""
        changes = {}
        if new.optimizer.lr != old.optimizer.lr:
            changes["lr"] = new.optimizer.lr
        kind = OPTIMIZERS[new.optimizer.name]
        before = coerce_params(kind.params, old.optimizer.params, "optimizer")
        after = coerce_params(kind.params, new.optimizer.params, "optimizer")
        changes.update({k: v for k, v in after.items() if before.get(k) != v})
        for name in ("epochs", "validate_every", "threads"):
            if getattr(new.train, name) != getattr(old.train, name):
                changes[name] = getattr(new.train, name)
        try:
            if changes:
                self.controller.set_hyperparameters(**changes)
        except PlaygroundError as exc:
            self.warn("That value cannot be used", str(exc))
            return False
        return True

    def confirm_reset(self, what: str) -> bool:
        """Ask whether `what` (an edit's name) may start the trained run over."""
        trainer = self.controller.trainer
        epochs, steps = (trainer.epoch, trainer.step) if trainer else (0, 0)
        trained = count(epochs, "epoch") if epochs else count(steps, "update")
        answer = QMessageBox.question(
            self.parent, "Start over?",
            f"The network has trained for {trained}. {change_subject(what)} starts over "
            "with new weights. Reset and apply the change?",
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
            QMessageBox.StandardButton.No)
        return answer == QMessageBox.StandardButton.Yes


def count(number: int, noun: str) -> str:
    return f"{number:,} {noun}{'' if number == 1 else 's'}"


def change_subject(what: str) -> str:
    """The subject of "... starts over": an edit named by what it does stays as it is
    ("adding a Dense layer", "undoing the loss"); one named by what it changes is a
    change of that ("the loss" -> "Changing the loss")."""
    phrase = what if what.split(" ", 1)[0].endswith("ing") else f"changing {what}"
    return phrase[:1].upper() + phrase[1:]


def only_live_changes(old: SessionSpec, new: SessionSpec) -> bool:
    """True if only what a running trainer can take changed: the learning rate, the
    optimizer's own hyperparameters, the number of epochs, how often to validate and the
    number of threads."""
    same_optimizer = new.optimizer.name == old.optimizer.name
    return (same_optimizer and new.data == old.data and new.model == old.model
            and new.schedule == old.schedule
            and dataclasses.replace(new.train, epochs=old.train.epochs,
                                    validate_every=old.train.validate_every,
                                    threads=old.train.threads) == old.train)
