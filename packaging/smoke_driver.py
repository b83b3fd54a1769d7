"""Drives the real app inside the built bundle, for smoke.sh (never shipped in it).

The bundle's `playground` launcher runs this file instead of the app when
GRADIENT_PLAYGROUND_DRIVER names it (see launchers/window.py); it then starts the app
through playground.app.main, the launcher's own entry, exactly as a user's start does,
and acts on the window from a timer inside the app's event loop:

    playground train OUT.pgsession EPOCHS   # start with no argument (the default
                                            # example), train EPOCHS epochs, save OUT
    playground reopen FILE EPOCHS           # start with FILE as the argument (as a
                                            # double-click does), check that it opened
                                            # at epoch EPOCHS, close

Prints `first-window-at UNIX_TIME` when the event loop first runs with the window
shown (smoke.sh turns it into the start-up time) and exits 0 only when all went well.
It also runs from a source checkout (`python packaging/smoke_driver.py ...`), which is
how the test suite checks the driver itself.
"""
from __future__ import annotations

import sys
import time

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication

from playground import app as entry

LIMIT_S = 300  # a wedged start fails the smoke test instead of hanging CI


def _window(qapp):
    from playground.gui.main_window import MainWindow

    return next((w for w in qapp.topLevelWidgets() if isinstance(w, MainWindow)), None)


def _fail(qapp, message: str) -> None:
    print(f"smoke: {message}", file=sys.stderr)
    qapp.exit(1)


def train(qapp, window, out: str, epochs: int) -> None:
    def on_finished(outcome) -> None:
        if outcome is None:
            return  # a failure: reported by on_failed
        window.path = out
        if not window.save_run():
            _fail(qapp, "the window had nothing to save")

    def on_saved(path: str) -> None:
        print(f"smoke: trained {window.controller.trainer.epoch} epochs of "
              f"{window.spec.data.name}, saved {path}")
        window.close()  # the last window: app.exec() returns 0

    window.controller.failed.connect(lambda message: _fail(qapp, message))
    window.controller.finished.connect(on_finished)
    window.controller.saved.connect(on_saved)
    if not window.session.edit({"train.epochs": epochs}, "the number of epochs"):
        _fail(qapp, "the number of epochs could not be set")
        return
    window.train()


def reopen(qapp, window, path: str, epochs: int) -> None:
    """The launcher was given `path`: it is opening it (or failed to: a warning)."""
    def check() -> None:
        if getattr(window, "_opening", None):
            return  # still reading the file
        poll.stop()
        trainer = window.controller.trainer
        if window.path != path or trainer is None:
            _fail(qapp, f"{path} did not open")
        elif trainer.epoch != epochs:
            _fail(qapp, f"{path} opened at epoch {trainer.epoch}, not {epochs}")
        else:
            print(f"smoke: reopened {path} at epoch {trainer.epoch}")
            window.close()

    poll = QTimer(window, interval=50)
    poll.timeout.connect(check)
    poll.start()


def main(argv: list[str]) -> int:
    if len(argv) != 3 or argv[0] not in ("train", "reopen"):
        print(__doc__, file=sys.stderr)
        return 2
    mode, path, epochs = argv[0], argv[1], int(argv[2])
    qapp = QApplication.instance() or QApplication(sys.argv[:1])

    def first_tick() -> None:
        print(f"first-window-at {time.time():.3f}", flush=True)
        window = _window(qapp)
        if window is None or not window.isVisible():
            _fail(qapp, "no main window is shown")
            return
        (train if mode == "train" else reopen)(qapp, window, path, epochs)

    # Both timers fire inside entry.main's app.exec(), once the window is up.
    QTimer.singleShot(0, first_tick)
    QTimer.singleShot(LIMIT_S * 1000, lambda: _fail(qapp, f"not done in {LIMIT_S} s"))
    return entry.main([] if mode == "train" else [path])


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
