"""LandscapeFeature: the window's Loss landscape dock (View > Loss Landscape, Ctrl+Shift+K).

Reads, through its context: the training controller's trainer (its weights and kept
trajectory, copied in this thread while the run is idle or paused, never while it
trains; its history's gradient noise columns, copied while the GIL is held), its state,
and its paused and finished signals; the theme (context.theme, then the window's
themeApplied). Changes: nothing of the session or the run. Adds: the dock
`landscapeDock` with two tabs, a LandscapeView and a NoiseView, and its toggle action
`actionLandscape` in the View menu. A landscape is computed on demand (the view's
Compute) and again when the run pauses or ends while the dock is shown, on the
LandscapeController's thread, which stops when the window closes (events.closing);
the noise tab is redrawn a few times a second while it is shown and the history grew.
"""
from __future__ import annotations

import numpy as np
from PySide6.QtCore import QObject, QTimer, Slot
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import QDockWidget, QTabWidget

from .controller import IDLE, PAUSED
from .features import FeatureContext
from .landscape_controller import LandscapeController
from .widgets.landscape import LandscapeView, NoiseView

NOISE_REDRAW_MS = 300


class LandscapeFeature(QObject):
    def __init__(self, context: FeatureContext) -> None:
        training = context.controller
        super().__init__(context.window)
        self.context, self.training = context, training
        self.view, self.noise = LandscapeView(), NoiseView()
        self._gl_checked = False  # whether OpenGL was looked for (on first showing)
        for view in (self.view, self.noise):
            view.set_colors(context.theme)
        self.tabs = QTabWidget(objectName="landscapeTabs")
        self.tabs.addTab(self.view, "Landscape")
        self.tabs.addTab(self.noise, "Gradient noise")
        self.dock = QDockWidget("Loss landscape", context.window, objectName="landscapeDock")
        self.dock.setWidget(self.tabs)
        context.add_dock(self.dock)
        self.dock.hide()
        self.action = self.dock.toggleViewAction()
        self.action.setText("Loss &Landscape")
        self.action.setObjectName("actionLandscape")
        self.action.setShortcut(QKeySequence("Ctrl+Shift+K"))
        self.action.setStatusTip("The network's own loss around its weights: along the "
                                 "line from its first weights, on random planes, and on "
                                 "the plane of its path.")
        context.add_action("&View", self.action)
        self.computer = LandscapeController(self)
        self.view.computeRequested.connect(self._on_view_compute_requested)
        self.computer.computed.connect(self._on_computer_computed)
        self.computer.failed.connect(self._on_computer_failed)
        self.computer.busyChanged.connect(self.view.set_busy)
        training.paused.connect(self._on_training_paused)
        training.finished.connect(self._on_training_finished)
        context.events.themeApplied.connect(self._on_window_theme_applied)
        context.events.closing.connect(self.shutdown)
        self._noise_rows = (None, -1)   # (trainer, history length) last drawn
        self.noise_timer = QTimer(self, interval=NOISE_REDRAW_MS)
        self.noise_timer.timeout.connect(self._on_noise_timer_timeout)
        self.dock.visibilityChanged.connect(self._on_dock_visibility_changed)

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

        # Paused, the training thread waits in the TrainControl's gate and nothing changes
        # the weights while they are copied here. Only a step asked for before this
        # slot ran (steps pressed faster than pauses arrive) may be under way: the copy
        # could then mix two updates' weights, and that step's own pause computes again.

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

    @Slot(bool)
    def _on_dock_visibility_changed(self, visible: bool) -> None:
        """The noise tab's timer runs only while the dock is shown (each tick takes the
        GIL from the training thread)."""
        if visible:
            self.noise_timer.start()
            if not self._gl_checked:  # PyOpenGL's import is not free: not at start-up
                from .widgets.lab.surface3d import gl_problem

                self._gl_checked = True
                if gl_problem() is None:
                    self.view.offer_3d()
        else:
            self.noise_timer.stop()

    @Slot()
    def _on_noise_timer_timeout(self) -> None:
        if self.noise.isVisible():
            self.refresh_noise()

    def refresh_noise(self) -> None:
        """Redraw the noise tab from the run's history, if it grew (or the run changed)."""
        trainer = self.training.trainer
        history = trainer.history if trainer is not None else None
        length = history.length if history is not None else 0
        if (trainer, length) == self._noise_rows:
            return
        self._noise_rows = (trainer, length)
        if history is None:
            self.noise.set_series(np.empty(0), np.empty(0), np.empty(0), 0)
            return
        # list() copies each column holding the GIL (a buffer export would make the
        # training thread's append fail); one may be a row ahead of another.
        columns = [np.array(list(history.columns.get(key, ())), dtype=float)
                   for key in ("epoch", "grad_noise_scale", "update_cosine")]
        rows = min(len(c) for c in columns)  # the training thread may be mid-append
        self.noise.set_series(*(c[:rows] for c in columns), trainer.batch_size,
                              trainer.steps_per_epoch)

    # ------------------------------------------------------------- the window
    @Slot(object)
    def _on_window_theme_applied(self, theme) -> None:
        for view in (self.view, self.noise):
            view.set_colors(theme)

    def shutdown(self) -> bool:
        self.noise_timer.stop()
        return self.computer.shutdown()
