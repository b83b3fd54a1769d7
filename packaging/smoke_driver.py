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
    playground tour SHOTS EPOCHS            # every tool once: the optimizer lab (each
                                            # tab), the LR finder, a search of 2 trials
                                            # on the default storage, a sweep of 2 runs,
                                            # a run of EPOCHS epochs with each of the
                                            # window's views shown; then File > Quit
                                            # mid-run, which must ask once and end the
                                            # process; screenshots into the folder SHOTS

Prints `first-window-at UNIX_TIME` when the event loop first runs with the window
shown (smoke.sh turns it into the start-up time) and exits 0 only when all went well.
It also runs from a source checkout (`python packaging/smoke_driver.py ...`), which is
how the test suite checks the driver itself.
"""
from __future__ import annotations

import sys
import time

from pathlib import Path

from PySide6.QtCore import QTimer
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QApplication, QMessageBox

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
        window.features.files.path = out
        if not window.features.files.save_run():
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
        if window.features.files.opening:
            return  # still reading the file
        poll.stop()
        trainer = window.controller.trainer
        if window.features.files.path != path or trainer is None:
            _fail(qapp, f"{path} did not open")
        elif trainer.epoch != epochs:
            _fail(qapp, f"{path} opened at epoch {trainer.epoch}, not {epochs}")
        else:
            print(f"smoke: reopened {path} at epoch {trainer.epoch}")
            window.close()

    poll = QTimer(window, interval=50)
    poll.timeout.connect(check)
    poll.start()


class Tour:
    """The window's tools, one after the other: each step starts something through the
    window's own actions and widgets, and the signal of its end starts the next."""

    def __init__(self, qapp, window, shots: str, epochs: int) -> None:
        self.qapp, self.window, self.epochs = qapp, window, epochs
        self.shots = Path(shots)
        self.shots.mkdir(parents=True, exist_ok=True)
        self.questions: list[str] = []
        self.steps = [self.lab, self.lr_finder, self.search, self.sweep, self.train_and_views,
                      self.quit_mid_run]
        window.controller.failed.connect(lambda m: _fail(qapp, f"training failed: {m}"))
        features = window.features
        features.search.search_controller.failed.connect(
            lambda m: _fail(qapp, f"search failed: {m}"))
        features.sweep.sweep_controller.failed.connect(
            lambda m: _fail(qapp, f"sweep failed: {m}"))

    def next(self) -> None:
        if self.steps:
            QTimer.singleShot(0, self.steps.pop(0))

    def act(self, name: str) -> None:
        action = self.window.findChild(QAction, name)
        if action is None:
            _fail(self.qapp, f"no action {name}")
            return
        action.trigger()

    def shoot(self, widget, name: str) -> None:
        widget.grab().save(str(self.shots / f"{name}.png"))

    def lab(self) -> None:
        self.act("actionOptimizerLab")
        lab = self.window.features.lab.lab_window
        names = []
        for index in range(lab.tabs.count()):
            lab.tabs.setCurrentIndex(index)
            self.qapp.processEvents()
            names.append(lab.tabs.tabText(index))
            self.shoot(lab, f"lab-{index}")
        print(f"smoke: optimizer lab shown, tabs: {', '.join(names)}", flush=True)
        self.next()

    def lr_finder(self) -> None:
        controller = self.window.features.search.search_controller
        found = []

        def idle(busy: bool) -> None:  # its thread has ended: the next job may start
            if busy:
                return
            controller.busyChanged.disconnect(idle)
            if not found:
                _fail(self.qapp, "the LR finder ended without a suggestion")
                return
            valley = found[0].valley  # None when the sweep shows no clear valley
            print("smoke: LR finder " + (f"suggested {valley:.3g}" if valley is not None
                                         else f"found no clear valley: {found[0].note}"),
                  flush=True)
            self.shoot(self.window.features.search.lr_dialog, "lr-finder")
            self.next()
        self.window.session.edit({"train.epochs": self.epochs}, "the number of epochs")
        controller.lrFound.connect(found.append)
        controller.busyChanged.connect(idle)
        self.act("actionLrFinder")

    def search(self) -> None:
        controller = self.window.features.search.search_controller

        def began(number: int, params) -> None:
            if number == 1:
                self.shoot(search, "search-running")

        def ended(busy: bool) -> None:
            if busy:
                return
            controller.busyChanged.disconnect(ended)
            controller.trialBegan.disconnect(began)
            reason = search.status.text()
            rows = search.table.rowCount()
            print(f"smoke: search of {rows} trials ended ({reason!r}) in "
                  f"{search.storage.text()}", flush=True)
            if rows != 2:
                _fail(self.qapp, f"the search ran {rows} trials, not 2")
                return
            self.shoot(search, "search-ended")
            self.next()
        self.act("actionSearch")
        search = self.window.features.search.search_window
        search.trials.setValue(2)  # the storage stays the default the window offers
        controller.trialBegan.connect(began)
        controller.busyChanged.connect(ended)
        search.start.click()
        if not controller.busy:
            _fail(self.qapp, f"the search did not start: {search.status.text()}")

    def sweep(self) -> None:
        def finished(outcome) -> None:
            self.window.features.sweep.sweep_controller.finished.disconnect(finished)
            rows = len(outcome["rows"])
            print(f"smoke: sweep of {rows} runs finished", flush=True)
            if rows != 2:
                _fail(self.qapp, f"the sweep ran {rows} runs, not 2")
                return
            self.shoot(sweep, "sweep")
            self.next()
        self.act("actionSweep")
        sweep = self.window.features.sweep.sweep_window
        sweep.variables[0].setCurrentIndex(sweep.variables[0].findData("lr"))
        sweep.values[0].setText("0.01,0.1")
        sweep.epochs.setValue(2)
        self.window.features.sweep.sweep_controller.finished.connect(finished)
        sweep.run_button.click()

    def train_and_views(self) -> None:
        window = self.window

        def finished(outcome) -> None:
            window.controller.finished.disconnect(finished)
            if outcome is None:
                return  # a failure: reported by failed
            shown = []
            for index in range(window.tabs.count()):
                window.tabs.setCurrentIndex(index)
                self.qapp.processEvents()
                shown.append(window.tabs.tabText(index))
                self.shoot(window, f"window-{index}")
            print(f"smoke: trained {window.controller.trainer.epoch} epochs; views shown: "
                  f"{', '.join(shown)}", flush=True)
            self.next()
        window.controller.finished.connect(finished)
        window.train()

    def quit_mid_run(self) -> None:
        """A long run, and File > Quit during it: one question (the session has
        unsaved changes: answered Discard); app.exec() must then return."""
        window = self.window

        def answer() -> None:
            box = QApplication.activeModalWidget()
            if not isinstance(box, QMessageBox):
                return
            self.questions.append(box.text())
            close = box.button(QMessageBox.StandardButton.Close)
            (close or box.button(QMessageBox.StandardButton.Discard)).click()  # unsaved

        def quit_once(events) -> None:
            window.controller.epochsEnded.disconnect(quit_once)
            QTimer(window, interval=100, timeout=answer).start()
            QTimer.singleShot(60_000, lambda: _fail(self.qapp, "File > Quit left the app "
                                                    "running"))
            self.act("actionQuit")
        window.session.edit({"train.epochs": 100_000}, "the number of epochs")
        window.controller.epochsEnded.connect(quit_once)
        window.train()


def main(argv: list[str]) -> int:
    if len(argv) != 3 or argv[0] not in ("train", "reopen", "tour"):
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
        if mode == "tour":
            tours.append(Tour(qapp, window, path, epochs))
            tours[0].next()
        else:
            (train if mode == "train" else reopen)(qapp, window, path, epochs)

    # Both timers fire inside entry.main's app.exec(), once the window is up.
    tours: list[Tour] = []
    QTimer.singleShot(0, first_tick)
    QTimer.singleShot(LIMIT_S * 1000, lambda: _fail(qapp, f"not done in {LIMIT_S} s"))
    status = entry.main([path] if mode == "reopen" else [])
    if tours and status == 0:
        return _quit_report(tours[0])
    return status


def _quit_report(tour: Tour) -> int:
    """After File > Quit ended the event loop: it asked once about the run."""
    going = [q for q in tour.questions if "still going" in q]
    print(f"smoke: File > Quit mid-run ended the app after {len(tour.questions)} "
          f"question(s): {' / '.join(tour.questions)}", flush=True)
    if tour.steps or len(tour.questions) != 1 or len(going) != 1:
        print("smoke: the tour did not end with one question about the run", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
