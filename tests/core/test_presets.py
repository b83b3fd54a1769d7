"""The presets: each runs and gives its table; the textbook directions that are robust."""
from __future__ import annotations

import dataclasses
import math

import pytest
import torch

from playground.core.experiments.presets import PRESETS, preset
from playground.core.experiments.sweep import run_sweep


def shortened(name, epochs):
    item = preset(name)
    base = item.base()
    return item.plan(dataclasses.replace(base, train=dataclasses.replace(
        base.train, epochs=epochs)))


@pytest.mark.parametrize("name", sorted(PRESETS))
def test_each_preset_runs_and_gives_its_table(name):
    table = run_sweep(shortened(name, 2)).table()
    item = PRESETS[name]
    assert len(table) == len(item.plan().runs) >= 3
    for row in table:
        assert row["reason"] in ("completed", "diverged")
        for column in item.columns:
            assert column in row


def test_zeros_leave_the_hidden_units_identical():
    item = preset("init")
    result = run_sweep(item.plan(vary={"init": ("zeros", "he_normal")}))
    zeros, he = (r.weights for r in result.results)
    for weights, same in ((zeros, True), (he, False)):
        for key in ("0.weight", "2.weight"):  # each hidden layer's incoming weights
            rows = weights[key]
            assert bool(torch.equal(rows, rows[:1].expand_as(rows))) is same


def test_a_learning_rate_10x_too_high_ends_above_the_tuned_one():
    table = run_sweep(preset("lr").plan()).table()
    # A diverged run's loss may be NaN: it counts as the highest.
    loss = {row["lr"]: row["loss"] if math.isfinite(row["loss"]) else math.inf
            for row in table}
    tuned = min(loss, key=loss.get)
    high = [lr for lr in loss if math.isclose(lr, 10 * tuned)]
    assert high, "the preset shows the rate 10x above its best"
    assert loss[high[0]] > loss[tuned]


def test_standardised_features_converge_faster_than_raw_on_breast_cancer():
    table = {row["scaling"]: row for row in run_sweep(preset("scaling").plan()).table()}
    standard, raw = table["standard"], table["none"]
    assert standard["epoch_to_target"] is not None
    assert raw["epoch_to_target"] is None or raw["epoch_to_target"] > standard["epoch_to_target"]
    assert standard["loss"] < raw["loss"]
