"""Runs in the session file (format 2): saved and reopened whole, a format 1 file opens
as its one run, and a hostile runs.json is refused with a sentence before use."""
import hashlib
import json
from pathlib import Path

import numpy as np
import pytest

from playground.core.errors import SessionFileError
from playground.core.experiments.branch import CheckpointRecorder, branch_trainer
from playground.core.experiments.runs import RunStore
from playground.core.session import weights_sha256
from playground.core.sessionfile import VERSION, open_session, save_session
from playground.core.sessionfile.writing import session_members, write_members
from playground.core.trainer import Trainer

from .helpers import tiny_spec, with_optimizer

DATA = Path(__file__).parent.parent / "data"


def two_runs():
    """A finished adam run with checkpoints, and a current sgd run half-way."""
    store = RunStore()
    first = store.add(tiny_spec(epochs=6))
    done = Trainer(first.spec, callbacks=[CheckpointRecorder(first, 3)])
    done.fit()
    first.set_history(done.history.columns, done.history.changes)
    first.reason, first.final["test_loss"] = "completed", 0.5
    second = store.add(with_optimizer(tiny_spec(epochs=4), "sgd", 0.1), "fast sgd")
    second.visible = False
    current = Trainer(second.spec)
    current.fit()
    return store, second.id, current, done


def test_runs_are_saved_and_reopened_whole(tmp_path):
    store, current_id, current, done = two_runs()
    path = tmp_path / "runs.pgsession"
    save_session(path, current.spec, current.state_dict(), current.data, runs=store,
                 current_run=current_id)
    session = open_session(path)
    assert session.manifest["version"] == VERSION == 2
    assert session.current_run == current_id
    first, second = session.runs
    assert (first.name, first.color, first.visible, first.reason) == ("run 1", 0, True,
                                                                      "completed")
    assert (second.name, second.visible, second.spec) == ("fast sgd", False, current.spec)
    original = store.get(1)
    assert set(first.columns) == set(original.columns)
    for key, column in original.columns.items():
        assert np.array_equal(first.columns[key], column, equal_nan=True)
    assert first.final == original.final and first.epochs == 6
    assert np.array_equal(second.columns["loss"], np.asarray(current.history.column("loss")))
    assert [c.epoch for c in first.checkpoints] == [3, 6]
    # A checkpoint read back branches exactly as the one in memory.
    branch = branch_trainer(first, first.checkpoint_at(3))
    branch.fit()
    assert weights_sha256(branch.state_dict()["model"]) == \
        weights_sha256(done.state_dict()["model"])


def test_a_version_1_file_opens_as_its_one_run():
    session = open_session(DATA / "session-v1.pgsession")
    assert session.manifest["version"] == 1
    (run,) = session.runs
    assert session.current_run == run.id and run.epochs == session.state["epoch"] == 2
    assert run.columns["loss"].shape == (2,) and np.isfinite(run.final["loss"])


def test_a_session_saved_without_runs_holds_the_trainers_run(tmp_path):
    _, _, current, _ = two_runs()
    path = tmp_path / "cli.pgsession"
    save_session(path, current.spec, current.state_dict(), current.data)
    assert [r.epochs for r in open_session(path).runs] == [4]


# ------------------------------------------------------------- hostile runs

def with_runs_json(tmp_path, change, version=None):
    store, current_id, current, _ = two_runs()
    body = session_members(current.spec, current.state_dict(), current.data, runs=store,
                           current_run=current_id)
    tree = json.loads(body["runs.json"])
    change(tree)
    body["runs.json"] = json.dumps(tree).encode()
    manifest = json.loads(body["manifest.json"])
    manifest["members"]["runs.json"] = hashlib.sha256(body["runs.json"]).hexdigest()
    if version is not None:
        manifest["version"] = version
    body["manifest.json"] = json.dumps(manifest).encode()
    path = tmp_path / "hostile.pgsession"
    write_members(path, body)
    return path


