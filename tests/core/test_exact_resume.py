"""A run stopped mid-epoch, saved, loaded and continued ends bit-identical."""
import dataclasses

import pytest

from playground.core.session import load_run, save_run, weights_sha256
from playground.core.spec import LayerSpec
from playground.core.trainer import Trainer

from .helpers import dense, tiny_spec, with_layers, with_optimizer, with_schedule


def momentum_with_step_schedule():
    spec = with_optimizer(tiny_spec(epochs=6), "momentum", 0.05, momentum=0.9)
    return with_schedule(spec, "step", step_size=2, gamma=0.5)


def adam_with_dropout():
    return with_layers(tiny_spec(epochs=6), dense(16, "relu"), LayerSpec("dropout", {"rate": 0.3}),
                       dense(16, "relu"), dense(None))


def adam_dropout_batchnorm_onecycle_warmup():
    spec = with_layers(tiny_spec(epochs=6), dense(16), LayerSpec("batchnorm"), LayerSpec("relu"),
                       LayerSpec("dropout", {"rate": 0.2}), dense(None))
    return with_schedule(spec, "onecycle", warmup=1)


def plateau_with_early_stopping_and_l1():
    spec = with_schedule(tiny_spec(epochs=6, l1=1e-3, clip_norm=1.0), "plateau", patience=0)
    return dataclasses.replace(spec, train=dataclasses.replace(
        spec.train, early_stopping=dataclasses.replace(spec.train.early_stopping,
                                                       enabled=True, patience=50)))


def lbfgs_full_batch():
    return with_optimizer(tiny_spec(epochs=4, batch_size=None), "lbfgs", 0.5)


CASES = [momentum_with_step_schedule, adam_with_dropout,
         adam_dropout_batchnorm_onecycle_warmup, plateau_with_early_stopping_and_l1,
         lbfgs_full_batch]


@pytest.mark.parametrize("make_spec", CASES, ids=[c.__name__ for c in CASES])
def test_resumed_run_matches_uninterrupted_run(tmp_path, make_spec):
    spec = make_spec()
    straight = Trainer(spec)
    straight.fit()

    stop_at = straight.steps_per_epoch * 2 + 1 if straight.steps_per_epoch > 1 else 2
    first = Trainer(dataclasses.replace(spec, train=dataclasses.replace(
        spec.train, max_steps=stop_at)))
    first.fit()
    path = tmp_path / "run.pgrun"
    save_run(path, first.spec, first.state_dict())
    _scramble_global_rngs()

    saved_spec, state, _ = load_run(path)
    second = Trainer(dataclasses.replace(saved_spec, train=dataclasses.replace(
        saved_spec.train, max_steps=0)))
    second.load_state_dict(state)
    second.fit()

    assert weights_sha256(second.model.state_dict()) == weights_sha256(
        straight.model.state_dict())
    assert second.history.records[-1]["loss"] == straight.history.records[-1]["loss"]
    assert len(second.history.records) == len(straight.history.records)


def _scramble_global_rngs():
    import random

    import numpy as np
    import torch

    torch.manual_seed(12345)
    np.random.seed(54321)
    random.seed(999)


# ------------------------------------------------------------------------------------
# Property: stop a run anywhere (epoch boundaries included), as often as you like, by
# any of the ways a run stops; the resumed run ends bit-identical to the one never stopped.

import threading  # noqa: E402

from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from playground.core.callbacks import Callback  # noqa: E402
from playground.core.sessionfile import open_any, save_session  # noqa: E402

from .helpers import tiny_spec as _tiny  # noqa: E402

STOPS = ("pause_save", "stop_then_save", "max_steps")


class _Driver(Callback):
    """Counts the events a paused run reports and saves the session when asked."""

    def __init__(self, path):
        self.path, self.paused, self.saved = path, 0, 0
        self.cond = threading.Condition()

    def _bump(self, name):
        with self.cond:
            setattr(self, name, getattr(self, name) + 1)
            self.cond.notify_all()

    def on_paused(self, trainer, event):
        self._bump("paused")

    def on_checkpoint(self, trainer):
        save_session(self.path, trainer.spec, trainer.state_dict(), trainer.data)
        self._bump("saved")

    def wait(self, name, count):
        with self.cond:
            assert self.cond.wait_for(lambda: getattr(self, name) >= count, 30), name


