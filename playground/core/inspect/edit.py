"""Setting one weight or bias of a trainer's network by hand (the network graph's click).

Only for a trainer no thread is running: paused between batches, or idle. The value is
written in place, exactly as given (as float32), so putting back the old value restores
the run bit for bit, and the run resumes exactly from whatever the weights now hold.
"""
from __future__ import annotations

import torch

from ..errors import PlaygroundError
from .probe import unit_layers


class EditError(PlaygroundError):
    pass


def _locate(trainer, layer: int, unit: int, source: int | None):
    """(tensor, index) of the weight from `source` to `unit` of unit layer `layer` (0 =
    the first weighted layer), or of that unit's bias when `source` is None."""
    layers = unit_layers(trainer)
    if not 0 <= layer < len(layers):
        raise EditError(f"The network has no layer {layer + 1}.")
    module = list(trainer.model)[layers[layer].weighted]
    if not isinstance(module, torch.nn.Linear):
        raise EditError("Only a Dense layer's weights can be edited here.")
    if source is None:
        if module.bias is None:
            raise EditError("This layer has no bias.")
        tensor, index = module.bias, (unit,)
    else:
        tensor, index = module.weight, (unit, source)
    if not all(0 <= i < n for i, n in zip(index, tensor.shape)):
        raise EditError("That weight is not in the layer.")
    return tensor, index


def read_parameter(trainer, layer: int, unit: int, source: int | None) -> float:
    tensor, index = _locate(trainer, layer, unit, source)
    return float(tensor.detach()[index])


def set_parameter(trainer, layer: int, unit: int, source: int | None, value: float) -> float:
    """Set the weight (see _locate) to `value`; return the old value."""
    tensor, index = _locate(trainer, layer, unit, source)
    if not isinstance(value, (int, float)) or value != value or abs(value) > 1e6:
        raise EditError(f"A weight must be a number between -1e6 and 1e6, not {value!r}.")
    with torch.no_grad():
        old = float(tensor[index])
        tensor[index] = value
    return old
