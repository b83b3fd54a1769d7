"""The session file (.pgsession): one zip that reopens a run exactly, and is safe to open.

Members:
  manifest.json        format name and version, app/python/torch/numpy versions, time,
                       device, seed, the data's SHA-256, and a SHA-256 for every member
  spec.json            the SessionSpec
  state.json           the trainer's state with every tensor replaced by a reference
  tensors.safetensors  the tensors: weights, optimizer and schedule state, RNG states,
                       the position inside the epoch, best weights of early stopping
  history.json         every epoch's record (columns) and every hyperparameter change
  data.json            the data set's recipe, or what an imported file held
  data.safetensors     imported data itself (embedded up to 50 MB)
  scaler.json          the fitted feature (and target) scaling
  view.json            the window's plot state
  runs.json            (version 2) the session's runs: each one's spec, history, final
                       figures and kept checkpoints, their tensors in the tensors members
                       (core/experiments/runfile.py); version 1 files hold one run
Opening never executes code: JSON and safetensors only, member names checked, sizes
bounded, every hash verified, and any member we did not write refuses the file.
"""
from __future__ import annotations

import dataclasses
import datetime
import hashlib
import json
import math
import platform
import re
import reprlib
import struct
import time
import zipfile
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any, Callable

import numpy as np
import torch

from ... import __version__
from .. import limits, sessioncheck
from ..errors import SessionFileError, SpecError
from ..experiments.runfile import runs_tree, store_from_state, store_from_tree
from ..experiments.runs import RunStore
from ..limits import mb
from ..session import atomic_write, check_path, weights_sha256
from ..sessioncheck import restore_state  # noqa: F401 - part of this module's interface
from ..spec import SessionSpec

FORMAT = "gradient-playground-session"
VERSION = 2  # 2: runs.json, the session's runs (a version 1 file opens as one run)
SUFFIX = ".pgsession"
EMBED_LIMIT = 50 * 2**20           # imported data above this is referenced, not embedded
MEMBERS = ("manifest.json", "spec.json", "state.json", "history.json", "data.json",
           "data.safetensors", "scaler.json", "view.json", "runs.json")
TENSOR_MEMBER = re.compile(r"tensors-\d{3}\.safetensors")  # tensors, in ~4 MB members
CHUNK = 4 * 2**20  # so their SHA-256s can be computed on several cores at once
REQUIRED = ("manifest.json", "spec.json", "data.json")


@dataclass
class Session:
    spec: SessionSpec
    state: dict[str, Any] | None            # the trainer's state; None if never trained
    manifest: dict[str, Any]
    view: dict[str, Any] = field(default_factory=dict)
    data_arrays: dict[str, np.ndarray] | None = None   # imported data, when embedded
    data_meta: dict[str, Any] = field(default_factory=dict)
    scaler: dict[str, Any] = field(default_factory=dict)
    runs: RunStore = field(default_factory=RunStore)
    current_run: int | None = None          # the run the state continues


# ---------------------------------------------------------------- safetensors

_DTYPES = {torch.float32: "F32", torch.float64: "F64", torch.float16: "F16",
           torch.bfloat16: "BF16", torch.int64: "I64", torch.int32: "I32",
           torch.int16: "I16", torch.int8: "I8", torch.uint8: "U8", torch.bool: "BOOL"}


class Parts(list):
    """A member's bytes as consecutive buffers, hashed and written one after the other
    without ever being joined (joining 11 MB of tensors cost a third of a save)."""

    @property
    def nbytes(self) -> int:
        return sum(memoryview(part).nbytes for part in self)

    def __bytes__(self) -> bytes:
        return b"".join(self)


def tensors_to_parts(tensors: dict[str, torch.Tensor]) -> Parts:
    """The safetensors format (8-byte header length, JSON header, raw little-endian
    data) as views of the tensors themselves: no copy at all; safetensors.torch.save
    made several (13 ms for 11 MB). Read back by `bytes_to_tensors`, which is strict."""
    header: dict[str, Any] = {}
    chunks: list[memoryview] = []
    offset = 0
    # Widest types first: every tensor then starts aligned to its own item size.
    ordered = sorted(tensors.items(), key=lambda item: -item[1].element_size())
    for name, tensor in ordered:
        tensor = tensor.detach().cpu().contiguous()
        raw = memoryview(tensor.view(-1).view(torch.uint8).numpy()) if tensor.numel() \
            else memoryview(b"")
        header[name] = {"dtype": _DTYPES[tensor.dtype], "shape": list(tensor.shape),
                        "data_offsets": [offset, offset + raw.nbytes]}
        chunks.append(raw)
        offset += raw.nbytes
    text = json.dumps(header, separators=(",", ":")).encode()
    text += b" " * (-len(text) % 8)  # the data starts 8-byte aligned
    return Parts([len(text).to_bytes(8, "little"), text, *chunks])


