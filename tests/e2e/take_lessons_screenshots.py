"""Screenshots of the Lessons pane in the real window, light at 1280x720 and dark at
1600x1000: the momentum lesson set up, both of its runs trained, and its check read.

    xvfb-run -a -s "-screen 0 1600x1000x24" .venv/bin/python -m tests.e2e.take_lessons_screenshots [FOLDER]

Waits on the controller's signals, never on a clock; writes lessons-light-1280x720.png
and lessons-dark-1600x1000.png into FOLDER (default: a folder in the temp directory).
"""
from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

os.environ["QT_QPA_PLATFORM"] = "xcb"

from PySide6.QtCore import QEventLoop, QSize  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402


def _train(window) -> None:
    loop = QEventLoop()
    window.controller.finished.connect(loop.quit)
    window.train()
    loop.exec()
    window.controller.finished.disconnect(loop.quit)


def shoot(app, theme: str, size: QSize, path: Path) -> None:
    from playground.gui.main_window import MainWindow

    window = MainWindow(theme_name=theme)
    window.resize(size)
    window.move(0, 0)
    window.show()
    lessons = window.features.lessons
    lessons.show("momentum")
    lessons.apply_setup("momentum")
    window.session.edit({"data.name": "moons", "data.noise": 0.1}, "the data")
    _train(window)
    window.reset_weights()
    window.session.edit({"optimizer.name": "momentum", "optimizer.params": {"momentum": 0.9}},
                        "momentum")
    _train(window)
    lessons.check("momentum")
    for _ in range(5):
        app.processEvents()
    app.primaryScreen().grabWindow(0).copy(window.frameGeometry()).save(str(path))
    print(path)
    window.features.files.modified = False
    window.close()


def main() -> int:
    out = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(tempfile.gettempdir()) / "screenshots"
    out.mkdir(parents=True, exist_ok=True)
    app = QApplication(sys.argv[:1])
    app.setApplicationName("Gradient Playground Screenshots")
    shoot(app, "light", QSize(1280, 720), out / "lessons-light-1280x720.png")
    shoot(app, "dark", QSize(1600, 1000), out / "lessons-dark-1600x1000.png")
    return 0


if __name__ == "__main__":
    sys.exit(main())
