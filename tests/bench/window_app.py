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
