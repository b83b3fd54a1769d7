"""The interim run file: atomic, and never executes code when opened."""
import os
import pickle

import pytest
import torch

from playground.core.errors import SessionFileError
from playground.core.session import load_run, save_run, weights_sha256
from playground.core.trainer import Trainer

from .helpers import PicklePayload, tiny_spec


def test_a_pickle_payload_is_refused_and_never_runs(tmp_path):
    marker = tmp_path / "pwned"
    hostile = tmp_path / "hostile.pgrun"
    torch.save({"format": "gradient-playground-run", "version": 1,
                "spec": tiny_spec().to_json(), "state": PicklePayload(str(marker))}, hostile)
    with pytest.raises(SessionFileError, match="could run code"):
        load_run(hostile)
    assert not marker.exists()


def test_plain_pickle_file_is_refused_and_never_runs(tmp_path):
    marker = tmp_path / "pwned"
    hostile = tmp_path / "plain.pgrun"
    hostile.write_bytes(pickle.dumps(PicklePayload(str(marker))))
    with pytest.raises(SessionFileError):
        load_run(hostile)
    assert not marker.exists()


@pytest.mark.parametrize("content, message", [
    (b"", "damaged or not a Gradient Playground run file"),
    (b"hello, world", "damaged or not a Gradient Playground run file"),
    (b"PK\x03\x04" + b"\x00" * 40, "damaged or not a Gradient Playground run file"),
])
def test_junk_files_get_one_sentence(tmp_path, content, message):
    path = tmp_path / "junk.pgrun"
    path.write_bytes(content)
    with pytest.raises(SessionFileError, match=message):
        load_run(path)


def test_someone_elses_torch_file_is_not_ours(tmp_path):
    path = tmp_path / "weights.pt"
    torch.save({"weight": torch.zeros(3)}, path)
    with pytest.raises(SessionFileError, match="is not a Gradient Playground run file"):
        load_run(path)


def test_truncated_file_is_refused(tmp_path):
    trainer = Trainer(tiny_spec(epochs=1))
    trainer.fit()
    path = tmp_path / "run.pgrun"
    save_run(path, trainer.spec, trainer.state_dict())
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    with pytest.raises(SessionFileError, match="damaged"):
        load_run(path)


def test_a_failed_save_leaves_the_previous_file_whole(tmp_path, monkeypatch):
    trainer = Trainer(tiny_spec(epochs=1))
    trainer.fit()
    path = tmp_path / "run.pgrun"
    save_run(path, trainer.spec, trainer.state_dict())
    before = path.read_bytes()

    def crash(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "fsync", crash)
    with pytest.raises(SessionFileError, match="No space left on device"):
        save_run(path, trainer.spec, trainer.state_dict())
    assert path.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["run.pgrun"]  # no temporary left
    spec, state, _ = load_run(path)
    assert weights_sha256(state["model"]) == weights_sha256(trainer.model.state_dict())
