"""LessonsFeature: Help > Lessons (F1), a dock with the guided experiments.

Reads: the lessons (core), the session's runs and the current run's health findings
(the controller's healthFound, reset by trainerReady), and, through callables the window
gives, the optimizer lab's 1-D descent and the LR finder's last result.
Changes: the session spec, one undoable edit per "Apply setup" (through the session
model, so the usual "start over?" gate applies); the optimizer lab's 1-D demo, through
the window's open_lab_descent; the LESSONS_PASSED setting. It highlights, never edits,
the control or plot a lesson says to watch.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, Iterable

from PySide6.QtCore import QObject, Qt, QTimer, Slot
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QDockWidget, QMainWindow, QTabWidget, QWidget

from ..core.errors import PlaygroundError
from ..core.experiments.runs import Run
from ..core.lessons import CHECKS, Evidence, Lesson, Verdict, load_lessons
from . import settings
from .menus import menu_titled
from .session_model import SessionModel
from .widgets.lessons import LessonsPane

HIGHLIGHT_MS = 2500
HIGHLIGHT_STYLE = "border: 3px solid #f0a500; border-radius: 3px;"


@dataclass
class LessonsContext:
    window: QMainWindow                        # menus, the dock, widgets to point at
    session: SessionModel
    controller: Any                            # healthFound, trainerReady signals
    runs: Callable[[], Iterable[Run]]          # the session's runs, oldest first
    lab_descent: Callable[[], Any]             # the lab's 1-D Descent, or None
    lr_finding: Callable[[], Any]              # the LR finder's last LrFinding, or None
    open_lab_descent: Callable[[dict], None]   # opens the lab's 1-D tab in a state


class LessonsFeature(QObject):
    def __init__(self, context: LessonsContext) -> None:
        super().__init__(context.window)
        self.context = context
        self.lessons: dict[str, Lesson] = load_lessons()
        self.findings: list = []
        self.pane: LessonsPane | None = None
        self.dock: QDockWidget | None = None
        self.highlighted: list[tuple[QWidget, str]] = []
        self.action = QAction("&Lessons\u2026", context.window, objectName="actionLessons")
        self.action.setShortcut(QKeySequence(Qt.Key.Key_F1))
        self.action.setToolTip("Guided experiments, one idea of gradient descent each: "
                               "set up, train, and the app checks what your run shows")
        self.action.setStatusTip(self.action.toolTip())
        self.action.triggered.connect(self.show)
        help_menu = menu_titled(context.window, "&Help")
        first = help_menu.actions()[0] if help_menu.actions() else None
        help_menu.insertAction(first, self.action)
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
            window = self.context.window
            window.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, self.dock)
            # A tab beside the optimizer: a lesson wants the height to be read, and
            # "Show me" brings the panel it points at to the front.
            beside = window.findChild(QDockWidget, "optimizerDock")
            if beside is not None:
                window.tabifyDockWidget(beside, self.dock)
        if name:
            self.pane.select(name)
        self.dock.show()
        self.dock.raise_()
        return self.pane

    @Slot(str)
    def apply_setup(self, name: str) -> bool:
        lesson = self.lessons[name]
        if lesson.setup is None:
            self.context.open_lab_descent(dict(lesson.lab))
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
                self.context.open_lab_descent({})
            elif kind == "tab":
                self._show_tab(target)
            else:
                self._highlight(target)
        QTimer.singleShot(HIGHLIGHT_MS, self._clear_highlights)

    def _show_tab(self, title: str) -> None:
        tabs = self.context.window.findChild(QTabWidget, "centralTabs")
        for index in range(tabs.count() if tabs else 0):
            if tabs.tabText(index).replace("&", "") == title:
                tabs.setCurrentIndex(index)
                self._highlight_widget(tabs.tabBar())

    def _highlight(self, object_name: str) -> None:
        widget = self.context.window.findChild(QWidget, object_name)
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
        evidence = Evidence(tuple(self.context.runs()), tuple(self.findings),
                            self.context.lab_descent(), self.context.lr_finding())
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
        if getattr(trainer, "epoch", 0) == 0:   # a new run, not a resumed one
            self.findings = []