@st.composite
def runs(draw):
    spec = _tiny(epochs=draw(st.integers(2, 3)), seed=draw(st.integers(0, 2**31 - 1)),
                 batch_size=draw(st.sampled_from([1, 5, 8, 13, None])), threads=1)
    spec = dataclasses.replace(spec, data=dataclasses.replace(spec.data, samples=40))
    optimizer = draw(st.sampled_from([("adam", 0.01, {}), ("momentum", 0.05, {"momentum": 0.9}),
                                      ("rmsprop", 0.01, {}), ("sgd", 0.1, {}),
                                      ("adamw", 0.01, {})]))
    spec = with_optimizer(spec, optimizer[0], optimizer[1], **optimizer[2])
    if draw(st.booleans()):
        spec = with_layers(spec, dense(6, "relu"), LayerSpec("dropout", {"rate": 0.3}),
                           dense(None))
    if draw(st.booleans()):
        spec = with_schedule(spec, "onecycle", warmup=1)
    # (spe, total) depend on the data: 40 points, 70% for training = 28 rows.
    rows = 28
    size = spec.train.batch_size or rows
    spe = -(-rows // size)
    total = spe * spec.train.epochs
    # Stop points as (epoch, batch): batch 0 is an epoch boundary, so boundaries are
    # drawn about as often as all the positions inside an epoch together.
    points = draw(st.lists(st.tuples(st.integers(0, spec.train.epochs - 1),
                                     st.one_of(st.just(0), st.integers(0, spe - 1))),
                           min_size=1, max_size=3))
    targets = sorted({e * spe + b for e, b in points} - {0} or {spe})
    stops = [draw(st.sampled_from(STOPS)) for _ in targets]
    by_epoch = [draw(st.booleans()) for _ in targets]  # reach it by Step epoch where able
    return spec, spe, total, list(zip(targets, stops, by_epoch))


def _trainer(spec, path, driver, max_steps=0):
    spec = dataclasses.replace(spec, train=dataclasses.replace(spec.train, max_steps=max_steps))
    if path is None:
        return Trainer(spec, callbacks=[driver])
    session = open_any(path)
    trainer = Trainer(dataclasses.replace(session.spec, train=spec.train),
                      callbacks=[driver])
    trainer.load_state_dict(session.state)
    return trainer


def _paused_run(trainer, driver, target, spe, by_epoch, stop):
    """Pause at once, step to `target` with Step batch / Step epoch, then stop there:
    saving while paused (the window), or stopping and saving after (Ctrl-C in the CLI)."""
    control = trainer.control
    control.pause()
    thread = threading.Thread(target=trainer.fit)
    thread.start()
    try:
        driver.wait("paused", 1)
        seen = 1
        while trainer.step < target:
            boundary = (trainer.step // spe + 1) * spe
            if by_epoch and boundary <= target:
                control.step_epoch()
            else:
                control.step_batch()
            seen += 1
            driver.wait("paused", seen)
        assert trainer.step == target
        if stop == "pause_save":
            control.request_checkpoint()
            driver.wait("saved", 1)
    finally:
        control.stop()
        thread.join(30)
    assert not thread.is_alive()


@settings(max_examples=100, deadline=None, derandomize=False,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(runs())
def test_stopped_anywhere_and_resumed_runs_are_bit_identical(tmp_path_factory, run):
    spec, spe, total, stops = run
    straight = Trainer(spec)
    straight.fit()

    path, done = None, 0
    for index, (target, stop, by_epoch) in enumerate(stops):
        file = tmp_path_factory.mktemp("resume") / f"part{index}.pgsession"
        driver = _Driver(file)
        if stop == "max_steps":
            trainer = _trainer(spec, path, driver, max_steps=target)
            assert trainer.fit().reason == "max_steps" and trainer.step == target
            save_session(file, trainer.spec, trainer.state_dict(), trainer.data)
        else:
            trainer = _trainer(spec, path, driver)
            _paused_run(trainer, driver, target, spe, by_epoch, stop)
            if stop == "stop_then_save":
                save_session(file, trainer.spec, trainer.state_dict(), trainer.data)
        assert trainer.step == target > done
        path, done = file, target
        _scramble_global_rngs()

    resumed = _trainer(spec, path, _Driver(None))
    assert resumed.fit().reason == "completed" and resumed.step == total
    assert weights_sha256(resumed.model.state_dict()) == weights_sha256(
        straight.model.state_dict())
    assert [r["loss"] for r in resumed.history.records] == \
        [r["loss"] for r in straight.history.records]
