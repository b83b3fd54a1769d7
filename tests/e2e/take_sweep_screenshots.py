"""Screenshots of the Sweep window: 8 runs overlaid, and a two-variable heat map.

    xvfb-run -a -s "-screen 0 1600x1000x24" .venv/bin/python -m tests.e2e.take_sweep_screenshots \
        [--out FOLDER]

Writes FOLDER/sweep-overlay-8.png and sweep-heatmap.png (default: a folder in the
temporary folder; see screenshot_folder.py).
"""
from __future__ import annotations

import sys

from PySide6.QtCore import QEventLoop
from PySide6.QtWidgets import QApplication

from tests.e2e.screenshot_folder import DEFAULT, screenshot_folder

OUT = DEFAULT  # set by main() from --out


def shoot(window, name: str, setup) -> None:
    sweep = window.features.sweep.show_sweep()
    setup(sweep)
    loop = QEventLoop()
    window.features.sweep.sweep_controller.finished.connect(loop.quit)
    sweep.run_button.click()
    loop.exec()
    window.features.sweep.sweep_controller.finished.disconnect(loop.quit)
    QApplication.processEvents()
    sweep.curves.redraw()
    QApplication.processEvents()
    sweep.grab().save(str(OUT / name))
    print("saved", OUT / name)


def overlay(sweep) -> None:
    sweep.preset.setCurrentIndex(0)
    sweep.choose([("lr", "0.0003,0.001,0.003,0.01,0.03,0.1,0.3,1")])
    sweep.epochs.setValue(150)
    sweep.curves.log_y.setChecked(True)


def heatmap(sweep) -> None:
    sweep.preset.setCurrentIndex(sweep.preset.findData("regularisation"))
    sweep.tabs.setCurrentIndex(1)


def main() -> int:
    global OUT
    OUT, _ = screenshot_folder()
    app = QApplication.instance() or QApplication(sys.argv)
    from playground.gui.main_window import MainWindow

    window = MainWindow(theme_name="light")
    window.show()
    shoot(window, "sweep-overlay-8.png", overlay)
    shoot(window, "sweep-heatmap.png", heatmap)
    window.features.files.modified = False
    window.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
