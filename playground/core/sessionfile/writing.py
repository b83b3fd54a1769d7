"""Writing a session: every member's bytes (the tensors hashed on other threads while
the rest is built and written), refused above the budget a reader would refuse, then
one atomic write of the zip with the manifest last."""
from __future__ import annotations

import datetime
import hashlib
import json
import platform
import time
import zipfile
from pathlib import Path
from typing import Any, Callable

import numpy as np
import torch

from ... import __version__
from ..errors import SessionFileError
from ..experiments.runs import RunStore
from ..limits import mb
from ..session import atomic_write, weights_sha256
from ..spec import SessionSpec
from .format import (EMBED_LIMIT, FORMAT, TENSOR_BUDGET, VERSION, data_sha256,
                     without_run_limits)
from .runs import runs_member
from .tensors import Parts, split_tensors, tensor_members, tensors_to_parts


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
        members["runs.json"] = _json(runs_member(runs, current, tensors), compact=True)
    if state is not None:
        plain_state = split_tensors(state, tensors)
        weights_hash = pool.submit(weights_sha256, state["model"])
        members["state.json"] = _json(plain_state, compact=True)  # machine state, large
    total = sum(t.numel() * t.element_size() for t in tensors.values())
    if total > TENSOR_BUDGET:  # a file we would refuse to open is never written
        raise SessionFileError(f"The session would hold {mb(total)} of weights, histories "
                               f"and checkpoints, above the {mb(TENSOR_BUDGET)} a session "
                               "may: delete some runs, then save again.")
    for name, body in tensor_members(tensors).items():
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
