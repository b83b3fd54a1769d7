"""Which modules of a built network are its "units", and their outputs on some inputs.

A unit layer is a Linear or Conv2d module with whatever elementwise modules follow it
(BatchNorm, an activation): the layer the user built as "Dense 8, tanh". Its units are
the Linear's outputs (a convolution's channels); its output is what the last of those
followers gives. The probe runs the network in evaluation mode without gradients, so it
draws no random numbers and changes no running statistics: a run that is inspected
trains bit for bit as one that is not.
"""
from __future__ import annotations

from dataclasses import dataclass

import torch
from torch import nn

_ELEMENTWISE = (nn.ReLU, nn.LeakyReLU, nn.ELU, nn.GELU, nn.SiLU, nn.Sigmoid, nn.Tanh,
                nn.Softmax, nn.modules.batchnorm._BatchNorm)
_NAMES = {nn.ReLU: "relu", nn.LeakyReLU: "leaky_relu", nn.ELU: "elu", nn.GELU: "gelu",
          nn.SiLU: "silu", nn.Sigmoid: "sigmoid", nn.Tanh: "tanh", nn.Softmax: "softmax"}


@dataclass(frozen=True)
class UnitLayer:
    label: str          # the layer's label, as in the gradient-norm columns ("1 Dense")
    weighted: int       # position of the Linear/Conv2d module in the Sequential
    last: int           # position of the module whose output is the layer's output
    activation: str     # the last activation's name, or "linear"
    units: int
    is_output: bool     # the network's last weighted layer


def unit_layers(trainer) -> list[UnitLayer]:
    """The weighted layers of the trainer's network, input side first."""
    modules = list(trainer.model)
    labels = trainer.built.layer_of_parameter
    weighted = [i for i, m in enumerate(modules) if isinstance(m, (nn.Linear, nn.Conv2d))]
    layers = []
    for i in weighted:
        last, activation = i, "linear"
        while last + 1 < len(modules) and isinstance(modules[last + 1], _ELEMENTWISE):
            last += 1
            activation = _NAMES.get(type(modules[last]), activation)
        module = modules[i]
        units = module.out_features if isinstance(module, nn.Linear) else module.out_channels
        layers.append(UnitLayer(labels.get(f"{i}.weight", f"{i + 1}"), i, last, activation,
                                units, i == weighted[-1]))
    if trainer.built.folded and layers:  # the loss applies the final sigmoid/softmax
        layers[-1] = UnitLayer(layers[-1].label, layers[-1].weighted, layers[-1].last,
                               trainer.built.folded, layers[-1].units, True)
    return layers


def activations(trainer, layers: list[UnitLayer], x: torch.Tensor) -> list[torch.Tensor]:
    """Each unit layer's output on `x` (rows x units, or rows x channels x h x w), in
    evaluation mode. A folded final activation (the loss applies it) is applied here,
    so the output layer shows what the network predicts.

    One pass through the Sequential's modules, keeping the outputs wanted: no forward
    hooks, copies or concatenations, since every torch call gives up the GIL and, beside
    a busy GUI thread, may wait milliseconds to get it back."""
    wanted = {layer.last: index for index, layer in enumerate(layers)}
    model = trainer.model
    was_training = model.training
    if was_training:  # dropout off, batch norm's running statistics used and left alone
        model.eval()
    try:
        with torch.no_grad():  # plain tensors: no clone needed to use them later
            chunks = [_outputs(model, x[i:i + _CHUNK], wanted, len(layers))
                      for i in range(0, max(len(x), 1), _CHUNK)]
            out = [c[0] if len(chunks) == 1 else torch.cat(c) for c in zip(*chunks)]
            folded = trainer.built.folded
            if folded and layers:
                out[-1] = torch.sigmoid(out[-1]) if folded == "sigmoid" else \
                    torch.softmax(out[-1], 1)
    finally:
        if was_training:
            model.train()
    return out


_CHUNK = 16384  # rows a pass: bounds the memory a large probe takes


def _outputs(model, x: torch.Tensor, wanted: dict[int, int], count: int) -> list:
    out = [torch.empty(0)] * count
    for position, module in enumerate(model):
        x = module(x)
        index = wanted.get(position)
        if index is not None:
            out[index] = x
    return out


def per_unit(values):
    """rows x units (a tensor or an array): a convolution's channel is summarised by
    its spatial mean."""
    if values.ndim <= 2:
        return values
    return values.reshape(values.shape[0], values.shape[1], -1).mean(2)


def probe_rows(trainer, limit: int = 256) -> torch.Tensor:
    """A fixed, evenly spread sample of the training inputs (no random draw)."""
    x = trainer.x["train"]
    if len(x) <= limit:
        return x
    index = torch.linspace(0, len(x) - 1, limit).round().long().to(x.device)
    return x.index_select(0, index)
