"""Checkpoints and autosave: numbered session files in a folder, the last K kept.

Every write is atomic, so a crash (even SIGKILL) mid-save leaves at worst a temporary
file, which is ignored and cleaned up; `newest()` returns the newest checkpoint that
opens and verifies.
"""
from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from .errors import SessionFileError
from .sessionfile import SUFFIX, Session, open_session, save_session

PREFIX = "autosave-"


def autosave_folder() -> Path:
    """Where autosaves live: $GRADIENT_PLAYGROUND_AUTOSAVE, else the user's data folder."""
    override = os.environ.get("GRADIENT_PLAYGROUND_AUTOSAVE")
    if override:
        return Path(override)
    import platformdirs

    return Path(platformdirs.user_data_dir("gradient-playground", appauthor=False)) / "autosave"


class Autosaver:
    def __init__(self, folder: Path | None = None, keep: int = 5) -> None:
        self.folder = Path(folder or autosave_folder())
        self.keep = max(1, keep)
        self.counter = _highest_number(self.folder)
        self.runs = None  # () -> (RunStore, current run id): the session's runs, saved too

    def save(self, trainer: Any, view: dict | None = None) -> Path:
        """Write the trainer's session as the next numbered checkpoint; prune old ones."""
        self.counter += 1
        path = self.folder / f"{PREFIX}{self.counter:06d}{SUFFIX}"
        runs = self.runs() if self.runs else (None, None)
        self.folder.mkdir(parents=True, exist_ok=True)  # the app's own folder
        save_session(path, trainer.spec, trainer.state_dict(), trainer.data, view, "cpu", *runs,
                     private=True)
        self.prune()
        return path

    def prune(self) -> None:
        for stale in checkpoints(self.folder)[:-self.keep]:
            stale.unlink(missing_ok=True)
        for leftover in self.folder.glob(f".{PREFIX}*.tmp"):  # from a crash mid-save
            leftover.unlink(missing_ok=True)


def checkpoints(folder: Path) -> list[Path]:
    """Checkpoint files, oldest first."""
    return sorted(Path(folder).glob(f"{PREFIX}*{SUFFIX}")) if Path(folder).is_dir() else []


def newest(folder: Path | None = None) -> tuple[Path, Session] | None:
    """The newest checkpoint that opens and verifies, or None."""
    for path in reversed(checkpoints(Path(folder or autosave_folder()))):
        try:
            return path, open_session(path)
        except SessionFileError:
            continue
    return None


def _highest_number(folder: Path) -> int:
    numbers = [int(p.stem[len(PREFIX):]) for p in checkpoints(folder)
               if p.stem[len(PREFIX):].isdigit()]
    return max(numbers, default=0)
