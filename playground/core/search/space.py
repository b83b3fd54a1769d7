"""The search-space language: `lr=1e-4..1:log,units=4..64,optimizer=sgd|adam`.

Each item is `name=low..high` (a range; `:log` samples it on a log scale, and a whole
number after a colon says how many points a grid search takes from it), `name=a|b|c`
(a choice) or `name=value` (fixed for every trial). The names are the hyperparameters a
learner tunes; `apply_params` maps one trial's values onto a SessionSpec, so a trial is
an ordinary spec and trains on the ordinary Trainer. Every mistake is one sentence.
"""
from __future__ import annotations

import math
import reprlib
from dataclasses import dataclass, replace
from typing import Any, Mapping

from .. import catalog  # noqa: F401 - what SessionSpec.validate() checks against
from ..errors import PlaygroundError, SpecError
from ..limits import quoted
from ..layers import ACTIVATIONS, INITS
from ..optim import OPTIMIZERS, optimizer_kind
from ..spec import LayerSpec, ModelSpec, SessionSpec

GRID_POINTS = 5  # points a grid search takes from a range when the item does not say
MAX_GRID = 10_000


class SpaceError(PlaygroundError, ValueError):
    """A search space that cannot be searched; the message names the item."""


@dataclass(frozen=True)
class Dimension:
    """One hyperparameter: a kind ('int' or 'float' range, 'choice'), its bounds or
    choices, whether a range is searched on a log scale, and its grid points."""

    name: str
    kind: str
    low: float = 0.0
    high: float = 0.0
    log: bool = False
    choices: tuple[Any, ...] = ()
    points: int = GRID_POINTS

    def grid(self) -> list[Any]:
        """The values a grid search tries."""
        if self.kind == "choice":
            return list(self.choices)
        if self.low == self.high or self.points == 1:
            return [self.low if self.kind == "float" else int(self.low)]
        if self.log:
            a, b = math.log(self.low), math.log(self.high)
            values = [math.exp(a + (b - a) * i / (self.points - 1)) for i in range(self.points)]
        else:
            values = [self.low + (self.high - self.low) * i / (self.points - 1)
                      for i in range(self.points)]
        values = [min(max(v, self.low), self.high) for v in values]  # exp(log) may overshoot
        if self.kind == "int":
            return sorted({int(round(v)) for v in values})
        return values

    def suggest(self, trial: Any) -> Any:
        """The trial's value, asked of an Optuna trial (its sampler decides)."""
        if self.kind == "choice":
            return trial.suggest_categorical(self.name, list(self.choices))
        if self.kind == "int":
            return trial.suggest_int(self.name, int(self.low), int(self.high), log=self.log)
        return trial.suggest_float(self.name, self.low, self.high, log=self.log)

    def describe(self) -> str:
        if self.kind == "choice":
            return f"{self.name}={'|'.join(str(c) for c in self.choices)}"
        low, high = (f"{v:g}" for v in (self.low, self.high))
        return f"{self.name}={low}..{high}" + (":log" if self.log else "")


# name -> (kind, allowed low, allowed high, choices); ranges are what the spec accepts.
_NUMERIC = {
    "lr": ("float", 1e-8, 100.0),
    "momentum": ("float", 0.0, 0.999),
    "dropout": ("float", 0.0, 0.95),
    "l2": ("float", 0.0, 10.0),
    "units": ("int", 1, 4096),
    "layers": ("int", 1, 16),
    "batch_size": ("int", 1, 1_000_000),
}
_CHOICES = {"optimizer": tuple(OPTIMIZERS), "activation": ACTIVATIONS, "init": INITS}
_ALIASES = {"batch": "batch_size", "learning_rate": "lr", "weight_decay": "l2",
            "hidden_layers": "layers", "optim": "optimizer"}
NAMES = (*_NUMERIC, *_CHOICES)


