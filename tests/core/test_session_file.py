"""The session file: exact, verified, and safe to open whatever is in it."""
import dataclasses
import json
import os
import pickle
import signal
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from playground.core.autosave import Autosaver, checkpoints, newest
from playground.core.errors import SessionFileError
from playground.core.session import weights_sha256
from playground.core.sessionfile import (VERSION, open_any, open_session, prepared_data,
                                         save_session)
from playground.core.sessionfile.writing import session_members, write_members
from playground.core.spec import DataSpec, LayerSpec
from playground.core.trainer import Trainer

from .helpers import (PicklePayload, dense, tiny_spec, with_layers, with_optimizer,
                      with_schedule)

DATA = Path(__file__).parent.parent / "data"


def trained(spec=None, **train):
    trainer = Trainer(spec or tiny_spec(epochs=2, **train))
    trainer.fit()
    return trainer


def saved(tmp_path, trainer, name="s.pgsession"):
    path = tmp_path / name
    save_session(path, trainer.spec, trainer.state_dict(), trainer.data)
    return path


CASES = {
    "momentum_step": lambda: with_schedule(with_optimizer(tiny_spec(epochs=5), "momentum", 0.05),
                                           "step", step_size=2, gamma=0.5),
    "adam_dropout_batchnorm": lambda: with_layers(
        tiny_spec(epochs=5), dense(16), LayerSpec("batchnorm"), LayerSpec("relu"),
        LayerSpec("dropout", {"rate": 0.3}), dense(None)),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_a_session_saved_mid_epoch_continues_bit_identically(tmp_path, case):
    spec = CASES[case]()
    straight = trained(spec)
    part = trained(dataclasses.replace(spec, train=dataclasses.replace(spec.train, max_steps=13)))
    path = saved(tmp_path, part)
    session = open_session(path)
    resumed = Trainer(dataclasses.replace(session.spec, train=dataclasses.replace(
        session.spec.train, max_steps=0)), data=prepared_data(session))
    resumed.load_state_dict(session.state)
    resumed.fit()
    assert weights_sha256(resumed.model.state_dict()) == weights_sha256(straight.model.state_dict())
    assert session.manifest["weights_sha256"] == weights_sha256(part.model.state_dict())


def test_the_manifest_is_a_reproducibility_record(tmp_path):
    manifest = open_session(saved(tmp_path, trained())).manifest
    for key in ("format", "version", "app_version", "created", "python", "torch", "numpy",
                "device", "seed", "data_sha256", "members"):
        assert manifest[key] is not None, key
    assert set(manifest["members"]) >= {"spec.json", "state.json", "tensors-000.safetensors",
                                        "history.json", "data.json", "scaler.json"}


def test_imported_data_is_embedded_and_the_file_may_go(tmp_path):
    csv = tmp_path / "mine.csv"
    csv.write_text("a,b,y\n" + "".join(f"{i % 7},{i % 5},{i % 2}\n" for i in range(80)))
    spec = dataclasses.replace(tiny_spec(epochs=2), data=DataSpec("file", path=str(csv)))
    trainer = trained(spec)
    path = saved(tmp_path, trainer)
    csv.unlink()
    session = open_session(path)
    assert session.data_arrays["X"].shape == (80, 2)
    again = prepared_data(session)
    assert (again.x_train == trainer.data.x_train).all()


def test_changed_data_is_reported_not_used(tmp_path, monkeypatch):
    path = saved(tmp_path, trained())
    session = open_session(path)
    session.manifest["data_sha256"] = "0" * 64
    with pytest.raises(SessionFileError, match="differs from the data this session was trained on"):
        prepared_data(session)


def test_version_1_file_in_tests_data_opens():
    session = open_any(DATA / "session-v1.pgsession")
    assert session.manifest["version"] == 1 and session.state["epoch"] == 2
    assert weights_sha256(session.state["model"]) == session.manifest["weights_sha256"]


def test_interim_run_file_still_opens():
    session = open_any(DATA / "run-interim.pgrun")
    assert session.spec.data.name == "spiral" and session.state["epoch"] == 1


# ------------------------------------------------------------- hostile files

def members(tmp_path):
    trainer = trained()
    return session_members(trainer.spec, trainer.state_dict(), trainer.data)


def zip_with(path, entries):
    with zipfile.ZipFile(path, "w") as archive:
        for name, body in entries.items():
            archive.writestr(name, bytes(body))
    return path


def test_truncated_file(tmp_path):
    path = saved(tmp_path, trained())
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    with pytest.raises(SessionFileError, match="damaged"):
        open_session(path)


def test_a_member_whose_hash_does_not_match(tmp_path):
    body = members(tmp_path)
    spec = json.loads(body["spec.json"])
    spec["optimizer"]["lr"] = 0.5
    body["spec.json"] = json.dumps(spec).encode()
    path = tmp_path / "tampered.pgsession"
    write_members(path, body)
    with pytest.raises(SessionFileError, match="the member spec.json does not match its SHA-256"):
        open_session(path)


def test_a_missing_member(tmp_path):
    body = members(tmp_path)
    del body["tensors-000.safetensors"]
    path = tmp_path / "missing.pgsession"
    write_members(path, body)
    with pytest.raises(SessionFileError, match="the member tensors-000.safetensors is missing"):
        open_session(path)


@pytest.mark.parametrize("name", ["../evil.json", "/etc/passwd", "sub/spec.json", "..\\x.json"])
def test_path_traversal_names_are_refused(tmp_path, name):
    body = members(tmp_path)
    path = zip_with(tmp_path / "trav.pgsession", {**body, name: b"{}"})
    with pytest.raises(SessionFileError, match="unsafe name|never has"):
        open_session(path)


def test_a_zip_bomb_is_refused_before_unpacking(tmp_path):
    body = members(tmp_path)
    bomb = tmp_path / "bomb.pgsession"
    with zipfile.ZipFile(bomb, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, data in body.items():
            archive.writestr(name, bytes(data) if name != "view.json" else b" " * (300 * 2**20))
    with pytest.raises(SessionFileError, match="zip bomb"):
        open_session(bomb)


@pytest.mark.parametrize("content, words", [
    (b"just some text", "is not a Gradient Playground session file"),
    (b"", "is not a Gradient Playground session file"),
])
def test_files_that_are_not_ours(tmp_path, content, words):
    path = tmp_path / "other.pgsession"
    path.write_bytes(content)
    with pytest.raises(SessionFileError, match=words):
        open_session(path)


def test_someone_elses_zip(tmp_path):
    path = zip_with(tmp_path / "photos.pgsession", {"manifest.json": b'{"format": "x"}',
                                                    "spec.json": b"{}", "data.json": b"{}"})
    with pytest.raises(SessionFileError, match="is not a Gradient Playground session file"):
        open_session(path)


def test_a_newer_version_says_which_version_made_it(tmp_path):
    body = members(tmp_path)
    manifest = json.loads(body["manifest.json"])
    manifest["version"], manifest["app_version"] = VERSION + 1, "9.0"
    body["manifest.json"] = json.dumps(manifest).encode()
    path = tmp_path / "future.pgsession"
    write_members(path, body)
    with pytest.raises(SessionFileError, match=rf"newer Gradient Playground \(9.0, session "
                                               rf"format {VERSION + 1}\)"):
        open_session(path)


def test_a_pickle_payload_is_refused_and_never_runs(tmp_path):
    marker = tmp_path / "pwned"
    payload = pickle.dumps(PicklePayload(str(marker)))
    body = members(tmp_path)
    path = zip_with(tmp_path / "evil.pgsession", {**body, "state.pkl": payload})
    with pytest.raises(SessionFileError, match="never has"):
        open_session(path)
    tricked = dict(body)
    tricked["tensors-000.safetensors"] = payload  # a pickle where tensors belong
    manifest = json.loads(tricked["manifest.json"])
    import hashlib

    manifest["members"]["tensors-000.safetensors"] = hashlib.sha256(payload).hexdigest()
    tricked["manifest.json"] = json.dumps(manifest).encode()
    write_members(tmp_path / "evil2.pgsession", tricked)
    with pytest.raises(SessionFileError, match="training state is damaged"):
        open_session(tmp_path / "evil2.pgsession")
    assert not marker.exists()


def test_a_failed_save_leaves_the_previous_session_whole(tmp_path, monkeypatch):
    trainer = trained()
    path = saved(tmp_path, trainer)
    before = path.read_bytes()
    monkeypatch.setattr(os, "fsync", lambda fd: (_ for _ in ()).throw(OSError(28, "No space left on device")))
    with pytest.raises(SessionFileError, match="No space left on device"):
        saved(tmp_path, trainer)
    assert path.read_bytes() == before and len(list(tmp_path.iterdir())) == 1


# ------------------------------------------------------------ autosave, kills

def test_autosave_keeps_the_last_k(tmp_path):
    saver = Autosaver(tmp_path, keep=3)
    trainer = Trainer(tiny_spec(epochs=6))
    for epoch in range(1, 6):
        trainer.spec = dataclasses.replace(trainer.spec, train=dataclasses.replace(
            trainer.spec.train, epochs=epoch))
        trainer.fit()
        saver.save(trainer)
    names = [p.name for p in checkpoints(tmp_path)]
    assert names == ["autosave-000003.pgsession", "autosave-000004.pgsession",
                     "autosave-000005.pgsession"]
    path, session = newest(tmp_path)
    assert path.name.endswith("000005.pgsession") and session.state["epoch"] == 5


CHILD = r"""
import dataclasses, os, random, signal, sys
from playground.core.autosave import Autosaver
from playground.core.examples import digits_mlp
from playground.core.trainer import Trainer

folder, seed = sys.argv[1], int(sys.argv[2])
rng = random.Random(seed)
victim = rng.randint(1, 9)                       # the autosave that is killed
stage = rng.choice(["write", "write", "write", "fsync", "replace", "prune"])
budget = rng.randrange(1, 200_000)               # bytes into the file, for "write"
saves = [0]

def die(at):
    if saves[0] == victim and stage == at:
        os.kill(os.getpid(), signal.SIGKILL)

class Dying:  # the temporary file: the victim's save dies after `budget` bytes
    def __init__(self, file):
        self.file, self.written = file, 0
    def write(self, data):
        view = memoryview(data).cast("B")
        if saves[0] == victim and stage == "write" and self.written + len(view) >= budget:
            self.file.write(view[:budget - self.written])
            self.file.flush()
            die("write")
        self.written += len(view)
        return self.file.write(data)
    def __getattr__(self, name):
        return getattr(self.file, name)
    def __enter__(self):
        return self
    def __exit__(self, *exc):
        return self.file.__exit__(*exc)

real_fdopen, real_fsync, real_replace = os.fdopen, os.fsync, os.replace
os.fdopen = lambda *a, **k: Dying(real_fdopen(*a, **k))
os.fsync = lambda fd: (die("fsync"), real_fsync(fd))[1]
os.replace = lambda *a: (die("replace"), real_replace(*a))[1]

spec = digits_mlp()
trainer = Trainer(dataclasses.replace(spec, train=dataclasses.replace(spec.train, device="cpu")))
saver = Autosaver(folder, keep=3)
real_prune = saver.prune
saver.prune = lambda: (die("prune"), real_prune())[1]
while saves[0] < victim:
    trainer.spec = dataclasses.replace(trainer.spec, train=dataclasses.replace(
        trainer.spec.train, epochs=trainer.epoch + 1))
    trainer.fit()
    saves[0] += 1
    saver.save(trainer)
    print(trainer.epoch, flush=True)
os.kill(os.getpid(), signal.SIGKILL)  # the victim's save was smaller than the budget
"""


def test_sigkill_at_random_moments_during_autosaves(tmp_path):
    """Ten processes autosave into one folder, one after another, each killed (SIGKILL)
    at a random moment of one of its saves: part-way through the bytes, before the
    fsync, before the rename, or before old checkpoints are pruned (44 autosaves
    in all). After every kill the newest complete checkpoint opens, matches its hashes,
    and is the last save that finished, or the killed one if it had landed whole."""
    previous = None
    for seed in range(10):
        child = subprocess.run([sys.executable, "-c", CHILD, str(tmp_path), str(seed)],
                               capture_output=True, text=True, timeout=300)
        assert child.returncode == -signal.SIGKILL, child.stderr[-2000:]
        finished = [int(line) for line in child.stdout.split()]  # epochs saved whole
        found = newest(tmp_path)
        assert found is not None or (previous is None and not finished)
        if found is None:
            continue
        path, session = found
        assert weights_sha256(session.state["model"]) == session.manifest["weights_sha256"]
        last = finished[-1] if finished else None
        landed = (last or 0) + 1  # the killed save, if only its pruning was cut short
        assert session.state["epoch"] in {last if finished else previous, landed}
        previous = session.state["epoch"]
    Autosaver(tmp_path).prune()
    assert not list(tmp_path.glob(".*.tmp"))  # what a kill left behind is cleaned up
