"""Screenshots of the real window on a real X server, light and dark, training spiral.

    xvfb-run -a -s "-screen 0 1600x1000x24" .venv/bin/python -m tests.e2e.take_screenshots

Starts the main window with the xcb platform, trains the spiral example until enough
epochs have been drawn (waiting on the controller's signals, not on a clock), and grabs
the X screen itself. The PNGs go to resources/screenshots/.
"""
from __future__ import annotations

import os
import sys
from pathlib import Path

os.environ["QT_QPA_PLATFORM"] = "xcb"

from PySide6.QtCore import QEventLoop, QTimer  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

OUT = Path(__file__).resolve().parents[2] / "resources" / "screenshots"
EPOCHS = int(os.environ.get("SCREENSHOT_EPOCHS", "150"))


def shoot(app: QApplication, theme_name: str, tab: int) -> Path:
    from playground.gui.main_window import MainWindow

    window = MainWindow(theme_name=theme_name)
    window.resize(1560, 960)
    window.move(20, 20)
    window.show()
    window.tabs.setCurrentIndex(tab)
    loop = QEventLoop()
    seen = []

    def on_epoch(event) -> None:
        seen.append(event.epoch)
        if len(seen) == EPOCHS:
            window.controller.pause()

    def on_paused(event) -> None:
        # Everything before the pause has arrived (signals keep their order); grab once
        # the plots have drawn it and the event loop has painted that (a second tick).
        clean_ticks = [0]

        def on_tick() -> None:
            clean_ticks[0] = clean_ticks[0] + 1 if not window.plots.dirty else 0
            if clean_ticks[0] == 2:
                loop.quit()

        check = QTimer(window, interval=50)
        check.timeout.connect(on_tick)
        check.start()

    window.controller.epochEnded.connect(on_epoch)
    window.controller.paused.connect(on_paused)
    window.train()
    loop.exec()
    path = OUT / f"main-window-{theme_name}{'-boundary' if tab else ''}.png"
    screen = app.primaryScreen().grabWindow(0)
    screen.copy(window.frameGeometry()).save(str(path))
    window.modified = False  # a demonstration run: close without the save prompt
    window.close()
    return path


def main() -> int:
    app = QApplication(sys.argv[:1])
    app.setApplicationName("Gradient Playground Screenshots")
    OUT.mkdir(parents=True, exist_ok=True)
    for theme_name, tab in (("light", 0), ("dark", 0), ("light", 1), ("dark", 1)):
        print(shoot(app, theme_name, tab))
    return 0


if __name__ == "__main__":
    sys.exit(main())
