"""The experiment spec: frozen dataclasses that describe a whole run.

The spec is the single source of truth: the GUI renders it and emits changed copies
(`dataclasses.replace`), the CLI builds it from flags, the session file stores it.
`validate()` names the field, the bad value and the allowed range; `to_dict`/`from_dict`
round-trip through JSON with a format version, and unknown keys are an error.
The spec imports nothing above it: the data sets, layers, optimizers and sizes that
validate() checks against reach it through core.catalog, which a module that validates
a spec imports (tests/test_architecture.py checks that each one does).
"""
from __future__ import annotations

import collections.abc
import dataclasses
import functools
import json
import math
import reprlib
import typing
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, Callable, Collection, Mapping

from . import limits
from .errors import SpecError
from .schema import coerce_params

SPEC_FORMAT = "gradient-playground-spec"
SPEC_VERSION = 2

SCALINGS = ("none", "standard", "minmax", "robust", "normalize")
TASKS = ("auto", "binary", "multiclass", "regression")
MISSING = ("fail", "drop")
LOSSES = ("auto", "mse", "mae", "huber", "bce", "cce", "hinge")
CLASSIFICATION_METRICS = ("accuracy", "precision", "recall", "f1")
REGRESSION_METRICS = ("mae", "mse", "r2")
DEVICES = ("auto", "cpu", "cuda")
MONITORS = ("val_loss", "loss")


def _frozen_map(value: Mapping[str, Any] | None = None) -> Mapping[str, Any]:
    return MappingProxyType(dict(value or {}))


@dataclass(frozen=True)
class DataSpec:
    name: str = "spiral"
    samples: int = 500          # synthetic sets only
    noise: float = 0.1          # synthetic sets only, 0..0.5
    classes: int = 3            # blobs and spirals only, 2..8
    inputs: tuple[str, ...] = ()    # engineered inputs of 2-D sets (x1, x1x2, ...); () = x1, x2
    features: tuple[int, ...] = ()  # columns to keep, () = all
    split: tuple[float, float, float] = (0.7, 0.15, 0.15)
    scaling: str = "standard"
    scale_target: bool = True   # regression: standardise the target on the training rows
    seed: int = 0               # data generation and split
    path: str = ""              # name "file": a CSV, NPZ or IDX file
    target: str = ""            # CSV: the target column (name or number; "" = the last);
                                # IDX: the labels file
    task: str = "auto"          # files: auto, binary, multiclass or regression
    missing: str = "fail"       # files: "fail" on a missing value, or "drop" its row
    # drawn only: (x1, x2, class 0..7, or the value with task "regression") per point
    points: tuple[tuple[float, float, float], ...] = ()


DRAWN = "drawn"    # the data set whose points are in the spec (core.data.drawn)
DRAWN_CLASSES = 8
MAX_COORDINATE = 1e6


@dataclass(frozen=True)
class LayerSpec:
    kind: str
    params: Mapping[str, Any] = field(default_factory=_frozen_map)

    def __post_init__(self) -> None:
        object.__setattr__(self, "params", _frozen_map(self.params))


@dataclass(frozen=True)
class ModelSpec:
    layers: tuple[LayerSpec, ...] = (
        LayerSpec("dense", {"units": 16, "activation": "tanh"}),
        LayerSpec("dense", {"units": 16, "activation": "tanh"}),
        LayerSpec("dense", {"units": None, "activation": "linear"}),
    )


@dataclass(frozen=True)
class OptimizerSpec:
    name: str = "adam"
    lr: float = 0.01
    params: Mapping[str, Any] = field(default_factory=_frozen_map)

    def __post_init__(self) -> None:
        object.__setattr__(self, "params", _frozen_map(self.params))


@dataclass(frozen=True)
class ScheduleSpec:
    name: str = "constant"
    params: Mapping[str, Any] = field(default_factory=_frozen_map)
    warmup_epochs: float = 0.0

    def __post_init__(self) -> None:
        object.__setattr__(self, "params", _frozen_map(self.params))


@dataclass(frozen=True)
class EarlyStoppingSpec:
    enabled: bool = False
    monitor: str = "val_loss"
    patience: int = 10
    min_delta: float = 0.0
    restore_best: bool = True


