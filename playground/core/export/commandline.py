"""The `playground train` command that reproduces a spec (the window's File > Copy as
command line). Flags are written only where the spec differs from the defaults; a
setting no flag can express (a Dense layer without bias, say) is an ExportError naming
it, so a copied command never trains something else than the window shows."""
from __future__ import annotations

import dataclasses
import shlex
from typing import Any

from ..layers import LAYERS
from ..optim import optimizer_kind, schedule_kind
from ..schema import coerce_params
from ..spec import (DataSpec, EarlyStoppingSpec, ModelSpec, OptimizerSpec, SessionSpec,
                    TrainSpec)
from .trained import ExportError

# Layer parameters the --layers syntax has no place for, and the value they must have.
_FIXED = {"dense": {"bias": True}, "conv2d": {"stride": 1, "padding": 1, "init": "default"},
          "maxpool2d": {"stride": None}, "batchnorm": {"momentum": 0.1}}


def command_line(spec: SessionSpec) -> str:
    args = ["playground", "train", *_data_flags(spec.data), *_model_flags(spec.model),
            *_optimizer_flags(spec.optimizer), *_schedule_flags(spec),
            *_train_flags(spec.train)]
    return shlex.join(args)


def _value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (tuple, list)):
        return ";".join(_value(v) for v in value)
    return repr(value) if isinstance(value, float) else str(value)


def _data_flags(data: DataSpec) -> list[str]:
    default = DataSpec()
    if data.points:
        raise ExportError("No flag carries drawn points; save the spec instead and train "
                          "it with `playground train spec.json`.")
    if not data.scale_target:
        raise ExportError("No flag turns off the target's scaling; save the spec instead "
                          "and train it with `playground train spec.json`.")
    flags = ["--data", data.path] if data.name == "file" else (
        ["--dataset", data.name] if data.name != default.name else [])
    for name, flag in (("samples", "--samples"), ("noise", "--noise"),
                       ("classes", "--classes"), ("scaling", "--scaling"),
                       ("seed", "--data-seed"), ("target", "--target"), ("task", "--task"),
                       ("missing", "--missing")):
        if getattr(data, name) != getattr(default, name):
            flags += [flag, _value(getattr(data, name))]
    if data.inputs:
        flags += ["--inputs", ",".join(data.inputs)]
    if data.features:
        flags += ["--features", ",".join(str(i) for i in data.features)]
    if tuple(data.split) != default.split:
        flags += ["--split", "/".join(repr(float(v)) for v in data.split)]
    return flags


def _model_flags(model: ModelSpec) -> list[str]:
    if _normal_layers(model) == _normal_layers(ModelSpec()):
        return []
    return ["--layers", ",".join(_layer_text(layer) for layer in model.layers)]


def _normal_layers(model: ModelSpec) -> list[tuple[str, dict]]:
    return [(layer.kind, coerce_params(LAYERS[layer.kind].params, dict(layer.params),
                                       "model")) for layer in model.layers]


def _layer_text(layer: Any) -> str:
    kind = LAYERS[layer.kind]
    params = coerce_params(kind.params, dict(layer.params), "model")
    for name, wanted in _FIXED.get(layer.kind, {}).items():
        if params.get(name) != wanted:
            raise ExportError(f"The --layers syntax has no place for {kind.label}'s "
                              f"{name} ({params.get(name)!r}); save the spec instead and "
                              "train it with `playground train spec.json`.")
    values = [params[name] for name in kind.positional]
    defaults = [p.default for name in kind.positional for p in kind.params if p.name == name]
    while values and len(values) > 1 and values[-1] == defaults[len(values) - 1]:
        values.pop()  # trailing defaults are left out
    if layer.kind == "dense":
        values[0] = "auto" if values[0] is None else values[0]
        return ":".join(_value(v) for v in values)
    return ":".join([layer.kind, *(_value(v) for v in values if v is not None)])


def _optimizer_flags(optimizer: OptimizerSpec) -> list[str]:
    kind = optimizer_kind(optimizer.name)
    flags = ["--optimizer", optimizer.name] if optimizer.name != OptimizerSpec().name else []
    if optimizer.lr != OptimizerSpec().lr or flags:
        flags += ["--lr", _value(float(optimizer.lr))]
    params = coerce_params(kind.params, dict(optimizer.params), "optimizer")
    given = {k: v for k, v in params.items() if k in optimizer.params}
    if given:
        flags += ["--opt-param", ",".join(f"{k}={_value(v)}" for k, v in given.items())]
    return flags


def _schedule_flags(spec: SessionSpec) -> list[str]:
    schedule = spec.schedule
    if schedule.name == "constant" and not schedule.params and not schedule.warmup_epochs:
        return []
    kind = schedule_kind(schedule.name)
    params = coerce_params(kind.params, dict(schedule.params), "schedule")
    parts = [f"{k}={_value(v)}" for k, v in params.items() if k in schedule.params]
    if schedule.warmup_epochs:
        parts.append(f"warmup={_value(float(schedule.warmup_epochs))}")
    return ["--schedule", schedule.name + (":" + ",".join(parts) if parts else "")]


def _train_flags(train: TrainSpec) -> list[str]:
    default = TrainSpec()
    flags: list[str] = []
    for name in ("loss", "epochs", "max_steps", "l1", "l2", "clip_norm", "clip_value",
                 "checkpoint_every", "validate_every", "seed", "device", "threads"):
        if getattr(train, name) != getattr(default, name):
            flags += [f"--{name.replace('_', '-')}", _value(getattr(train, name))]
    if train.metrics:
        flags += ["--metrics", ",".join(train.metrics)]
    if train.batch_size != default.batch_size:
        flags += ["--batch-size", "full" if train.batch_size is None else
                  str(train.batch_size)]
    stop = train.early_stopping
    if stop != default.early_stopping:
        if dataclasses.replace(stop, enabled=False, patience=10) != EarlyStoppingSpec():
            raise ExportError("Early stopping's monitor, minimum change or best-weights "
                              "choice has no flag; save the spec instead and train it "
                              "with `playground train spec.json`.")
        flags += ["--early-stopping", str(stop.patience if stop.enabled else 0)]
    if train.convergence_patience != default.convergence_patience:
        raise ExportError("The convergence stop's patience has no flag; save the spec "
                          "instead and train it with `playground train spec.json`.")
    if train.convergence_tol:
        flags += ["--converge", _value(train.convergence_tol)]
    return flags
