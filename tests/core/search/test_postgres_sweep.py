"""A sweep's grid study in a real PostgreSQL on loopback (started as test_postgres.py
starts it; skipped, with the reason, where PostgreSQL is not installed): the sweep and
two `search worker` processes train each point once, and the sweep reports them all."""
from __future__ import annotations

import time

import pytest

from playground.core.experiments.sweep import plan_sweep
from playground.core.search.sweep_study import SweepStudy

from ..helpers import tiny_spec
from .test_postgres import postgres_url  # noqa: F401 - the fixture
from .test_sweep_study import GRID, check_each_point_once, share_with_workers, start_worker


@pytest.mark.slow
def test_a_sweep_and_two_workers_share_a_grid_study_in_postgresql(postgres_url):  # noqa: F811
    plan = plan_sweep(tiny_spec(epochs=3, threads=1), [*GRID[:1], ("optimizer", (
        "sgd", "momentum", "adam"))], seeds=1)
    started = time.perf_counter()
    study = SweepStudy(plan, "shared-grid", postgres_url)
    workers = [start_worker(postgres_url, "shared-grid") for _ in range(2)]
    here, there = share_with_workers(study, workers)
    counts = check_each_point_once(study, here, there, workers)
    rows = study.result().table()
    print(f"PostgreSQL grid of {len(rows)}: trials {dict(counts)}, here {len(here)}, "
          f"workers {[len(ran) for ran in there]}, {time.perf_counter() - started:.1f} s")
    assert len(rows) == 9 and all(row["reason"] == "completed" for row in rows)
    assert len({row["worker"] for row in rows}) == 3