@dataclass(frozen=True)
class TrainSpec:
    loss: str = "auto"
    metrics: tuple[str, ...] = ()   # () = the task's standard metrics
    batch_size: int | None = 32     # None = full batch; 1 = stochastic
    epochs: int = 200
    max_steps: int = 0              # 0 = no limit on updates
    l1: float = 0.0
    l2: float = 0.0
    clip_norm: float = 0.0          # 0 = off
    clip_value: float = 0.0         # 0 = off
    early_stopping: EarlyStoppingSpec = EarlyStoppingSpec()
    convergence_tol: float = 0.0    # 0 = off
    convergence_patience: int = 5
    checkpoint_every: int = 0       # 0 = off
    validate_every: int = 1         # evaluate the validation split every N epochs
    seed: int = 0                   # initialisation, shuffling, dropout
    device: str = "auto"
    threads: int = 0                # 0 = choose automatically


@dataclass(frozen=True)
class SessionSpec:
    data: DataSpec = DataSpec()
    model: ModelSpec = ModelSpec()
    optimizer: OptimizerSpec = OptimizerSpec()
    schedule: ScheduleSpec = ScheduleSpec()
    train: TrainSpec = TrainSpec()

    def to_dict(self) -> dict[str, Any]:
        body = _to_plain(self)
        if not body["data"]["points"]:  # a spec with no drawing reads as it always did
            del body["data"]["points"]
        return {"format": SPEC_FORMAT, "version": SPEC_VERSION, **body}

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), indent=2)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> "SessionSpec":
        if not isinstance(data, Mapping):
            raise SpecError("The spec must be a JSON object.")
        data = dict(data)
        fmt = data.pop("format", SPEC_FORMAT)
        if fmt != SPEC_FORMAT:
            raise SpecError(f"This is not a Gradient Playground spec (format "
                            f"{reprlib.repr(fmt)}).")
        version = data.pop("version", SPEC_VERSION)
        data = migrate(data, version)
        return _from_plain(cls, data, "spec")

    @classmethod
    def from_json(cls, text: str) -> "SessionSpec":
        try:
            data = limits.loads(text, limits.MAX_SPEC_BYTES)
        except limits.LimitError as exc:
            raise SpecError(f"The spec was refused: {exc}.") from None
        except json.JSONDecodeError as exc:
            raise SpecError(f"The spec is not valid JSON: {exc.msg} at line {exc.lineno}."
                            ) from None
        except ValueError:
            raise SpecError("The spec is not readable text (it must be UTF-8 JSON).") from None
        return cls.from_dict(data)

    def validate(self) -> "SessionSpec":
        validate(self)
        return self


def _v1_to_v2(data: dict[str, Any]) -> dict[str, Any]:
    """Version 2 added data fields (classes, inputs, path, target, task, missing,
    scale_target), all with defaults. Version 1 regression targets were not scaled."""
    data = dict(data)
    part = data.get("data", {})
    if not isinstance(part, Mapping):
        raise SpecError(f"spec.data: expected an object, got {reprlib.repr(part)}.")
    data["data"] = {**part, "scale_target": False}
    return data


# Each entry turns a spec dict of version N into version N + 1.
MIGRATIONS: dict[int, typing.Callable[[dict[str, Any]], dict[str, Any]]] = {1: _v1_to_v2}


def migrate(data: dict[str, Any], version: Any) -> dict[str, Any]:
    if not isinstance(version, int) or version < 1:
        raise SpecError(f"The spec has an invalid format version {reprlib.repr(version)}.")
    if version > SPEC_VERSION:
        raise SpecError(
            f"This spec was written by a newer Gradient Playground (spec version "
            f"{version}; this version reads up to {SPEC_VERSION}): please update."
        )
    while version < SPEC_VERSION:
        data = MIGRATIONS[version](data)
        version += 1
    return data


def _to_plain(value: Any) -> Any:
    if dataclasses.is_dataclass(value):
        return {f.name: _to_plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, Mapping):
        return {key: _to_plain(item) for key, item in value.items()}
    if isinstance(value, tuple):
        return [_to_plain(item) for item in value]
    return value


to_plain = _to_plain  # public: a spec part as JSON values (the health fixes' records)


@functools.lru_cache(maxsize=None)
def _hints(cls: type) -> dict[str, Any]:
    return typing.get_type_hints(cls)  # about 0.2 ms a class: once is enough


