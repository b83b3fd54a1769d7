"""Build a torch network from a ModelSpec, inferring shapes and checking the stack."""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Sequence

import torch
from torch import nn

from . import limits
from .errors import SpecError
from .layers import LAYERS, Shape
from .losses import Head
from .schema import coerce_params
from .spec import ModelSpec

_IMAGE_KINDS = ("conv2d", "maxpool2d")
_SIZING_KINDS = ("dense", "flatten")


@dataclass(frozen=True)
class LayerInfo:
    """One row of the network summary."""

    index: int
    kind: str
    label: str
    in_shape: Shape
    out_shape: Shape
    parameters: int


@dataclass(frozen=True)
class BuiltModel:
    module: nn.Sequential
    summary: tuple[LayerInfo, ...]
    layer_of_parameter: dict[str, str]  # parameter name -> layer label, for norms
    folded: str | None                   # final activation moved into the loss

    @property
    def parameter_count(self) -> int:
        return sum(row.parameters for row in self.summary)


def _starts_with_images(spec: ModelSpec) -> bool:
    for layer in spec.layers:
        if layer.kind in _IMAGE_KINDS:
            return True
        if layer.kind in _SIZING_KINDS:
            return False
    return False


def _resolve_units(spec: ModelSpec, head: Head) -> list[dict]:
    """Validated parameters per layer, with the last Dense layer's 'auto' filled in."""
    params = [coerce_params(LAYERS[layer.kind].params, layer.params,
                            f"model.layers[{i}]") for i, layer in enumerate(spec.layers)]
    dense = [i for i, layer in enumerate(spec.layers) if layer.kind == "dense"]
    if not dense:
        raise SpecError("model.layers: the network needs at least one Dense layer to "
                        "produce its outputs.")
    last = dense[-1]
    for i in dense[:-1]:
        if params[i]["units"] is None:
            raise SpecError(f"model.layers[{i}].units: only the last Dense layer may "
                            "have 'auto' units; give this one a number.")
    if params[last]["units"] is None:
        params[last]["units"] = head.n_outputs
    elif params[last]["units"] != head.n_outputs:
        raise SpecError(
            f"model.layers[{last}].units: the last Dense layer has "
            f"{params[last]['units']} units, but the task needs {head.n_outputs} "
            f"output{'s' if head.n_outputs != 1 else ''}: set it to {head.n_outputs} "
            "or 'auto'."
        )
    for i, layer in enumerate(spec.layers[last + 1:], start=last + 1):
        if LAYERS[layer.kind].trainable or layer.kind in _IMAGE_KINDS + ("flatten",):
            raise SpecError(f"model.layers[{i}]: a {LAYERS[layer.kind].label} layer "
                            "after the output layer changes the outputs' shape; "
                            "move it before the last Dense layer.")
    return params


def layer_shapes(layers: Sequence[Any], params: Sequence[dict], input_shape: Shape,
                 outputs: int = 1) -> list[tuple[int, int, Shape]]:
    """Each layer's (index, trainable values, output shape), from shapes alone (nothing
    allocated); 'auto' units count as `outputs`. The list stops before a layer that does
    not fit its input (build_model names that layer)."""
    shape: Shape = tuple(input_shape)
    if len(shape) == 3 and not _starts_with_images(ModelSpec(tuple(layers))):
        shape = (math.prod(shape),)
    walked = []
    for index, (layer, p) in enumerate(zip(layers, params)):
        kind, count = layer.kind, 0
        if kind == "dense":
            units = p.get("units") or outputs
            count = math.prod(shape) * units + (units if p.get("bias", True) else 0)
            shape = (units,)
        elif kind in ("conv2d", "maxpool2d"):
            if len(shape) != 3:
                break
            channels, height, width = shape
            kernel = p["kernel"]
            stride = p.get("stride") or kernel if kind == "maxpool2d" else p["stride"]
            padding = p.get("padding", 0) if kind == "conv2d" else 0
            out_h = (height + 2 * padding - kernel) // stride + 1
            out_w = (width + 2 * padding - kernel) // stride + 1
            if out_h < 1 or out_w < 1:
                break
            if kind == "conv2d":
                count = channels * p["filters"] * kernel * kernel + p["filters"]
                channels = p["filters"]
            shape = (channels, out_h, out_w)
        elif kind == "flatten":
            shape = (math.prod(shape),)
        elif kind == "batchnorm":
            count = 2 * shape[0]
        walked.append((index, count, shape))
    return walked