def runs_of(tree):
    return tree["$dict"]["runs"]


def test_too_many_runs_are_refused_before_use(tmp_path):
    path = with_runs_json(tmp_path, lambda t: runs_of(t).extend([runs_of(t)[0]] * 300))
    with pytest.raises(SessionFileError, match="runs number 302; a session keeps at most 256"):
        open_session(path)


def test_an_unknown_key_in_a_run_is_refused(tmp_path):
    path = with_runs_json(tmp_path, lambda t: runs_of(t)[0]["$dict"].update(owner="eve"))
    with pytest.raises(SessionFileError, match="run 1 has the unknown key 'owner'"):
        open_session(path)


def test_a_run_whose_columns_disagree_is_refused(tmp_path):
    def point_elsewhere(tree):
        columns = runs_of(tree)[0]["$dict"]["columns"]["$dict"]
        columns["loss"] = {"$tensor": "s.model.0.weight"}  # 2-D float32: not a column
    with pytest.raises(SessionFileError, match="must be a float64 column"):
        open_session(with_runs_json(tmp_path, point_elsewhere))


def test_runs_in_a_version_1_file_are_refused(tmp_path):
    path = with_runs_json(tmp_path, lambda t: None, version=1)
    with pytest.raises(SessionFileError, match="format 1 session never holds runs.json"):
        open_session(path)


def test_a_damaged_checkpoint_is_refused(tmp_path):
    def bad_epoch(tree):
        checkpoint = runs_of(tree)[0]["$dict"]["checkpoints"][0]["$dict"]
        checkpoint["state"]["$dict"]["epoch"] = "three"
    with pytest.raises(SessionFileError, match="epoch must be a whole number"):
        open_session(with_runs_json(tmp_path, bad_epoch))


def test_inspect_lists_the_runs(tmp_path):
    from playground.core.sessionfile import describe_session

    store, current_id, current, _ = two_runs()
    path = tmp_path / "runs.pgsession"
    save_session(path, current.spec, current.state_dict(), current.data, runs=store,
                 current_run=current_id)
    runs = describe_session(path)["runs"]
    assert [(r["name"], r["epochs"], r["current"], r["checkpoints"]) for r in runs] == \
        [("run 1", 6, False, [3, 6]), ("fast sgd", 4, True, [])]


def test_a_run_trained_elsewhere_joins_the_store():
    trainer = Trainer(tiny_spec(epochs=3))
    finished = trainer.fit()
    store = RunStore()
    run = store.add_finished(trainer.spec, trainer.history.columns, trainer.history.changes,
                             finished.test, name="sweep lr 0.01")
    assert (run.name, run.epochs, run.reason) == ("sweep lr 0.01", 3, "completed")
    assert run.final["test_loss"] == finished.test["test_loss"]
    assert run.final["loss"] == trainer.history.column("loss")[-1]


def test_the_cli_resuming_a_session_keeps_its_runs(tmp_path, capsys):
    from playground import cli

    store, current_id, current, _ = two_runs()
    path = tmp_path / "gui.pgsession"
    save_session(path, current.spec, current.state_dict(), current.data, runs=store,
                 current_run=current_id)
    assert cli.main(["train", "--resume", str(path), "--epochs", "6", "--save",
                     str(path)]) == 0
    session = open_session(path)
    assert [(r.name, r.epochs) for r in session.runs] == [("run 1", 6), ("fast sgd", 6)]
    assert session.current_run == current_id and session.state["epoch"] == 6


def test_a_session_too_large_to_open_is_never_written(tmp_path, monkeypatch):
    from playground.core.sessionfile import writing

    store, current_id, current, _ = two_runs()
    monkeypatch.setattr(writing, "TENSOR_BUDGET", 10_000)
    path = tmp_path / "big.pgsession"
    with pytest.raises(SessionFileError, match="delete some runs, then save again"):
        save_session(path, current.spec, current.state_dict(), current.data, runs=store,
                     current_run=current_id)
    assert not path.exists()
