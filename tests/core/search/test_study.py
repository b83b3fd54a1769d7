"""Searches on Optuna: budgets, stop and resume, the grid, a crash mid-trial."""
from __future__ import annotations

import dataclasses
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import optuna
import pytest

from playground.core.search import (Search, SearchListener, SearchSettings, SpaceError,
                                    StorageError, join_settings, sqlite_url)
from playground.core.search.liveness import reap_dead_trials
from optuna.trial import TrialState

from ..helpers import tiny_spec

ROOT = Path(__file__).resolve().parents[3]
FINISHED = (TrialState.COMPLETE, TrialState.PRUNED)


def _spec(epochs=5):
    return tiny_spec(epochs=epochs, threads=1)


def test_a_search_runs_its_budget_and_records_every_trial(tmp_path):
    url = sqlite_url(tmp_path / "s.db")
    seen = []

    class Listener(SearchListener):
        def trial_ended(self, result):
            seen.append(result)

    search = Search(_spec(), SearchSettings("lr=1e-3..0.3:log,units=2..12", trials=6),
                    url, listener=Listener())
    summary = search.run()
    assert summary.reason == "budget" and len(summary.ran) == 6 == len(seen)
    study = optuna.load_study(study_name="search", storage=url)
    assert [t.number for t in study.trials] == list(range(6))
    assert all(t.state in FINISHED for t in study.trials)
    best = min((t for t in study.trials if t.state == TrialState.COMPLETE),
               key=lambda t: t.value)
    spec = search.best_spec()
    assert spec.optimizer.lr == best.params["lr"]
    assert spec.model.layers[0].params["units"] == best.params["units"]
    # a run again with the same budget has nothing left to do: the budget is the study's
    assert Search(_spec(), SearchSettings("lr=1e-3..0.3:log,units=2..12", trials=6),
                  url).run().ran == []


def test_the_grid_runs_each_point_once_and_stops_there(tmp_path):
    search = Search(_spec(epochs=2), SearchSettings("lr=1e-3..1e-1:log:3,optimizer=sgd|adam",
                                                    trials=50, sampler="grid",
                                                    pruner="none"),
                    sqlite_url(tmp_path / "g.db"))
    summary = search.run()
    assert summary.reason == "grid" and len(summary.ran) == 6
    points = {(round(r.params["lr"], 12), r.params["optimizer"]) for r in summary.ran}
    assert len(points) == 6


def test_a_grid_search_resumed_covers_each_point_once(tmp_path):
    """Resumed (a new process, the same seed), the grid is shuffled alike: the second
    part trains the points the first did not, never one of them again."""
    url = sqlite_url(tmp_path / "g2.db")
    space = "lr=1e-3..1e-1:log:3,optimizer=sgd|adam"

    def part(trials: int):
        return Search(_spec(epochs=1), SearchSettings(space, trials=trials, sampler="grid",
                                                      pruner="none", seed=7), url).run()

    first, second = part(3), part(6)
    points = [(round(r.params["lr"], 12), r.params["optimizer"])
              for r in (*first.ran, *second.ran)]
    assert len(first.ran) == 3 and len(points) == 6 and len(set(points)) == 6


def test_a_time_budget_stops_starting_trials(tmp_path):
    search = Search(_spec(), SearchSettings("lr=1e-3..0.3:log", trials=10_000, timeout=0.5,
                                            pruner="none"), sqlite_url(tmp_path / "t.db"))
    summary = search.run()
    assert summary.reason == "timeout" and 1 <= len(summary.ran) < 10_000


def test_stop_mid_trial_then_resume_tries_the_interrupted_values_first(tmp_path):
    url = sqlite_url(tmp_path / "r.db")
    settings = SearchSettings("lr=1e-3..0.3:log,units=2..12", trials=4, pruner="none")
    began = threading.Event()

    class StopInSecondTrial(SearchListener):
        def epoch_ended(self, number, epoch, value):
            if number == 1 and epoch == 2:
                began.set()
                search.stop()

    search = Search(_spec(epochs=10), settings, url, listener=StopInSecondTrial())
    summary = search.run()
    assert began.is_set() and summary.reason == "stopped"
    interrupted = summary.ran[-1]
    assert (interrupted.number, interrupted.state) == (1, "fail")
    resumed = Search(_spec(epochs=10), settings, url).run()
    assert resumed.ran[0].params == interrupted.params  # queued to run again
    study = optuna.load_study(study_name="search", storage=url)
    assert len(study.get_trials(states=FINISHED)) == 4


def test_a_study_keeps_its_spec_and_space(tmp_path):
    url = sqlite_url(tmp_path / "k.db")
    Search(_spec(), SearchSettings("lr=1e-3..0.3:log", trials=1), url).run()
    with pytest.raises(SpaceError, match="searches the space"):
        Search(_spec(), SearchSettings("lr=1e-2..0.3:log", trials=1), url)
    with pytest.raises(SpaceError, match="searches another spec"):
        Search(_spec(epochs=7), SearchSettings("lr=1e-3..0.3:log", trials=1), url)
    joined = Search(None, join_settings("search"), url)  # a worker: only the name
    assert joined.base == _spec() and joined.settings.space == "lr=1e-3..0.3:log"
    with pytest.raises(StorageError, match="There is no study 'other'"):
        Search(None, join_settings("other"), url)


