"""core.inspect: neuron maps, layer statistics and the rate-limited callback."""
from __future__ import annotations

import collections
import dataclasses
import math
import sys

import numpy as np
import torch

from playground.core.inspect import InspectCallback, Inspector, make_plane
from playground.core.inspect.grid import BLOCK
from playground.core.inspect.stats import histogram, most_active
from playground.core.session import weights_sha256
from playground.core.spec import DataSpec, LayerSpec, ModelSpec, SessionSpec
from playground.core.trainer import Trainer

from .helpers import dense, tiny_spec, with_layers


def _trained(spec: SessionSpec, **kwargs) -> Trainer:
    trainer = Trainer(spec, **kwargs)
    trainer.fit()
    return trainer


def test_neuron_maps_equal_the_hidden_activations_computed_directly():
    spec = dataclasses.replace(tiny_spec(epochs=2), model=ModelSpec(
        (dense(8, "tanh"), dense(8, "relu"), dense(8, "sigmoid"), dense(None))))
    trainer = _trained(spec)
    snap = Inspector(trainer).snapshot()
    plane = make_plane(trainer)
    x = plane.points
    linears = [m for m in trainer.model if isinstance(m, torch.nn.Linear)]
    with torch.no_grad():
        h1 = torch.tanh(linears[0](x))
        h2 = torch.relu(linears[1](h1))
        h3 = torch.sigmoid(linears[2](h2))
        out = linears[3](h3)
    size, block = plane.size, BLOCK
    cells = size // block
    assert cells >= 50  # finer than the web playground's 10x10
    for hidden, layer in zip((h1, h2, h3, out), snap.layers):
        direct = hidden.T.reshape(-1, cells, block, cells, block).mean((2, 4)).numpy()
        assert layer.maps.shape == (8 if not layer.is_output else 1, cells, cells)
        np.testing.assert_allclose(layer.maps, direct[list(layer.shown)], atol=1e-6)
    # The input 'neurons' are the scaled input columns themselves.
    columns = x.T.reshape(2, cells, block, cells, block).mean((2, 4)).numpy()
    np.testing.assert_allclose(snap.inputs.maps, columns, atol=1e-6)
    assert snap.layers[1].weights.shape == (8, 8)
    np.testing.assert_array_equal(snap.layers[1].weights, linears[1].weight.detach().numpy())


def test_statistics_of_a_dead_relu_layer_and_a_saturated_tanh_layer():
    spec = dataclasses.replace(tiny_spec(epochs=1), model=ModelSpec(
        (dense(8, "relu"), dense(8, "tanh"), dense(None))))
    trainer = Trainer(spec)
    linears = [m for m in trainer.model if isinstance(m, torch.nn.Linear)]
    with torch.no_grad():
        linears[0].bias[:4] = -50.0     # half the ReLU units never turn on
        linears[1].weight.mul_(100.0)   # tanh units pushed into their tails
    snap = Inspector(trainer).snapshot()
    assert snap.layers[0].dead_fraction == 0.5
    assert snap.layers[1].saturation > 0.5
    assert math.isnan(snap.layers[0].saturation) and math.isnan(snap.layers[1].dead_fraction)
    assert snap.layers[0].weight_hist.sum() == 16  # 8 x 2 weights, every one counted


def test_update_ratio_is_the_mean_step_relative_to_the_weights():
    trainer = Trainer(tiny_spec(epochs=1))
    inspector = Inspector(trainer)
    first = inspector.snapshot()
    before = [m.weight.detach().clone() for m in trainer.model
              if isinstance(m, torch.nn.Linear)]
    trainer.fit()
    second = inspector.snapshot()
    assert all(math.isnan(layer.update_ratio) for layer in first.layers)
    after = [m.weight.detach() for m in trainer.model if isinstance(m, torch.nn.Linear)]
    for layer, b, a in zip(second.layers, before, after):
        expected = float((a - b).norm()) / trainer.step / float(a.norm())
        assert math.isclose(layer.update_ratio, expected, rel_tol=1e-5)  # float64 vs 32


def test_wide_layers_show_the_sixteen_most_active_units():
    activity = np.arange(40, dtype=np.float32)[::-1].copy()
    assert most_active(activity) == tuple(range(16))
    spec = dataclasses.replace(tiny_spec(epochs=1), data=DataSpec("iris"),
                               model=ModelSpec((dense(40, "relu"), dense(None, "softmax"))))
    snap = Inspector(_trained(spec)).snapshot()
    wide = snap.layers[0]
    assert len(wide.shown) == 16 and wide.hidden == 24
    assert wide.maps is None and wide.distributions.shape == (16, 40)
    assert snap.layers[1].weights.shape == (3, 16)
    chosen = wide.activity[list(wide.shown)].min()
    assert chosen >= np.delete(wide.activity, list(wide.shown)).max()


def test_histograms_keep_outliers_in_the_end_bins():
    counts = histogram(torch.tensor([-100.0, 0.0, 100.0, float("nan")]), -3, 3, bins=3)
    assert counts.tolist() == [1.0, 1.0, 1.0]
    values = np.random.default_rng(0).normal(0, 1, 10_000).astype(np.float32)
    expected = np.histogram(np.clip(values, -3, 3), 40, (-3, 3))[0]
    np.testing.assert_array_equal(histogram(values, -3, 3), expected)


