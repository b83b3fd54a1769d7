"""OptimizerLabMixin: the main window's Tools > Optimizer Lab (Ctrl+L).

The lab is a window of its own with its own small state; the only way it touches the
session is "Use in my network", an ordinary undoable edit of the optimizer. Mixed into
MainWindow only; uses its menu bar, theme and session model.
"""
from __future__ import annotations

from PySide6.QtCore import Slot
from PySide6.QtGui import QAction, QKeySequence

from ..core.optim import OPTIMIZERS
from ..core.spec import OptimizerSpec
from .menus import menu_titled




class OptimizerLabMixin:
    def _install_optimizer_lab(self) -> None:
        self.lab_window = None
        self.actionOptimizerLab = QAction("Optimizer &Lab", self)
        self.actionOptimizerLab.setObjectName("actionOptimizerLab")
        self.actionOptimizerLab.setShortcut(QKeySequence("Ctrl+L"))
        self.actionOptimizerLab.setToolTip(
            "Watch gradient descent itself: a point descending f(x), optimizers racing "
            "on 2-D surfaces with their gradients, momenta and step sizes drawn, and where "
            "a learning rate converges, oscillates or diverges. The same optimizer code "
            "that trains your network.")
        self.actionOptimizerLab.setStatusTip(self.actionOptimizerLab.toolTip())
        self.actionOptimizerLab.triggered.connect(self.open_optimizer_lab)
        menu_titled(self, "&Tools").addAction(self.actionOptimizerLab)

    def open_optimizer_lab(self) -> None:
        from .widgets.lab import OptimizerLabWindow  # pyqtgraph views made on first use

        if self.lab_window is None:
            self.lab_window = OptimizerLabWindow(self, self.theme)
            self.lab_window.optimizerChosen.connect(self._on_lab_optimizer_chosen)
            self.lab_window.applicationPaletteChanged.connect(self._on_lab_palette_changed)
        else:
            self.lab_window.set_colors(self.theme)
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

    @Slot()
    def _on_lab_palette_changed(self) -> None:
        """The window's theme changed (View menu, preferences): the lab follows."""
        if self.lab_window is not None and self.lab_window.theme is not self.theme:
            self.lab_window.set_colors(self.theme)

    @Slot(object)
    def _on_lab_optimizer_chosen(self, chosen) -> None:
        kind = OPTIMIZERS[chosen.optimizer]
        changes: dict = {"optimizer": OptimizerSpec(kind.name, chosen.resolved_lr(),
                                                    dict(chosen.params))}
        if kind.full_batch_only:
            changes["train.batch_size"] = None   # L-BFGS needs full-batch updates
        self.session.edit(changes, "the optimizer from the lab")
