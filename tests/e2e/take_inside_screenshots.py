"""Screenshots of the views of the network's inside, light and dark:

    xvfb-run -a -s "-screen 0 1600x1000x24" .venv/bin/python -m tests.e2e.take_inside_screenshots \
        [--out FOLDER] [SHOT ...]

(QT_QPA_PLATFORM=offscreen works too: the window is grabbed, not the screen.) Each shot
trains a small run to its end in the real window, waits on the controller's signals and
grabs the window: FOLDER/inside-VIEW-THEME.png (default: a folder in the temporary
folder; see screenshot_folder.py) for the playground (2-D
data), the playground on digits (activation distributions), gradient flow, the health
banner of a stalled run, and the reports (classification and regression).
"""
from __future__ import annotations

import os
import sys
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QEventLoop, QSettings, QTimer
from PySide6.QtWidgets import QApplication

from tests.e2e.screenshot_folder import DEFAULT, screenshot_folder
from playground.core.spec import (DataSpec, LayerSpec, ModelSpec, OptimizerSpec,
                                  SessionSpec, TrainSpec)

OUT = DEFAULT  # set by main() from --out


def _dense(units, activation="linear"):
    return LayerSpec("dense", {"units": units, "activation": activation,
                               "init": "xavier_uniform"})


def _spec(data: DataSpec, layers, epochs: int, lr: float = 0.01) -> SessionSpec:
    return SessionSpec(data=data, model=ModelSpec(tuple(layers)),
                       optimizer=OptimizerSpec("adam", lr),
                       train=TrainSpec(batch_size=10, epochs=epochs))


SHOTS = {
    "playground": (_spec(DataSpec("circle", samples=300, noise=0.05),
                         [_dense(8, "tanh")] * 3 + [_dense(None, "sigmoid")], 80), "playground"),
    "playground-digits": (_spec(DataSpec("digits"), [_dense(32, "relu"),
                                                     _dense(None, "softmax")], 8), "playground"),
    "flow": (_spec(DataSpec("spiral", samples=300, noise=0.05),
                   [_dense(16, "tanh")] * 2 + [_dense(None, "sigmoid")], 150), "flow"),
    "health": (_spec(DataSpec("circle", samples=200, noise=0.05),
                     [_dense(8, "tanh"), _dense(None, "sigmoid")], 12, lr=1e-6), "playground"),
    "reports": (_spec(DataSpec("spirals", samples=300, noise=0.05, classes=3),
                      [_dense(32, "relu")] * 2 + [_dense(None, "softmax")], 60), "reports"),
    "reports-regression": (_spec(DataSpec("multi_gauss", samples=300, noise=0.05),
                                 [_dense(16, "tanh")] * 2 + [_dense(None)], 60), "reports"),
}


def shoot(name: str, theme: str) -> Path:
    from playground.gui.main_window import MainWindow

    spec, view = SHOTS[name]
    window = MainWindow(spec, theme_name=theme)
    window.resize(1500, 950)
    window.show()
    window.tabs.setCurrentWidget(getattr(window, view))
    loop = QEventLoop()
    window.controller.finished.connect(lambda outcome: QTimer.singleShot(600, loop.quit))
    window.train()
    loop.exec()
    path = OUT / f"inside-{name}-{theme}.png"
    window.grab().save(str(path))
    window.controller.shutdown()
    window.setWindowModified(False)
    window.features.files.modified = False
    window.close()
    return path


def main() -> int:
    QSettings.setDefaultFormat(QSettings.Format.IniFormat)
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope,
                      os.environ.get("TMPDIR", "/tmp") + "/inside-shots")
    QCoreApplication.setOrganizationName("Gradient Playground Shots")
    global OUT
    OUT, names = screenshot_folder()
    app = QApplication.instance() or QApplication(sys.argv[:1])
    names = names or list(SHOTS)
    for name in names:
        for theme in ("light", "dark"):
            print(shoot(name, theme), flush=True)
    app.quit()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
