"""A run stopped mid-epoch, saved, loaded and continued ends bit-identical."""
import dataclasses

import pytest

from playground.core.session import load_run, save_run, weights_sha256
from playground.core.spec import LayerSpec
from playground.core.trainer import Trainer

from .helpers import dense, tiny_spec, with_layers, with_optimizer, with_schedule


def momentum_with_step_schedule():
    spec = with_optimizer(tiny_spec(epochs=6), "momentum", 0.05, momentum=0.9)
    return with_schedule(spec, "step", step_size=2, gamma=0.5)


def adam_with_dropout():
    return with_layers(tiny_spec(epochs=6), dense(16, "relu"), LayerSpec("dropout", {"rate": 0.3}),
                       dense(16, "relu"), dense(None))


def adam_dropout_batchnorm_onecycle_warmup():
    spec = with_layers(tiny_spec(epochs=6), dense(16), LayerSpec("batchnorm"), LayerSpec("relu"),
                       LayerSpec("dropout", {"rate": 0.2}), dense(None))
    return with_schedule(spec, "onecycle", warmup=1)


def plateau_with_early_stopping_and_l1():
    spec = with_schedule(tiny_spec(epochs=6, l1=1e-3, clip_norm=1.0), "plateau", patience=0)
    return dataclasses.replace(spec, train=dataclasses.replace(
        spec.train, early_stopping=dataclasses.replace(spec.train.early_stopping,
                                                       enabled=True, patience=50)))


def lbfgs_full_batch():
    return with_optimizer(tiny_spec(epochs=4, batch_size=None), "lbfgs", 0.5)


CASES = [momentum_with_step_schedule, adam_with_dropout,
         adam_dropout_batchnorm_onecycle_warmup, plateau_with_early_stopping_and_l1,
         lbfgs_full_batch]


@pytest.mark.parametrize("make_spec", CASES, ids=[c.__name__ for c in CASES])
def test_resumed_run_matches_uninterrupted_run(tmp_path, make_spec):
    spec = make_spec()
    straight = Trainer(spec)
    straight.fit()

    stop_at = straight.steps_per_epoch * 2 + 1 if straight.steps_per_epoch > 1 else 2
    first = Trainer(dataclasses.replace(spec, train=dataclasses.replace(
        spec.train, max_steps=stop_at)))
    first.fit()
    path = tmp_path / "run.pgrun"
    save_run(path, first.spec, first.state_dict())
    _scramble_global_rngs()

    saved_spec, state, _ = load_run(path)
    second = Trainer(dataclasses.replace(saved_spec, train=dataclasses.replace(
        saved_spec.train, max_steps=0)))
    second.load_state_dict(state)
    second.fit()

    assert weights_sha256(second.model.state_dict()) == weights_sha256(
        straight.model.state_dict())
    assert second.history.records[-1]["loss"] == straight.history.records[-1]["loss"]
    assert len(second.history.records) == len(straight.history.records)


def _scramble_global_rngs():
    import random

    import numpy as np
    import torch

    torch.manual_seed(12345)
    np.random.seed(54321)
    random.seed(999)
