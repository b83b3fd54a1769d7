"""Searches that ask several trials at once and train those that stack as one model
(core.search.batch): the same values as each trial trained alone, pruning per trial, a
mixed batch, budgets, stop and resume, heartbeats for every asked trial."""
from __future__ import annotations

import math

import optuna
import pytest
from optuna.trial import TrialState

from playground.core.experiments import batched
from playground.core.search import Search, SearchListener, SearchSettings, SpaceError
from playground.core.search.liveness import Heartbeat
from playground.core.search.space import apply_params
from playground.core.search.study import _Reporter
from playground.core import trainer as trainer_module

from ..helpers import tiny_spec

RTOL = 1e-5


def _spec(epochs=6):
    return tiny_spec(epochs=epochs, threads=1)


def _search(space, epochs, **settings):
    """An in-memory search without a pruner (every trial trains all its epochs), run."""
    search = Search(_spec(epochs), SearchSettings(space, pruner="none", **settings), None)
    return search, search.run()


def _alone(spec, params, data):
    """The trial's value as a one-at-a-time search gets it: the Trainer, alone."""
    reporter = _Reporter(_Trial(), SearchListener())
    trainer_module.Trainer(apply_params(spec, params), data=data, callbacks=[reporter]).fit()
    return min(v for v in reporter.curve if math.isfinite(v))


class _Trial:
    number = 0

    def report(self, value, step):
        pass

    def should_prune(self):
        return False


@pytest.fixture
def stacks(monkeypatch):
    """The sizes of the stacked models built, and the count of lone Trainer runs."""
    seen = {"stacked": [], "alone": 0}
    init, fit = batched.BatchedTrainer.__init__, trainer_module.Trainer.fit

    def spy_init(self, specs, **kwargs):
        seen["stacked"].append(len(specs))
        init(self, specs, **kwargs)

    def spy_fit(self):
        seen["alone"] += 1
        return fit(self)

    monkeypatch.setattr(batched.BatchedTrainer, "__init__", spy_init)
    monkeypatch.setattr(trainer_module.Trainer, "fit", spy_fit)
    return seen


def test_a_batched_search_records_the_values_each_trial_gets_alone(stacks):
    space = "lr=1e-3..0.3:log,l2=0..0.01,init=default|he_normal"
    search = Search(_spec(), SearchSettings(space, trials=6, pruner="none", batch=6), None)
    summary = search.run()
    assert stacks == {"stacked": [6], "alone": 0}
    assert [r.number for r in summary.ran] == list(range(6))
    assert all(r.state == "complete" and r.epochs == 6 for r in summary.ran)
    assert len({r.params["lr"] for r in summary.ran}) == 6
    for result in summary.ran:
        expected = _alone(search.base, result.params, search.data)
        assert math.isclose(result.value, expected, rel_tol=RTOL), result
    # a one-at-a-time search with the same seed asks the same (random start-up) values
    sequential = Search(_spec(), SearchSettings(space, trials=6, pruner="none"), None).run()
    for one, other in zip(sequential.ran, summary.ran):
        assert one.params == other.params
        assert math.isclose(one.value, other.value, rel_tol=RTOL)


class _PruneOdd(optuna.pruners.BasePruner):
    """Prunes the odd-numbered trials once they report epoch 2."""

    def prune(self, study, trial):
        return trial.number % 2 == 1 and trial.last_step is not None and trial.last_step >= 2


def test_a_trial_pruned_inside_a_batch_stops_alone(stacks):
    search = Search(_spec(), SearchSettings("lr=1e-3..0.3:log", trials=4, pruner="none",
                                            batch=4), None)
    search.study.pruner = _PruneOdd()
    summary = search.run()
    assert stacks["stacked"] == [4]
    states = {r.number: (r.state, r.epochs, len(r.curve)) for r in summary.ran}
    assert states == {0: ("complete", 6, 6), 1: ("pruned", 2, 2),
                      2: ("complete", 6, 6), 3: ("pruned", 2, 2)}
    for result in summary.ran:  # the rows left training are undisturbed
        if result.state == "complete":
            expected = _alone(search.base, result.params, search.data)
            assert math.isclose(result.value, expected, rel_tol=RTOL)
    stored = {t.number: t.state for t in search.study.get_trials()}
    assert stored[1] == stored[3] == TrialState.PRUNED


