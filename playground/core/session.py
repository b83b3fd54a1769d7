"""Shared file helpers (atomic writes, the weights fingerprint) and the interim run
file (.pgrun) that came before session files.

Sessions (core/sessionfile/) are what the app and the CLI write now; .pgrun files are
still opened: torch.save output holding only tensors and plain containers, read back
with torch.load(weights_only=True), which refuses anything that would execute code.
Writes are atomic: a temporary file in the same folder, fsync, then os.replace.
"""
from __future__ import annotations

import contextlib
import hashlib
import os
import signal
import tempfile
import threading
import time
import warnings
from pathlib import Path
from typing import Any, Mapping

import numpy as np
import torch

from .. import __version__
from .errors import PlaygroundError, SessionFileError, SpecError
from .spec import SessionSpec

RUN_FORMAT = "gradient-playground-run"
RUN_VERSION = 1


def weights_sha256(model_state: Mapping[str, torch.Tensor]) -> str:
    """A fingerprint of the weights: names, dtypes, shapes and bytes, in name order."""
    digest = hashlib.sha256()
    for name in sorted(model_state):
        tensor = model_state[name].detach().cpu().contiguous()
        digest.update(f"{name}|{tensor.dtype}|{tuple(tensor.shape)}|".encode())
        if tensor.numel():  # hashed in place: no copy
            digest.update(memoryview(tensor.view(-1).view(torch.uint8).numpy()))
    return digest.hexdigest()


def check_path(path: str | Path | None, what: str = "The path") -> Path:
    """`path` as a Path, or SessionFileError for one that no file can have: empty, or
    longer than the system allows."""
    from .limits import MAX_PATH

    text = "" if path is None else str(path)
    if not text.strip():
        raise SessionFileError(f"{what} is empty; give a file name.")
    if "\x00" in text:
        raise SessionFileError(f"{what} contains a NUL character, which no file name has.")
    if len(text) > MAX_PATH:
        raise SessionFileError(f"{what} ({text[:40]}...) is {len(text):,} characters "
                               f"long; a path may have at most {MAX_PATH:,}.")
    return Path(text)


STALE_AFTER = 600  # seconds: a temporary file without a live owner older than this is stale


@contextlib.contextmanager
def deferred_signals():
    """Hold SIGINT and SIGTERM until the block is done, then act on them as they would
    have acted: a save that has begun finishes (or fails) whole. Only the main thread
    receives signals in Python; elsewhere this does nothing."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    received: list[int] = []
    previous: dict[int, Any] = {}
    for number in (signal.SIGINT, signal.SIGTERM):
        try:
            previous[number] = signal.signal(number, lambda n, _: received.append(n))
        except (ValueError, OSError):  # not settable here
            continue
    try:
        yield
    finally:
        for number, handler in previous.items():
            signal.signal(number, handler if handler is not None else signal.SIG_DFL)
        for number in dict.fromkeys(received):
            handler = previous.get(number)
            if callable(handler):
                handler(number, None)  # e.g. KeyboardInterrupt, now that the file is whole
            elif handler in (signal.SIG_DFL, None):
                os.kill(os.getpid(), number)


def _temporary_prefix(path: Path) -> str:
    return f".{path.name}."


def remove_stale_temporaries(path: Path) -> None:
    """Delete the temporary files an earlier save of `path` left behind when it was
    killed: those whose process is gone, and old ones from before names held the pid."""
    prefix = _temporary_prefix(path)
    try:
        leftovers = [p for p in path.parent.iterdir()
                     if p.name.startswith(prefix) and p.name.endswith(".tmp")]
    except OSError:
        return
    for leftover in leftovers:
        owner = leftover.name[len(prefix):].split(".")[0]
        try:
            if owner.isdigit() and int(owner) != os.getpid():
                try:
                    os.kill(int(owner), 0)
                    continue  # its process still runs: perhaps saving right now
                except ProcessLookupError:
                    pass
                except (PermissionError, OverflowError, OSError):
                    continue
            elif time.time() - leftover.stat().st_mtime < STALE_AFTER:
                continue
            leftover.unlink(missing_ok=True)
        except OSError:
            continue


def check_output(path: str | Path | None, what: str = "The path") -> Path:
    """`path` as a Path a file can be written to, or SessionFileError with one sentence:
    checked before any work, so a run is not trained to be lost. A missing folder is
    not created (a typo would scatter folders); the app's own folders are made by their
    owners (autosave, logs, searches)."""
    path = check_path(path, what)
    folder = path.parent
    _check_folder(folder)
    try:
        is_folder, exists = path.is_dir(), path.exists()
    except OSError as exc:  # a name longer than the system takes
        raise SessionFileError(f"{what} {_quoted(path)} cannot be used: "
                               f"{exc.strerror or exc}.") from None
    if is_folder:
        raise SessionFileError(f"{what} {_quoted(path)} is a folder; give a file name.")
    if not os.access(folder, os.W_OK | os.X_OK):
        raise SessionFileError(f"The folder {_quoted(folder)} is not writable; choose "
                               "another.")
    if exists and not os.access(path, os.W_OK):
        raise SessionFileError(f"{_quoted(path)} is read-only; choose another name.")
    return path


def _check_folder(folder: Path) -> None:
    """The folder a file goes in exists (it is not made: a typo would scatter folders)."""
    try:
        found, exists = folder.is_dir(), folder.exists()
    except OSError as exc:  # a name longer than the system takes, a loop of links
        raise SessionFileError(f"The folder {_quoted(folder)} cannot be used: "
                               f"{exc.strerror or exc}.") from None
    if found:
        return
    if exists:
        raise SessionFileError(f"{_quoted(folder)} is a file, not a folder; choose another "
                               "place.")
    raise SessionFileError(f"The folder {_quoted(folder)} does not exist; create it or "
                           "choose another.")


def _quoted(path: Path, limit: int = 80) -> str:
    """The path for a sentence: at most `limit` characters of it, the end kept."""
    text = str(path)
    return text if len(text) <= limit else "..." + text[-(limit - 3):]


def user_umask() -> int:
    """The process's umask, read without changing it where Linux shows it."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("Umask:"):
                return int(line.split()[1], 8)
    except (OSError, ValueError, IndexError):
        pass
    mask = os.umask(0o077)  # elsewhere a brief swap, private meanwhile
    os.umask(mask)
    return mask