@dataclass(frozen=True)
class SearchSpace:
    dimensions: tuple[Dimension, ...]

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(d.name for d in self.dimensions)

    def grid(self) -> dict[str, list[Any]]:
        return {d.name: d.grid() for d in self.dimensions}

    def grid_size(self) -> int:
        return math.prod(len(values) for values in self.grid().values())

    def suggest(self, trial: Any, spec: SessionSpec) -> dict[str, Any]:
        """One trial's values. Momentum is asked only of a trial whose optimizer has a
        momentum term (a conditional parameter, as Optuna's define-by-run allows), so no
        trial carries a value that changes nothing."""
        values: dict[str, Any] = {}
        ordered = self.dimensions  # momentum after the optimizer, when that is searched
        if "optimizer" in self.names:
            ordered = sorted(ordered, key=lambda d: d.name == "momentum")
        for dimension in ordered:
            if dimension.name == "momentum" and not has_momentum(
                    values.get("optimizer", spec.optimizer.name)):
                continue
            values[dimension.name] = dimension.suggest(trial)
        return {d.name: values[d.name] for d in self.dimensions if d.name in values}

    def check_fits(self, spec: SessionSpec) -> None:
        """Refuse, in one sentence, a space that cannot work on `spec`: momentum for
        optimizers that have none, hidden-layer values for a network without them, and
        bounds that make a spec the trainer refuses (tried at each range's ends)."""
        by_name = {d.name: d for d in self.dimensions}
        if "momentum" in by_name:
            optimizers = by_name["optimizer"].choices if "optimizer" in by_name else \
                (spec.optimizer.name,)
            if not any(has_momentum(name) for name in optimizers):
                label = optimizer_kind(optimizers[0]).label
                raise SpaceError(f"momentum: {label} has no momentum term; search the "
                                 "optimizer as well, or leave momentum out.")
        for end, words in ((0, "first"), (-1, "last")):
            try:
                apply_params(spec, self.suggest(_Ends(self, end), spec))
            except SpecError as exc:
                raise SpaceError(f"With each range's {words} value the search would train "
                                 f"a spec that cannot work: {exc}") from None

    def text(self) -> str:
        return ",".join(d.describe() for d in self.dimensions)


class _Ends:
    """A stand-in for an Optuna trial that answers each range's first or last value
    (and a choice's first or last), to try a space on a spec before any trial."""

    def __init__(self, space: SearchSpace, end: int) -> None:
        self.grids, self.end = space.grid(), end

    def suggest_float(self, name: str, *args: Any, **kwargs: Any) -> float:
        return self.grids[name][self.end]

    suggest_int = suggest_categorical = suggest_float


def parse_space(text: str) -> SearchSpace:
    """Read the space language; SpaceError names the first item that cannot work."""
    if not isinstance(text, str) or not text.strip():
        raise SpaceError("The search space is empty; give items such as "
                         "lr=1e-4..1:log,units=4..64,optimizer=sgd|adam.")
    dimensions: list[Dimension] = []
    for item in (part.strip() for part in text.split(",")):
        if not item:
            continue
        dimension = _parse_item(item)
        if dimension.name in {d.name for d in dimensions}:
            raise SpaceError(f"{dimension.name} is given twice in the search space; give "
                             "each hyperparameter once.")
        dimensions.append(dimension)
    if not dimensions:
        raise SpaceError(f"The search space {quoted(text)} holds no item; give items such "
                         "as lr=1e-4..1:log,units=4..64.")
    return SearchSpace(tuple(dimensions))


def check_grid(space: SearchSpace) -> None:
    """A grid search tries every point: refuse one too large to hold (only the grid
    sampler; TPE and random search draw from the ranges, whatever their grid)."""
    if space.grid_size() > MAX_GRID:
        raise SpaceError(f"The grid of this space has {space.grid_size():,} points, more "
                         f"than the {MAX_GRID:,} a grid search can hold; give fewer grid "
                         "points (lr=1e-4..1:log:4) or fewer choices.")


def _parse_item(item: str) -> Dimension:
    name, sep, value = (part.strip() for part in item.partition("="))
    shown = reprlib.repr(item)
    if not sep or not name or not value:
        raise SpaceError(f"{shown} is not of the form name=low..high, name=a|b or "
                         "name=value.")
    name = _ALIASES.get(name.lower(), name.lower())
    if name not in NAMES:
        raise SpaceError(f"{reprlib.repr(name)} is not a hyperparameter the search knows; "
                         f"choose from {', '.join(NAMES)}.")
    if name in _CHOICES:
        return _parse_choice(name, value, item)
    return _parse_range(name, value, item)