_FROM_CODE = {code: dtype for dtype, code in _DTYPES.items()}
# A tensors member's JSON header: its names, dtypes, shapes and offsets (about 100 bytes a
# tensor; a member holds about CHUNK bytes of them), parsed within the JSON budget.
MAX_TENSOR_HEADER = 4 * 2**20


def bytes_to_tensors(buffer: bytearray) -> dict[str, torch.Tensor]:
    """Read the safetensors layout strictly: known dtypes only, every tensor inside the
    data and exactly as long as its shape says. Tensors are views into `buffer`."""
    if len(buffer) < 8:
        raise ValueError("too short")
    length = int.from_bytes(buffer[:8], "little")
    header = _tensor_header(length, len(buffer), lambda: bytes(memoryview(buffer)[8:8 + length]))
    base = 8 + length
    return {name: (torch.frombuffer(buffer, dtype=dtype, count=count,
                                    offset=base + begin).reshape(shape)
                   if count else torch.empty(shape, dtype=dtype))
            for name, dtype, shape, begin, count in _tensor_layout(header, len(buffer) - base)}


def _tensor_header(length: int, total: int, read: Callable[[], bytes]) -> Any:
    """The JSON header of a safetensors body of `total` bytes, within its budget."""
    if length > min(total - 8, MAX_TENSOR_HEADER):
        raise ValueError(f"its header of {length:,} bytes is out of range (at most "
                         f"{MAX_TENSOR_HEADER:,})")
    header = limits.loads(read(), MAX_TENSOR_HEADER)
    if not isinstance(header, dict):
        raise ValueError("header is not an object")
    return header


def _tensor_layout(header: dict[str, Any], size: int) -> list[tuple]:
    """(name, dtype, shape, begin, count) per tensor, each checked to fit `size` bytes."""
    layout = []
    for name, meta in header.items():
        if name == "__metadata__":
            continue
        dtype = _FROM_CODE[meta["dtype"]]
        shape = [int(d) for d in meta["shape"]]
        begin, end = (int(o) for o in meta["data_offsets"])
        count = math.prod(shape)
        item = torch.empty((), dtype=dtype).element_size()
        if min(shape, default=0) < 0 or not 0 <= begin <= end <= size or \
                end - begin != count * item:
            raise ValueError(f"tensor {name} does not fit its data")
        layout.append((name, dtype, shape, begin, count))
    return layout