def atomic_write(path: Path, write: Any, private: bool = False) -> None:
    """Call write(file) on a temporary file beside `path`, then move it into place.
    SIGINT and SIGTERM wait until the file is in place (or the write failed). The file
    gets the permissions the user's umask gives new files (the temporary file is 0600),
    unless `private` (autosaves: only the user may read them). The folder must exist."""
    path = check_path(path)
    _check_folder(path.parent)
    remove_stale_temporaries(path)
    with deferred_signals():
        handle, temporary = tempfile.mkstemp(prefix=f"{_temporary_prefix(path)}"
                                             f"{os.getpid()}.", suffix=".tmp",
                                             dir=path.parent)
        try:
            with os.fdopen(handle, "wb") as file:
                write(file)
                file.flush()
                if not private:
                    os.chmod(file.fileno() if os.chmod in os.supports_fd else temporary,
                             0o666 & ~user_umask())
                os.fsync(file.fileno())
            os.replace(temporary, path)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise


def save_run(path: str | Path, spec: SessionSpec, state: dict[str, Any]) -> None:
    payload = {
        "format": RUN_FORMAT, "version": RUN_VERSION, "app_version": __version__,
        "torch_version": str(torch.__version__), "numpy_version": str(np.__version__),
        "spec": spec.to_json(), "state": state,
    }
    try:
        atomic_write(Path(path), lambda file: torch.save(payload, file))
    except OSError as exc:
        raise SessionFileError(f"Could not save {path}: {exc.strerror or exc}.") from None


def load_run(path: str | Path) -> tuple[SessionSpec, dict[str, Any], dict[str, Any]]:
    """Return (spec, trainer state, file metadata); SessionFileError for a bad file."""
    path = Path(path)
    if not path.is_file():
        raise SessionFileError(f"{path} does not exist or is not a file.")
    try:
        with warnings.catch_warnings():  # torch warns about foreign pickle protocols
            warnings.simplefilter("ignore", UserWarning)
            payload = torch.load(path, map_location="cpu", weights_only=True)
    except Exception as exc:  # noqa: BLE001 - any failure to unpickle is a bad file
        raise SessionFileError(_unreadable(path, exc)) from None
    if not isinstance(payload, dict) or payload.get("format") != RUN_FORMAT:
        raise SessionFileError(f"{path} is not a Gradient Playground run file.")
    if payload.get("version") != RUN_VERSION:
        raise SessionFileError(
            f"{path} was written by run-file version {str(payload.get('version'))[:20]!r}; this "
            f"version of Gradient Playground reads version {RUN_VERSION}.")
    if not isinstance(payload.get("spec"), str) or not isinstance(payload.get("state"), dict):
        raise SessionFileError(f"{path} is damaged: its spec or state is missing.")
    try:
        spec = SessionSpec.from_json(payload["spec"])
    except (SpecError, KeyError) as exc:
        raise SessionFileError(f"{path} holds an invalid spec: {exc}") from None
    meta = {key: payload.get(key) for key in ("format", "version", "app_version",
                                              "torch_version", "numpy_version")}
    return spec, payload["state"], meta


def _unreadable(path: Path, exc: Exception) -> str:
    text = str(exc)
    if "Unsupported global" in text or "GLOBAL" in text:
        return (f"{path} was refused: it contains Python objects that could run code "
                "when opened, which a Gradient Playground file never does.")
    return f"{path} is damaged or not a Gradient Playground run file."


__all__ = ["PlaygroundError", "atomic_write", "check_output", "load_run", "save_run",
           "weights_sha256"]