def _parse_choice(name: str, value: str, item: str) -> Dimension:
    if ".." in value:
        raise SpaceError(f"{name} is a choice, not a range: list its values as "
                         f"{name}={'|'.join(_CHOICES[name][:2])}.")
    choices = tuple(c.strip().lower() for c in value.split("|"))
    for choice in choices:
        if choice not in _CHOICES[name]:
            raise SpaceError(f"{reprlib.repr(choice)} is not a {name} in "
                             f"{reprlib.repr(item)}; choose from {', '.join(_CHOICES[name])}.")
    if len(set(choices)) != len(choices):
        raise SpaceError(f"{name} lists a value twice in {reprlib.repr(item)}.")
    return Dimension(name, "choice", choices=choices)


def _parse_range(name: str, value: str, item: str) -> Dimension:
    kind, allowed_low, allowed_high = _NUMERIC[name]
    body, *modifiers = (part.strip() for part in value.split(":"))
    if "|" in body:
        numbers = [_number(name, part, kind, item) for part in body.split("|")]
        for number in numbers:
            _check_bounds(name, number, allowed_low, allowed_high)
        return Dimension(name, "choice", choices=tuple(numbers))
    if "..." in body:  # 'a...b' would read as a..(.b): another range than meant
        raise SpaceError(f"{quoted(item)}: write a range with two dots, such as "
                         f"{name}=1..10.")
    low_text, dots, high_text = body.partition("..")
    low = _number(name, low_text, kind, item)
    high = _number(name, high_text, kind, item) if dots else low
    _check_bounds(name, low, allowed_low, allowed_high)
    _check_bounds(name, high, allowed_low, allowed_high)
    if high < low:
        raise SpaceError(f"{name}: the range {low:g}..{high:g} runs backwards; write the "
                         "lower bound first.")
    log, points = False, GRID_POINTS
    for modifier in modifiers:
        if modifier.lower() == "log":
            log = True
        elif modifier.isdigit() and 1 <= int(modifier) <= 1000:
            points = int(modifier)
        else:
            raise SpaceError(f"{reprlib.repr(modifier)} after {name} is not understood; "
                             "add :log for a log scale or a number of grid points, "
                             "such as :log:5.")
    if log and low <= 0:
        raise SpaceError(f"{name}: a log scale needs a lower bound above 0, not {low:g}.")
    return Dimension(name, kind, low, high, log, points=points)


def _number(name: str, text: str, kind: str, item: str) -> float:
    try:
        number = float(text)
    except ValueError:
        raise SpaceError(f"{reprlib.repr(text.strip())} in {reprlib.repr(item)} is not a "
                         "number.") from None
    if not math.isfinite(number):
        raise SpaceError(f"{name}: {quoted(text.strip())} is not a finite number.")
    if kind == "int" and not number.is_integer():
        raise SpaceError(f"{name} takes whole numbers, not {number:g}.")
    return int(number) if kind == "int" else number


def _check_bounds(name: str, value: float, low: float, high: float) -> None:
    if not low <= value <= high:
        raise SpaceError(f"{name}: {value:g} is out of range; allowed {low:g} to {high:g}.")


# ------------------------------------------------------------- onto a spec