def _check_tensor_member(archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> None:
    """A safetensors member's header and layout, read from the start of its stream
    before the member is kept: damage in a large member costs its header, not its size."""
    with archive.open(info) as member:
        head = member.read(8)
        if len(head) < 8:
            raise ValueError("too short")
        length = int.from_bytes(head, "little")
        header = _tensor_header(length, info.file_size, lambda: member.read(length))
    _tensor_layout(header, info.file_size - 8 - length)


def _tensor_members(tensors: dict[str, torch.Tensor]) -> dict[str, Parts]:
    """Tensors grouped into members of about CHUNK bytes each."""
    groups: list[dict[str, torch.Tensor]] = [{}]
    filled = 0
    for name, tensor in tensors.items():
        size = tensor.numel() * tensor.element_size()
        if filled and filled + size > CHUNK:
            groups.append({})
            filled = 0
        groups[-1][name] = tensor
        filled += size
    return {f"tensors-{i:03d}.safetensors": tensors_to_parts(group)
            for i, group in enumerate(groups)}


# ------------------------------------------------------------- tensors <-> JSON

def split_tensors(value: Any, tensors: dict[str, torch.Tensor], path: str = "s") -> Any:
    """A JSON-able copy of `value` whose tensors are moved into `tensors`."""
    if isinstance(value, torch.Tensor):
        key = path
        tensors[key] = value  # the trainer's state_dict() is already a private copy
        return {"$tensor": key}
    if isinstance(value, dict):
        if all(isinstance(k, str) for k in value):
            return {"$dict": {k: split_tensors(v, tensors, f"{path}.{k}")
                              for k, v in value.items()}}
        return {"$items": [[split_tensors(k, tensors, f"{path}.k{i}"),
                            split_tensors(v, tensors, f"{path}.{i}")]
                           for i, (k, v) in enumerate(value.items())]}
    if isinstance(value, (tuple, list)) and all(type(v) is int for v in value):
        plain = list(value)  # e.g. Python's RNG state, 625 ints: no walk item by item
        return {"$tuple": plain} if isinstance(value, tuple) else plain
    if isinstance(value, tuple):
        return {"$tuple": [split_tensors(v, tensors, f"{path}.{i}") for i, v in enumerate(value)]}
    if isinstance(value, list):
        return [split_tensors(v, tensors, f"{path}.{i}") for i, v in enumerate(value)]
    if isinstance(value, float) and not math.isfinite(value):
        return {"$float": repr(value)}
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    raise TypeError(f"cannot store a {type(value).__name__} in a session file")


def join_tensors(value: Any, tensors: dict[str, torch.Tensor]) -> Any:
    if isinstance(value, list):
        return [join_tensors(v, tensors) for v in value]
    if not isinstance(value, dict):
        return value
    if len(value) != 1:
        raise ValueError("malformed state")
    (tag, body), = value.items()
    if tag == "$tensor":
        return tensors[body]
    if tag == "$dict":
        return {k: join_tensors(v, tensors) for k, v in body.items()}
    if tag == "$items":
        return {join_tensors(k, tensors): join_tensors(v, tensors) for k, v in body}
    if tag == "$tuple":
        return tuple(join_tensors(v, tensors) for v in body)
    if tag == "$float":
        return float(body)
    raise ValueError(f"unknown tag {tag}")


# ------------------------------------------------------------------- writing

def data_sha256(X: np.ndarray, y: np.ndarray) -> str:
    digest = hashlib.sha256()
    for array in (X, y):
        array = np.ascontiguousarray(array)
        digest.update(f"{array.dtype}|{array.shape}|".encode())
        digest.update(memoryview(array).cast("B") if array.size else b"")
    return digest.hexdigest()


def session_members(spec: SessionSpec, state: dict[str, Any] | None, data: Any = None,
                    view: dict[str, Any] | None = None, device: str = "cpu",
                    runs: RunStore | None = None,
                    current_run: int | None = None) -> dict[str, bytes | Parts]:
    """Every member's bytes (separate from writing, so tests can tamper with them)."""
    members, manifest = _prepare_members(spec, state, data, view, device, runs, current_run)
    members["manifest.json"] = manifest()
    return members


def _prepare_members(spec: SessionSpec, state: dict[str, Any] | None, data: Any,
                     view: dict[str, Any] | None, device: str,
                     runs: RunStore | None = None, current_run: int | None = None
                     ) -> tuple[dict[str, bytes | Parts], Callable[[], bytes]]:
    """The members but the manifest, and a function that makes the manifest once the
    hashes, started here on other threads, are done: the tensors can be written (the
    manifest goes last) while they are hashed."""
    pool = _hashing_pool()  # hashes the tensors while the rest is built and written
    early = {}
    members: dict[str, bytes | Parts] = {}
    weights_hash = None
    tensors: dict[str, torch.Tensor] = {}
    if runs is not None and len(runs):  # their tensors join the state's members
        current = current_run if state is not None else None
        members["runs.json"] = _json(split_tensors(runs_tree(runs, current), tensors, "r"),
                                     compact=True)
    if state is not None:
        plain_state = split_tensors(state, tensors)
        weights_hash = pool.submit(weights_sha256, state["model"])
        members["state.json"] = _json(plain_state, compact=True)  # machine state, large
    total = sum(t.numel() * t.element_size() for t in tensors.values())
    if total > TENSOR_BUDGET:  # a file we would refuse to open is never written
        raise SessionFileError(f"The session would hold {mb(total)} of weights, histories "
                               f"and checkpoints, above the {mb(TENSOR_BUDGET)} a session "
                               "may: delete some runs, then save again.")
    for name, body in _tensor_members(tensors).items():
        members[name] = body
        early[name] = pool.submit(_sha256, body)
    if state is not None:
        history = state.get("callbacks", {}).get("history")
        if history is not None:
            # Compact: json's C encoder. Indented, the pure-Python one took 0.3-0.6 s
            # for 20,000 epochs, holding the GIL in the training thread at each autosave.
            members["history.json"] = _json({
                "columns": {k: v.tolist() for k, v in history["columns"].items()},
                "changes": history["changes"]}, compact=True)
    members["spec.json"] = _json(without_run_limits(spec).to_dict())
    data_meta, data_bytes, data_hash = _data_members(spec, data)
    members["data.json"] = _json(data_meta)
    if data_bytes is not None:
        members["data.safetensors"] = data_bytes
    if data is not None:
        members["scaler.json"] = _json({
            "features": data.scaler.state_dict(),
            "target": data.target_scaler.state_dict() if data.target_scaler else None})
    members["view.json"] = _json(view or {})
    manifest = {
        "format": FORMAT, "version": VERSION, "app_version": __version__,
        "created": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
        "python": platform.python_version(), "torch": str(torch.__version__),
        "numpy": str(np.__version__), "platform": platform.platform(), "device": device,
        "seed": spec.train.seed, "data_sha256": data_hash,
        "epoch": state["epoch"] if state is not None else 0,
    }
    hashes = {name: _sha256(body) for name, body in members.items() if name not in early}
    written = dict(members)  # what the manifest vouches for, whatever the caller adds

    def finish() -> bytes:
        manifest["weights_sha256"] = weights_hash.result() if weights_hash is not None else None
        hashes.update({name: future.result() for name, future in early.items()})
        manifest["members"] = {name: hashes[name] for name in written}
        return _json(manifest)

    return members, finish


_pool = None


def _hashing_pool():
    """Two threads kept for hashing (hashlib lets go of the GIL), started once: starting
    threads on every save cost more than a millisecond."""
    global _pool
    if _pool is None:
        from concurrent.futures import ThreadPoolExecutor

        _pool = ThreadPoolExecutor(max_workers=2, thread_name_prefix="session-hash")
    return _pool


def _sha256(body: bytes | Parts) -> str:
    digest = hashlib.sha256()
    for part in body if isinstance(body, Parts) else (body,):
        digest.update(part)  # hashlib lets go of the GIL on large buffers
    return digest.hexdigest()


def _data_members(spec: SessionSpec, data: Any) -> tuple[dict, Parts | None, str | None]:
    if data is None:
        return {"recipe": spec.data.name}, None, None
    dataset = data.dataset
    digest = data_sha256(dataset.X, dataset.y)
    meta = {"recipe": spec.data.name, "source": dataset.info.source, "task": dataset.task,
            "feature_names": list(dataset.feature_names),
            "class_names": list(dataset.class_names),
            "image_shape": list(dataset.image_shape) if dataset.image_shape else None}
    if dataset.info.source != "file":
        return meta, None, digest  # rebuilt from its recipe; the hash proves it is the same
    size = dataset.X.nbytes + dataset.y.nbytes
    if size > EMBED_LIMIT:
        meta["reference"] = spec.data.path
        return meta, None, digest
    arrays = {"X": torch.from_numpy(np.ascontiguousarray(dataset.X)),
              "y": torch.from_numpy(np.ascontiguousarray(dataset.y))}
    meta["embedded"] = True
    return meta, tensors_to_parts(arrays), digest


def _json(value: Any, compact: bool = False) -> bytes:
    if compact:
        return json.dumps(value, separators=(",", ":")).encode()
    return json.dumps(value, indent=1, sort_keys=True).encode()


def save_session(path: str | Path, spec: SessionSpec, state: dict[str, Any] | None,
                 data: Any = None, view: dict[str, Any] | None = None,
                 device: str = "cpu", runs: RunStore | None = None,
                 current_run: int | None = None, private: bool = False) -> None:
    """Write atomically: a temporary file in the same folder, fsync, then rename.
    `runs` (with `current_run`, the one `state` continues) go in too, when given.
    The file follows the user's umask, or is the user's alone if `private`."""
    members, manifest = _prepare_members(spec, state, data, view, device, runs, current_run)
    write_members(path, members, manifest, private)


def write_members(path: str | Path, members: dict[str, bytes | Parts],
                  manifest: Callable[[], bytes] | None = None,
                  private: bool = False) -> None:
    """Members stored uncompressed (tensors barely compress, and reading them back is
    then a plain slice of the file); the manifest goes last, made by `manifest()` if
    it is not among the members."""
    def write(file) -> None:
        with zipfile.ZipFile(file, "w", compression=zipfile.ZIP_STORED) as archive:
            for name in sorted(members, key=lambda n: n == "manifest.json"):
                body = members[name]
                if not isinstance(body, Parts):
                    archive.writestr(name, body)
                    continue
                info = zipfile.ZipInfo(name, date_time=time.localtime()[:6])
                info.file_size = body.nbytes  # known in advance: the header is final
                with archive.open(info, "w") as member:
                    for part in body:
                        member.write(part)
            if manifest is not None:
                archive.writestr("manifest.json", manifest())
    try:
        atomic_write(Path(path), write, private)
    except OSError as exc:
        raise SessionFileError(f"Could not save {path}: {exc.strerror or exc}.") from None


# ------------------------------------------------------------------- reading

def open_session(path: str | Path) -> Session:
    """Read and verify a session file; SessionFileError with one sentence otherwise.
    Nothing is allocated beyond the budget: every member's declared size is checked
    against its own limit before it is read, and no read goes past the declared size."""
    path = check_path(path, "The session's path")

    def verified(manifest_body: bytearray) -> dict[str, Any]:
        manifest = limits_loads(path, manifest_body, "manifest.json")
        _check_manifest_header(path, manifest)
        sessioncheck.check_manifest(path, manifest)
        return manifest

    # Every member's SHA-256 is checked as it streams past, before any of it is kept:
    # refusing a damaged or hostile file costs a few MB, not its declared sizes.
    members, manifest = read_members(path, verified)
    return _parse(path, members, manifest)


def _parse(path: Path, members: dict[str, bytearray], manifest: dict[str, Any]) -> Session:
    try:
        spec = SessionSpec.from_dict(_load_json(path, members, "spec.json")).validate()
    except SpecError as exc:
        raise SessionFileError(f"{path} holds an invalid spec: {exc}") from None
    spec = without_run_limits(spec)
    state = None
    tensors: dict[str, torch.Tensor] = {}
    if "state.json" in members or "runs.json" in members:
        try:
            for name in sorted(n for n in members if TENSOR_MEMBER.fullmatch(n)):
                tensors.update(bytes_to_tensors(members[name]))
        except Exception as exc:  # noqa: BLE001 - any failure to parse is damage
            raise SessionFileError(f"{path}: the saved training state is damaged "
                                   f"({_first_line(exc)}).") from None
    if "state.json" in members:
        try:
            state = join_tensors(_load_json(path, members, "state.json"), tensors)
        except SessionFileError:
            raise
        except Exception as exc:  # noqa: BLE001 - any failure to parse is damage
            raise SessionFileError(f"{path}: the saved training state is damaged "
                                   f"({_first_line(exc)}).") from None
        sessioncheck.check_state(path, state, manifest)
    runs, current_run = _runs(path, members, manifest, spec, state, tensors)
    data_meta = _load_json(path, members, "data.json")
    arrays = None
    if "data.safetensors" in members:
        try:
            loaded = bytes_to_tensors(members["data.safetensors"])
            arrays = {k: v.numpy() for k, v in loaded.items()}
        except Exception:  # noqa: BLE001 - any failure to parse is damage
            raise SessionFileError(f"{path}: the embedded data is damaged.") from None
    sessioncheck.check_data(path, data_meta, arrays, spec)
    view = _load_json(path, members, "view.json") if "view.json" in members else {}
    scaler = _load_json(path, members, "scaler.json") if "scaler.json" in members else {}
    for name, value in (("view.json", view), ("scaler.json", scaler)):
        if not isinstance(value, dict):
            raise SessionFileError(f"{path}: the member {name} is damaged (it is not a JSON "
                                   "object).")
    return Session(spec, state, manifest, view, arrays, data_meta, scaler, runs, current_run)


def _runs(path: Path, members: dict[str, bytearray], manifest: dict[str, Any],
          spec: SessionSpec, state: dict[str, Any] | None,
          tensors: dict[str, torch.Tensor]) -> tuple[RunStore, int | None]:
    """The session's runs; a file without runs.json (format 1, or saved by the CLI)
    holds one run, the trainer's (the migration from format 1)."""
    if "runs.json" not in members:
        return store_from_state(spec, state)
    if manifest["version"] < 2:
        raise SessionFileError(f"{path} was refused: a format {manifest['version']} session "
                               "never holds runs.json.")
    try:
        tree = join_tensors(_load_json(path, members, "runs.json"), tensors)
    except SessionFileError:
        raise
    except Exception as exc:  # noqa: BLE001 - any failure to parse is damage
        raise SessionFileError(f"{path}: the runs are damaged ({_first_line(exc)}).") from None
    return store_from_tree(path, tree, state)


def without_run_limits(spec: SessionSpec) -> SessionSpec:
    """The spec as a session means it: a step limit belongs to one CLI invocation
    (`--max-steps`), never to the session, so a session continues wherever it opens."""
    if spec.train.max_steps == 0:
        return spec
    return dataclasses.replace(spec, train=dataclasses.replace(spec.train, max_steps=0))


def _first_line(exc: BaseException) -> str:
    return ((str(exc).splitlines() or [type(exc).__name__])[0] or type(exc).__name__)[:120]


# Each member's budget: the most it may claim to unpack to. JSON members hold structure,
# not numbers in bulk, so theirs are small; parsing 16 MB of JSON costs about 100 MB.
MEMBER_BUDGET = {
    "manifest.json": 2**20, "spec.json": 2**20, "state.json": 16 * 2**20,
    "data.json": 16 * 2**20, "scaler.json": 16 * 2**20, "view.json": 4 * 2**20,
    "history.json": 2**30,  # hashed as it streams past, never held
    "runs.json": 16 * 2**20,  # the runs' structure; their histories are tensors
    "data.safetensors": EMBED_LIMIT + 16 * 2**20,
}
TENSOR_BUDGET = 2**30   # all tensors-NNN members together (weights, optimizer, history)
STREAMED = ("history.json",)  # verified by their hash but not needed to continue
MAX_RATIO = 200         # a member compressed more than this is a zip bomb


def limits_loads(path: Path, body: bytes | bytearray, name: str) -> Any:
    """A JSON member, parsed within its budget; one sentence if it cannot be."""
    try:
        return limits.loads(bytes(body), MEMBER_BUDGET[name])
    except limits.LimitError as exc:
        raise SessionFileError(f"{path}: the member {name} was refused: {exc}.") from None
    except ValueError:  # not UTF-8, not JSON
        raise SessionFileError(f"{path}: the member {name} is damaged.") from None


def read_members(path: Path, verified: Any) -> tuple[dict[str, bytearray], dict[str, Any]]:
    """The members' bytes (all but STREAMED) and the manifest. `verified(body)` reads
    and checks the manifest; then every other member is hashed as it streams past and
    compared with the manifest's SHA-256 before it is read into memory, once."""
    try:
        if not path.is_file():
            raise SessionFileError(f"{path} does not exist or is not a file.")
        size = path.stat().st_size
        archive = zipfile.ZipFile(path)
    except SessionFileError:
        raise
    except zipfile.BadZipFile:
        raise SessionFileError(_not_ours_or_damaged(path)) from None
    except OSError as exc:
        raise SessionFileError(f"{path} cannot be read: {exc.strerror or exc}.") from None
    except Exception:  # noqa: BLE001 - a crafted central directory: damage, not a bug
        raise SessionFileError(f"{path} is damaged (its table of contents is not "
                               "readable).") from None
    with archive:
        infos = archive.infolist()
        names = [info.filename for info in infos]
        tensor_bytes = 0
        for info in infos:
            _check_member(path, info, size)
            if TENSOR_MEMBER.fullmatch(info.filename):
                tensor_bytes += info.file_size
        duplicate = next((name for name in names if names.count(name) > 1), None)
        if duplicate is not None:
            raise SessionFileError(f"{path} was refused: it holds the member {duplicate} "
                                   "twice, so what it means is ambiguous.")
        if tensor_bytes > TENSOR_BUDGET:
            raise SessionFileError(f"{path} was refused: its tensors would unpack to "
                                   f"{mb(tensor_bytes)}, above the {mb(TENSOR_BUDGET)} a "
                                   "session may hold.")
        missing = [name for name in REQUIRED if name not in names]
        if missing:
            if "manifest.json" in missing:
                raise SessionFileError(f"{path} is not a Gradient Playground session "
                                       "(it has no manifest).")
            raise SessionFileError(f"{path} is incomplete: the member {missing[0]} is missing.")
        members: dict[str, bytearray] = {}
        try:
            by_name = {info.filename: info for info in infos}
            members["manifest.json"] = _read_bounded(archive, by_name["manifest.json"])
            manifest = verified(members["manifest.json"])
            _check_listed(path, manifest, set(names))
            hashes = manifest.get("members", {})
            for info in infos:
                name = info.filename
                if name == "manifest.json":
                    continue
                if _hash_bounded(archive, info) != hashes[name]:
                    raise SessionFileError(f"{path} is damaged: the member {name} does not "
                                           "match its SHA-256.")
            for info in infos:
                if info.filename not in STREAMED and info.filename != "manifest.json":
                    _check_layout(path, archive, info)
                    members[info.filename] = _read_bounded(archive, info)
        except SessionFileError:
            raise
        except Exception:  # noqa: BLE001 - zlib, EOF, bad headers: all damage
            raise SessionFileError(f"{path} is damaged (truncated or corrupted).") from None
        return members, manifest


def _check_layout(path: Path, archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> None:
    """Refuse a tensors member whose layout cannot be read, before reading its data."""
    name = info.filename
    if not (TENSOR_MEMBER.fullmatch(name) or name == "data.safetensors"):
        return
    try:
        _check_tensor_member(archive, info)
    except (zipfile.BadZipFile, EOFError, OSError):
        raise
    except Exception as exc:  # noqa: BLE001 - any failure to parse is damage
        if name == "data.safetensors":
            raise SessionFileError(f"{path}: the embedded data is damaged.") from None
        raise SessionFileError(f"{path}: the saved training state is damaged "
                               f"({_first_line(exc)}).") from None


def _not_ours_or_damaged(path: Path) -> str:
    with path.open("rb") as file:
        head = file.read(4)
    if head == b"PK\x03\x04":
        return f"{path} is damaged (truncated or corrupted)."
    return f"{path} is not a Gradient Playground session file."


def _check_member(path: Path, info: zipfile.ZipInfo, archive_size: int) -> None:
    """Refuse a member by its name and its declared sizes, before reading any of it."""
    name = info.filename
    pure = PurePosixPath(name)
    if (name.startswith(("/", "\\")) or ".." in pure.parts or "\\" in name or ":" in name
            or len(pure.parts) != 1):
        raise SessionFileError(f"{path} was refused: it contains a member with an unsafe "
                               f"name ({name[:80]!r}).")
    if name not in MEMBERS and not TENSOR_MEMBER.fullmatch(name):
        raise SessionFileError(f"{path} was refused: it contains a member that a Gradient "
                               f"Playground session never has ({name[:80]!r}).")
    if info.flag_bits & 0x1:
        raise SessionFileError(f"{path} was refused: the member {name} is encrypted, which "
                               "a session never is.")
    if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
        raise SessionFileError(f"{path} was refused: the member {name} uses a compression "
                               f"method (number {info.compress_type}) that a session never "
                               "uses.")
    budget = MEMBER_BUDGET.get(name, TENSOR_BUDGET)
    if info.file_size > budget:
        raise SessionFileError(f"{path} was refused: the member {name} would unpack to "
                               f"{mb(info.file_size)}, above the {mb(budget)} such a member "
                               "may hold (a zip bomb, or not our file?).")
    if info.compress_size > archive_size or (
            info.compress_type == zipfile.ZIP_STORED and info.compress_size != info.file_size):
        raise SessionFileError(f"{path} is damaged: the member {name} claims more bytes "
                               "than the file holds.")
    if info.compress_size and info.file_size / info.compress_size > MAX_RATIO \
            and info.file_size > 2**20:
        raise SessionFileError(f"{path} was refused: the member {name} would unpack to "
                               f"{info.file_size:,} bytes from {info.compress_size:,} (a zip "
                               "bomb?).")


def _read_bounded(archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> bytearray:
    """Read no more than the member claims, so a lying header cannot flood memory.
    A stored member is a plain slice of the file: read it directly (its SHA-256 is
    checked afterwards, which makes zipfile's CRC pass redundant)."""
    if info.compress_type == zipfile.ZIP_STORED:
        file = archive.fp
        file.seek(info.header_offset)
        local = file.read(30)
        if len(local) != 30 or local[:4] != b"PK\x03\x04":
            raise zipfile.BadZipFile("bad local header")
        name_length, extra_length = struct.unpack("<HH", local[26:30])
        start = info.header_offset + 30 + name_length + extra_length
        if start + info.file_size > file.seek(0, 2):
            raise zipfile.BadZipFile("member runs past the end of the file")
        file.seek(start)
        data = bytearray(info.file_size)  # writable: tensors are views into it
        if file.readinto(data) != info.file_size:
            raise zipfile.BadZipFile("truncated member")
        return data
    data = bytearray(info.file_size)  # one copy: inflated into place, piece by piece
    view, done = memoryview(data), 0
    with archive.open(info) as member:
        while done < info.file_size:
            piece = member.read(min(CHUNK, info.file_size - done))
            if not piece:
                raise zipfile.BadZipFile("truncated member")
            view[done:done + len(piece)] = piece
            done += len(piece)
        if member.read(1):
            raise zipfile.BadZipFile("member larger than declared")
    return data


def _hash_bounded(archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> str:
    """The SHA-256 of a member read in pieces, never past its declared size."""
    digest, left = hashlib.sha256(), info.file_size
    with archive.open(info) as member:
        while True:
            piece = member.read(min(CHUNK, left + 1))
            if not piece:
                break
            left -= len(piece)
            if left < 0:
                raise zipfile.BadZipFile("member larger than declared")
            digest.update(piece)
    return digest.hexdigest()


def _load_json(path: Path, members: dict[str, bytearray], name: str) -> Any:
    return limits_loads(path, members[name], name)


def _check_manifest_header(path: Path, manifest: Any) -> None:
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise SessionFileError(f"{path} is not a Gradient Playground session file.")
    version = manifest.get("version")
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        raise SessionFileError(f"{path} has an invalid format version "
                               f"{reprlib.repr(version)}.")
    if version > VERSION:
        raise SessionFileError(
            f"{path} was written by a newer Gradient Playground "
            f"({str(manifest.get('app_version', 'unknown version'))[:40]}, session format "
            f"{version}); this version reads formats up to {VERSION}: please update.")


def _check_listed(path: Path, manifest: dict[str, Any], members: set[str]) -> None:
    """Every member listed in the manifest with its SHA-256, and every listed one there."""
    hashes = manifest.get("members", {})
    for name in sorted(members):
        if name != "manifest.json" and name not in hashes:
            raise SessionFileError(f"{path} was refused: the member {name} is not listed in "
                                   "its manifest.")
    for name in hashes:
        if name not in members:
            raise SessionFileError(f"{path} is incomplete: the member {name} is missing.")


# -------------------------------------------------------------- using it

def prepared_data(session: Session, progress: Any = None) -> Any:
    """The session's data, split and scaled as when it was saved; the data's hash is
    checked, so a data set that changed since is reported instead of used."""
    from ..data import DATASETS, Dataset, DatasetInfo, load_dataset, prepare

    spec, meta = session.spec.data, session.data_meta
    expected = session.manifest.get("data_sha256")
    if session.data_arrays is not None:
        info = DatasetInfo(Path(spec.path).name or "file", meta["task"], "file",
                           f"{Path(spec.path).name} (embedded in the session)",
                           f"{len(session.data_arrays['X'])} x {session.data_arrays['X'].shape[1]}")
        shape = tuple(meta["image_shape"]) if meta.get("image_shape") else None
        dataset = Dataset(info, session.data_arrays["X"], session.data_arrays["y"],
                          tuple(meta["feature_names"]), tuple(meta["class_names"]), shape,
                          meta["task"])
    else:
        dataset = load_dataset(spec, progress)
    if expected and data_sha256(dataset.X, dataset.y) != expected:
        where = spec.path if DATASETS.get(spec.name, None) and spec.name == "file" else spec.name
        raise SessionFileError(f"The data ({where}) differs from the data this session was "
                               "trained on, so it cannot continue exactly.")
    return prepare(spec, dataset)


def describe_session(path: str | Path) -> dict[str, Any]:
    """What a session (or an interim run file) holds, as JSON-able values."""
    session = open_any(path)
    state, manifest = session.state, session.manifest
    info = {"path": str(path), "format": manifest.get("format", FORMAT),
            **{k: manifest.get(k) for k in ("version", "app_version", "created", "python",
                                             "numpy", "device", "seed", "data_sha256")},
            "torch": manifest.get("torch") or manifest.get("torch_version"),
            "dataset": session.spec.data.name,
        "optimizer": session.spec.optimizer.name, "epochs_planned": session.spec.train.epochs,
        "spec": session.spec.to_dict(),
        "runs": [{"id": r.id, "name": r.name, "epochs": r.epochs, "reason": r.reason,
                  "current": r.id == session.current_run, "parent": r.parent,
                  "branch_epoch": r.branch_epoch,
                  "checkpoints": [c.epoch for c in r.checkpoints]} for r in session.runs]}
    if state is None:
        return {**info, "epoch": 0, "step": 0, "trained": False}
    model = state["model"]
    from ..callbacks import History

    history = History()
    if "history" in state["callbacks"]:
        history.load_state_dict(state["callbacks"]["history"])
    records = history.records
    return {**info, "trained": True, "lr": state["base_lr"], "epoch": state["epoch"],
            "step": state["step"], "batch_in_epoch": state["batch"],
            "parameters": int(sum(t.numel() for k, t in model.items()
                                  if not k.endswith(("running_mean", "running_var",
                                                     "num_batches_tracked")))),
            "tensors": {name: list(t.shape) for name, t in model.items()},
            "history_epochs": len(records), "last_epoch": records[-1] if records else None,
            "weights_sha256": weights_sha256(model)}


def open_any(path: str | Path) -> Session:
    """A session file, or an interim run file (.pgrun) from before sessions existed."""
    from ..session import load_run

    path = check_path(path, "The session's path")
    try:
        if not path.is_file():
            raise SessionFileError(f"{path} does not exist or is not a file.")
        session = is_session(path)
    except OSError as exc:
        raise SessionFileError(f"{str(path)[:80]} cannot be opened: "
                               f"{exc.strerror or exc}.") from None
    if session:
        return open_session(path)
    spec, state, meta = load_run(path)
    try:
        spec = without_run_limits(spec.validate())
    except SpecError as exc:
        raise SessionFileError(f"{path} holds an invalid spec: {exc}") from None
    sessioncheck.check_state(path, state, {})
    return Session(spec, state, dict(meta), runs=store_from_state(spec, state)[0],
                   current_run=1)


def is_session(path: Path) -> bool:
    """A zip with a top-level manifest (torch.save files are zips too, without one)."""
    try:
        with zipfile.ZipFile(path) as archive:
            return "manifest.json" in archive.namelist()
    except Exception:  # noqa: BLE001 - not a readable zip
        with Path(path).open("rb") as file:  # a damaged session still starts like a zip
            return file.read(4) == b"PK\x03\x04" and Path(path).suffix == SUFFIX
