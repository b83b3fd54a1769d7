"""A sweep as a grid study: the sweep and `search worker` processes share its points,
each point trains once, and the sweep's table holds every point (SQLite here; the same
with two workers on PostgreSQL in test_postgres_sweep.py)."""
from __future__ import annotations

import json
import os
import selectors
import signal
import subprocess
import sys
from collections import Counter
from pathlib import Path

import optuna
import pytest
from optuna.trial import TrialState

from playground.core.experiments.presets import preset
from playground.core.experiments.sweep import plan_sweep
from playground.core.search import StorageError, sqlite_url
from playground.core.search.sweep_study import SweepStudy, axes, points

from ..helpers import tiny_spec

ROOT = Path(__file__).resolve().parents[3]
GRID = [("lr", (0.01, 0.03, 0.1)), ("optimizer", ("sgd", "adam"))]


def grid_plan(epochs=2):
    return plan_sweep(tiny_spec(epochs=epochs, threads=1), GRID)


def start_worker(url: str, study: str) -> subprocess.Popen:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "OMP_NUM_THREADS": "1"}
    return subprocess.Popen([sys.executable, "-m", "playground", "search", "worker",
                             "--storage", url, "--study", study, "--jsonl"], cwd=ROOT,
                            env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True)


def wait_for_a_point_each(workers: list[subprocess.Popen]) -> list[str]:
    """Blocks until every worker has trained a point (its first trial record on its
    stdout, read unbuffered so communicate() gets the rest); one that has its point is
    paused (SIGSTOP) until the others have theirs, so none takes them all. Returns what
    was read of each worker's stdout."""
    pending = {worker.stdout.fileno(): worker for worker in workers}
    read = {fd: b"" for fd in pending}
    paused = []
    with selectors.DefaultSelector() as selector:
        for fd in pending:
            selector.register(fd, selectors.EVENT_READ)
        while pending:
            for key, _ in selector.select():
                chunk = os.read(key.fd, 65536)
                assert chunk, pending[key.fd].communicate(timeout=60)  # it ended early
                read[key.fd] += chunk
                if b'"event": "trial"' in read[key.fd]:
                    selector.unregister(key.fd)
                    worker = pending.pop(key.fd)
                    if pending:
                        worker.send_signal(signal.SIGSTOP)
                        paused.append(worker)
    for worker in paused:
        worker.send_signal(signal.SIGCONT)
    return [read[worker.stdout.fileno()].decode() for worker in workers]


def share_with_workers(study: SweepStudy, workers: list[subprocess.Popen]):
    """Run the sweep's own loop; after its first point it waits until every worker has
    trained one, so each process surely takes part (whatever the machine's speed)."""
    first: list[str] = []

    def on_done(done):
        if not first:
            first.extend(wait_for_a_point_each(workers))

    try:
        ran = study.run(wait=True, on_done=on_done)
        outputs = [worker.communicate(timeout=120) for worker in workers]
    finally:
        for worker in workers:
            if worker.poll() is None:
                worker.kill()
                worker.communicate()
    assert [w.returncode for w in workers] == [0] * len(workers), outputs
    by_worker = [[json.loads(line)["number"] for line in (start + out).splitlines()
                  if '"event": "trial"' in line]
                 for start, (out, _) in zip(first, outputs)]
    return [done.trial for done in ran], by_worker


def check_each_point_once(study: SweepStudy, here: list[int], there: list[list[int]],
                          workers: list[subprocess.Popen]):
    """Every grid point has one complete trial, run by the one process that says it ran
    it; any other trial was given up unrun (surplus). Returns the states' counts."""
    trials = study.study.get_trials()
    complete = [t for t in trials if t.state == TrialState.COMPLETE]
    assert sorted(study.point_of(t) for t in complete) == sorted(study.points)
    numbers = here + [n for ran in there for n in ran]
    assert sorted(numbers) == sorted(t.number for t in complete)  # each trained once
    for ran, pid in zip([here, *there], [os.getpid(), *(w.pid for w in workers)]):
        assert ran and sorted(ran) == [t.number for t in complete  # each took part
                                       if t.user_attrs["pid"] == pid]
    others = [t for t in trials if t.state != TrialState.COMPLETE]
    assert all(t.state == TrialState.FAIL and t.user_attrs.get("surplus")
               and "records" not in t.user_attrs for t in others)
    return Counter(t.state.name for t in trials)


