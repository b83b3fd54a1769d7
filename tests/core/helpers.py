"""Small seeded experiments shared by the core tests."""
from __future__ import annotations

import dataclasses

from playground.core.spec import (DataSpec, LayerSpec, ModelSpec, OptimizerSpec,
                                  ScheduleSpec, SessionSpec, TrainSpec)


def dense(units, activation="linear", init="default"):
    return LayerSpec("dense", {"units": units, "activation": activation, "init": init})


def tiny_spec(**train) -> SessionSpec:
    """Spiral, 120 points, two tanh layers: trains in milliseconds."""
    return SessionSpec(
        data=DataSpec("spiral", samples=120, noise=0.05),
        model=ModelSpec((dense(8, "tanh"), dense(8, "tanh"), dense(None))),
        optimizer=OptimizerSpec("adam", 0.01),
        train=TrainSpec(**{"batch_size": 16, "epochs": 5, "device": "cpu", **train}),
    )


def with_optimizer(spec: SessionSpec, name: str, lr: float, **params) -> SessionSpec:
    return dataclasses.replace(spec, optimizer=OptimizerSpec(name, lr, params))


def with_schedule(spec: SessionSpec, name: str, warmup: float = 0.0, **params) -> SessionSpec:
    return dataclasses.replace(spec, schedule=ScheduleSpec(name, params, warmup))


def with_layers(spec: SessionSpec, *layers: LayerSpec) -> SessionSpec:
    return dataclasses.replace(spec, model=ModelSpec(tuple(layers)))


class PicklePayload:
    """Unpickling this would create a marker file: proof that code ran."""

    def __init__(self, marker):
        self.marker = marker

    def __reduce__(self):
        return (open, (self.marker, "w"))