def test_a_mixed_batch_stacks_what_it_can_and_trains_the_rest_alone(stacks):
    # dropout above 0 draws random masks: those trials cannot stack; units 4 and 8 are
    # two architectures, each its own stacked model where two or more share it
    search, summary = _search("lr=1e-3..0.3:log,units=4|8,dropout=0|0.3", epochs=3,
                              trials=8, sampler="random", batch=8)
    assert summary.reason == "budget" and len(summary.ran) == 8
    assert all(r.state == "complete" for r in summary.ran)
    refused = [r for r in summary.ran if r.params["dropout"] > 0]
    assert stacks["stacked"] and sum(stacks["stacked"]) + stacks["alone"] == 8
    assert stacks["alone"] >= len(refused) > 0
    for result in summary.ran:  # stacked or alone, as a one-at-a-time search gets it
        expected = _alone(search.base, result.params, search.data)
        assert math.isclose(result.value, expected, rel_tol=RTOL)


def test_the_budget_counts_every_trial_asked(stacks):
    _, summary = _search("lr=1e-3..0.3:log", epochs=2, trials=5, batch=4)
    assert summary.reason == "budget" and len(summary.ran) == 5
    assert stacks == {"stacked": [4], "alone": 1}  # the last trial asked alone


def test_a_grid_asked_at_once_tries_each_point_once(stacks):
    _, summary = _search("lr=1e-3..1e-1:log:3,optimizer=sgd|adam", epochs=2, trials=50,
                         sampler="grid", batch=8)
    assert summary.reason == "grid" and len(summary.ran) == 6
    assert len({(r.params["lr"], r.params["optimizer"]) for r in summary.ran}) == 6
    assert stacks["stacked"] == [6]  # sgd and adam rows share one stacked model


def test_stop_inside_a_batch_then_resume_runs_the_stopped_values_again(tmp_path):
    from playground.core.search import sqlite_url

    url = sqlite_url(tmp_path / "b.db")
    settings = SearchSettings("lr=1e-3..0.3:log,units=4|8", trials=6, pruner="none",
                              sampler="random", batch=6)

    class StopAtEpochTwo(SearchListener):
        def epoch_ended(self, number, epoch, value):
            if epoch == 2:
                search.stop()

    search = Search(_spec(epochs=10), settings, url, listener=StopAtEpochTwo())
    summary = search.run()
    assert summary.reason == "stopped"
    assert [r.state for r in summary.ran] == ["fail"] * 6  # none finished: all again
    assert not search.study.get_trials(states=(TrialState.RUNNING,))
    resumed = Search(_spec(epochs=10), settings, url).run()
    assert sorted(r.params["lr"] for r in resumed.ran) == \
        sorted(r.params["lr"] for r in summary.ran)
    study = optuna.load_study(study_name="search", storage=url)
    assert len(study.get_trials(states=(TrialState.COMPLETE,))) == 6


def test_an_error_inside_a_batch_leaves_every_trial_failed(monkeypatch):
    def broken(self):
        raise RuntimeError("a bug")

    monkeypatch.setattr(batched.BatchedTrainer, "fit", broken)
    search = Search(_spec(), SearchSettings("lr=1e-3..0.3:log", trials=3, batch=3), None)
    with pytest.raises(RuntimeError, match="a bug"):
        search.run()
    trials = search.study.get_trials()
    assert len(trials) == 3 and all(t.state == TrialState.FAIL for t in trials)


def test_one_heartbeat_beats_for_every_trial_of_a_batch():
    class Storage:
        beats: list[int] = []

        def record_heartbeat(self, trial_id):
            self.beats.append(trial_id)

        def get_heartbeat_interval(self):
            return 0.001

    storage = Storage()
    with Heartbeat(storage, [3, 4, 5]) as beat:
        assert storage.beats[:3] == [3, 4, 5]  # at once, before the thread's first beat
        beat.forget(4)
        count = len(storage.beats)
        # the thread beats on its own (no signal to wait on); a round that began
        # before forget() may still beat 4 in its next two beats
        while len(storage.beats) < count + 8:
            pass
    assert set(storage.beats[count + 2:]) == {3, 5}


@pytest.mark.parametrize("batch", [0, 65, 2.5, True])
def test_a_bad_batch_is_one_sentence(batch):
    with pytest.raises(SpaceError, match="The batch must be 1 to 64"):
        SearchSettings("lr=1e-3..0.3:log", batch=batch).check()
