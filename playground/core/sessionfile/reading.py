"""Reading a session, and refusing what is not one: every member's name and declared
sizes checked before any of it is read, no read past a declared size, every member's
SHA-256 checked as it streams past before it is kept, then each member parsed and
checked (sessioncheck.py) into a Session."""
from __future__ import annotations

import hashlib
import struct
import zipfile
from pathlib import Path, PurePosixPath
from typing import Any

import torch

from .. import sessioncheck
from ..errors import SessionFileError, SpecError
from ..limits import mb
from ..session import check_path
from ..spec import SessionSpec
from .format import (CHUNK, MAX_RATIO, MEMBER_BUDGET, MEMBERS, REQUIRED, STREAMED,
                     TENSOR_BUDGET, TENSOR_MEMBER, Session, check_manifest_header,
                     first_line, limits_loads, without_run_limits)
from .runs import read_runs
from .tensors import bytes_to_tensors, check_tensor_member, join_tensors


def open_session(path: str | Path) -> Session:
    """Read and verify a session file; SessionFileError with one sentence otherwise.
    Nothing is allocated beyond the budget: every member's declared size is checked
    against its own limit before it is read, and no read goes past the declared size."""
    path = check_path(path, "The session's path")

    def verified(manifest_body: bytearray) -> dict[str, Any]:
        manifest = limits_loads(path, manifest_body, "manifest.json")
        check_manifest_header(path, manifest)
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
                                   f"({first_line(exc)}).") from None
    if "state.json" in members:
        try:
            state = join_tensors(_load_json(path, members, "state.json"), tensors)
        except SessionFileError:
            raise
        except Exception as exc:  # noqa: BLE001 - any failure to parse is damage
            raise SessionFileError(f"{path}: the saved training state is damaged "
                                   f"({first_line(exc)}).") from None
        sessioncheck.check_state(path, state, manifest)
    runs, current_run = read_runs(path, members, manifest, spec, state, tensors)
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
        check_tensor_member(archive, info)
    except (zipfile.BadZipFile, EOFError, OSError):
        raise
    except Exception as exc:  # noqa: BLE001 - any failure to parse is damage
        if name == "data.safetensors":
            raise SessionFileError(f"{path}: the embedded data is damaged.") from None
        raise SessionFileError(f"{path}: the saved training state is damaged "
                               f"({first_line(exc)}).") from None


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
