"""Crafted runs for the health diagnosis: faults, each with the first finding and the
direction its fix moves the learning rate, and healthy runs that must raise nothing.
Shared by tests/core/test_health_matrix.py (3 seeds) and tests/bench/bench_health.py
(more seeds, with the summary figures).

Every setting is far from its check's thresholds on every seed we tried: an lr too high
is 100-300x the usual one, a stalled run's 1/1000 of it, and so on.
"""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Callable

import torch

from playground.core.health import Finding, HealthMonitor
from playground.core.spec import (DataSpec, LayerSpec, ModelSpec, OptimizerSpec,
                                  SessionSpec, TrainSpec)
from playground.core.trainer import Trainer

from .helpers import dense, tiny_spec, with_layers, with_optimizer


def _on(spec: SessionSpec, data: str, **params) -> SessionSpec:
    return dataclasses.replace(spec, data=DataSpec(data, samples=120, **params))


def _big_weights(linears) -> None:
    for m in linears:
        m.weight.mul_(4.0)


def _dead_biases(linears) -> None:
    for m in linears:
        m.bias.fill_(-5.0)


@dataclass(frozen=True)
class Fault:
    name: str
    spec: SessionSpec
    first: str                  # the check expected first (rank 1, earliest)
    lr: str                     # how its fix moves the lr: "down", "up" or "same"
    prepare: Callable | None = None   # done to the built Linear layers before training


TWELVE = tiny_spec(epochs=12)
ZEROS = (dense(8, "tanh", "zeros"), dense(8, "tanh", "zeros"), dense(None, "linear", "zeros"))
OVERFIT = SessionSpec(
    data=DataSpec("moons", samples=60, noise=0.5, split=(0.5, 0.5, 0.0)),
    model=ModelSpec((dense(128, "relu"), dense(128, "relu"), dense(None, "sigmoid"))),
    optimizer=OptimizerSpec("adam", 0.01),
    train=TrainSpec(batch_size=60, epochs=80, device="cpu"))

FAULTS = (
    Fault("lr too high, SGD", _on(with_optimizer(TWELVE, "sgd", 5.0), "circle", noise=0.1),
          "lr_too_high", "down"),
    Fault("lr too high, momentum",
          _on(with_optimizer(TWELVE, "momentum", 1.0), "moons", noise=0.1),
          "lr_too_high", "down"),
    Fault("lr too high, Adam", with_optimizer(TWELVE, "adam", 1.0), "lr_too_high", "down"),
    Fault("lr too high, RMSprop",
          _on(with_optimizer(TWELVE, "rmsprop", 0.3), "moons", noise=0.1),
          "lr_too_high", "down"),
    Fault("diverging, SGD lr 100", with_optimizer(TWELVE, "sgd", 100.0), "divergence", "down"),
    Fault("lr too low, Adam", with_optimizer(TWELVE, "adam", 1e-6), "stalled", "up"),
    Fault("lr too low, SGD", _on(with_optimizer(TWELVE, "sgd", 1e-5), "moons", noise=0.1),
          "stalled", "up"),
    Fault("zeros initialisation", with_layers(TWELVE, *ZEROS), "symmetry", "same"),
    Fault("deep sigmoid", with_layers(TWELVE, *[dense(8, "sigmoid") for _ in range(10)],
                                      dense(None)), "vanishing_gradients", "same"),
    Fault("dead ReLU", _on(with_layers(TWELVE, dense(8, "relu"), dense(8, "relu"),
                                       dense(None)), "circle", noise=0.05),
          "dead_units", "same", _dead_biases),
    Fault("exploding", with_optimizer(with_layers(tiny_spec(epochs=6), *[dense(16)] * 6,
                                                  dense(None)), "sgd", 1e-6),
          "exploding_gradients", "down", _big_weights),
    Fault("overfitting", OVERFIT, "overfitting", "same"),
)

THIRTY = tiny_spec(epochs=30)
BATCHNORM = LayerSpec("batchnorm", {})


def _dropout(rate: float) -> LayerSpec:
    return LayerSpec("dropout", {"rate": rate})


HEALTHY = tuple(
    (f"{data} {optimizer} {lr:g}", _on(with_optimizer(THIRTY, optimizer, lr), data,
                                        noise=0.05 if data != "moons" else 0.1))
    for data in ("spiral", "moons", "circle", "sine")
    for optimizer, lr in (("sgd", 0.1), ("momentum", 0.05), ("adam", 0.01), ("rmsprop", 0.01))
) + (
    # Noisy training losses that are no lr's fault: dropout (measured with the units
    # dropped, against an untrained loss measured without) and batch normalisation.
    ("moons, ReLU, dropout 0.5", _on(with_layers(THIRTY, dense(32, "relu"), _dropout(0.5),
                                                 dense(32, "relu"), _dropout(0.5),
                                                 dense(None)), "moons", noise=0.1)),
    ("spiral, tanh, dropout 0.7", with_layers(THIRTY, dense(32, "tanh"), _dropout(0.7),
                                              dense(32, "tanh"), _dropout(0.7), dense(None))),
    ("moons, batch norm", _on(with_layers(THIRTY, dense(32, "relu"), BATCHNORM,
                                          dense(32, "relu"), BATCHNORM, dense(None)),
                              "moons", noise=0.1)),
)


def seeded(spec: SessionSpec, seed: int) -> SessionSpec:
    return dataclasses.replace(spec, train=dataclasses.replace(spec.train, seed=seed))


def run(spec: SessionSpec, prepare=None) -> tuple[Trainer, list[Finding]]:
    found: list[Finding] = []
    trainer = Trainer(spec, callbacks=[HealthMonitor(found.append)])
    if prepare is not None:
        with torch.no_grad():
            prepare([m for m in trainer.model if isinstance(m, torch.nn.Linear)])
    trainer.fit()
    return trainer, found


def fixed(spec: SessionSpec, finding: Finding) -> SessionSpec:
    """The spec with the finding's fix applied as the window's session model applies
    it (section or section.field -> value), validated."""
    result = spec
    for path, value in finding.fix.items():
        head, _, name = path.partition(".")
        part = dataclasses.replace(getattr(result, head), **{name: value}) if name else value
        result = dataclasses.replace(result, **{head: part})
    return result.validate()


def lr_direction(spec: SessionSpec, finding: Finding) -> str:
    before, after = spec.optimizer.lr, fixed(spec, finding).optimizer.lr
    return "down" if after < before else "up" if after > before else "same"
