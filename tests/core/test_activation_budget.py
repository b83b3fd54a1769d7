"""The resource budget bounds a training step's activations, estimated from shapes
before anything is built, in a sentence that names the layer holding the most."""
import dataclasses

import pytest

from playground.core import limits
from playground.core.errors import SpecError
from playground.core.model import activation_bytes
from playground.core.spec import DataSpec, LayerSpec, ModelSpec, SessionSpec, TrainSpec


def _conv(filters, batch, data="mnist"):
    layers = (LayerSpec("conv2d", {"filters": filters, "kernel": 3}), LayerSpec("relu"),
              LayerSpec("flatten"), LayerSpec("dense", {"units": None,
                                                        "activation": "softmax"}))
    return SessionSpec(data=DataSpec(data), model=ModelSpec(layers),
                       train=TrainSpec(batch_size=batch, epochs=1, device="cpu"))


def test_a_wide_conv_layer_on_a_huge_batch_is_refused_naming_the_layer():
    with pytest.raises(SpecError, match=r"model.layers\[0\]: a training step over 4,096 "
                                        r"samples would hold .* at this conv2d layer"):
        _conv(256, 4096).validate()
    _conv(256, 32).validate()  # the same network on an ordinary batch


def test_the_full_batch_counts_the_training_rows():
    spec = _conv(64, None)
    with pytest.raises(SpecError, match="49,000 samples"):  # 70,000 x 0.7
        spec.validate()


def test_the_estimate_is_every_output_and_its_gradient_in_float32():
    spec = _conv(8, 10)
    params = [dict(layer.params) for layer in spec.model.layers]
    for p in params:
        p.setdefault("stride", 1)
        p.setdefault("padding", 0)
    total, index, largest = activation_bytes(spec.model.layers, params, (1, 28, 28), 10,
                                             outputs=10)
    per_sample = 8 * 26 * 26 * 3 + 10  # conv, relu, flatten outputs, then the 10 outputs
    assert (total, index, largest) == (2 * 4 * 10 * per_sample, 0, 2 * 4 * 10 * 8 * 26 * 26)


def test_a_file_on_the_full_batch_is_not_guessed():
    spec = dataclasses.replace(_conv(256, None), data=DataSpec("file", path="x.npz"))
    assert limits.MAX_ACTIVATION_BYTES == 2**31
    spec.validate()  # its rows are not known before the file is read: no guess