def test_a_sweep_and_a_worker_cover_the_grid_once_and_the_sweep_reports_every_point(
        tmp_path):
    url = sqlite_url(tmp_path / "grid.db")
    study = SweepStudy(grid_plan(), "grid", url)
    worker = start_worker(url, "grid")
    here, there = share_with_workers(study, [worker])
    counts = check_each_point_once(study, here, there, [worker])
    print(f"grid of {len(study.points)}: trials {dict(counts)}, here {len(here)}, "
          f"worker {len(there[0])}")
    rows = study.result().table()
    assert [row["run"] for row in rows] == [1, 2, 3, 4, 5, 6]
    assert all(row["reason"] == "completed" and row["epochs"] == 2 for row in rows)
    assert {row["worker"].rsplit(":", 1)[1] for row in rows} == {str(os.getpid()),
                                                                 str(worker.pid)}
    assert sorted(row["trial"] for row in rows) == sorted(here + there[0])


def test_the_grid_is_the_sweeps_variables_seeds_and_lr_grid():
    plan = preset("init").plan(tiny_spec(epochs=1, threads=1), seeds=2)
    grid = axes(plan)
    assert set(grid) == {"init", "seed", "lr_factor"} and len(grid["seed"]) == 2
    assert sorted(points(plan).values()) == list(range(len(plan.runs)))  # one run each
    for point, index in points(plan).items():
        run, params = plan.runs[index], dict(zip(sorted(grid), point))
        assert run.values["init"] == params["init"] and run.trial["seed"] == params["seed"]


def test_a_grid_study_resumes_and_refuses_another_sweep(tmp_path):
    url = sqlite_url(tmp_path / "grid.db")
    first = SweepStudy(grid_plan(epochs=1), "grid", url)
    assert len(first.run(wait=True)) == 6
    again = SweepStudy(grid_plan(epochs=1), "grid", url)
    assert again.run(wait=True) == []                   # nothing left to train
    assert again.result().table() == first.result().table()
    with pytest.raises(StorageError, match="holds another sweep"):
        SweepStudy(grid_plan(epochs=3), "grid", url)
    study = optuna.load_study(study_name="grid", storage=url)
    assert len(study.trials) == 6


def test_a_refused_grid_study_leaves_no_database_file_behind(tmp_path):
    with pytest.raises(StorageError, match="There is no study 'absent'"):
        SweepStudy(None, "absent", sqlite_url(tmp_path / "new.db"))  # a worker's
    assert list(tmp_path.iterdir()) == []


def test_a_point_stopped_mid_training_is_trained_again_when_the_sweep_resumes(tmp_path):
    url = sqlite_url(tmp_path / "grid.db")
    study = SweepStudy(grid_plan(epochs=3), "grid", url)
    epochs = []

    def on_record(trial, index, record):
        epochs.append(trial)
        if len(epochs) == 4:  # the second point's first epoch: Ctrl-C
            study.stop()

    assert len(study.run(wait=True, on_record=on_record)) == 1
    rows = study.result().table()
    assert [row["reason"] for row in rows].count("not run") == 5
    again = SweepStudy(grid_plan(epochs=3), "grid", url)
    assert len(again.run(wait=True)) == 5
    assert all(row["reason"] == "completed" for row in again.result().table())
    trials = again.study.get_trials()
    assert Counter(t.state.name for t in trials) == {"COMPLETE": 6, "FAIL": 1}
    stopped = next(t for t in trials if t.state == TrialState.FAIL)
    assert again.point_of(stopped) in {again.point_of(t) for t in trials
                                       if t.state == TrialState.COMPLETE}
