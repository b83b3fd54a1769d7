"""Spec files (the CLI's JSON) saved and opened from the window."""
from __future__ import annotations

from pathlib import Path

from ..errors import SpecError
from ..limits import MAX_SPEC_BYTES, mb
from ..session import atomic_write, check_path
from ..spec import SessionSpec
from .trained import ExportError


def write_spec(path: str | Path, spec: SessionSpec) -> Path:
    text = (spec.to_json() + "\n").encode("utf-8")
    atomic_write(Path(path), lambda file: file.write(text))
    return Path(path)


def read_spec(path: str | Path) -> SessionSpec:
    """The spec in a JSON file (the CLI's and the window's); ExportError in one sentence
    for anything else."""
    path = check_path(path, "The spec file's path")
    text = str(path)
    shown = repr(text if len(text) <= 80 else text[:80] + "...")[1:-1]
    try:
        with path.open("rb") as file:
            raw = file.read(MAX_SPEC_BYTES + 1)
    except FileNotFoundError:
        raise ExportError(f"Spec file {shown} does not exist.") from None
    except OSError as exc:
        raise ExportError(f"Spec file {shown} cannot be read: {exc.strerror or exc}.") from None
    if len(raw) > MAX_SPEC_BYTES:
        raise ExportError(f"Spec file {shown} is larger than {mb(MAX_SPEC_BYTES)}, far more "
                          "than any spec; is it the right file?")
    try:
        return SessionSpec.from_json(raw.decode("utf-8"))
    except UnicodeDecodeError:
        raise ExportError(f"Spec file {shown} is not UTF-8 text.") from None
    except SpecError as exc:
        raise ExportError(f"{shown}: {exc}") from None
