"""Every QSettings key, declared once with its type and default.

Window state (geometry, docks) is kept apart from user preferences.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QSettings

ORGANIZATION = "Gradient Playground"
APPLICATION = "Gradient Playground"


@dataclass(frozen=True)
class Setting:
    key: str
    type: type
    default: Any


WINDOW_GEOMETRY = Setting("window/geometry", bytes, b"")
WINDOW_STATE = Setting("window/state", bytes, b"")
THEME = Setting("preferences/theme", str, "system")          # system, light, dark
THEMES = ("system", "light", "dark")
THREADS = Setting("preferences/threads", int, 0)             # 0 = automatic
LAST_FOLDER = Setting("preferences/last_folder", str, "")
RECENT_FILES = Setting("files/recent", str, "")                # paths joined by "\n"
MAX_RECENT = 8
# The welcome view at start: "first" (the first start only), "always" or "never".
WELCOME_AT_START = Setting("welcome/at_start", str, "first")
LESSONS_PASSED = Setting("lessons/passed", str, "")          # lesson names joined by "\n"


def start_folder() -> str:
    """Where a file dialog opens: the last folder used, else the documents folder, else
    the home folder; never the current working folder (Qt's choice for a folder that
    does not exist: a fresh Linux account may have no ~/Documents)."""
    from pathlib import Path

    from PySide6.QtCore import QDir, QStandardPaths

    documents = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation)
    for folder in (read(LAST_FOLDER), documents):
        if folder and Path(folder).is_dir():
            return folder
    return QDir.homePath()


def read(setting: Setting, settings: QSettings | None = None) -> Any:
    settings = settings or QSettings()
    value = settings.value(setting.key, setting.default)
    if setting.type is bytes:
        return bytes(value) if value else b""
    if setting.type is bool and isinstance(value, str):
        # INI files (Linux) hand booleans back as text, and bool("false") is True.
        return {"true": True, "false": False}.get(value.strip().lower(), setting.default)
    try:
        return setting.type(value)
    except (TypeError, ValueError):
        return setting.default


def write(setting: Setting, value: Any, settings: QSettings | None = None) -> None:
    (settings or QSettings()).setValue(setting.key, value)
AUTOSAVE_EVERY = Setting("autosave/every_epochs", int, 50)       # 0 = only on pause/stop
AUTOSAVE_CHOICES = (0, 10, 50, 200, 1000)                      # Run > Autosave, Preferences
AUTOSAVE_KEEP = Setting("autosave/keep", int, 5)
