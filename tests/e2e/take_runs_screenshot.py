"""A screenshot of 8 runs overlaid in the real window, the runs table in view: spiral
trained at eight learning rates, one run each (Reset between them), the first selected
so the table says how each differs from it.

    xvfb-run -a -s "-screen 0 1600x1000x24" .venv/bin/python -m tests.e2e.take_runs_screenshot \
        [--out FOLDER]

Waits on the controller's signals, never on a clock; writes FOLDER/runs-overlay-8.png
(default: a folder in the temporary folder; see screenshot_folder.py).
"""
from __future__ import annotations

import dataclasses
import os
import sys

os.environ["QT_QPA_PLATFORM"] = "xcb"

from PySide6.QtCore import QEventLoop, QSize  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from tests.e2e.screenshot_folder import screenshot_folder  # noqa: E402
from tests.e2e.take_screenshots import _wait_until_drawn  # noqa: E402

RATES = (0.0003, 0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1.0)
EPOCHS = int(os.environ.get("SCREENSHOT_EPOCHS", "150"))


def main() -> int:
    from playground.core.examples import spiral
    from playground.gui.main_window import MainWindow

    app = QApplication(sys.argv[:1])
    app.setApplicationName("Gradient Playground Screenshots")
    spec = spiral()
    spec = dataclasses.replace(spec, train=dataclasses.replace(spec.train, epochs=EPOCHS))
    window = MainWindow(spec, theme_name="light")
    window.resize(QSize(1600, 1000))
    window.move(0, 0)
    window.show()
    for lr in RATES:
        window.reset_weights()
        window.session.edit({"optimizer.lr": lr}, "the learning rate")
        loop = QEventLoop()
        window.controller.finished.connect(loop.quit)
        window.train()
        loop.exec()
        window.controller.finished.disconnect(loop.quit)
        window.features.runs.runs.rename(window.features.runs.current_run.id, f"adam lr {lr:g}")
    runs = window.features.runs
    runs.runs_table.select(runs.runs.runs[3].id)  # compare with lr 0.01
    window.features.runs.refresh_runs()
    loop = QEventLoop()
    window.plots.dirty = True
    _wait_until_drawn(window, loop)
    loop.exec()
    out, _ = screenshot_folder()
    path = out / "runs-overlay-8.png"
    app.primaryScreen().grabWindow(0).copy(window.frameGeometry()).save(str(path))
    print(path)
    window.features.files.modified = False
    window.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
