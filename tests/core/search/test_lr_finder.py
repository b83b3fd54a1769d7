"""The learning-rate finder: the sweep, its suggestions, and that it changes nothing."""
from __future__ import annotations

import dataclasses
import math

import numpy as np
import pytest
import torch

from playground.core.errors import SpecError
from playground.core.search import find_lr
from playground.core.search.lr_finder import _start_level, check_sweep, read_curve, steepest, valley
from playground.core.spec import LayerSpec, ModelSpec, OptimizerSpec
from playground.core.trainer import Trainer

from ..helpers import dense, tiny_spec


def _state(trainer):
    return (
        {k: v.clone() for k, v in trainer.model.state_dict().items()},
        trainer.state_dict(),
        torch.get_rng_state().clone(),
        trainer.shuffle_generator.get_state().clone(),
    )


def _same(a, b):
    if isinstance(a, torch.Tensor):
        return torch.equal(a, b)
    if isinstance(a, dict):
        return a.keys() == b.keys() and all(_same(a[k], b[k]) for k in a)
    if isinstance(a, (list, tuple)):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b))
    return a == b or (isinstance(a, float) and math.isnan(a) and math.isnan(b))


def test_the_sweep_changes_nothing_of_the_trainer_and_training_continues_identically():
    spec = dataclasses.replace(tiny_spec(epochs=4), model=ModelSpec((
        dense(8, "tanh"), LayerSpec("dropout", {"rate": 0.3}), dense(8, "tanh"),
        dense(None))))  # dropout draws from the global torch RNG
    plain, probed = Trainer(spec), Trainer(spec)
    for trainer in (plain, probed):  # they share the global RNG dropout draws from:
        torch.manual_seed(5)         # each phase starts it alike
        trainer.change_hyperparameters(epochs=2)
        trainer.fit()  # mid-run: the optimizer has state, the shuffle has moved on
    before = _state(probed)
    found = find_lr(probed)
    after = _state(probed)
    weights_before, state_before, rng_before, shuffle_before = before
    weights_after, state_after, rng_after, shuffle_after = after
    assert _same(weights_before, weights_after)
    assert _same(state_before["optimizer"], state_after["optimizer"])
    assert _same(state_before, state_after)
    assert torch.equal(rng_before, rng_after) and torch.equal(shuffle_before, shuffle_after)
    assert found.reason in ("diverged", "completed") and len(found.lrs) > 10
    # the strongest check: the rest of the run is bit-identical to one never probed
    for trainer in (plain, probed):
        torch.manual_seed(7)
        trainer.change_hyperparameters(epochs=4)
        trainer.fit()
    for a, b in zip(plain.model.parameters(), probed.model.parameters()):
        assert torch.equal(a, b)


def test_the_sweep_is_exponential_smoothed_and_stops_at_four_times_the_best():
    found = find_lr(Trainer(tiny_spec()), start=1e-5, end=10.0, updates=60)
    ratios = [b / a for a, b in zip(found.lrs, found.lrs[1:])]
    assert found.lrs[0] == pytest.approx(1e-5)
    assert max(ratios) == pytest.approx(min(ratios))  # a constant factor per update
    # the bias-corrected average starts at the first loss itself
    assert found.losses[0] == pytest.approx(found.raw[0])
    average = 0.0
    for i, raw in enumerate(found.raw):
        average = 0.98 * average + 0.02 * raw
        assert found.losses[i] == pytest.approx(average / (1 - 0.98 ** (i + 1)))
    best = min(found.losses[:-1])
    if found.reason == "diverged":
        assert found.losses[-1] > 4 * best
    assert all(loss <= 4 * min(found.losses[:i + 1]) for i, loss in
               enumerate(found.losses[:-1]))


def test_valley_takes_two_thirds_down_the_longest_falling_stretch():
    lrs = [10.0 ** (i / 10 - 6) for i in range(40)]
    # flat and noisy, then a long fall from 10 to 30, then a blow-up
    losses = [1.0 + (0.01 if i % 2 else -0.01) for i in range(10)] + \
             [1.0 - 0.04 * k for k in range(21)] + [1.5 + k for k in range(9)]
    assert valley(lrs, losses) == lrs[9 + 6 + 3]   # fastai: start + 1/3 + 1/6 of 21
    assert steepest(lrs[:31], losses[:31]) in lrs[9:31]


