"""Ready experiments: `playground spec --example NAME` and the app's starting points."""
from __future__ import annotations

from typing import Callable

from .spec import (DataSpec, LayerSpec, ModelSpec, OptimizerSpec, SessionSpec, TrainSpec)


def _dense(units: int | None, activation: str = "linear", init: str = "default") -> LayerSpec:
    return LayerSpec("dense", {"units": units, "activation": activation, "init": init})


def spiral() -> SessionSpec:
    return SessionSpec(
        data=DataSpec("spiral", samples=500, noise=0.05),
        model=ModelSpec((_dense(16, "tanh", "xavier_uniform"),
                         _dense(16, "tanh", "xavier_uniform"), _dense(None))),
        optimizer=OptimizerSpec("adam", 0.01),
        train=TrainSpec(batch_size=10, epochs=300),
    )


def xor() -> SessionSpec:
    return SessionSpec(
        data=DataSpec("xor", samples=400, noise=0.0),
        model=ModelSpec((_dense(8, "tanh"), _dense(None, "sigmoid"))),
        optimizer=OptimizerSpec("adam", 0.03), train=TrainSpec(batch_size=10, epochs=100))


def breast_cancer() -> SessionSpec:
    """The classic first network: 8 inputs -> 32 ReLU -> 1 sigmoid, Adam, batch 10."""
    return SessionSpec(
        data=DataSpec("breast_cancer", features=tuple(range(8))),
        model=ModelSpec((_dense(32, "relu"), _dense(1, "sigmoid"))),
        optimizer=OptimizerSpec("adam", 0.01),
        train=TrainSpec(loss="bce", batch_size=10, epochs=100),
    )


def iris() -> SessionSpec:
    return SessionSpec(
        data=DataSpec("iris"),
        model=ModelSpec((_dense(16, "relu", "he_uniform"), _dense(None, "softmax"))),
        optimizer=OptimizerSpec("adam", 0.01), train=TrainSpec(batch_size=16, epochs=150))


def digits_mlp() -> SessionSpec:
    return SessionSpec(
        data=DataSpec("digits"),
        model=ModelSpec((_dense(64, "relu", "he_uniform"), _dense(None, "softmax"))),
        optimizer=OptimizerSpec("adam", 0.001), train=TrainSpec(batch_size=32, epochs=50))


def digits_deep() -> SessionSpec:
    """The 784-256-128-64-10 shape of the MNIST tutorials, on the 8x8 digits."""
    return SessionSpec(
        data=DataSpec("digits"),
        model=ModelSpec((_dense(256, "relu", "he_uniform"), _dense(128, "relu", "he_uniform"),
                         _dense(64, "relu", "he_uniform"), _dense(None, "softmax"))),
        optimizer=OptimizerSpec("momentum", 0.05), train=TrainSpec(batch_size=128, epochs=60))


def digits_cnn() -> SessionSpec:
    return SessionSpec(
        data=DataSpec("digits"),
        model=ModelSpec((
            LayerSpec("conv2d", {"filters": 8, "kernel": 3, "activation": "relu"}),
            LayerSpec("maxpool2d", {"kernel": 2}),
            LayerSpec("conv2d", {"filters": 16, "kernel": 3, "activation": "relu"}),
            LayerSpec("maxpool2d", {"kernel": 2}),
            LayerSpec("flatten"),
            _dense(32, "relu"), _dense(None, "softmax"),
        )),
        optimizer=OptimizerSpec("adam", 0.003), train=TrainSpec(batch_size=32, epochs=30))


def diabetes() -> SessionSpec:
    return SessionSpec(
        data=DataSpec("diabetes"),
        model=ModelSpec((_dense(32, "relu"), _dense(None))),
        optimizer=OptimizerSpec("adam", 0.01),
        train=TrainSpec(loss="mse", batch_size=16, epochs=200))


EXAMPLES: dict[str, Callable[[], SessionSpec]] = {
    "spiral": spiral, "xor": xor, "breast_cancer": breast_cancer, "iris": iris,
    "digits_mlp": digits_mlp, "digits_deep": digits_deep, "digits_cnn": digits_cnn,
    "diabetes": diabetes,
}
