"""Issue 15: every file we read is checked against a schema and a budget before use.

Crafted sessions whose hashes all match, spec files built to break the parser, data
files that claim gigabytes: each is refused with one sentence (a PlaygroundError),
never a traceback, and never by reading more than the budget.
"""
import dataclasses
import gzip
import hashlib
import io
import json
import struct
import zipfile

import numpy as np
import pytest

from playground.core.errors import DataError, SessionFileError, SpecError
from playground.core.data.files import load_file
from playground.core.sessionfile import open_any, open_session, save_session
from playground.core.sessionfile.writing import session_members, write_members
from playground.core.spec import DataSpec, LayerSpec, ModelSpec, SessionSpec
from playground.core.trainer import Trainer

from .helpers import tiny_spec


@pytest.fixture(scope="module")
def good():
    """A trained session's members, made once."""
    trainer = Trainer(tiny_spec(epochs=2))
    trainer.fit()
    return session_members(trainer.spec, trainer.state_dict(), trainer.data)


def rehashed(members, **changes):
    """The members with some replaced and the manifest's hashes made to match."""
    body = {k: bytes(v) for k, v in members.items()}
    body.update(changes)
    manifest = json.loads(body["manifest.json"])
    manifest["members"] = {name: hashlib.sha256(data).hexdigest()
                           for name, data in body.items() if name != "manifest.json"}
    body["manifest.json"] = json.dumps(manifest).encode()
    return body


def written(tmp_path, body, name="crafted.pgsession"):
    path = tmp_path / name
    write_members(path, body)
    return path


def edit_json(members, name, edit):
    value = json.loads(bytes(members[name]))
    edit(value)
    return json.dumps(value).encode()


def set_in(path, value):
    def edit(obj):
        target = obj
        for key in path[:-1]:
            target = target[key]
        target[path[-1]] = value
    return edit


# ---------------------------------------------------------------- sessions

CRAFTED = {
    "members null": ("manifest.json", set_in(["members"], None), "manifest is damaged"),
    "epoch three": ("state.json", set_in(["$dict", "epoch"], "three"), "epoch must be a whole"),
    "batch 10**9": ("state.json", set_in(["$dict", "batch"], 10**9), "cannot come after"),
    "rng null": ("state.json", set_in(["$dict", "rng"], None), "rng must be an object"),
    "model a number": ("state.json", set_in(["$dict", "model"], 3), "model must hold"),
    "data.json a list": ("data.json", lambda v: None, "data.json must be an object"),
    "view a list": ("view.json", lambda v: None, "view.json is damaged"),
    "task wrong": ("data.json", set_in(["task"], "poetry"), "task must be one of"),
    "history null": ("state.json", set_in(["$dict", "callbacks", "$dict", "history"], None),
                     "callbacks.history must be an object"),
}


@pytest.mark.parametrize("case", sorted(CRAFTED))
def test_crafted_sessions_whose_hashes_match_are_refused_in_words(tmp_path, good, case):
    name, edit, words = CRAFTED[case]
    if case == "data.json a list":
        changed = b"[1, 2]"
    elif case == "view a list":
        changed = b"[]"
    else:
        changed = edit_json(good, name, edit)
    if name == "manifest.json":
        body = {k: bytes(v) for k, v in good.items()}
        body[name] = changed
    else:
        body = rehashed(good, **{name: changed})
    with pytest.raises(SessionFileError, match=words):
        open_session(written(tmp_path, body))


def test_embedded_data_of_the_wrong_shape_is_refused(tmp_path):
    csv = tmp_path / "d.csv"
    csv.write_text("a,b,y\n" + "".join(f"{i % 7},{i % 5},{i % 2}\n" for i in range(60)))
    spec = dataclasses.replace(tiny_spec(epochs=1), data=DataSpec("file", path=str(csv)))
    trainer = Trainer(spec)
    trainer.fit()
    members = session_members(trainer.spec, trainer.state_dict(), trainer.data)
    from playground.core.sessionfile.tensors import tensors_to_parts
    import torch

    flat = bytes(tensors_to_parts({"X": torch.zeros(60), "y": torch.zeros(60, dtype=torch.int64)}))
    with pytest.raises(SessionFileError, match="X must be a float32 table"):
        open_session(written(tmp_path, rehashed(members, **{"data.safetensors": flat})))


