"""The QApplication a window benchmark runs in, set up as the app sets up its own."""
from __future__ import annotations

import os
import sys
import tempfile

from PySide6.QtWidgets import QApplication


def bench_application() -> QApplication:
    """Qt's environment as the app prepares it (before the QApplication exists),
    autosaves into a throw-away folder, and settings of its own name, so a benchmark
    neither reads nor writes the user's."""
    from playground.gui.qt_setup import prepare_qt_environment

    os.environ.setdefault("GRADIENT_PLAYGROUND_AUTOSAVE", tempfile.mkdtemp())
    prepare_qt_environment()
    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setApplicationName("Gradient Playground Bench")
    return app


def settle(seconds: float = 0.5) -> None:
    """Run the event loop for `seconds`, so a window just shown has laid itself out and
    painted its first frames (fonts, polish, every plot's first paint: over 100 ms on
    this machine) before a measured run starts, as it has when a user presses Train."""
    from PySide6.QtCore import QEventLoop, QTimer

    loop = QEventLoop()
    QTimer.singleShot(round(seconds * 1000), loop.quit)
    loop.exec()