def _from_plain(cls: type, data: Any, where: str) -> Any:
    if not isinstance(data, Mapping):
        raise SpecError(f"{where}: expected an object, got {type(data).__name__}.")
    hints = _hints(cls)
    names = {f.name for f in dataclasses.fields(cls)}
    unknown = sorted(set(data) - names)
    if unknown:
        raise SpecError(f"{where}: unknown key {reprlib.repr(unknown[0])}; allowed keys: "
                        f"{', '.join(sorted(names))}.")
    kwargs = {}
    for name, value in data.items():
        kwargs[name] = _convert(hints[name], value, f"{where}.{name}")
    try:
        return cls(**kwargs)
    except TypeError as exc:
        raise SpecError(f"{where}: {exc}.") from None


def _convert(hint: Any, value: Any, where: str) -> Any:
    origin = typing.get_origin(hint)
    args = typing.get_args(hint)
    if dataclasses.is_dataclass(hint):
        return _from_plain(hint, value, where)
    if origin is tuple:
        if not isinstance(value, (list, tuple)):
            raise SpecError(f"{where}: expected a list, got {reprlib.repr(value)}.")
        if len(args) > 1 and args[1] is not Ellipsis and len(value) != len(args):
            raise SpecError(f"{where}: expected a list of {len(args)} values, got "
                            f"{len(value)}.")
        item_hint = args[0]
        return tuple(_convert(item_hint, item, f"{where}[{i}]") for i, item in enumerate(value))
    if origin in (Mapping, dict, collections.abc.Mapping) or hint is Mapping:
        if not isinstance(value, Mapping):
            raise SpecError(f"{where}: expected an object, got {reprlib.repr(value)}.")
        return dict(value)
    if origin is typing.Union or str(origin) == "<class 'types.UnionType'>":
        if value is None and type(None) in args:
            return None
        hint = next(arg for arg in args if arg is not type(None))
    return _scalar(hint, value, where)


def _scalar(hint: Any, value: Any, where: str) -> Any:
    if hint is bool:
        if not isinstance(value, bool):
            raise SpecError(f"{where}: expected true or false, got {reprlib.repr(value)}.")
        return value
    if hint is int:
        if isinstance(value, bool) or not isinstance(value, (int, float)) or (
                isinstance(value, float) and not value.is_integer()):
            raise SpecError(f"{where}: expected a whole number, got {reprlib.repr(value)}.")
        return int(value)
    if hint is float:
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise SpecError(f"{where}: expected a number, got {reprlib.repr(value)}.")
        return float(value)
    if hint is str:
        if not isinstance(value, str):
            raise SpecError(f"{where}: expected text, got {reprlib.repr(value)}.")
        return value
    return value


# ------------------------------------------------------------------ validate

@dataclass(frozen=True)
class Catalog:
    """What validate() checks names and sizes against. It lives in the modules that
    import the spec (core.data, core.layers, core.optim, core.model): core.catalog
    gathers it and hands it here with use_catalog() when it is imported, so the spec
    imports nothing above it."""

    datasets: Collection[str]                 # data.DATASETS
    inputs: Collection[str]                   # data.features.FEATURES
    layers: Mapping[str, Any]                 # layers.LAYERS: kind -> its .params
    schedules: Collection[str]                # optim.SCHEDULES
    optimizer_kind: Callable[[str], Any]      # name -> .params, .label, .full_batch_only
    schedule_kind: Callable[[str], Any]       # name -> .params
    input_shape: Callable[[DataSpec], tuple[int, ...]]     # data.input_shape_hint
    training_rows: Callable[[DataSpec], int | None]        # data.training_rows_hint
    parameters: Callable[..., int]                         # model.count_parameters
    activation_bytes: Callable[..., tuple[int, int, int]]  # model.activation_bytes


_catalog: Catalog | None = None


def use_catalog(catalog: Catalog) -> None:
    global _catalog
    _catalog = catalog


def _known() -> Catalog:
    if _catalog is None:  # a programming error, never a user's
        raise RuntimeError("SessionSpec.validate() needs the catalog of data sets, layers "
                           "and optimizers: import playground.core.catalog first.")
    return _catalog


def _check(condition: bool, message: str) -> None:
    if not condition:
        raise SpecError(message)


def _in_range(where: str, value: float, low: float, high: float) -> None:
    _check(isinstance(value, (int, float)) and not isinstance(value, bool)
           and math.isfinite(value) and low <= value <= high,
           f"{where}: {reprlib.repr(value)} is out of range; allowed {low:g} to {high:g}.")


