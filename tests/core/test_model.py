import pytest
import torch

from playground.core.data import prepare
from playground.core.errors import SpecError
from playground.core.examples import digits_cnn, digits_deep
from playground.core.layers import LAYERS
from playground.core.losses import resolve_head
from playground.core.model import build_model
from playground.core.spec import LayerSpec, ModelSpec

from .helpers import dense


def head(loss="cce", task="multiclass", classes=10):
    return resolve_head(loss, task, classes, 1, "test")


def test_deep_mlp_shapes_and_parameter_count():
    built = build_model(digits_deep().model, (1, 8, 8), head())
    assert [row.out_shape for row in built.summary] == [(256,), (128,), (64,), (10,)]
    expected = (64 * 256 + 256) + (256 * 128 + 128) + (128 * 64 + 64) + (64 * 10 + 10)
    assert built.parameter_count == expected
    assert built.folded == "softmax"  # cce works on logits: the Softmax moved into the loss
    assert built.module(torch.zeros(3, 64)).shape == (3, 10)


def test_784_256_128_64_10_builds_for_mnist_sized_input():
    spec = ModelSpec((dense(256, "relu"), dense(128, "relu"), dense(64, "relu"), dense(10)))
    built = build_model(spec, (784,), head())
    assert built.summary[0].in_shape == (784,)
    assert built.module(torch.zeros(2, 784)).shape == (2, 10)


def test_small_cnn_on_digits_infers_feature_map_shapes():
    built = build_model(digits_cnn().model, (1, 8, 8), head())
    shapes = [row.out_shape for row in built.summary]
    assert shapes[:5] == [(8, 8, 8), (8, 4, 4), (16, 4, 4), (16, 2, 2), (64,)]
    assert built.module(torch.zeros(5, 64)).shape == (5, 10)


IMAGE, FLAT = (1, 8, 8), (4,)


@pytest.mark.parametrize("shape, layers, message", [
    (FLAT, (LayerSpec("conv2d", {"filters": 4}), dense(None)), "needs image input"),
    (IMAGE, (LayerSpec("conv2d", {"filters": 4, "kernel": 12, "padding": 0}),
             LayerSpec("flatten"), dense(None)), r"does not fit a 8x8 input"),
    (IMAGE, (LayerSpec("conv2d", {"filters": 4}), dense(None)), "add a Flatten layer"),
    (FLAT, (dense(None), dense(4)), "only the last Dense layer may have 'auto' units"),
    (FLAT, (dense(8), dense(3)), "has 3 units, but the task needs 10 outputs"),
    (FLAT, (LayerSpec("relu"),), "needs at least one Dense layer"),
    (FLAT, (dense(None), LayerSpec("dropout")), None),
    (FLAT, (dense(None), LayerSpec("flatten")), "after the output layer"),
])
def test_impossible_stacks_are_refused_with_the_layer_named(shape, layers, message):
    if message is None:  # dropout after the output is legal, if odd
        build_model(ModelSpec(layers), shape, head())
        return
    with pytest.raises(SpecError, match=message):
        build_model(ModelSpec(layers), shape, head())


def test_zeros_initialisation_leaves_every_weight_zero():
    built = build_model(ModelSpec((dense(5, "tanh", "zeros"), dense(None, init="zeros"))),
                        (2,), head("bce", "binary", 2))
    assert all(torch.count_nonzero(p) == 0 for p in built.module.parameters())


@pytest.mark.parametrize("scheme, expected_std", [
    ("xavier_normal", (2 / (400 + 300)) ** 0.5),
    ("he_normal", (2 / 400) ** 0.5),
])
def test_variance_scaling_initialisations(scheme, expected_std):
    torch.manual_seed(0)
    built = build_model(ModelSpec((dense(300, "linear", scheme), dense(None))),
                        (400,), head("mse", "regression", 0))
    weight = built.module[0].weight
    assert weight.std().item() == pytest.approx(expected_std, rel=0.05)


def test_every_registered_layer_builds_on_a_suitable_input():
    for name, kind in LAYERS.items():
        shape = (3, 8, 8) if kind.category == "image" else (6,)
        modules, out_shape = kind.build(
            {p.name: p.default for p in kind.params} | ({"units": 4} if name == "dense" else {}),
            shape)
        assert all(isinstance(m, torch.nn.Module) for m in modules), name
        assert len(out_shape) in (1, 3), name


def test_prepared_digits_feed_a_cnn():
    data = prepare(digits_cnn().data)
    built = build_model(digits_cnn().model, data.input_shape, head())
    out = built.module(torch.from_numpy(data.x_train[:4]))
    assert out.shape == (4, 10)


def test_checking_a_model_leaves_the_global_random_state_alone():
    from playground.core.model import check_model

    torch.manual_seed(7)
    before = torch.get_rng_state()
    check_model(digits_deep().model, (1, 8, 8), head())
    assert torch.equal(torch.get_rng_state(), before)
