"""What Optuna's samplers and pruners do in our searches, checked as mechanisms that hold
on any CPU. How much they earn (TPE's lower loss than random search, Hyperband's saving
of epochs for a best result nearly as good) is a statistical figure of real training,
measured by `python -m tests.bench.bench_search --quality` (see tests/bench/README.md):
asserted here it would rest on one CPU's float trajectory.

The trials below choose between two learning rates so far apart (on moons with Adam,
1e-7 leaves the validation loss at 0.69 while 0.03 has it near 0.41 after one epoch) that which trial is worse is never in doubt, and a seeded random
sampler draws its choices with integer arithmetic, the same on every CPU.
"""
from __future__ import annotations

import dataclasses

from playground.core.search import Search, SearchSettings
from playground.core.spec import DataSpec, OptimizerSpec

from ..helpers import tiny_spec

EPOCHS = 9


def _search(pruner: str) -> list:
    spec = dataclasses.replace(tiny_spec(epochs=EPOCHS, threads=1),
                               data=DataSpec("moons", samples=200, noise=0.1),
                               optimizer=OptimizerSpec("adam", 0.01))
    settings = SearchSettings("lr=1e-7|0.03", trials=12, sampler="random", pruner=pruner,
                              seed=0)
    return Search(spec, settings, None).run().ran


def test_hyperband_prunes_hopeless_trials_and_a_pruned_trial_trains_fewer_epochs():
    ran = _search("hyperband")
    pruned = [r for r in ran if r.state == "pruned"]
    assert pruned, [(r.params, r.state) for r in ran]
    assert all(r.params["lr"] == 1e-7 for r in pruned)
    assert all(r.epochs < EPOCHS for r in pruned)
    assert all(r.epochs == EPOCHS for r in ran if r.state == "complete")
    # no pruner: every trial trains every epoch
    assert [r.epochs for r in _search("none")] == [EPOCHS] * 12
