"""The gradient noise scale and the update cosine, per epoch, in the History."""
from __future__ import annotations

import math
from dataclasses import replace

import numpy as np
import pytest
import torch

from playground.core.data import from_arrays
from playground.core.spec import (DataSpec, LayerSpec, ModelSpec, OptimizerSpec,
                                  SessionSpec, TrainSpec)
from playground.core.trainer import Trainer

from .helpers import tiny_spec

W_TRUE = np.array([1.0, -2.0, 0.5, 3.0])
SIGMA = 2.0


def regression(seed: int, rows: int = 4096, sigma: float = SIGMA):
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((rows, len(W_TRUE))).astype(np.float32)
    y = (x @ W_TRUE + sigma * rng.standard_normal(rows)).astype(np.float32)[:, None]
    return from_arrays("linear", "regression", (x, y), (x[:0], y[:0]), (x[:0], y[:0]))


def linear_spec(seed: int, batch: int, epochs: int, lr: float = 1e-8) -> SessionSpec:
    layer = LayerSpec("dense", {"units": 1, "activation": "linear", "bias": False})
    return SessionSpec(data=DataSpec("spiral"), model=ModelSpec((layer,)),
                       optimizer=OptimizerSpec("sgd", lr),
                       train=TrainSpec(batch_size=batch, epochs=epochs, loss="mse",
                                       device="cpu", seed=seed))


def exact_noise_scale(trainer) -> float:
    """tr(Σ)/|G|² from the per-example gradients at the current weights: 2 r x."""
    x = trainer.x["train"].double()
    r = x @ trainer.model[0].weight.detach().double().reshape(-1) - \
        trainer.y["train"].double().reshape(-1)
    per_example = 2 * r[:, None] * x
    mean = per_example.mean(0)
    trace = ((per_example - mean) ** 2).sum(1).mean()
    return float(trace / mean.dot(mean))


def closed_form(trainer, sigma: float = SIGMA) -> float:
    """With x ~ N(0, I_d) and y = x·w* + N(0, σ²), the per-example gradient of the squared
    error at w is 2 r x with r = x·δ - ε, δ = w - w*: G = 2δ and tr(Σ) = 4((d + 1)|δ|² +
    dσ²), so B_simple = ((d + 1)|δ|² + dσ²) / |δ|²."""
    delta = trainer.model[0].weight.detach().double().reshape(-1).numpy() - W_TRUE
    d, squared = len(W_TRUE), float(delta @ delta)
    return ((d + 1) * squared + d * sigma ** 2) / squared


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_noise_scale_matches_its_closed_form_on_linear_regression(seed):
    """The weights held still (lr 1e-8); every epoch's estimate counted alike (decay 1),
    every batch read: 8 epochs of 512 batches of 8."""
    trainer = Trainer(linear_spec(seed, batch=8, epochs=8), data=regression(seed))
    trainer.noise.samples, trainer.noise.decay = 512, 1.0
    trainer.fit()
    estimates = trainer.history.column("grad_noise_scale")
    assert len(estimates) == 8 and all(math.isfinite(v) for v in estimates)
    assert estimates[-1] == pytest.approx(exact_noise_scale(trainer), rel=0.08)
    assert estimates[-1] == pytest.approx(closed_form(trainer), rel=0.15)  # and the sample's


@pytest.mark.parametrize("seed", [0, 1])
def test_noise_scale_from_the_default_few_batches_per_epoch(seed):
    """As a network too large for every gradient is read: 2 pairs of successive batches
    of 128 read per epoch, the estimates decaying; over 60 epochs the last figure is
    still near the closed form."""
    trainer = Trainer(linear_spec(seed, batch=8, epochs=60), data=regression(seed, 1024))
    trainer.noise.budget = 0  # no room for all: the fewest, `samples` gradients
    trainer.fit()
    assert sorted(trainer.noise._grads_at) == [32, 33, 96, 97]
    estimates = trainer.history.column("grad_noise_scale")
    assert all(math.isfinite(v) for v in estimates)
    assert np.median(estimates[20:]) == pytest.approx(closed_form(trainer), rel=0.35)