def apply_params(spec: SessionSpec, params: Mapping[str, Any]) -> SessionSpec:
    """The spec one trial trains: `spec` with the trial's values applied. The network's
    shape changes first (layers), then what its hidden layers hold (units, activation,
    init, dropout), then the optimizer and the training settings. Raises SpecError
    (through validate) when the combination cannot train."""
    params = dict(params)
    model = spec.model
    if "layers" in params:
        model = _with_depth(model, int(params["layers"]))
    hidden = {key: params[key] for key in ("units", "activation", "init") if key in params}
    if hidden:
        model = _with_hidden(model, hidden)
    if "dropout" in params:
        model = _with_dropout(model, float(params["dropout"]))
    optimizer = spec.optimizer
    if "optimizer" in params and params["optimizer"] != optimizer.name:
        name = params["optimizer"]  # another optimizer's own settings do not carry over
        optimizer = replace(optimizer, name=name, params={},
                            lr=optimizer_kind(name).default_lr)
    if "lr" in params:
        optimizer = replace(optimizer, lr=float(params["lr"]))
    if "momentum" in params:
        optimizer = _with_momentum(optimizer, float(params["momentum"]))
    train = spec.train
    if "l2" in params:
        train = replace(train, l2=float(params["l2"]))
    if "batch_size" in params:
        train = replace(train, batch_size=int(params["batch_size"]))
    if optimizer_kind(optimizer.name).full_batch_only:
        train = replace(train, batch_size=None)  # L-BFGS trains on the full batch only
    return replace(spec, model=model, optimizer=optimizer, train=train).validate()


def _hidden_indices(model: ModelSpec) -> list[int]:
    """The dense layers before the output layer (the last dense layer)."""
    dense = [i for i, layer in enumerate(model.layers) if layer.kind == "dense"]
    if len(dense) < 1 or model.layers[-1].kind != "dense":
        raise SpaceError("The search tunes dense networks: the model must end in a dense "
                         "output layer.")
    return dense[:-1]


def _with_depth(model: ModelSpec, depth: int) -> ModelSpec:
    """`depth` hidden dense layers like the first one (each with the dropout that
    follows it, if any), then the output layer."""
    if any(layer.kind not in ("dense", "dropout") for layer in model.layers):
        raise SpaceError("layers can only be searched for a network of dense (and "
                         "dropout) layers; this model has other kinds.")
    hidden = _hidden_indices(model)
    template = (model.layers[hidden[0]] if hidden else
                LayerSpec("dense", {"units": 16, "activation": "relu"}))
    block = [template]
    if hidden and hidden[0] + 1 < len(model.layers) and \
            model.layers[hidden[0] + 1].kind == "dropout":
        block.append(model.layers[hidden[0] + 1])
    return ModelSpec(tuple(block * depth) + (model.layers[-1],))


def _with_hidden(model: ModelSpec, values: dict[str, Any]) -> ModelSpec:
    hidden = set(_hidden_indices(model))
    if not hidden:
        raise SpaceError(f"{next(iter(values))} applies to hidden layers, and the model has "
                         "none; search layers as well or add a hidden layer.")
    layers = [LayerSpec(layer.kind, {**layer.params, **values}) if i in hidden else layer
              for i, layer in enumerate(model.layers)]
    return ModelSpec(tuple(layers))


def _with_dropout(model: ModelSpec, rate: float) -> ModelSpec:
    """Dropout of `rate` after every hidden dense layer (none at 0)."""
    hidden = set(_hidden_indices(model))
    if not hidden:  # it would silently change nothing
        raise SpaceError("dropout applies after hidden layers, and the model has none; "
                         "search layers as well or add a hidden layer.")
    layers: list[LayerSpec] = []
    for i, layer in enumerate(model.layers):
        if layer.kind == "dropout":
            continue
        layers.append(layer)
        if i in hidden and rate > 0:
            layers.append(LayerSpec("dropout", {"rate": rate}))
    return ModelSpec(tuple(layers))


def has_momentum(name: str) -> bool:
    """Whether the optimizer has a term the momentum value sets (see _with_momentum)."""
    return name == "sgd" or bool({p.name for p in optimizer_kind(name).params}
                                 & {"momentum", "beta1"})


def _with_momentum(optimizer: Any, momentum: float) -> Any:
    """Momentum sets whatever plays the momentum role in the optimizer: plain gradient
    descent becomes SGD with momentum, the Adam family's beta1."""
    name = optimizer.name
    if name == "sgd":
        return replace(optimizer, name="momentum", params={"momentum": momentum}) \
            if momentum > 0 else optimizer
    names = {p.name for p in optimizer_kind(name).params}
    for key in ("momentum", "beta1"):
        if key in names:
            return replace(optimizer, params={**optimizer.params, key: momentum})
    raise SpaceError(f"momentum: {optimizer_kind(name).label} has no momentum term.")
