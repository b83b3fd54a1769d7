"""Output paths checked before any work: a long export never ends in 'cannot write'."""
from __future__ import annotations

import os
from pathlib import Path

from ..errors import SessionFileError
from ..session import check_output as check_file
from .trained import ExportError


def check_output(path: str | Path, what: str) -> Path:
    """`path` as a Path a file can be written to, or ExportError in one sentence (the
    core's check of every output, said with what it is for)."""
    try:
        return check_file(path, what)
    except SessionFileError as exc:
        text = str(exc)
        raise ExportError(f"{what}: {text[:1].lower()}{text[1:]}") from None


def check_folder(folder: Path, what: str) -> None:
    """ExportError unless `folder` exists and files can be made in it."""
    if not folder.is_dir():
        raise ExportError(f"{what}: the folder {str(folder)[:80]} does not exist; create "
                          "it first or choose another place.")
    if not os.access(folder, os.W_OK | os.X_OK):
        raise ExportError(f"{what}: the folder {str(folder)[:80]} cannot be written to; "
                          "choose another place.")
