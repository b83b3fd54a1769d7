"""LessonsPane: the lessons in a list (a tick for each passed one), the chosen lesson's
explanation, what to try, and its buttons: Apply setup, Show me (what to watch) and
Check my run, with the verdict under them.

A view only: it knows the lessons (core data) and the names of the passed ones, and
emits what the learner asks for; the lessons feature applies setups, highlights and
runs the checks.
"""
from __future__ import annotations

import html
from typing import Mapping

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (QHBoxLayout, QLabel, QListWidget, QListWidgetItem,
                               QPushButton, QSplitter, QTextBrowser, QVBoxLayout, QWidget)

from ....core.lessons import Lesson, Verdict

PASSED_MARK = "\u2713 "


class LessonsPane(QWidget):
    setupRequested = Signal(str)     # a lesson's name
    watchRequested = Signal(str)
    checkRequested = Signal(str)

    def __init__(self, lessons: Mapping[str, Lesson], passed: set[str],
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("lessonsPane")
        self.lessons, self.passed = dict(lessons), set(passed)
        self.list = QListWidget(objectName="lessonsList", wordWrap=True)
        self.list.setToolTip("Each lesson is one idea of gradient descent, as an experiment. "
                             "A tick marks the ones your runs have shown.")
        for number, lesson in enumerate(self.lessons.values(), 1):
            item = QListWidgetItem()
            item.setData(Qt.ItemDataRole.UserRole, lesson.name)
            item.setToolTip("; ".join(lesson.ideas))
            self.list.addItem(item)
            self._label(item, number)
        self.text = QTextBrowser(objectName="lessonText", openExternalLinks=False)
        self.setup_button = self._button("Apply setup", "lessonSetup",
                                         "Set the session (or the optimizer lab) up for this "
                                         "lesson; Ctrl+Z undoes it.", self.setupRequested)
        self.watch_button = self._button("Show me", "lessonWatch",
                                         "Point at the control or the plot to watch.",
                                         self.watchRequested)
        self.check_button = self._button("Check my run", "lessonCheck",
                                         "Read your runs and say whether they show this "
                                         "lesson's effect, and if not, why.",
                                         self.checkRequested)
        self.verdict = QLabel(objectName="lessonVerdict", wordWrap=True)
        self.verdict.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.verdict.setMinimumHeight(48)
        buttons = QHBoxLayout()
        for button in (self.setup_button, self.watch_button, self.check_button):
            buttons.addWidget(button)
        reading = QWidget()
        column = QVBoxLayout(reading)
        column.setContentsMargins(0, 0, 0, 0)
        column.addWidget(self.text, 1)
        column.addLayout(buttons)
        column.addWidget(self.verdict)
        splitter = QSplitter(Qt.Orientation.Vertical)
        splitter.addWidget(self.list)
        splitter.addWidget(reading)
        splitter.setStretchFactor(1, 3)
        splitter.setSizes([150, 450])
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(splitter)
        self.list.currentRowChanged.connect(self._on_list_current_row_changed)
        self.list.setCurrentRow(0)

    def _button(self, text: str, name: str, tip: str, signal) -> QPushButton:
        button = QPushButton(text, objectName=name)
        button.setToolTip(tip)
        button.clicked.connect(lambda: self._emit(signal))
        return button

    def _emit(self, signal) -> None:
        name = self.current_name()
        if name:
            signal.emit(name)

    def _label(self, item: QListWidgetItem, number: int) -> None:
        lesson = self.lessons[item.data(Qt.ItemDataRole.UserRole)]
        mark = PASSED_MARK if lesson.name in self.passed else "    "
        item.setText(f"{mark}{number}. {lesson.title}")

    def current_name(self) -> str:
        item = self.list.currentItem()
        return item.data(Qt.ItemDataRole.UserRole) if item else ""

    def select(self, name: str) -> None:
        for row in range(self.list.count()):
            if self.list.item(row).data(Qt.ItemDataRole.UserRole) == name:
                self.list.setCurrentRow(row)

    def show_verdict(self, name: str, verdict: Verdict) -> None:
        """The verdict of `name`'s check (shown if it is the lesson being read)."""
        if verdict.passed:
            self.passed.add(name)
            for row in range(self.list.count()):
                self._label(self.list.item(row), row + 1)
        if name != self.current_name():
            return
        head = "Your run shows it." if verdict.passed else "Not shown yet."
        color = "#2e7d32" if verdict.passed else "#c62828"
        text = f"<b style='color:{color}'>{head}</b> {html.escape(verdict.evidence)}"
        if verdict.advice:
            text += f"<br><b>Try:</b> {html.escape(verdict.advice)}"
        self.verdict.setText(text)

    def _on_list_current_row_changed(self, row: int) -> None:
        name = self.current_name()
        if not name:
            return
        lesson = self.lessons[name]
        steps = "\n".join(f"{n}. {step}" for n, step in enumerate(lesson.steps, 1))
        self.text.setMarkdown(f"## {lesson.title}\n\n*{'; '.join(lesson.ideas)}*\n\n"
                              f"{lesson.body}\n\n### Try this\n\n{steps}\n")
        self.verdict.setText("")
        self.watch_button.setEnabled(bool(lesson.watch))
