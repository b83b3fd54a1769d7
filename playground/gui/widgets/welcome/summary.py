"""One line per example, made from its spec (so the words cannot drift from what the
example trains): the data set, the layers, the optimizer and the length of the run."""
from __future__ import annotations

from ....core.spec import LayerSpec, SessionSpec

_SHORT = {"maxpool2d": "pool", "batchnorm": "batch norm"}


def example_title(name: str) -> str:
    """'breast_cancer' -> 'Breast cancer'."""
    words = name.replace("_", " ")
    return words[:1].upper() + words[1:]


def _layer(layer: LayerSpec) -> str:
    params = layer.params
    activation = params.get("activation", "linear")
    suffix = "" if activation in ("linear", None) else f" {activation}"
    if layer.kind == "dense":
        return f"{params.get('units') or 'out'}{suffix}"
    if layer.kind == "conv2d":
        return f"conv {params.get('filters')}{suffix}"
    if layer.kind == "dropout":
        return f"dropout {params.get('rate')}"
    return _SHORT.get(layer.kind, layer.kind)


def summarize(spec: SessionSpec) -> str:
    """'spiral data; layers 16 tanh > 16 tanh > out; adam, learning rate 0.01, batch 10,
    300 epochs'."""
    layers = " \u203a ".join(_layer(layer) for layer in spec.model.layers)
    batch = spec.train.batch_size or "all"
    return (f"{spec.data.name.replace('_', ' ')} data; layers {layers}; "
            f"{spec.optimizer.name}, learning rate {spec.optimizer.lr:g}, batch {batch}, "
            f"{spec.train.epochs:,} epochs")
