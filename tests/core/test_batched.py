"""The stacked trainer against the Trainer: each stacked run matches the same run
trained alone (core.experiments.batched)."""
from __future__ import annotations

import dataclasses
import math

import pytest
import torch

from playground.core.data import prepare
from playground.core.experiments.batched import BatchedTrainer, refusal
from playground.core.spec import (DataSpec, EarlyStoppingSpec, LayerSpec, ModelSpec,
                                  OptimizerSpec, ScheduleSpec, SessionSpec, TrainSpec)
from playground.core.trainer import Trainer

from .helpers import dense

RTOL = 1e-5


def base(epochs=50, **train) -> SessionSpec:
    return SessionSpec(
        data=DataSpec("spiral", samples=150, noise=0.05),
        model=ModelSpec((dense(8, "tanh"), dense(8, "tanh"), dense(None))),
        optimizer=OptimizerSpec("adam", 0.01),
        train=TrainSpec(**{"batch_size": 25, "epochs": epochs, "device": "cpu", **train}))


def runs(spec, *changes):
    """Variants of spec: each change a dict of optimizer=..., seed=..., l2=..."""
    out = []
    for change in changes:
        s = spec
        if "optimizer" in change:
            s = dataclasses.replace(s, optimizer=change["optimizer"])
        train = {k: v for k, v in change.items() if k in ("seed", "l2")}
        out.append(dataclasses.replace(s, train=dataclasses.replace(s.train, **train)))
    return out


def alone(spec, data):
    trainer = Trainer(spec, data=data)
    finished = trainer.fit()
    return trainer.history.records, finished


def assert_matches(stacked_records, stacked_finished, spec, data):
    records, finished = alone(spec, data)
    assert len(stacked_records) == len(records)
    assert stacked_finished.reason == finished.reason
    for mine, theirs in zip(stacked_records, records):
        for key, value in theirs.items():
            if key in ("seconds", "samples_per_s", "grad_noise_scale", "update_cosine"):
                continue  # timing; the noise figures the stacked trainer does not measure
            assert math.isclose(mine[key], value, rel_tol=RTOL, abs_tol=1e-7), \
                (key, mine["epoch"], mine[key], value)
    for key, value in finished.test.items():
        assert math.isclose(stacked_finished.test[key], value, rel_tol=RTOL, abs_tol=1e-7)


def check(specs):
    data = prepare(specs[0].data)
    trainer = BatchedTrainer(specs, data=data)
    finished = trainer.fit()
    for spec, history, end in zip(specs, trainer.histories, finished):
        assert_matches(history.records, end, spec, data)
    return trainer


OPTIMIZER_RUNS = {
    "sgd": [OptimizerSpec("sgd", 0.3), OptimizerSpec("sgd", 0.05)],
    "momentum": [OptimizerSpec("momentum", 0.05, {"momentum": 0.9}),
                 OptimizerSpec("momentum", 0.1, {"momentum": 0.5})],
    "nesterov": [OptimizerSpec("nesterov", 0.05), OptimizerSpec("nesterov", 0.02)],
    "adam": [OptimizerSpec("adam", 0.01), OptimizerSpec("adam", 0.003, {"amsgrad": True})],
    "adamw": [OptimizerSpec("adamw", 0.01), OptimizerSpec("adamw", 0.003, {"beta1": 0.8})],
    "rmsprop": [OptimizerSpec("rmsprop", 0.003),
                OptimizerSpec("rmsprop", 0.001, {"momentum": 0.5, "centered": True})],
    "adagrad": [OptimizerSpec("adagrad", 0.05), OptimizerSpec("adagrad", 0.1, {"lr_decay": 0.01})],
}


@pytest.mark.parametrize("name", sorted(OPTIMIZER_RUNS))
def test_each_family_matches_runs_trained_alone_over_50_epochs(name):
    first, second = OPTIMIZER_RUNS[name]
    check(runs(base(), {"optimizer": first}, {"optimizer": second, "seed": 3, "l2": 0.01}))


def test_mixed_families_seeds_and_a_schedule_in_one_stack():
    spec = dataclasses.replace(base(30), schedule=ScheduleSpec("cosine"))
    check(runs(spec, {"optimizer": OptimizerSpec("sgd", 0.2)},
               {"optimizer": OptimizerSpec("adam", 0.01), "seed": 1},
               {"optimizer": OptimizerSpec("momentum", 0.05), "seed": 2},
               {"optimizer": OptimizerSpec("adam", 0.02), "seed": 1, "l2": 0.001}))


def test_multiclass_full_batch_and_relu():
    spec = SessionSpec(
        data=DataSpec("blobs", samples=120, classes=3),
        model=ModelSpec((dense(6, "relu", "he_normal"), dense(None))),
        optimizer=OptimizerSpec("sgd", 0.5),
        train=TrainSpec(batch_size=None, epochs=40, device="cpu"))
    check(runs(spec, {}, {"optimizer": OptimizerSpec("adam", 0.05), "seed": 5}))


def test_a_diverging_run_stops_alone_and_the_others_go_on():
    specs = runs(base(20), {"optimizer": OptimizerSpec("sgd", 0.1)},
                 {"optimizer": OptimizerSpec("sgd", 100.0)})
    data = prepare(specs[0].data)
    trainer = BatchedTrainer(specs, data=data)
    calm, wild = trainer.fit()
    assert wild.reason == "diverged" and trainer.histories[1].length < 20
    assert_matches(trainer.histories[0].records, calm, specs[0], data)  # unharmed


def test_the_stacked_module_holds_the_runs_weights():
    specs = runs(base(3), {}, {"seed": 4})
    data = prepare(specs[0].data)
    trainer = BatchedTrainer(specs, data=data)
    trainer.fit()
    solo = Trainer(specs[1], data=data)
    solo.fit()
    for mine, theirs in zip(trainer.module(1).parameters(), solo.model.parameters()):
        torch.testing.assert_close(mine, theirs, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("change, words", [
    ({"model": ModelSpec((dense(8, "tanh"), LayerSpec("dropout", {"rate": 0.2}),
                          dense(None)))}, "dropout"),
    ({"optimizer": OptimizerSpec("radam", 0.01)}, "radam"),
    ({"train": TrainSpec(early_stopping=EarlyStoppingSpec(enabled=True))}, "early stopping"),
])
def test_what_cannot_stack_is_named(change, words):
    assert words in refusal(dataclasses.replace(base(), **change))
    assert refusal(base()) is None


def test_regression_with_its_metrics_and_different_seeds():
    spec = SessionSpec(
        data=DataSpec("plane", samples=120, noise=0.1),
        model=ModelSpec((dense(6, "tanh"), dense(None))),
        optimizer=OptimizerSpec("sgd", 0.05),
        train=TrainSpec(batch_size=16, epochs=30, device="cpu"))
    check(runs(spec, {}, {"optimizer": OptimizerSpec("rmsprop", 0.01), "seed": 2}))


def test_multiclass_hinge_loss_with_different_seeds():
    spec = SessionSpec(
        data=DataSpec("blobs", samples=90, classes=3),
        model=ModelSpec((dense(5, "elu"), dense(None))),
        optimizer=OptimizerSpec("adam", 0.01),
        train=TrainSpec(loss="hinge", batch_size=20, epochs=20, device="cpu"))
    check(runs(spec, {"seed": 1}, {"seed": 2}))