def _one_of(where: str, value: Any, allowed: tuple[str, ...]) -> None:
    _check(isinstance(value, str) and value in allowed,
           f"{where}: {reprlib.repr(value)} is not allowed; choose one of "
           f"{', '.join(allowed)}.")


def _check_activations(spec: SessionSpec, resolved: list[dict], shape: tuple,
                       known: Catalog) -> None:
    """A batch's activations (each layer's output and its gradient) within the budget,
    estimated from shapes before anything is built; the sentence names the layer that
    holds the most. Skipped where the rows a step takes are not known (a file's data,
    trained on the full batch: checked when the file is read)."""
    rows = known.training_rows(spec.data)
    if spec.train.batch_size is not None:
        rows = spec.train.batch_size if rows is None else min(rows, spec.train.batch_size)
    if rows is None:
        return
    total, index, largest = known.activation_bytes(spec.model.layers, resolved, shape, rows)
    layer = spec.model.layers[index]
    _check(total <= limits.MAX_ACTIVATION_BYTES,
           f"model.layers[{index}]: a training step over {rows:,} samples would hold "
           f"{limits.mb(total)} of activations and their gradients, {limits.mb(largest)} "
           f"of it at this {layer.kind} layer, above the "
           f"{limits.mb(limits.MAX_ACTIVATION_BYTES)} a run may use: use a smaller batch "
           "(train.batch_size) or fewer filters or units.")


