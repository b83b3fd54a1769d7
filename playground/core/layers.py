"""The layer registry: every kind a network can hold, its parameters and its builder.

The registry feeds the CLI's --layers parser, spec validation, shape inference and the
GUI's palette. A builder takes validated parameters and the incoming shape and returns
the torch modules plus the outgoing shape, so impossible stacks are caught before any
training starts.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Callable

from torch import nn

from .errors import SpecError
from .schema import Param

Shape = tuple[int, ...]  # (features,) for flat data, (channels, height, width) for images

ACTIVATIONS = (
    "linear", "relu", "leaky_relu", "elu", "gelu", "silu", "sigmoid", "tanh", "softmax",
)
INITS = (
    "default", "zeros", "uniform", "normal", "xavier_uniform", "xavier_normal",
    "he_uniform", "he_normal", "orthogonal",
)

_INIT_HELP = (
    "How the weights start. Zeros makes every unit learn the same thing (symmetry); "
    "Xavier suits tanh/sigmoid, He suits ReLU; default is torch's own."
)
_ACTIVATION_HELP = (
    "The non-linearity after the layer: without one, stacked layers collapse into a "
    "single linear map."
)


@dataclass(frozen=True)
class LayerKind:
    name: str
    label: str
    description: str
    params: tuple[Param, ...]
    build: Callable[[dict[str, Any], Shape], tuple[list[nn.Module], Shape]]
    category: str  # "core", "activation", "regularisation", "image"
    positional: tuple[str, ...] = ()  # order of bare values in "--layers conv:16:3"
    trainable: bool = False


def _activation_module(name: str, params: dict[str, Any] | None = None) -> nn.Module | None:
    params = params or {}
    if name == "linear":
        return None
    if name == "leaky_relu":
        return nn.LeakyReLU(params.get("negative_slope", 0.01))
    if name == "elu":
        return nn.ELU(params.get("alpha", 1.0))
    if name == "softmax":
        return nn.Softmax(dim=1)
    return {
        "relu": nn.ReLU, "gelu": nn.GELU, "silu": nn.SiLU,
        "sigmoid": nn.Sigmoid, "tanh": nn.Tanh,
    }[name]()


def _gain(activation: str) -> float:
    if activation in ("relu", "leaky_relu", "elu", "gelu", "silu"):
        return nn.init.calculate_gain("relu")
    if activation in ("tanh", "sigmoid"):
        return nn.init.calculate_gain(activation)
    return 1.0


def initialise(module: nn.Module, scheme: str, activation: str) -> None:
    """Apply an initialisation scheme to a Linear or Conv2d module in place."""
    if scheme == "default":
        return
    weight, bias = module.weight, module.bias
    nonlinearity = "leaky_relu" if activation == "leaky_relu" else "relu"
    if scheme == "zeros":
        nn.init.zeros_(weight)
    elif scheme == "uniform":
        nn.init.uniform_(weight, -0.05, 0.05)
    elif scheme == "normal":
        nn.init.normal_(weight, 0.0, 0.05)
    elif scheme == "xavier_uniform":
        nn.init.xavier_uniform_(weight, gain=_gain(activation))
    elif scheme == "xavier_normal":
        nn.init.xavier_normal_(weight, gain=_gain(activation))
    elif scheme == "he_uniform":
        nn.init.kaiming_uniform_(weight, nonlinearity=nonlinearity)
    elif scheme == "he_normal":
        nn.init.kaiming_normal_(weight, nonlinearity=nonlinearity)
    elif scheme == "orthogonal":
        nn.init.orthogonal_(weight, gain=_gain(activation))
    if bias is not None:
        nn.init.zeros_(bias)


def _need_flat(shape: Shape, label: str) -> int:
    if len(shape) != 1:
        pretty = "x".join(str(size) for size in shape)
        raise SpecError(
            f"{label} needs a flat input but receives {pretty} feature maps: "
            "add a Flatten layer before it."
        )
    return shape[0]


def _need_image(shape: Shape, label: str) -> tuple[int, int, int]:
    if len(shape) != 3:
        raise SpecError(
            f"{label} needs image input (channels x height x width) but receives "
            f"{shape[0]} flat features: use it on image data such as digits, and "
            "before any Flatten or Dense layer."
        )
    return shape  # type: ignore[return-value]


def _with_activation(modules: list[nn.Module], activation: str) -> list[nn.Module]:
    act = _activation_module(activation)
    return modules + ([act] if act is not None else [])


def _build_dense(p: dict[str, Any], shape: Shape) -> tuple[list[nn.Module], Shape]:
    features = _need_flat(shape, "Dense")
    linear = nn.Linear(features, p["units"], bias=p["bias"])
    initialise(linear, p["init"], p["activation"])
    return _with_activation([linear], p["activation"]), (p["units"],)


def _conv_out(size: int, kernel: int, stride: int, padding: int) -> int:
    return (size + 2 * padding - kernel) // stride + 1


def _build_conv(p: dict[str, Any], shape: Shape) -> tuple[list[nn.Module], Shape]:
    channels, height, width = _need_image(shape, "Conv2d")
    kernel, stride, padding = p["kernel"], p["stride"], p["padding"]
    out_h, out_w = (_conv_out(s, kernel, stride, padding) for s in (height, width))
    if out_h < 1 or out_w < 1:
        raise SpecError(
            f"Conv2d with a {kernel}x{kernel} kernel does not fit a {height}x{width} "
            "input: use a smaller kernel or more padding."
        )
    conv = nn.Conv2d(channels, p["filters"], kernel, stride=stride, padding=padding)
    initialise(conv, p["init"], p["activation"])
    return _with_activation([conv], p["activation"]), (p["filters"], out_h, out_w)


def _build_pool(p: dict[str, Any], shape: Shape) -> tuple[list[nn.Module], Shape]:
    channels, height, width = _need_image(shape, "MaxPool2d")
    kernel = p["kernel"]
    stride = p["stride"] or kernel
    out_h, out_w = (_conv_out(s, kernel, stride, 0) for s in (height, width))
    if out_h < 1 or out_w < 1:
        raise SpecError(
            f"MaxPool2d with a {kernel}x{kernel} window does not fit a {height}x{width} "
            "input: use a smaller window."
        )
    return [nn.MaxPool2d(kernel, stride=stride)], (channels, out_h, out_w)


def _build_flatten(p: dict[str, Any], shape: Shape) -> tuple[list[nn.Module], Shape]:
    return [nn.Flatten()], (math.prod(shape),)


def _build_dropout(p: dict[str, Any], shape: Shape) -> tuple[list[nn.Module], Shape]:
    module = nn.Dropout(p["rate"]) if len(shape) == 1 else nn.Dropout2d(p["rate"])
    return [module], shape


def _build_batchnorm(p: dict[str, Any], shape: Shape) -> tuple[list[nn.Module], Shape]:
    if len(shape) == 1:
        return [nn.BatchNorm1d(shape[0], momentum=p["momentum"])], shape
    return [nn.BatchNorm2d(shape[0], momentum=p["momentum"])], shape


def _activation_kind(name: str, label: str, description: str,
                     params: tuple[Param, ...] = ()) -> LayerKind:
    def build(p: dict[str, Any], shape: Shape) -> tuple[list[nn.Module], Shape]:
        if name == "softmax":
            _need_flat(shape, "Softmax")
        module = _activation_module(name, p)
        return ([module] if module is not None else []), shape

    return LayerKind(name, label, description, params, build, "activation",
                     positional=tuple(param.name for param in params))


_INIT_PARAM = Param("init", "choice", "default", _INIT_HELP, choices=INITS)
_ACTIVATION_PARAM = Param("activation", "choice", "linear", _ACTIVATION_HELP,
                          choices=ACTIVATIONS)

LAYERS: dict[str, LayerKind] = {
    kind.name: kind
    for kind in (
        LayerKind(
            "dense", "Dense",
            "A fully connected layer: every output is a weighted sum of every input plus "
            "a bias.",
            (
                Param("units", "int", None, "Number of neurons (outputs). 'auto' on the "
                      "last layer means: as many as the task needs.", 1, 100_000,
                      optional=True),
                _ACTIVATION_PARAM, _INIT_PARAM,
                Param("bias", "bool", True, "Add a learned offset to each output."),
            ),
            _build_dense, "core", positional=("units", "activation", "init"),
            trainable=True,
        ),
        LayerKind(
            "conv2d", "Conv2d",
            "A convolution: small learned filters slide over the image and detect local "
            "patterns.",
            (
                Param("filters", "int", 8, "Number of filters (output channels).", 1, 4096),
                Param("kernel", "int", 3, "Filter size in pixels (kernel x kernel).", 1, 64),
                Param("stride", "int", 1, "Step between filter positions.", 1, 16),
                Param("padding", "int", 1, "Zero pixels added around the border.", 0, 32),
                _ACTIVATION_PARAM, _INIT_PARAM,
            ),
            _build_conv, "image", positional=("filters", "kernel", "activation"),
            trainable=True,
        ),
        LayerKind(
            "maxpool2d", "MaxPool2d",
            "Keeps the largest value in each window: halves the image and adds a little "
            "translation invariance.",
            (
                Param("kernel", "int", 2, "Window size in pixels.", 1, 32),
                Param("stride", "int", None, "Step between windows (default: the window "
                      "size).", 1, 32, optional=True),
            ),
            _build_pool, "image", positional=("kernel",),
        ),
        LayerKind("flatten", "Flatten",
                  "Turns image feature maps into one flat vector for Dense layers.",
                  (), _build_flatten, "image"),
        LayerKind(
            "dropout", "Dropout",
            "During training, zeroes a random fraction of the activations so the network "
            "cannot rely on any single unit (a regulariser).",
            (Param("rate", "float", 0.5, "Fraction of activations dropped.", 0.0, 0.95),),
            _build_dropout, "regularisation", positional=("rate",),
        ),
        LayerKind(
            "batchnorm", "BatchNorm",
            "Normalises each feature over the batch, then rescales it: steadier, faster "
            "training.",
            (Param("momentum", "float", 0.1, "How fast the running statistics follow "
                   "the batches.", 0.0, 1.0),),
            _build_batchnorm, "regularisation", trainable=True,
        ),
        _activation_kind("relu", "ReLU", "max(0, x): cheap, does not saturate for "
                         "positive inputs; the default for hidden layers."),
        _activation_kind(
            "leaky_relu", "LeakyReLU",
            "Like ReLU but with a small slope for negative inputs, so units never die.",
            (Param("negative_slope", "float", 0.01, "Slope for negative inputs.", 0.0, 1.0),),
        ),
        _activation_kind(
            "elu", "ELU", "Smooth ReLU-like curve that goes slightly negative.",
            (Param("alpha", "float", 1.0, "Value the curve approaches for very negative "
                   "inputs (-alpha).", 0.0, 10.0),),
        ),
        _activation_kind("gelu", "GELU", "A smooth ReLU used by transformers."),
        _activation_kind("silu", "SiLU", "x * sigmoid(x), also called swish."),
        _activation_kind("sigmoid", "Sigmoid", "Squashes to (0, 1); saturates, so deep "
                         "sigmoid stacks show vanishing gradients."),
        _activation_kind("tanh", "Tanh", "Squashes to (-1, 1); zero-centred, but "
                         "saturates like sigmoid."),
        _activation_kind("softmax", "Softmax", "Turns scores into class probabilities "
                         "that sum to 1; used at the output."),
        _activation_kind("linear", "Linear", "The identity: no non-linearity."),
    )
}
