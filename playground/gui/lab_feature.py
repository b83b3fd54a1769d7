"""LabFeature: Tools > Optimizer Lab (Ctrl+L), a window of its own.

Reads: the window's theme (and follows it on themeApplied).
Changes: the session's optimizer, one undoable edit per "Use in my network" (through the
session model, so the gate decides: a new optimizer asks before starting over; the
L-BFGS choice also makes the updates full-batch). Nothing else: the lab keeps its own
small state. For the lessons it offers lab_descent() and open_lab_descent(state).
"""
from __future__ import annotations

from PySide6.QtCore import QObject, Slot

from ..core.optim import OPTIMIZERS
from ..core.spec import OptimizerSpec
from .features import FeatureContext
from .menus import named_action


class LabFeature(QObject):
    def __init__(self, context: FeatureContext) -> None:
        super().__init__(context.window)
        self.context = context
        self.lab_window = None
        self.action = named_action(
            context.window, "actionOptimizerLab", "Optimizer &Lab", "Ctrl+L",
            "Watch gradient descent itself: a point descending f(x), optimizers racing "
            "on 2-D surfaces with their gradients, momenta and step sizes drawn, and where "
            "a learning rate converges, oscillates or diverges. The same optimizer code "
            "that trains your network.", self.open_optimizer_lab)
        context.add_action("&Tools", self.action)
        context.events.themeApplied.connect(self._on_theme_applied)

    def open_optimizer_lab(self) -> None:
        from .widgets.lab import OptimizerLabWindow  # pyqtgraph views made on first use

        if self.lab_window is None:
            # The main window is its parent: it closes with it (quitting.close_other_windows).
            self.lab_window = OptimizerLabWindow(self.context.window, self.context.theme)
            self.lab_window.optimizerChosen.connect(self._on_lab_optimizer_chosen)
        else:
            self.lab_window.set_colors(self.context.theme)
        self.lab_window.show()
        self.lab_window.raise_()
        self.lab_window.activateWindow()

    def lab_descent(self):
        """The lab's current 1-D descent (core Descent), or None (no lab yet)."""
        return self.lab_window.descent.descent if self.lab_window is not None else None

    def open_lab_descent(self, state: dict) -> None:
        """The lab on its 1-D tab; with a state ({lr: ...}), descending x\u00b2 from 5 at
        that rate (the lessons' setup)."""
        self.open_optimizer_lab()
        tab = self.lab_window.descent
        self.lab_window.tabs.setCurrentWidget(tab)
        if "lr" in state:
            tab.show_regime(float(state["lr"]))

    @Slot(object)
    def _on_theme_applied(self, theme) -> None:
        """The window's theme changed (View menu, preferences): the lab follows."""
        if self.lab_window is not None and self.lab_window.theme is not theme:
            self.lab_window.set_colors(theme)

    @Slot(object)
    def _on_lab_optimizer_chosen(self, chosen) -> None:
        kind = OPTIMIZERS[chosen.optimizer]
        changes: dict = {"optimizer": OptimizerSpec(kind.name, chosen.resolved_lr(),
                                                    dict(chosen.params))}
        if kind.full_batch_only:
            changes["train.batch_size"] = None   # L-BFGS needs full-batch updates
        self.context.session.edit(changes, "the optimizer from the lab")