def test_the_callback_is_rate_limited_and_changes_nothing_in_the_run():
    spec = tiny_spec(epochs=30)
    plain = _trained(spec)
    snapshots = []
    inspected = _trained(spec, callbacks=[InspectCallback(snapshots.append, rate=1e-6)])
    # One at the start, none between (rate limited), one at the end.
    assert [s.epoch for s in snapshots] == [0, 30]
    for a, b in zip(plain.model.parameters(), inspected.model.parameters()):
        assert torch.equal(a, b)
    assert plain.history.column("loss") == inspected.history.column("loss")


def test_snapshots_between_updates_change_nothing_in_the_run(monkeypatch):
    """The per-update path, taken at every update (no rate, no budget), on a network
    whose training depends on the mode and on random draws (dropout, batch norm): a
    snapshot that left it in evaluation mode, drew a number or moved the running
    statistics would change the weights."""
    from playground.core.inspect import callback

    spec = with_layers(tiny_spec(epochs=3), dense(16), LayerSpec("batchnorm"),
                       LayerSpec("tanh"), LayerSpec("dropout", {"rate": 0.3}), dense(None))
    plain = _trained(spec)
    monkeypatch.setattr(callback, "BUDGET", 1.0)
    snapshots = []
    inspected = _trained(spec, callbacks=[InspectCallback(snapshots.append, rate=1e9)])
    steps = [s.step for s in snapshots]
    spe = plain.steps_per_epoch
    assert spe > 1 and set(range(1, 3 * spe + 1)) <= set(steps)  # mid-epoch ones too
    assert [s.epoch for s in snapshots if s.step == spe + 1] == [1]
    assert weights_sha256(plain.model.state_dict()) == \
        weights_sha256(inspected.model.state_dict())
    assert plain.history.column("loss") == inspected.history.column("loss")


def _calls_from_the_training_loop(trainer: Trainer) -> collections.Counter:
    """The Python functions the batch loop itself calls while `trainer` fits, by name."""
    loop, called = Trainer._run_epoch.__code__, collections.Counter()

    def profile(frame, event, arg):
        if event == "call" and frame.f_back is not None and frame.f_back.f_code is loop:
            called[frame.f_code.co_name] += 1

    sys.setprofile(profile)
    try:
        trainer.fit()
    finally:
        sys.setprofile(None)
    return called


def test_a_run_with_no_update_watcher_makes_no_per_update_call():
    """Callbacks that do not set on_update_end cost the training loop nothing: per update
    the loop calls the update itself and, the one watcher every run has, the gradient
    noise's (tests/bench/bench_noise.py measures what it costs), and nothing else."""
    from playground.core.callbacks import Callback

    trainer = Trainer(tiny_spec(epochs=2))
    called = _calls_from_the_training_loop(trainer)
    assert trainer.step > 2 * trainer.epoch and called["update"] == trainer.step
    assert called["_after_update"] == trainer.step          # the gradient noise's watcher
    assert all(n <= trainer.epoch for name, n in called.items()
               if name not in ("update", "_after_update")), called

    class Watcher(Callback):  # the same probe sees a watcher once per update
        def watch(self, trainer):
            pass

    watcher = Watcher()
    watcher.on_update_end = watcher.watch
    watched = Trainer(tiny_spec(epochs=2), callbacks=[watcher])
    assert _calls_from_the_training_loop(watched)["watch"] == watched.step


def test_editing_a_parameter_by_hand_names_what_cannot_be_edited():
    import pytest

    from playground.core.inspect.edit import EditError, read_parameter, set_parameter

    trainer = Trainer(tiny_spec(epochs=1))
    old = set_parameter(trainer, 1, 2, 3, 0.25)
    assert read_parameter(trainer, 1, 2, 3) == 0.25
    assert set_parameter(trainer, 1, 2, 3, old) == 0.25 and read_parameter(trainer, 1, 2, 3) == old
    set_parameter(trainer, 0, 1, None, -2.0)
    assert float(trainer.model[0].bias[1]) == -2.0
    for args, words in (((5, 0, 0), "no layer 6"), ((1, 99, 0), "not in the layer"),
                        ((1, 0, 0, float("nan")), "must be a number")):
        with pytest.raises(EditError, match=words):
            set_parameter(trainer, *args[:3], *(args[3:] or (1.0,)))


def test_a_traced_weight_reports_its_optimizer_state_and_effective_step():
    from playground.core.inspect.trace import Tracer

    from .helpers import with_optimizer

    for name, keys in (("adam", {"exp_avg", "exp_avg_sq"}), ("momentum", {"momentum_buffer"})):
        trainer = Trainer(with_optimizer(tiny_spec(epochs=1), name, 0.01))
        tracer = Tracer((1, 2, 3))
        first = tracer.trace(trainer)
        assert math.isnan(first.grad) and math.isnan(first.effective_step)
        trainer.fit()
        later = tracer.trace(trainer)
        weight = trainer.model[2].weight  # Linear, Tanh, Linear: the second Dense
        state = trainer.optimizer.state[weight]
        assert set(later.state) == keys
        for key in keys:
            assert later.state[key] == float(state[key][2, 3])
        assert later.value == float(weight[2, 3]) and later.grad == float(weight.grad[2, 3])
        assert later.effective_step == (later.value - first.value) / trainer.step
