"""The health diagnosis on a matrix of crafted runs (tests/core/health_cases.py): each
fault, on 3 seeds, is named first (rank 1) by its root cause, and its fix moves the
learning rate the right way; healthy runs on four data sets and four optimizers raise
nothing. tests/bench/bench_health.py runs the same matrix on more seeds."""
from __future__ import annotations

import pytest

from .health_cases import FAULTS, HEALTHY, lr_direction, run, seeded


@pytest.mark.parametrize("seed", [0, 1, 2])
@pytest.mark.parametrize("fault", FAULTS, ids=[f.name for f in FAULTS])
def test_a_fault_is_diagnosed_first_by_its_root_cause_with_a_fix_the_right_way(fault, seed):
    spec = seeded(fault.spec, seed)
    _, found = run(spec, fault.prepare)
    assert found, f"{fault.name}: nothing found"
    first = found[0]
    assert (first.check, first.rank) == (fault.first, 1), [(f.check, f.epoch) for f in found]
    assert lr_direction(spec, first) == fault.lr
    # The root cause is said once, not beside its symptoms: nothing it explains follows.
    assert "stalled" not in [f.check for f in found[1:]]


@pytest.mark.parametrize("index", range(len(HEALTHY)), ids=[name for name, _ in HEALTHY])
def test_a_healthy_run_raises_nothing(index):
    _, spec = HEALTHY[index]
    _, found = run(seeded(spec, index % 3))
    assert found == []