@pytest.mark.parametrize("seed", [0, 1])
def test_noise_scale_many_times_a_small_batch(seed):
    """The spiral's case: batch 4, a noise scale 7 to 15 times as large. Four batches'
    rows an epoch left |G|² a difference of noisy numbers (no figure in some epochs, and
    half the sample's own figure); the products of successive batches' gradients, the
    whole epoch read, hold it within a third, every epoch."""
    sigma = 12.0
    trainer = Trainer(linear_spec(seed, batch=4, epochs=40),
                      data=regression(seed, 1024, sigma))
    trainer.fit()
    estimates = trainer.history.column("grad_noise_scale")
    exact = exact_noise_scale(trainer)
    assert exact > 7 * 4
    assert all(math.isfinite(v) for v in estimates)
    assert np.median(estimates[20:]) == pytest.approx(exact, rel=0.35)


def test_the_default_spiral_has_a_noise_scale():
    """The spiral example as it opens (batch 10, 35 updates an epoch, a noise scale near
    100) had none in any epoch: now every update's gradient is read and most epochs,
    as good as all, have one."""
    from playground.core.examples import spiral

    spec = spiral()
    trainer = Trainer(replace(spec, train=replace(spec.train, epochs=15)))
    trainer.fit()
    assert len(trainer.noise._grads_at) == trainer.steps_per_epoch == 35
    estimates = trainer.history.column("grad_noise_scale")
    assert sum(math.isfinite(v) and v > 10 for v in estimates) >= 12


def test_no_noise_to_measure_in_full_batch_training():
    trainer = Trainer(tiny_spec(batch_size=None, epochs=3))
    trainer.fit()
    assert all(math.isnan(v) for v in trainer.history.column("grad_noise_scale"))
    # one update per epoch: successive updates are successive epochs' updates
    cosines = trainer.history.column("update_cosine")
    assert math.isnan(cosines[0]) and all(-1 <= c <= 1 for c in cosines[1:])


def test_update_cosine_of_plain_gradient_descent_on_a_smooth_bowl():
    """Full-batch SGD with a small step on least squares: successive steps point almost
    the same way (cosine near 1); with a large step they zigzag (cosine below 0)."""
    for lr, check in ((0.01, lambda c: c > 0.95), (0.95, lambda c: c < 0)):
        trainer = Trainer(linear_spec(0, batch=4096, epochs=6, lr=lr), data=regression(0))
        trainer.fit()
        cosines = trainer.history.column("update_cosine")[1:]
        assert all(check(c) for c in cosines), (lr, cosines)


def test_update_cosine_agrees_with_the_weights_moves():
    trainer = Trainer(tiny_spec(batch_size=30, epochs=1))
    moves = []
    previous = [torch.cat([p.detach().reshape(-1) for p in trainer.model.parameters()])]

    def watch(t):
        now = torch.cat([p.detach().reshape(-1) for p in t.model.parameters()])
        moves.append(now - previous[0])
        previous[0] = now

    from playground.core.callbacks import Callback

    class Watcher(Callback):
        on_update_end = staticmethod(watch)

    trainer.callbacks.append(Watcher())
    trainer.fit()
    expected = np.mean([float(torch.nn.functional.cosine_similarity(a, b, dim=0))
                        for a, b in zip(moves, moves[1:])])
    assert trainer.history.column("update_cosine")[0] == pytest.approx(expected, abs=1e-5)


def test_the_figures_are_saved_with_the_session_and_in_jsonl(tmp_path, capsys):
    import json

    from playground.cli import main as cli
    from playground.core.sessionfile import describe_session

    path = tmp_path / "run.pgsession"
    assert cli(["train", "--example", "spiral", "--epochs", "2", "--jsonl",
                "--save", str(path)]) == 0
    records = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    epochs = [r for r in records if "grad_noise_scale" in r]
    assert len(epochs) == 2 and all("update_cosine" in r for r in epochs)
    last = describe_session(path)["last_epoch"]
    assert "grad_noise_scale" in last and "update_cosine" in last


def test_a_resumed_run_goes_on_with_the_same_noise_scale(tmp_path):
    from playground.core.sessioncheck import restore_state
    from playground.core.sessionfile import open_session, save_session

    whole = Trainer(tiny_spec(epochs=6))
    whole.fit()
    first = Trainer(tiny_spec(epochs=3))
    first.fit()
    path = tmp_path / "half.pgsession"
    save_session(path, first.spec, first.state_dict(), first.data)
    second = Trainer(tiny_spec(epochs=6), data=first.data)
    restore_state(second, open_session(path).state, path)
    second.fit()
    assert np.allclose(second.history.column("grad_noise_scale"),
                       whole.history.column("grad_noise_scale"), equal_nan=True)
