"""One line per example, made from its spec (so the words cannot drift from what the
example trains): the data set, the layers, the optimizer and the length of the run."""
from __future__ import annotations

from ....core.spec import LayerSpec, SessionSpec

_SHORT = {"maxpool2d": "pool", "batchnorm": "batch norm"}
_ACRONYMS = {"xor", "mlp", "cnn"}
LAYERS_WIDTH = 56  # characters; a longer chain of layers is shown without activations


def example_title(name: str) -> str:
    """'breast_cancer' -> 'Breast cancer', 'digits_mlp' -> 'Digits MLP'."""
    words = [w.upper() if w in _ACRONYMS else w for w in name.split("_")]
    text = " ".join(words)
    return text[:1].upper() + text[1:]


def _layer(layer: LayerSpec, activations: bool = True) -> str:
    params = layer.params
    activation = params.get("activation", "linear")
    suffix = "" if activation in ("linear", None) or not activations else f" {activation}"
    if layer.kind == "dense":
        return f"{params.get('units') or 'out'}{suffix}"
    if layer.kind == "conv2d":
        return f"conv {params.get('filters')}{suffix}"
    if layer.kind == "dropout":
        return f"dropout {params.get('rate')}"
    return _SHORT.get(layer.kind, layer.kind)


def summarize(spec: SessionSpec) -> str:
    """Two lines: the layers, then the training ('16 tanh › 16 tanh › out' and
    'adam, learning rate 0.01 · batch 10 · 300 epochs')."""
    layers = " › ".join(_layer(layer) for layer in spec.model.layers)
    if len(layers) > LAYERS_WIDTH:
        layers = " › ".join(_layer(layer, False) for layer in spec.model.layers)
    batch = spec.train.batch_size or "all"
    return (f"{layers}\n{spec.optimizer.name}, learning rate {spec.optimizer.lr:g} "
            f"· batch {batch} · {spec.train.epochs:,} epochs")