def test_lbfgs_and_a_bad_sweep_are_refused_in_one_sentence():
    spec = dataclasses.replace(tiny_spec(batch_size=None),
                               optimizer=OptimizerSpec("lbfgs", 1.0))
    with pytest.raises(SpecError, match="L-BFGS"):
        find_lr(Trainer(spec))
    with pytest.raises(SpecError, match="from a learning rate above 0"):
        find_lr(Trainer(tiny_spec()), start=1.0, end=0.1)


# How close the suggestion lands to a grid search's best learning rate is a figure of real
# training (it moves with the CPU's rounding as with the seed): tests/bench/bench_lr_finder.


# ---------------------------------------------------------------- crafted curves
def _lrs(n=100):
    return [1e-7 * (1e8) ** (i / (n - 1)) for i in range(n)]


def _smoothed(raw, beta=0.98):
    average, out = 0.0, []
    for i, value in enumerate(raw):
        average = beta * average + (1 - beta) * value
        out.append(average / (1 - beta ** (i + 1)))
    return out


def _valley_curve(n=100):
    """Flat at 1 up to lr 1e-4, falling to 0.3 by lr 0.1, then blowing up."""
    curve = []
    for lr in _lrs(n):
        x = math.log10(lr)
        curve.append(1.0 if x < -4 else 1.0 - 0.7 * (x + 4) / 3 if x < -1 else 0.3 * 10 ** (x + 1))
    return curve


def _read(curve):
    lrs = _lrs(len(curve))
    return lrs, read_curve(lrs, curve, curve[0])


def _on_the_way_down(lrs, curve, lr, start):
    i = lrs.index(lr)
    return curve[i] < start and curve[i + 1] < curve[i] and i < curve.index(min(curve))


def test_a_clean_valley_gives_both_suggestions_on_the_way_down():
    lrs, reading = _read(_valley_curve())
    assert reading.clear and reading.note == ""
    for lr in (reading.valley, reading.steepest):
        assert 1e-4 < lr < 0.1 and _on_the_way_down(lrs, _valley_curve(), lr, 1.0)
    first, last = reading.descent
    assert 1e-4 <= lrs[first] and lrs[last] == pytest.approx(0.1, rel=0.25)


def test_a_flat_curve_has_no_clear_valley_and_says_so():
    lrs, reading = _read([1.0 + 0.004 * math.sin(i) for i in range(100)])
    assert not reading.clear and reading.valley is None and reading.steepest is None
    assert "no clear valley" in reading.note and "stayed flat" in reading.note


def test_a_curve_that_blows_up_from_the_start_points_to_a_smaller_first_lr():
    lrs, reading = _read([1.0 + 0.05 * i for i in range(100)])
    assert not reading.clear and "smaller first learning rate" in reading.note
    # flat for most of the sweep and then up: no valley either, and it says where
    lrs, reading = _read([1.0] * 80 + [1.0 + 0.2 * k for k in range(20)])
    assert not reading.clear and f"{lrs[81]:.2g}" in reading.note


def test_the_steepest_point_is_never_where_the_loss_is_already_blowing_up():
    # a small fall, then a blow-up with a sharp dip in it (the dip falls fastest)
    curve = _valley_curve()[:70] + [0.6, 0.9, 1.3, 0.4, 1.8, 2.5, 3.0] + [4.0] * 23
    lrs, reading = _read(curve)
    low = curve.index(min(curve[:70]))
    assert reading.clear and lrs.index(reading.steepest) < low
    assert lrs.index(reading.valley) < low


@pytest.mark.parametrize("seed", range(5))
def test_noise_neither_hides_a_valley_nor_makes_one(seed):
    """Batch losses scattered by 20% (diabetes' are), read as find_lr reads them."""
    rng = np.random.default_rng(seed)
    lrs = _lrs()

    def read(curve):
        raw = [v * (1 + 0.2 * rng.standard_normal()) for v in curve]
        start, noise = _start_level(lrs, raw, 100, 0.98)
        return read_curve(lrs[10:-5], _smoothed(raw)[10:-5], start, noise)

    reading = read(_valley_curve())
    assert reading.clear and 1e-4 < reading.valley < 0.2 and 1e-4 < reading.steepest < 0.2
    flat = read([1.0] * 100)
    assert not flat.clear and "no clear valley" in flat.note


@pytest.mark.parametrize("start, end", [(1e-3, 1e-3 * (1 + 2**-52)), (0.01, 0.05)])
def test_a_sweep_narrower_than_a_decade_is_one_sentence(start, end):
    with pytest.raises(SpecError, match="at least a factor of 10"):
        check_sweep(start, end, 100)
