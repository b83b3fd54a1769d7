"""Sessions the operating system asks the running app to open: on macOS a double-click
on a .pgsession file (or a drop on the Dock icon) arrives as a QFileOpenEvent sent to
the application, at start-up as well as while the app runs, and not as an argument."""
from __future__ import annotations

from PySide6.QtCore import QEvent, QObject


class FileOpenHandler(QObject):
    """Installed on the QApplication: passes each file-open request to `open_file`."""

    def __init__(self, open_file, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._open_file = open_file

    def eventFilter(self, watched, event) -> bool:  # noqa: N802 - Qt's name
        if event.type() == QEvent.Type.FileOpen:
            path = event.file() or event.url().toLocalFile()
            if path:
                self._open_file(path)
                return True
        return super().eventFilter(watched, event)
