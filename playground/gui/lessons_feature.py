"""LessonsFeature: Help > Lessons (F1), a dock with the guided experiments.

Reads: the lessons (core); through its context, the controller's health findings
(healthFound), kept for the run of the trainer they came from and dropped when the
trainer changes (trainerReady with another trainer: a new run, a branch, an opened
session); and, through callables the window gives, the runs feature's runs, the lab
feature's 1-D descent and the search feature's last LR finding.
Changes: the session spec, one undoable edit per "Apply setup" (through the session
model, so the usual "start over?" gate applies); the optimizer lab's 1-D demo, through
the lab feature's open_lab_descent (given by the window); the LESSONS_PASSED setting.
Adds: Help > Lessons (`actionLessons`) and, on first use, the dock `lessonsDock` tabbed
beside the optimizer dock. It highlights, never edits, the control, plot or central tab
a lesson says to watch (found by objectName through the context).
"""
from __future__ import annotations

from typing import Any, Callable, Iterable

from PySide6.QtCore import QObject, Qt, QTimer, Slot
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QDockWidget, QWidget

from ..core.errors import PlaygroundError
from ..core.experiments.runs import Run
from ..core.lessons import CHECKS, Evidence, Lesson, Verdict, load_lessons
from . import settings
from .features import FeatureContext
from .widgets.lessons import LessonsPane

HIGHLIGHT_MS = 2500
HIGHLIGHT_STYLE = "border: 3px solid #f0a500; border-radius: 3px;"


class LessonsFeature(QObject):
    def __init__(self, context: FeatureContext, runs: Callable[[], Iterable[Run]],
                 lab_descent: Callable[[], Any], lr_finding: Callable[[], Any],
                 open_lab_descent: Callable[[dict], None]) -> None:
        """`runs`: the session's runs, oldest first; `lab_descent`: the lab's 1-D
        Descent, or None; `lr_finding`: the LR finder's last LrFinding, or None;
        `open_lab_descent`: opens the lab's 1-D tab in a state."""
        super().__init__(context.window)
        self.context = context
        self.runs, self.lab_descent, self.lr_finding = runs, lab_descent, lr_finding
        self.open_lab_descent = open_lab_descent
        self.lessons: dict[str, Lesson] = load_lessons()
        self.findings: list = []   # the health findings of the trainer below
        self._trainer = None
        self.pane: LessonsPane | None = None
        self.dock: QDockWidget | None = None
        self.highlighted: list[tuple[QWidget, str]] = []
        self.action = QAction("&Lessons\u2026", context.window, objectName="actionLessons")
        self.action.setShortcut(QKeySequence(Qt.Key.Key_F1))
        self.action.setToolTip("Guided experiments, one idea of gradient descent each: "
                               "set up, train, and the app checks what your run shows")
        self.action.setStatusTip(self.action.toolTip())
        self.action.triggered.connect(self.show)
        help_menu = context.menu("&Help")
        context.add_action("&Help", self.action,
                           before=help_menu.actions()[0] if help_menu.actions() else None)
        context.controller.healthFound.connect(self._on_controller_health_found)
        context.controller.trainerReady.connect(self._on_controller_trainer_ready)

    # ------------------------------------------------------------- the pane
    def show(self, name: str = "") -> LessonsPane:
        if self.pane is None:
            passed = {n for n in settings.read(settings.LESSONS_PASSED).split("\n") if n}
            self.pane = LessonsPane(self.lessons, passed & set(self.lessons))
            self.pane.setupRequested.connect(self.apply_setup)
            self.pane.watchRequested.connect(self.show_watch)
            self.pane.checkRequested.connect(self.check)
            self.dock = QDockWidget("Lessons", self.context.window, objectName="lessonsDock")
            self.dock.setWidget(self.pane)
            # A tab beside the optimizer: a lesson wants the height to be read, and
            # "Show me" brings the panel it points at to the front.
            self.context.add_dock(self.dock, beside="optimizerDock")
        if name:
            self.pane.select(name)
        self.dock.show()
        self.dock.raise_()
        return self.pane

    @Slot(str)
    def apply_setup(self, name: str) -> bool:
        lesson = self.lessons[name]
        if lesson.setup is None:
            self.open_lab_descent(dict(lesson.lab))
            return True
        try:
            spec = lesson.setup.spec()
        except PlaygroundError as exc:   # a lesson validated at load: never, but say so
            self.pane.verdict.setText(str(exc))
            return False
        return self.context.session.edit(
            {"data": spec.data, "model": spec.model, "optimizer": spec.optimizer,
             "schedule": spec.schedule, "train": spec.train},
            f"the setup of the lesson \u201c{lesson.title}\u201d")

    @Slot(str)
    def show_watch(self, name: str) -> None:
        self._clear_highlights()
        for item in self.lessons[name].watch:
            kind, _, target = item.partition(":")
            if kind == "lab":
                self.open_lab_descent({})
            elif kind == "tab":
                self._show_tab(target)
            else:
                self._highlight(target)
        QTimer.singleShot(HIGHLIGHT_MS, self._clear_highlights)

    def _show_tab(self, title: str) -> None:
        tabs = self.context.views.tabs
        for index in range(tabs.count()):
            if tabs.tabText(index).replace("&", "") == title:
                tabs.setCurrentIndex(index)
                self._highlight_widget(tabs.tabBar())

    def _highlight(self, object_name: str) -> None:
        widget = self.context.widget(object_name)
        if widget is None:
            return
        dock = widget.parent()
        while dock is not None and not isinstance(dock, QDockWidget):
            dock = dock.parent()
        if dock is not None:
            dock.show()
            dock.raise_()
        self._highlight_widget(widget)

    def _highlight_widget(self, widget: QWidget) -> None:
        self.highlighted.append((widget, widget.styleSheet()))
        widget.setStyleSheet(widget.styleSheet() + HIGHLIGHT_STYLE)

    def _clear_highlights(self) -> None:
        for widget, style in self.highlighted:
            widget.setStyleSheet(style)
        self.highlighted = []

    @Slot(str)
    def check(self, name: str) -> Verdict:
        lesson = self.lessons[name]
        evidence = Evidence(tuple(self.runs()), tuple(self.findings),
                            self.lab_descent(), self.lr_finding())
        verdict = CHECKS[lesson.check].evaluate(evidence, lesson.check_params)
        if self.pane is not None:
            self.pane.show_verdict(name, verdict)
            if verdict.passed:
                settings.write(settings.LESSONS_PASSED, "\n".join(sorted(self.pane.passed)))
        return verdict

    # ------------------------------------------------------------- the run
    @Slot(object)
    def _on_controller_health_found(self, finding) -> None:
        self.findings.append(finding)

    @Slot(object)
    def _on_controller_trainer_ready(self, trainer) -> None:
        """Another trainer is another run (a new one, a branch, an opened session):
        the findings of the last one are not its findings. The same trainer again (a
        run resumed) keeps them."""
        if trainer is not self._trainer:
            self._trainer = trainer
            self.findings = []
