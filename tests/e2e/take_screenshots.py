"""Screenshots of the real window on a real X server: light and dark, at 1280x720 and
1600x1000, during training (paused mid-run) and after it (the run finished).

    xvfb-run -a -s "-screen 0 1600x1000x24" .venv/bin/python -m tests.e2e.take_screenshots \
        [--out FOLDER]

Starts the main window with the xcb platform on the spiral example, waits on the
controller's signals (never on a clock) and grabs the X screen itself. The PNGs go to FOLDER (default: a folder in the temporary
folder; --out resources/screenshots replaces the README's): main-window-THEME-WxH-during.png and ...-after.png; the README's
main-window-THEME.png (1600x1000, during) and main-window-THEME-boundary.png.
"""
from __future__ import annotations

import dataclasses
import os
import sys
from pathlib import Path

os.environ["QT_QPA_PLATFORM"] = "xcb"

from PySide6.QtCore import QSettings, QEventLoop, QSize, QTimer  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from tests.e2e.screenshot_folder import DEFAULT, screenshot_folder  # noqa: E402

OUT = DEFAULT  # set by main() from --out
EPOCHS = int(os.environ.get("SCREENSHOT_EPOCHS", "120"))
SIZES = (QSize(1280, 720), QSize(1600, 1000))


def _wait_until_drawn(window, loop: QEventLoop) -> None:
    """Quit `loop` once the plots have drawn everything and a frame has been painted."""
    clean_ticks = [0]

    def on_tick() -> None:
        clean_ticks[0] = clean_ticks[0] + 1 if not window.plots.dirty else 0
        if clean_ticks[0] == 2:
            loop.quit()

    check = QTimer(window, interval=50)
    check.timeout.connect(on_tick)
    check.start()


def shoot(app: QApplication, theme_name: str, size: QSize, phase: str,
          view: str = "playground") -> Path:
    from playground.core.examples import spiral
    from playground.gui.main_window import MainWindow

    spec = spiral()
    spec = dataclasses.replace(spec, train=dataclasses.replace(spec.train, epochs=EPOCHS))
    window = MainWindow(spec, theme_name=theme_name)
    window.resize(size)
    window.move(0, 0)
    window.show()
    window.tabs.setCurrentWidget(getattr(window, view))  # "playground", "plots", "boundary"
    loop = QEventLoop()
    seen = []

    def on_epoch(event) -> None:
        seen.append(event.epoch)
        if phase == "during" and len(seen) == EPOCHS // 2:
            window.controller.pause()

    window.controller.epochEnded.connect(on_epoch)
    window.controller.paused.connect(lambda event: _wait_until_drawn(window, loop))
    window.controller.finished.connect(lambda outcome: _wait_until_drawn(window, loop))
    window.train()
    loop.exec()
    name = f"main-window-{theme_name}-{size.width()}x{size.height()}-{phase}"
    if view != "playground":
        name = f"main-window-{theme_name}-{view}"
    path = OUT / f"{name}.png"
    screen = app.primaryScreen().grabWindow(0)
    screen.copy(window.frameGeometry()).save(str(path))
    window.features.files.modified = False  # a demonstration run: close without the save prompt
    window.close()
    return path


def main() -> int:
    global OUT
    OUT, _ = screenshot_folder()
    app = QApplication(sys.argv[:1])
    app.setApplicationName("Gradient Playground Screenshots")
    QSettings().clear()  # the default layout, not the one an earlier run left behind
    for theme_name in ("light", "dark"):
        for size in SIZES:
            for phase in ("during", "after"):
                path = shoot(app, theme_name, size, phase)
                print(path)
                if size == SIZES[-1] and phase == "during":  # the README's picture
                    readme = OUT / f"main-window-{theme_name}.png"
                    readme.write_bytes(path.read_bytes())
        for view in ("plots", "boundary"):
            print(shoot(app, theme_name, SIZES[-1], "during", view=view))
    return 0


if __name__ == "__main__":
    sys.exit(main())