def validate(spec: SessionSpec) -> None:
    """Raise SpecError naming the first field that cannot work."""
    known = _known()
    data, train = spec.data, spec.train
    _one_of("data.name", data.name, tuple(known.datasets))
    _check(data.samples <= limits.MAX_SAMPLES if isinstance(data.samples, int) else True,
           f"data.samples: {data.samples:,} is above the limit of {limits.MAX_SAMPLES:,} "
           "points, which keeps a synthetic set within a desktop's memory.")
    _in_range("data.samples", data.samples, 10, limits.MAX_SAMPLES)
    _in_range("data.noise", data.noise, 0.0, 0.5)
    _one_of("data.scaling", data.scaling, SCALINGS)
    _check(len(data.split) == 3, "data.split: give three fractions (train, validation, test).")
    for name, part in zip(("train", "validation", "test"), data.split):
        _in_range(f"data.split ({name})", part, 0.0, 1.0)
    _check(data.split[0] > 0, "data.split: the training fraction must be above 0.")
    _check(abs(sum(data.split) - 1.0) < 1e-6,
           f"data.split: the fractions add up to {sum(data.split):g}; they must add up to 1.")
    _in_range("data.classes", data.classes, 2, 8)
    _one_of("data.task", data.task, TASKS)
    _one_of("data.missing", data.missing, MISSING)
    for name in data.inputs:
        _one_of("data.inputs", name, tuple(known.inputs))
    _check(len(set(data.inputs)) == len(data.inputs), "data.inputs: an input is listed twice.")
    _check(data.name != "file" or bool(data.path),
           "data.path: the data set is 'file' but no file is given.")
    for name, text in (("data.path", data.path), ("data.target", data.target)):
        _check(len(text) <= limits.MAX_PATH,
               f"{name}: the path has {len(text):,} characters; a path may have at most "
               f"{limits.MAX_PATH:,}.")
    _check(len(data.features) <= limits.MAX_FEATURES,
           f"data.features: {len(data.features):,} columns are listed; a data set may "
           f"have at most {limits.MAX_FEATURES:,}.")
    _check(all(isinstance(i, int) and not isinstance(i, bool) and 0 <= i < limits.MAX_FEATURES
               for i in data.features),
           f"data.features: column indices must be whole numbers from 0 to "
           f"{limits.MAX_FEATURES - 1:,}.")
    _check(len(set(data.features)) == len(data.features),
           "data.features: a column is listed twice.")
    _check_points(data)

    _check(len(spec.model.layers) > 0, "model.layers: the network has no layers.")
    _check(len(spec.model.layers) <= limits.MAX_LAYERS,
           f"model.layers: the network has {len(spec.model.layers):,} layers; at most "
           f"{limits.MAX_LAYERS} are allowed.")
    resolved = []
    for index, layer in enumerate(spec.model.layers):
        where = f"model.layers[{index}]"
        _one_of(f"{where}.kind", layer.kind, tuple(known.layers))
        resolved.append(coerce_params(known.layers[layer.kind].params, layer.params, where))
    count = known.parameters(spec.model.layers, resolved, known.input_shape(data))
    _check(count <= limits.MAX_PARAMETERS,
           f"model.layers: the network would have at least {count:,} parameters "
           f"({limits.mb(count * 4)} of weights, several times that to train); the limit "
           f"is {limits.MAX_PARAMETERS:,}, so that a run fits in a desktop's memory: use "
           "fewer units or layers.")
    _check_activations(spec, resolved, known.input_shape(data), known)

    kind = known.optimizer_kind(spec.optimizer.name)
    _in_range("optimizer.lr", spec.optimizer.lr, 1e-8, 100.0)
    coerce_params(kind.params, spec.optimizer.params, "optimizer")
    _one_of("schedule.name", spec.schedule.name, tuple(known.schedules))
    coerce_params(known.schedule_kind(spec.schedule.name).params, spec.schedule.params, "schedule")
    _in_range("schedule.warmup_epochs", spec.schedule.warmup_epochs, 0.0, 1e6)

    _one_of("train.loss", train.loss, LOSSES)
    for metric in train.metrics:
        _one_of("train.metrics", metric, CLASSIFICATION_METRICS + REGRESSION_METRICS)
    if train.batch_size is not None:
        _in_range("train.batch_size", train.batch_size, 1, 10_000_000)
    _check(not (kind.full_batch_only and train.batch_size is not None),
           f"train.batch_size: {kind.label} needs full-batch updates; set the batch "
           "size to full.")
    _in_range("train.epochs", train.epochs, 1, 10_000_000)
    _in_range("train.max_steps", train.max_steps, 0, 10**12)
    _in_range("train.l1", train.l1, 0.0, 10.0)
    _in_range("train.l2", train.l2, 0.0, 10.0)
    _in_range("train.clip_norm", train.clip_norm, 0.0, 1e6)
    _in_range("train.clip_value", train.clip_value, 0.0, 1e6)
    stop = train.early_stopping
    _one_of("train.early_stopping.monitor", stop.monitor, MONITORS)
    _in_range("train.early_stopping.patience", stop.patience, 0, 1_000_000)
    _in_range("train.early_stopping.min_delta", stop.min_delta, 0.0, 1e6)
    _check(not (stop.enabled and stop.monitor == "val_loss" and data.split[1] == 0),
           "train.early_stopping: it watches the validation loss, but the validation "
           "fraction is 0; give data.split a validation part or monitor 'loss'.")
    _in_range("train.convergence_tol", train.convergence_tol, 0.0, 1e6)
    _in_range("train.convergence_patience", train.convergence_patience, 1, 1_000_000)
    _in_range("train.checkpoint_every", train.checkpoint_every, 0, 10_000_000)
    _in_range("train.validate_every", train.validate_every, 1, 10_000_000)
    _in_range("train.seed", train.seed, 0, 2**63 - 1)
    _in_range("data.seed", data.seed, 0, 2**32 - 1)
    _one_of("train.device", train.device, DEVICES)
    _in_range("train.threads", train.threads, 0, 1024)


def _check_points(data: DataSpec) -> None:
    """The drawn points, each checked before any array is made (on every edit and when
    a spec is read): whether they can be trained on yet is core.data.drawn's to say."""
    from . import limits

    if not data.points:
        return
    _check(data.name == DRAWN, f"data.points: only the {DRAWN} data set has points; "
           f"{data.name} makes its own.")
    _check(len(data.points) <= limits.MAX_DRAWN_POINTS,
           f"data.points: {len(data.points):,} points are drawn; a drawn set holds at most "
           f"{limits.MAX_DRAWN_POINTS:,}: erase some, or import the rows as a file.")
    regression = data.task == "regression"
    for index, (x1, x2, target) in enumerate(data.points):
        _check(all(math.isfinite(v) and abs(v) <= MAX_COORDINATE for v in (x1, x2, target)),
               f"data.points[{index}]: every number of a point must be finite and at most "
               f"{MAX_COORDINATE:g} in size.")
        _check(regression or (target == int(target) and 0 <= target < DRAWN_CLASSES),
               f"data.points[{index}]: the class {target:g} is not one of 0 to "
               f"{DRAWN_CLASSES - 1}; a set of values needs the task 'regression'.")