def count_parameters(layers: Sequence[Any], params: Sequence[dict], input_shape: Shape,
                     outputs: int = 1) -> int:
    """The trainable values a stack would have, from shapes alone (nothing allocated);
    'auto' units count as `outputs`. A stack that does not fit its input is counted up
    to the layer that does not fit (build_model names that layer)."""
    return sum(count for _, count, _ in layer_shapes(layers, params, input_shape, outputs))


def activation_bytes(layers: Sequence[Any], params: Sequence[dict], input_shape: Shape,
                     rows: int, outputs: int = 1) -> tuple[int, int, int]:
    """What one training step over `rows` samples holds for the backward pass: every
    layer's output as float32 and, as large, its gradient. (total bytes, index of the
    layer with the largest output, that layer's bytes); from shapes alone."""
    total, largest, at = 0, 0, 0
    for index, _, shape in layer_shapes(layers, params, input_shape, outputs):
        size = 2 * 4 * rows * math.prod(shape)
        total += size
        if size > largest:
            largest, at = size, index
    return total, at, largest


def build_model(spec: ModelSpec, input_shape: Shape, head: Head) -> BuiltModel:
    """Build the network. Raise SpecError naming the layer for an impossible stack."""
    params = _resolve_units(spec, head)
    count = count_parameters(spec.layers, params, input_shape, head.n_outputs)
    if count > limits.MAX_PARAMETERS:
        raise SpecError(f"model.layers: on this data the network would have {count:,} "
                        f"parameters ({limits.mb(count * 4)} of weights, several times that "
                        f"to train); the limit is {limits.MAX_PARAMETERS:,}, so that a run "
                        "fits in a desktop's memory: use fewer units or layers.")
    modules: list[nn.Module] = []
    shape: Shape = (input_shape[0] * input_shape[1] * input_shape[2],) \
        if len(input_shape) == 3 else input_shape
    if len(input_shape) == 3 and _starts_with_images(spec):
        modules.append(nn.Unflatten(1, input_shape))
        shape = input_shape
    summary, owners = [], {}
    for index, (layer, p) in enumerate(zip(spec.layers, params)):
        kind = LAYERS[layer.kind]
        try:
            built, out_shape = kind.build(p, shape)
        except SpecError as exc:
            raise SpecError(f"model.layers[{index}] ({kind.label}): {exc}") from None
        label = f"{index + 1} {kind.label}"
        count = 0
        for module in built:
            position = len(modules)
            modules.append(module)
            for name, parameter in module.named_parameters():
                owners[f"{position}.{name}"] = label
                count += parameter.numel()
        summary.append(LayerInfo(index, layer.kind, label, shape, out_shape, count))
        shape = out_shape
    if shape != (head.n_outputs,):
        raise SpecError(f"model.layers: the network ends with shape {shape}, but the task "
                        f"needs {head.n_outputs} outputs.")
    folded = _fold_final_activation(modules, head)
    return BuiltModel(nn.Sequential(*modules), tuple(summary), owners, folded)


def _fold_final_activation(modules: list[nn.Module], head: Head) -> str | None:
    last = modules[-1] if modules else None
    if isinstance(last, nn.Softmax) and head.n_outputs == 1:
        raise SpecError("model.layers: Softmax over a single output is always 1; use "
                        "Sigmoid for one output, or two outputs with cce.")
    wanted = {"sigmoid": nn.Sigmoid, "softmax": nn.Softmax}.get(head.folds or "")
    if wanted is not None and isinstance(last, wanted):
        modules.pop()
        return head.folds
    return None


def check_model(spec: ModelSpec, input_shape: Shape, head: Head) -> BuiltModel:
    """Build only to infer shapes and check the stack, leaving torch's global random
    state untouched: a trainer (running, or just restored from a session) draws its
    dropout masks from it, and initialising throwaway weights would shift them."""
    with torch.random.fork_rng(devices=[]):
        return build_model(spec, input_shape, head)