def test_a_member_claiming_4_gb_is_refused_before_reading(tmp_path, good):
    path = written(tmp_path, {k: bytes(v) for k, v in good.items()})
    claim(path, "view.json", 0xFFFFFFF0)
    with pytest.raises(SessionFileError, match="view.json would unpack to 4.0 GB, above"):
        open_session(path)


def claim(path, member, size):
    """Make the zip's table of contents claim `size` bytes for `member` (stored)."""
    data = bytearray(path.read_bytes())
    name = member.encode()
    at = 0
    while True:
        at = data.index(b"PK\x01\x02", at)
        length = struct.unpack("<H", data[at + 28:at + 30])[0]
        if data[at + 46:at + 46 + length] == name:
            data[at + 20:at + 28] = struct.pack("<II", size, size)
            break
        at += 4
    path.write_bytes(bytes(data))


def test_encrypted_and_unknown_compression_members_are_refused(tmp_path, good):
    path = written(tmp_path, {k: bytes(v) for k, v in good.items()})
    data = bytearray(path.read_bytes())
    at = data.index(b"PK\x01\x02")
    data[at + 8] |= 0x1  # the "encrypted" flag of the first member
    path.write_bytes(bytes(data))
    with pytest.raises(SessionFileError, match="is encrypted"):
        open_session(path)
    path = tmp_path / "lzma.pgsession"
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_LZMA) as archive:
        for name, body in good.items():
            archive.writestr(name, bytes(body))
    with pytest.raises(SessionFileError, match="compression method"):
        open_session(path)


def test_duplicate_member_names_are_refused(tmp_path, good):
    path = written(tmp_path, {k: bytes(v) for k, v in good.items()})
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # zipfile warns about the duplicate
        with zipfile.ZipFile(path, "a") as archive:
            archive.writestr("spec.json", bytes(good["spec.json"]))
    with pytest.raises(SessionFileError, match="holds the member spec.json twice"):
        open_session(path)


def test_a_5000_character_path_is_a_sentence(tmp_path):
    with pytest.raises(SessionFileError, match="at most 4,096"):
        open_any("x" * 5000)
    with pytest.raises(SessionFileError, match="cannot be opened: File name too long"):
        open_any(str(tmp_path / ("y" * 300)))
    with pytest.raises(DataError, match="at most 4,096"):
        load_file("z" * 5000)


def test_a_session_whose_spec_asks_for_a_billion_samples_is_refused(tmp_path, good):
    spec = edit_json(good, "spec.json", set_in(["data", "samples"], 10**9))
    with pytest.raises(SessionFileError, match="invalid spec: data.samples"):
        open_session(written(tmp_path, rehashed(good, **{"spec.json": spec})))


def test_a_state_that_does_not_fit_its_network_says_so(tmp_path):
    from playground.core.sessionfile import restore_state

    trainer = Trainer(tiny_spec(epochs=1))
    trainer.fit()
    state = trainer.state_dict()
    other = Trainer(dataclasses.replace(tiny_spec(epochs=2), model=ModelSpec((
        LayerSpec("dense", {"units": 4, "activation": "tanh"}),
        LayerSpec("dense", {"units": None})))))
    with pytest.raises(SessionFileError, match="does not fit its own network"):
        restore_state(other, state, "s.pgsession")


# ------------------------------------------------------------------- specs

@pytest.mark.parametrize("text, words", [
    ('{"data": {"split": [0.5, 0.5]}}', "spec.data.split: expected a list of 3 values"),
    ("[" * 100_000 + "]" * 100_000, "nested more than 64 levels deep"),
    ('{"train": {"epochs": ' + "9" * 5000 + "}}", "a number has 5,000 digits"),
    ('{"data": 5, "version": 1}', "spec.data: expected an object"),
    ('{"format": "' + "x" * 1000 + '"}', "not a Gradient Playground spec"),
])
def test_spec_files_built_to_break_the_parser(text, words):
    with pytest.raises(SpecError, match=words):
        SessionSpec.from_json(text)


@pytest.mark.parametrize("change, words", [
    ({"data": DataSpec(samples=-5)}, "data.samples: -5 is out of range"),
    ({"data": DataSpec("blobs", classes=0)}, "data.classes: 0 is out of range"),
    ({"data": DataSpec(seed=-1)}, "data.seed: -1 is out of range"),
    ({"data": DataSpec(features=(10**9,))}, "column indices must be whole numbers from 0"),
    ({"model": ModelSpec((LayerSpec("relu"),) * 10_000)}, "10,000 layers; at most 256"),
    ({"model": ModelSpec((LayerSpec("dense", {"units": 100_000}),
                          LayerSpec("dense", {"units": 100_000})))}, "parameters"),
])
def test_validation_refuses_before_anything_is_allocated(change, words):
    with pytest.raises(SpecError, match=words):
        dataclasses.replace(SessionSpec(), **change).validate()


