"""LandscapeFeature: the window's Loss landscape dock (View > Loss Landscape, Ctrl+Shift+L).

Reads: the training controller's trainer (its weights and kept trajectory, copied in
this thread while the run is idle or paused, never while it trains) and its state.
Changes: nothing of the session or the run. Adds: the dock `landscapeDock` holding a
LandscapeView, and its toggle action `actionLandscape` in the menu it is given.
Computes on demand (the view's Compute) and again when the run pauses or ends while
the dock is shown, on the LandscapeController's thread.
"""
from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt, Slot
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import QDockWidget, QMainWindow, QMenu

from .controller import IDLE, PAUSED, TrainingController
from .landscape_controller import LandscapeController
from .widgets.landscape import LandscapeView


class LandscapeFeature(QObject):
    def __init__(self, window: QMainWindow, training: TrainingController,
                 menu: QMenu) -> None:
        super().__init__(window)
        self.window, self.training = window, training
        self.view = LandscapeView()
        self.view.set_colors(window.theme)
        self.dock = QDockWidget("Loss landscape", window, objectName="landscapeDock")
        self.dock.setWidget(self.view)
        window.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, self.dock)
        self.dock.hide()
        self.action = self.dock.toggleViewAction()
        self.action.setText("Loss &Landscape")
        self.action.setObjectName("actionLandscape")
        self.action.setShortcut(QKeySequence("Ctrl+Shift+L"))
        self.action.setStatusTip("The network's own loss around its weights: along the "
                                 "line from its first weights, on random planes, and on "
                                 "the plane of its path.")
        menu.addAction(self.action)
        self.computer = LandscapeController(self)
        self.view.computeRequested.connect(self._on_view_compute_requested)
        self.computer.computed.connect(self._on_computer_computed)
        self.computer.failed.connect(self._on_computer_failed)
        self.computer.busyChanged.connect(self.view.set_busy)
        training.paused.connect(self._on_training_paused)
        training.finished.connect(self._on_training_finished)
        window.installEventFilter(self)

    # ----------------------------------------------------------------- requests
    def request(self, kind: str, points: int) -> bool:
        """Compute this landscape of the run as it is now; False (and a sentence in
        the view) when there is nothing to show or the run is training."""
        trainer = self.training.trainer
        if trainer is None:
            self.view.show_message("There is no network yet: press Train (or step an "
                                   "epoch) first.")
            return False
        if self.training.state not in (IDLE, PAUSED):
            self.view.show_message("The landscape is computed while training is paused or "
                                   "done: pause it (Space) and press Compute.")
            return False
        from ..core.errors import PlaygroundError
        from ..core.landscape import LossSurface, read_trainer

        try:
            run, surface = read_trainer(trainer), LossSurface.from_trainer(trainer)
        except PlaygroundError as exc:
            self.view.show_message(str(exc))
            return False
        self.computer.compute(run, surface, kind, points)
        return True

    @Slot(str, int)
    def _on_view_compute_requested(self, kind: str, points: int) -> None:
        self.request(kind, points)

    def _refresh(self) -> None:
        if self.dock.isVisible() and self.view.auto.isChecked():
            self.request(*self.view.wanted)

    @Slot(object)
    def _on_training_paused(self, event) -> None:
        self._refresh()

    @Slot(object)
    def _on_training_finished(self, outcome) -> None:
        self._refresh()

    @Slot(object)
    def _on_computer_computed(self, result) -> None:
        self.view.show_landscape(result)

    @Slot(str)
    def _on_computer_failed(self, message: str) -> None:
        self.view.show_message(message)

    # ------------------------------------------------------------- the window
    def eventFilter(self, watched, event) -> bool:  # noqa: N802 - Qt's name
        """Follow the window's theme, and join the thread when it closes."""
        kind = event.type()
        if watched is self.window:
            if kind == QEvent.Type.Close:
                self.shutdown()
            elif kind in (QEvent.Type.PaletteChange, QEvent.Type.ApplicationPaletteChange):
                self.view.set_colors(self.window.theme)
        return False

    def shutdown(self) -> bool:
        return self.computer.shutdown()