@pytest.mark.parametrize("url, words", [
    ("", "empty"), ("ftp://host/x", "not a database"), ("sqlite://", "names no file"),
    ("sqlite:////no/such/folder/x.db", "does not exist"), ("::", "not a storage URL"),
])
def test_bad_storage_urls_are_one_sentence(url, words):
    with pytest.raises(StorageError, match=words):
        Search(_spec(), SearchSettings("lr=1e-3..0.3:log"), url)


def _cli(*args):
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.Popen([sys.executable, "-m", "playground", *args], cwd=ROOT, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


@pytest.mark.slow
@pytest.mark.parametrize("batch", [1, 3])
def test_killing_a_search_mid_trial_and_resuming_loses_no_finished_trial(tmp_path, batch):
    spec_file = tmp_path / "spec.json"
    spec_file.write_text(_spec(epochs=20).to_json())
    url = sqlite_url(tmp_path / "k.db")
    process = _cli("search", str(spec_file), "--space", "lr=1e-3..0.3:log,units=2..12",
                   "--trials", "6", "--pruner", "none", "--storage", url,
                   "--batch", str(batch))
    try:
        finished = _wait_for(url, lambda trials: len([t for t in trials if t.state in
                                                      FINISHED]) >= 2 and
                             trials[-1].state == TrialState.RUNNING, process)
    finally:
        process.send_signal(signal.SIGKILL)  # no chance to clean up: a crash
        process.communicate()
    before = {t.number: t.value for t in finished if t.state in FINISHED}
    running = [t for t in finished if t.state == TrialState.RUNNING]
    assert len(before) >= 2 and 1 <= len(running) <= batch
    # resuming by name (as `search worker` would) finds the dead trials and redoes them
    resumed = Search(None, join_settings("search"), url)
    summary = resumed.run()
    study = optuna.load_study(study_name="search", storage=url)
    trials = study.get_trials()
    after = {t.number: t.value for t in trials if t.state in FINISHED}
    assert {n: after.get(n) for n in before} == before   # nothing finished was lost
    dead = [trials[t.number] for t in running]
    assert all(t.state == TrialState.FAIL for t in dead)
    # Their values are tried again (killed between asking a trial and its values, a
    # trial has none: failed as an orphan, nothing to redo).
    valued = [t for t in dead if t.params]
    redone = [r.params for r in summary.ran[:len(valued)]]
    assert sorted(map(repr, redone)) == sorted(repr(t.params) for t in valued)
    assert len(after) == 6 and not study.get_trials(states=(TrialState.RUNNING,))


def _wait_for(url, condition, process, seconds=120):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        assert process.poll() is None, process.communicate()
        try:
            trials = optuna.load_study(study_name="search", storage=url).get_trials()
        except KeyError:  # the study is not created yet
            trials = []
        if trials and condition(trials):
            return trials
        time.sleep(0.05)  # polling another process's database: there is no signal
    raise AssertionError("the search subprocess did not get there in time")


def test_reaping_leaves_a_live_processs_trial_alone(tmp_path):
    search = Search(_spec(), SearchSettings("lr=1e-3..0.3:log", trials=1),
                    sqlite_url(tmp_path / "a.db"))
    trial = search.study.ask()
    trial.set_user_attr("host", __import__("socket").gethostname())
    trial.set_user_attr("pid", os.getpid())
    assert reap_dead_trials(search.study) == []
    sleeper = subprocess.Popen([sys.executable, "-c", "pass"])
    sleeper.wait()
    trial.set_user_attr("pid", sleeper.pid)  # a process that has exited
    assert reap_dead_trials(search.study) == [trial.number]


def test_an_unexpected_error_in_a_trial_leaves_it_failed_not_running(tmp_path, monkeypatch):
    search = Search(_spec(), SearchSettings("lr=1e-3..0.3:log", trials=3),
                    sqlite_url(tmp_path / "e.db"))
    from playground.core import trainer

    def broken(self):
        raise RuntimeError("a bug")

    monkeypatch.setattr(trainer.Trainer, "fit", broken)
    with pytest.raises(RuntimeError, match="a bug"):
        search.run()
    (trial,) = search.study.get_trials()
    assert trial.state == TrialState.FAIL and "a bug" in trial.user_attrs["error"]


def test_a_trial_left_without_an_owner_is_failed_and_one_with_a_live_owner_is_not(
        tmp_path, monkeypatch):
    from playground.core.search import liveness

    monkeypatch.setattr(liveness, "ORPHAN_SECONDS", 0.01)
    study = optuna.create_study(storage=sqlite_url(tmp_path / "o.db"))
    orphan = study.ask()                      # its process died before naming itself
    owned = study.ask()
    owned.set_user_attr("host", liveness.HOST)
    owned.set_user_attr("pid", os.getpid())  # alive: this process
    assert reap_dead_trials(study) == [orphan.number]
    states = {t.number: t.state for t in study.get_trials()}
    assert states == {orphan.number: TrialState.FAIL, owned.number: TrialState.RUNNING}
    assert not study.get_trials(states=(TrialState.WAITING,))  # no values: nothing queued
