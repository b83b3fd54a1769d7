"""What a sweep may vary: each variable parses its values from text and applies one
value to a spec. The order here is the order they apply in (the optimizer before its
learning rate and momentum), whatever order a user names them in."""
from __future__ import annotations

import math
from dataclasses import dataclass, replace
from typing import Any, Callable

from ..errors import SpecError
from ..layers import ACTIVATIONS, INITS
from ..limits import quoted
from ..optim import OPTIMIZERS, optimizer_kind
from ..spec import SCALINGS, LayerSpec, SessionSpec


@dataclass(frozen=True)
class Variable:
    name: str
    label: str
    help: str
    parse: Callable[[str], Any]
    apply: Callable[[SessionSpec, Any], SessionSpec]
    choices: tuple[str, ...] = ()  # the values a choice variable allows
    example: str = ""              # values to offer first, as text


def _number(name: str, low: float, high: float, whole: bool = False) -> Callable[[str], Any]:
    def parse(text: str) -> Any:
        try:
            value = float(text)
        except ValueError:
            raise SpecError(f"{name}: {quoted(text)} is not a number.") from None
        if whole and not value.is_integer():
            raise SpecError(f"{name}: {quoted(text)} is not a whole number.")
        if not (math.isfinite(value) and low <= value <= high):
            raise SpecError(f"{name}: {quoted(text)[1:-1]} is out of range; allowed {low:g} "
                            f"to {high:g}.")
        return int(value) if whole else value
    return parse


def _choice(name: str, allowed: tuple[str, ...]) -> Callable[[str], str]:
    def parse(text: str) -> str:
        value = text.strip().lower()
        if value not in allowed:
            raise SpecError(f"{name}: {quoted(text)} is not allowed; choose one of "
                            f"{', '.join(allowed)}.")
        return value
    return parse


def _batch(text: str) -> int | None:
    if text.strip().lower() == "full":
        return None
    return _number("batch_size", 1, 10_000_000, whole=True)(text)


def with_optimizer(spec: SessionSpec, name: str, keep_lr: bool = False) -> SessionSpec:
    """Another optimizer at its own default learning rate (as `playground train
    --optimizer` does), or at the spec's rate with keep_lr."""
    if name == spec.optimizer.name:
        return spec
    lr = spec.optimizer.lr if keep_lr else optimizer_kind(name).default_lr
    return replace(spec, optimizer=replace(spec.optimizer, name=name, lr=lr, params={}))


def with_momentum(spec: SessionSpec, value: float) -> SessionSpec:
    """Set whatever plays the momentum role: SGD becomes SGD + momentum, the Adam
    family's beta1."""
    optimizer = spec.optimizer
    if optimizer.name == "sgd":
        if value == 0:
            return spec
        optimizer = replace(optimizer, name="momentum", params={"momentum": value})
        return replace(spec, optimizer=optimizer)
    names = {p.name for p in optimizer_kind(optimizer.name).params}
    key = "momentum" if "momentum" in names else "beta1" if "beta1" in names else None
    if key is None:
        raise SpecError(f"momentum: {optimizer_kind(optimizer.name).label} has no momentum "
                        "term; sweep momentum with sgd, momentum, nesterov, rmsprop or the "
                        "Adam family.")
    return replace(spec, optimizer=replace(optimizer, params={**optimizer.params,
                                                              key: value}))


def _dense_indices(spec: SessionSpec) -> list[int]:
    return [i for i, layer in enumerate(spec.model.layers) if layer.kind == "dense"]


def _set_layers(spec: SessionSpec, changes: dict[int, dict[str, Any]]) -> SessionSpec:
    layers = tuple(replace(layer, params={**layer.params, **changes[i]}) if i in changes
                   else layer for i, layer in enumerate(spec.model.layers))
    return replace(spec, model=replace(spec.model, layers=layers))


def with_init(spec: SessionSpec, scheme: str) -> SessionSpec:
    """Every Dense layer starts by the scheme."""
    return _set_layers(spec, {i: {"init": scheme} for i in _dense_indices(spec)})


def with_activation(spec: SessionSpec, name: str) -> SessionSpec:
    """Every hidden Dense layer (all but the output layer) uses the activation."""
    return _set_layers(spec, {i: {"activation": name} for i in _dense_indices(spec)[:-1]})


