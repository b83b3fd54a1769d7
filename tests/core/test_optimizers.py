"""Every optimizer must lower the loss on a convex problem and on spiral."""
import dataclasses

import pytest

from playground.core.optim import OPTIMIZERS, build_optimizer
from playground.core.spec import DataSpec, ModelSpec, SessionSpec, TrainSpec
from playground.core.trainer import Trainer

from .helpers import dense, tiny_spec, with_layers, with_optimizer

# Learning rates that suit each method on these small problems.
LRS = {"sgd": 0.3, "momentum": 0.05, "nesterov": 0.05, "adagrad": 0.1, "adadelta": 1.0,
       "rmsprop": 0.01, "adam": 0.01, "adamw": 0.01, "adamax": 0.02, "nadam": 0.01,
       "radam": 0.01, "lbfgs": 0.5}


def _train_loss_before_and_after(spec):
    trainer = Trainer(spec)
    before = trainer.evaluate("train")["loss"]
    trainer.fit()
    return before, trainer.evaluate("train")["loss"], trainer


def _full_batch_if_needed(spec, name):
    if OPTIMIZERS[name].full_batch_only:
        return dataclasses.replace(spec, train=dataclasses.replace(spec.train, batch_size=None))
    return spec


@pytest.mark.parametrize("name", sorted(OPTIMIZERS))
def test_lowers_the_loss_on_a_convex_problem(name):
    # Logistic regression on two Gaussian clouds: a convex loss in the weights.
    # 30 epochs: after 15, RAdam (its first steps rectified small) stood at 0.799 of
    # the loss, a hair under the 0.8 asked; after 30 the slowest (RAdam) is at 0.58.
    spec = SessionSpec(data=DataSpec("gauss", samples=200, noise=0.1),
                       model=ModelSpec((dense(None),)),
                       train=TrainSpec(batch_size=20, epochs=30, device="cpu"))
    spec = _full_batch_if_needed(with_optimizer(spec, name, LRS[name]), name)
    before, after, _ = _train_loss_before_and_after(spec)
    assert after < 0.8 * before, f"{name}: {before:.4f} -> {after:.4f}"


@pytest.mark.parametrize("name", sorted(OPTIMIZERS))
def test_lowers_the_loss_on_spiral_with_two_hidden_layers(name):
    # 60 epochs: after 30, plain SGD stood at 0.88 of the loss against the 0.9 asked, on
    # a non-convex surface where other CPUs' last bits grow; after 60 the slowest
    # (Adadelta) is at 0.69.
    spec = with_layers(tiny_spec(epochs=60, batch_size=10), dense(32, "relu"),
                       dense(32, "relu"), dense(None))
    spec = dataclasses.replace(spec, data=dataclasses.replace(spec.data, samples=200))
    spec = _full_batch_if_needed(with_optimizer(spec, name, LRS[name]), name)
    before, after, trainer = _train_loss_before_and_after(spec)
    assert after < 0.9 * before, f"{name}: {before:.4f} -> {after:.4f}"
    assert trainer.history.records[-1]["loss"] < trainer.history.records[0]["loss"]


@pytest.mark.parametrize("name", sorted(set(OPTIMIZERS) - {"lbfgs"}))
def test_uses_the_fastest_form_torch_offers(name):
    import torch

    params = [torch.nn.Parameter(torch.zeros(3))]
    optimizer = build_optimizer(name, 0.1, {}, 0.0, params)
    group = optimizer.param_groups[0]
    assert group.get("fused") or group.get("foreach"), name


def test_momentum_and_nesterov_are_what_they_say():
    import torch

    params = [torch.nn.Parameter(torch.zeros(3))]
    nesterov = build_optimizer("nesterov", 0.1, {"momentum": 0.8}, 0.0, params)
    assert nesterov.param_groups[0]["nesterov"] and nesterov.param_groups[0]["momentum"] == 0.8
    plain = build_optimizer("sgd", 0.1, {}, 0.0, params)
    assert plain.param_groups[0]["momentum"] == 0.0
