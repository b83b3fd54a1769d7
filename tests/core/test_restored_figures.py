"""Early stopping that puts back an earlier epoch's weights says which epoch, and its
logs are that epoch's figures (what the window's tables show after a restore)."""
from __future__ import annotations

import dataclasses
import math

import pytest

from playground.core.callbacks import restored_figures
from playground.core.spec import EarlyStoppingSpec
from playground.core.trainer import Trainer

from .helpers import tiny_spec, with_optimizer


def _stopping(restore: bool, epochs: int = 300):
    spec = tiny_spec(epochs=epochs)
    spec = dataclasses.replace(spec, train=dataclasses.replace(
        spec.train, early_stopping=EarlyStoppingSpec(True, "val_loss", 5, 0.0, restore)))
    return with_optimizer(spec, "adam", 0.05)


def _same(a: dict, b: dict) -> bool:
    """Equal figures, a NaN equal to a NaN (the gradient noise has none on some epochs)."""
    return a.keys() == b.keys() and all(
        a[k] == b[k] or (math.isnan(a[k]) and math.isnan(b[k])) for k in a)


def test_the_restored_epoch_and_its_logs_are_known_until_training_moves_on():
    trainer = Trainer(_stopping(True))
    assert trainer.fit().reason == "early_stopping"
    epoch, logs = restored_figures(trainer)
    records = trainer.history.records
    best = min(records, key=lambda r: r["val_loss"])
    assert epoch == best["epoch"] < trainer.epoch and _same(logs, best)
    assert trainer.evaluate("val")["val_loss"] == pytest.approx(logs["val_loss"], rel=1e-5)
    trainer.change_hyperparameters(epochs=trainer.epoch + 1)
    trainer.fit()  # one more epoch from the restored weights: they are not epoch's any more
    assert restored_figures(trainer) is None


def test_without_a_restore_there_is_nothing_to_show_instead():
    trainer = Trainer(_stopping(False))
    assert trainer.fit().reason == "early_stopping"
    assert restored_figures(trainer) is None
    assert restored_figures(Trainer(tiny_spec(epochs=2))) is None