def with_dropout(spec: SessionSpec, rate: float) -> SessionSpec:
    """Set every Dropout layer's rate; a network without one gets one after each hidden
    Dense layer (none for a rate of 0)."""
    layers = spec.model.layers
    if any(layer.kind == "dropout" for layer in layers):
        return _set_layers(spec, {i: {"rate": rate} for i, layer in enumerate(layers)
                                  if layer.kind == "dropout"})
    if rate == 0:
        return spec
    hidden = set(_dense_indices(spec)[:-1])
    new: list[LayerSpec] = []
    for i, layer in enumerate(layers):
        new.append(layer)
        if i in hidden:
            new.append(LayerSpec("dropout", {"rate": rate}))
    return replace(spec, model=replace(spec.model, layers=tuple(new)))


def with_batchnorm(spec: SessionSpec, on: str) -> SessionSpec:
    """"on": a BatchNorm layer after each hidden Dense layer (where there is none yet);
    "off": every BatchNorm layer removed."""
    layers = [layer for layer in spec.model.layers if layer.kind != "batchnorm"]
    if on == "on":
        hidden = set(i for i, layer in enumerate(layers) if layer.kind == "dense")
        hidden.discard(max(hidden, default=-1))  # not after the output layer
        layers = [new for i, layer in enumerate(layers)
                  for new in ((layer, LayerSpec("batchnorm", {})) if i in hidden
                              else (layer,))]
    return replace(spec, model=replace(spec.model, layers=tuple(layers)))


def _train(field: str) -> Callable[[SessionSpec, Any], SessionSpec]:
    return lambda spec, value: replace(spec, train=replace(spec.train, **{field: value}))


VARIABLES: dict[str, Variable] = {v.name: v for v in (
    Variable("optimizer", "Optimizer", "The update rule; each at its own default learning "
             "rate unless the learning rate is fixed or swept too.",
             _choice("optimizer", tuple(OPTIMIZERS)), with_optimizer,
             tuple(OPTIMIZERS), "sgd,momentum,rmsprop,adam"),
    Variable("lr", "Learning rate", "The step size of every update.",
             _number("lr", 1e-8, 100.0),
             lambda spec, v: replace(spec, optimizer=replace(spec.optimizer, lr=v)),
             example="0.001,0.01,0.1,1"),
    Variable("momentum", "Momentum", "Fraction of the last update carried into the next "
             "(beta1 for the Adam family).", _number("momentum", 0.0, 0.9999), with_momentum,
             example="0,0.5,0.9,0.99"),
    Variable("batch_size", "Batch size", "Samples per update: 1 is stochastic, 'full' is "
             "full-batch gradient descent.", _batch,
             lambda spec, v: replace(spec, train=replace(spec.train, batch_size=v)),
             example="1,10,32,full"),
    Variable("init", "Initialisation", "How every Dense layer's weights start.",
             _choice("init", INITS), with_init, INITS, "zeros,normal,xavier_uniform,he_normal"),
    Variable("activation", "Activation", "The non-linearity of every hidden Dense layer.",
             _choice("activation", tuple(a for a in ACTIVATIONS if a != "softmax")),
             with_activation, tuple(a for a in ACTIVATIONS if a != "softmax"),
             "relu,tanh,sigmoid,leaky_relu"),
    Variable("scaling", "Scaling", "How the features are scaled (fitted on the training "
             "rows).", _choice("scaling", SCALINGS),
             lambda spec, v: replace(spec, data=replace(spec.data, scaling=v)), SCALINGS,
             "none,standard,minmax,robust,normalize"),
    Variable("l2", "L2", "Weight decay: the penalty on large weights.",
             _number("l2", 0.0, 10.0), _train("l2"), example="0,0.0001,0.001,0.01"),
    Variable("l1", "L1", "The penalty on the weights' absolute values: it pushes weights "
             "to exactly zero.", _number("l1", 0.0, 10.0), _train("l1"),
             example="0,0.0001,0.001,0.01"),
    Variable("batchnorm", "Batch norm", "off: as the network is; on: a BatchNorm layer "
             "after each hidden Dense layer.", _choice("batchnorm", ("off", "on")),
             with_batchnorm, ("off", "on"), "off,on"),
    Variable("dropout", "Dropout", "The fraction of hidden activations dropped in "
             "training.", _number("dropout", 0.0, 0.95), with_dropout, example="0,0.2,0.5"),
    Variable("seed", "Seed", "The seed of initialisation, shuffling and dropout.",
             _number("seed", 0, 2**63 - 1, whole=True), _train("seed"), example="0,1,2,3"),
)}


def variable(name: str) -> Variable:
    try:
        return VARIABLES[name.strip().lower()]
    except KeyError:
        raise SpecError(f"{quoted(name)} cannot be swept; choose from "
                        f"{', '.join(VARIABLES)}.") from None


def show(value: Any) -> str:
    """A value as a short label: 0.01, adam, full."""
    if value is None:
        return "full"
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)
