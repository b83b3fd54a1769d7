"""OptimizerLabWindow: the optimizer lab's own window: the 1-D demo, the 2-D race, the
race in 3-D (where OpenGL exists) and the phase diagrams. It keeps its own small state
and never edits the session's spec."""
from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QLabel, QMainWindow, QTabWidget, QWidget

from ...theme import LIGHT, Theme
from .descent_tab import DescentTab
from .phase_tab import PhaseTab
from .race_tab import RaceTab
from .surface3d import Surface3DView, gl_problem


class OptimizerLabWindow(QMainWindow):
    optimizerChosen = Signal(object)   # a core.lab MoverSpec, from the race's menu

    def __init__(self, parent: QWidget | None = None, theme: Theme = LIGHT) -> None:
        super().__init__(parent, Qt.WindowType.Window)
        self.setObjectName("optimizerLab")
        self.setWindowTitle("Optimizer Lab \u2014 Gradient Playground")
        self.resize(1280, 820)
        self.tabs = QTabWidget(objectName="labTabs")
        self.descent = DescentTab()
        self.race = RaceTab()
        self.race.optimizerChosen.connect(self.optimizerChosen)
        self.phase = PhaseTab()
        self.tabs.addTab(self.descent, "1-D descent")
        self.tabs.setTabToolTip(0, "A point rolling down f(x): the learning rate too small, "
                                "just right, too large.")
        self.tabs.addTab(self.race, "2-D race")
        self.tabs.setTabToolTip(1, "Optimizers of the registry racing on a surface, with "
                                "their gradients, momenta, steps and accumulators drawn.")
        self.gl_problem = gl_problem()
        self.surface3d: Surface3DView | None = None
        if self.gl_problem is None:
            self.surface3d = Surface3DView()
            self.tabs.addTab(self.surface3d, "3-D view")
            self.tabs.setTabToolTip(2, "The same race on the surface in 3-D.")
            self.race.redrawn.connect(self._on_race_redrawn)
        self.tabs.addTab(self.phase, "Phase diagrams")
        self.tabs.setTabToolTip(self.tabs.count() - 1, "Where descent on a quadratic "
                                "converges, oscillates or diverges, against lr and momentum.")
        self.tabs.currentChanged.connect(self._on_tabs_current_changed)
        if self.gl_problem is not None:
            note = QLabel(objectName="no3dNote")
            note.setText("no 3-D view")
            note.setToolTip(self.gl_problem)
            note.setStyleSheet("color: gray; padding: 0 6px;")
            self.tabs.setCornerWidget(note, Qt.Corner.TopRightCorner)
        self.setCentralWidget(self.tabs)
        self.set_colors(theme)

    def set_colors(self, theme: Theme) -> None:
        self.theme = theme
        for tab in (self.descent, self.race, self.phase, self.surface3d):
            if tab is not None:
                tab.set_colors(theme)
        self._sync_3d(new_race=True)

    def _on_race_redrawn(self) -> None:
        self._sync_3d(new_race=False)

    def _on_tabs_current_changed(self, _index: int) -> None:
        self._sync_3d(new_race=True)

    def _sync_3d(self, new_race: bool) -> None:
        """The 3-D view follows the race only while it is the tab shown."""
        view = self.surface3d
        if view is None or self.tabs.currentWidget() is not view or self.race.race is None:
            return
        if view.surface is not self.race.surface:
            view.set_surface(self.race.surface)
            new_race = True
        if new_race or len(view.lines) != len(self.race.race.racers):
            view.set_race(self.race.race, [row.color for row in self.race.rows])
        else:
            view.redraw(self.race.race)

    def closeEvent(self, event) -> None:  # noqa: N802 - Qt's name
        self.race.shutdown()
        self.descent.play.setChecked(False)   # stops its timer
        super().closeEvent(event)
