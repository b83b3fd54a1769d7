"""The session file's format: its name, version and suffix, the members it may hold and
each one's budget, what an opened session is (Session), and the rules every part
shares: the version a file may claim, how a JSON member is parsed, how the data is
hashed.

Members:
  manifest.json        format name and version, app/python/torch/numpy versions, time,
                       device, seed, the data's SHA-256, and a SHA-256 for every member
  spec.json            the SessionSpec
  state.json           the trainer's state with every tensor replaced by a reference
  tensors-NNN.safetensors
                       the tensors, in members of about 4 MB: weights, optimizer and
                       schedule state, RNG states, the position inside the epoch, best
                       weights of early stopping
  history.json         every epoch's record (columns) and every hyperparameter change
  data.json            the data set's recipe, or what an imported file held
  data.safetensors     imported data itself (embedded up to 50 MB)
  scaler.json          the fitted feature (and target) scaling
  view.json            the window's plot state
  runs.json            (version 2) the session's runs: each one's spec, history, final
                       figures and kept checkpoints, their tensors in the tensors members
                       (core/experiments/runfile.py); version 1 files hold one run

Versions: 1 held one run (state.json); 2 adds runs.json. A version 1 file opens as one
run (runs.py), an interim .pgrun file as a session (opening.py); a step limit never
belongs to a session (without_run_limits).
"""
from __future__ import annotations

import dataclasses
import hashlib
import re
import reprlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from .. import limits
from ..errors import SessionFileError
from ..experiments.runs import RunStore
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


def without_run_limits(spec: SessionSpec) -> SessionSpec:
    """The spec as a session means it: a step limit belongs to one CLI invocation
    (`--max-steps`), never to the session, so a session continues wherever it opens."""
    if spec.train.max_steps == 0:
        return spec
    return dataclasses.replace(spec, train=dataclasses.replace(spec.train, max_steps=0))


def check_manifest_header(path: Path, manifest: Any) -> None:
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


def limits_loads(path: Path, body: bytes | bytearray, name: str) -> Any:
    """A JSON member, parsed within its budget; one sentence if it cannot be."""
    try:
        return limits.loads(bytes(body), MEMBER_BUDGET[name])
    except limits.LimitError as exc:
        raise SessionFileError(f"{path}: the member {name} was refused: {exc}.") from None
    except ValueError:  # not UTF-8, not JSON
        raise SessionFileError(f"{path}: the member {name} is damaged.") from None


def data_sha256(X: np.ndarray, y: np.ndarray) -> str:
    digest = hashlib.sha256()
    for array in (X, y):
        array = np.ascontiguousarray(array)
        digest.update(f"{array.dtype}|{array.shape}|".encode())
        digest.update(memoryview(array).cast("B") if array.size else b"")
    return digest.hexdigest()


def first_line(exc: BaseException) -> str:
    return ((str(exc).splitlines() or [type(exc).__name__])[0] or type(exc).__name__)[:120]