# -------------------------------------------------------------------- data

def npz_claiming(path, shape, dtype="<f4", extra=b"\0" * 64, name="X.npy"):
    header = io.BytesIO()
    np.lib.format.write_array_header_1_0(header, {"descr": dtype, "fortran_order": False,
                                                   "shape": shape})
    y = io.BytesIO()
    np.save(y, np.zeros(4))
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(name, header.getvalue() + extra)
        archive.writestr("y.npy", y.getvalue())
    return path


def test_an_npz_claiming_2_gib_is_refused_from_its_header(tmp_path):
    path = npz_claiming(tmp_path / "big.npz", (2**28, 2))
    with pytest.raises(DataError, match="beyond the budget"):
        load_file(path)


def test_an_npz_member_declaring_2_gib_is_refused_before_unpacking(tmp_path):
    path = npz_claiming(tmp_path / "big.npz", (4, 1))
    data = bytearray(path.read_bytes())
    at = data.index(b"PK\x01\x02")
    data[at + 24:at + 28] = struct.pack("<I", 2**31)
    path.write_bytes(bytes(data))
    with pytest.raises(DataError, match="would unpack to 2.0 GB"):
        load_file(path)


@pytest.mark.parametrize("X, words", [
    (np.float32(3.0), "single number"),
    (np.zeros((5, 0), dtype=np.float32), "X has no columns"),
])
def test_npz_arrays_of_the_wrong_shape(tmp_path, X, words):
    path = tmp_path / "odd.npz"
    np.savez(path, X=X, y=np.arange(5) % 2)
    with pytest.raises(DataError, match=words):
        load_file(path)


def test_a_corrupt_gzip_idx_is_a_sentence(tmp_path):
    images = tmp_path / "images-idx3-ubyte.gz"
    raw = gzip.compress(b"\0\0\x08\x03" + struct.pack(">III", 4, 2, 2) + bytes(16))
    images.write_bytes(raw[:12] + bytes(b ^ 0x5A for b in raw[12:30]) + raw[30:])
    labels = tmp_path / "labels-idx1-ubyte"
    labels.write_bytes(b"\0\0\x08\x01" + struct.pack(">I", 4) + bytes([0, 1, 0, 1]))
    with pytest.raises(DataError, match="cannot be read as IDX|not an IDX|damaged"):
        load_file(images, str(labels))


def test_an_idx_header_claiming_terabytes_is_refused(tmp_path):
    images = tmp_path / "images-idx3-ubyte"
    images.write_bytes(b"\0\0\x08\x03" + struct.pack(">III", 60000, 50000, 50000) + bytes(8))
    labels = tmp_path / "labels-idx1-ubyte"
    labels.write_bytes(b"\0\0\x08\x01" + struct.pack(">I", 4) + bytes([0, 1, 0, 1]))
    with pytest.raises(DataError, match="beyond the 1.0 GB"):
        load_file(images, str(labels))


def test_semicolons_with_decimal_commas_are_numbers(tmp_path):
    rng = np.random.default_rng(0)
    rows = ["height;weight;label"] + [
        f"{a:.2f};{b:.3f};{int(a > b)}".replace(".", ",")
        for a, b in rng.uniform(0, 10, (80, 2))]
    path = tmp_path / "european.csv"
    path.write_text("\n".join(rows) + "\n")
    loaded = load_file(path)
    assert loaded.X.shape == (80, 2) and loaded.feature_names == ("height", "weight")
    assert loaded.X.dtype == np.float32 and 0 < loaded.X.max() <= 10
    assert loaded.task == "binary"


def test_ordinary_csv_is_unchanged_by_the_decimal_detection(tmp_path):
    path = tmp_path / "plain.csv"
    path.write_text("a,b,y\n1.5,2,0\n2.5,3,1\n3.5,1,0\n4.5,0,1\n")
    assert load_file(path).X.tolist() == [[1.5, 2], [2.5, 3], [3.5, 1], [4.5, 0]]
