"""Runs and branches in the core: a branch that changes nothing is its parent, bit for bit;
one that changes the optimizer starts it fresh; checkpoints stay few."""
import dataclasses

import numpy as np
import pytest

from playground.core.experiments.branch import (CHECKPOINTS_PER_RUN, CheckpointRecorder,
                                                branch_trainer, checkpoint_every,
                                                start_checkpoint)
from playground.core.experiments.runs import RunError, RunStore
from playground.core.session import weights_sha256
from playground.core.spec import LayerSpec
from playground.core.trainer import Trainer

from .helpers import dense, tiny_spec, with_layers, with_optimizer


def trained_run(spec, every=3):
    """A run trained to its end with a checkpoint every `every` epochs."""
    store = RunStore()
    run = store.add(spec)
    trainer = Trainer(spec, callbacks=[CheckpointRecorder(run, every)])
    trainer.fit()
    run.set_history(trainer.history.columns, trainer.history.changes)
    return store, run, trainer


def with_dropout(spec):  # dropout draws from the global RNG: restoring it matters
    return with_layers(spec, dense(16, "relu"), LayerSpec("dropout", {"rate": 0.3}),
                       dense(None))


@pytest.mark.parametrize("make", [lambda: tiny_spec(epochs=12),
                                  lambda: with_dropout(with_optimizer(
                                      tiny_spec(epochs=12), "momentum", 0.05, momentum=0.9))],
                         ids=["adam", "momentum-dropout"])
def test_a_branch_that_changes_nothing_is_its_parent_bit_for_bit(make):
    store, parent, trained = trained_run(make())
    assert [c.epoch for c in parent.checkpoints] == [3, 6, 9, 12]
    branch = branch_trainer(parent, parent.checkpoint_at(6))
    assert branch.epoch == 6 and branch.history.length == 6  # the parent's stem
    branch.fit()
    assert branch.epoch == 12
    assert weights_sha256(branch.state_dict()["model"]) == \
        weights_sha256(trained.state_dict()["model"])
    assert np.array_equal(np.asarray(branch.history.column("loss")),
                          parent.columns["loss"], equal_nan=True)


def test_a_branch_from_the_start_is_a_fresh_run():
    spec = tiny_spec(epochs=4)
    _, parent, trained = trained_run(spec)
    branch = branch_trainer(parent, start_checkpoint(spec))
    branch.fit()
    assert weights_sha256(branch.state_dict()["model"]) == \
        weights_sha256(trained.state_dict()["model"])


def test_a_branch_with_a_new_optimizer_starts_its_state_fresh_and_goes_elsewhere():
    _, parent, trained = trained_run(tiny_spec(epochs=12))
    spec = with_optimizer(parent.checkpoint_at(6).spec, "sgd", 0.1)
    branch = branch_trainer(parent, parent.checkpoint_at(6), spec)
    assert branch.spec.optimizer.name == "sgd" and branch.optimizer.state_dict()["state"] == {}
    assert branch.current_lr == pytest.approx(0.1)
    assert branch.history.changes[-2]["optimizer"] == "sgd"  # marked at the branch point
    branch.fit()
    assert branch.epoch == 12
    assert weights_sha256(branch.state_dict()["model"]) != \
        weights_sha256(trained.state_dict()["model"])


def test_a_branch_changes_a_live_setting_and_refuses_the_rest():
    _, parent, _ = trained_run(tiny_spec(epochs=6))
    base = parent.checkpoint_at(3).spec
    faster = dataclasses.replace(base, optimizer=dataclasses.replace(base.optimizer, lr=0.05),
                                 train=dataclasses.replace(base.train, epochs=8))
    branch = branch_trainer(parent, parent.checkpoint_at(3), faster)
    assert branch.current_lr == pytest.approx(0.05) and branch.spec.train.epochs == 8
    wider = with_layers(base, dense(32, "tanh"), dense(None))
    with pytest.raises(RunError, match="the network cannot change"):
        branch_trainer(parent, parent.checkpoint_at(3), wider)
    with pytest.raises(RunError, match="no checkpoint at epoch 4"):
        parent.checkpoint_at(4)


def test_checkpoints_stay_few_and_small():
    assert checkpoint_every(300, 1_000) == 50           # 8 checkpoints over 300 epochs
    assert checkpoint_every(7, 1_000) == 1
    assert checkpoint_every(1000, 3 * 2**19) == 1000    # 6 MB a checkpoint: only one fits
    assert checkpoint_every(100, 100 * 2**20) == 0      # not even one
    store = RunStore()
    run = store.add(tiny_spec(epochs=40))
    Trainer(tiny_spec(epochs=40), callbacks=[CheckpointRecorder(run, 2)]).fit()
    assert len(run.checkpoints) <= CHECKPOINTS_PER_RUN   # thinned: every 8 epochs
    assert [c.epoch for c in run.checkpoints] == [8, 16, 24, 32, 40]


def test_the_store_adds_renames_hides_deletes_and_puts_back():
    store = RunStore()
    a = store.add(tiny_spec())
    b = store.add(with_optimizer(tiny_spec(), "sgd", 0.1))
    assert (a.name, b.name, a.color, b.color) == ("run 1", "run 2", 0, 1)
    assert store.differences(b.id, a.id) == "optimizer sgd (adam), lr 0.1 (0.01)"
    assert store.differences(a.id, a.id) == ""
    store.rename(a.id, "  adam   baseline ")
    assert a.name == "adam baseline"
    with pytest.raises(RunError, match="cannot be empty"):
        store.rename(a.id, "   ")
    store.set_visible(b.id, False)
    assert store.visible() == [a]
    index, removed = store.remove(a.id)
    c = store.add(tiny_spec())
    assert c.color == 0 and c.id == 3  # a free colour is reused, an id never
    store.insert(index, removed)
    assert [r.id for r in store] == [1, 2, 3]
    with pytest.raises(RunError, match="no run 9"):
        store.get(9)
