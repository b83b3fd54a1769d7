"""Ready experiments: `playground spec --example NAME` and the app's starting points."""
from __future__ import annotations

from dataclasses import replace
from typing import Callable

from .spec import (DataSpec, EarlyStoppingSpec, LayerSpec, ModelSpec, OptimizerSpec, SessionSpec, TrainSpec)


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


def _two_hidden(units: int, activation: str, init: str = "xavier_uniform") -> ModelSpec:
    return ModelSpec((_dense(units, activation, init), _dense(units, activation, init),
                      _dense(None)))


# A sensible starting experiment per data set: what the data panel switches to.
_DEFAULTS: dict[str, Callable[[], tuple[ModelSpec, OptimizerSpec, TrainSpec]]] = {
    "two_d": lambda: (_two_hidden(8, "tanh"), OptimizerSpec("adam", 0.01),
                      TrainSpec(batch_size=10, epochs=100)),
    "spiral": lambda: (_two_hidden(8, "tanh"), OptimizerSpec("adam", 0.01),
                       TrainSpec(batch_size=10, epochs=300)),
    "blobs": lambda: (ModelSpec((_dense(8, "tanh"), _dense(None, "softmax"))),
                      OptimizerSpec("adam", 0.01), TrainSpec(batch_size=10, epochs=50)),
    "spirals": lambda: (_two_hidden(32, "relu", "he_uniform"), OptimizerSpec("adam", 0.01),
                        TrainSpec(batch_size=10, epochs=200)),
    "plane": lambda: (ModelSpec((_dense(None),)), OptimizerSpec("sgd", 0.05),
                      TrainSpec(batch_size=10, epochs=30)),
    "regression_2d": lambda: (_two_hidden(16, "tanh"), OptimizerSpec("adam", 0.01),
                              TrainSpec(batch_size=10, epochs=200)),
    "tabular": lambda: (ModelSpec((_dense(16, "relu", "he_uniform"), _dense(None))),
                        OptimizerSpec("adam", 0.01),
                        TrainSpec(batch_size=16, epochs=200,
                                  early_stopping=EarlyStoppingSpec(True, patience=15))),
    "digits": lambda: (ModelSpec((_dense(64, "relu", "he_uniform"), _dense(None, "softmax"))),
                       OptimizerSpec("adam", 0.003), TrainSpec(batch_size=32, epochs=40)),
    "images": lambda: (ModelSpec((_dense(256, "relu", "he_uniform"),
                                  _dense(128, "relu", "he_uniform"),
                                  _dense(64, "relu", "he_uniform"), _dense(None, "softmax"))),
                       OptimizerSpec("adam", 0.001), TrainSpec(batch_size=128, epochs=10)),
}
_DEFAULT_OF = {"circle": "two_d", "xor": "two_d", "gauss": "two_d", "moons": "two_d",
               "spiral": "spiral", "drawn": "spiral", "blobs": "blobs", "spirals": "spirals",
               "plane": "plane",
               "multi_gauss": "regression_2d", "sine": "regression_2d", "digits": "digits",
               "mnist": "images", "fashion_mnist": "images"}


def for_dataset(data: DataSpec) -> SessionSpec:
    """A sensible default experiment for the data set `data` names."""
    model, optimizer, train = _DEFAULTS[_DEFAULT_OF.get(data.name, "tabular")]()
    return SessionSpec(data=data, model=model, optimizer=optimizer, train=train)


def carry_over(spec: SessionSpec, data: DataSpec, old_task: str, new_task: str) -> SessionSpec:
    """The user's experiment moved to the data set `data`: the optimizer, schedule and
    training settings stay, the hidden layers stay, and the output layer adapts (its
    width is inferred, its activation is the one the data set's example uses). The loss
    and the metrics go back to the task's defaults when the task changes. Whether the
    hidden layers fit the new data's shape is for the caller to check (see
    model.check_model); `for_dataset(data)` is the fallback."""
    suggested = for_dataset(data)
    layers = list(spec.model.layers)
    outputs = [i for i, layer in enumerate(layers) if layer.kind == "dense"]
    if not outputs:
        model = suggested.model
    else:
        out = outputs[-1]
        params = {**layers[out].params, "units": None,
                  "activation": suggested.model.layers[-1].params.get("activation", "linear")}
        layers[out] = LayerSpec("dense", params)
        model = ModelSpec(tuple(layers))
    train = spec.train
    if old_task != new_task or "auto" in (old_task, new_task):
        train = replace(train, loss=suggested.train.loss, metrics=())
    if train.early_stopping.enabled and data.split[1] == 0:
        train = replace(train, early_stopping=replace(train.early_stopping, enabled=False))
    return replace(spec, data=data, model=model, train=train)
