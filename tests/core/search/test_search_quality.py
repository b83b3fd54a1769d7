"""Optuna's samplers and pruners earn their place on our problems (real training, small
networks, a few epochs; in-memory studies, since storage changes no sampling).

Measured on this machine when written (see the issue note): TPE's best over 5 seeds had
median 0.608 against random's 0.648; Hyperband trained 47-53% fewer epochs than no
pruning, its best within 1.8% in median over 3 seeds (0.4%, 1.8%, 6.3%).
"""
from __future__ import annotations

import dataclasses
import statistics

import pytest

from playground.core.search import Search, SearchSettings
from playground.core.spec import DataSpec, OptimizerSpec

from ..helpers import tiny_spec


def _best(spec, space, sampler, pruner, seed):
    search = Search(spec, SearchSettings(space, trials=30, sampler=sampler, pruner=pruner,
                                         seed=seed), None)
    summary = search.run()
    return search.study.best_value, sum(result.epochs for result in summary.ran)


@pytest.mark.slow
def test_tpe_finds_a_lower_validation_loss_than_random_in_30_trials():
    spec = dataclasses.replace(tiny_spec(epochs=6, threads=1),
                               optimizer=OptimizerSpec("sgd", 0.1))
    space = "lr=1e-4..3:log,momentum=0..0.95,units=2..32"
    medians = {sampler: statistics.median(_best(spec, space, sampler, "none", seed)[0]
                                          for seed in range(5))
               for sampler in ("random", "tpe")}
    assert medians["tpe"] < medians["random"], medians


@pytest.mark.slow
def test_hyperband_saves_a_third_of_the_epochs_for_a_best_result_within_5_percent():
    spec = dataclasses.replace(tiny_spec(epochs=27, threads=1, batch_size=32),
                               data=DataSpec("moons", samples=400, noise=0.45))
    space = "lr=1e-4..1:log,units=2..32"
    ratios, savings = [], []
    for seed in range(3):  # the same random draws with and without pruning
        best_full, epochs_full = _best(spec, space, "random", "none", seed)
        best_pruned, epochs_pruned = _best(spec, space, "random", "hyperband", seed)
        ratios.append(best_pruned / best_full)
        savings.append(1 - epochs_pruned / epochs_full)
    assert epochs_full == 30 * 27
    assert min(savings) >= 0.30, savings
    assert statistics.median(ratios) <= 1.05, ratios
