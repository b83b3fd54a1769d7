"""WelcomeView: a line on what the app is for, every example as one button, the recent
sessions as one button each, and whether to show the view at every start.

It takes what to show (the examples' specs, the recent paths) and sends out what was
chosen; it never loads anything itself: the window does (gui/welcome_feature.py).
"""
from __future__ import annotations

from pathlib import Path
from typing import Mapping, Sequence

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (QCheckBox, QCommandLinkButton, QGridLayout, QHBoxLayout,
                               QLabel, QPushButton, QVBoxLayout, QWidget)

from ....core.spec import SessionSpec
from ... import resources
from .summary import example_title, summarize

PURPOSE = ("Gradient Playground shows how a neural network learns by gradient descent: "
           "pick an example, press Train (Space) and watch the loss fall, epoch by "
           "epoch or one update at a time. Every setting can be changed, and every run "
           "saved and continued later.")
COLUMNS = 2


class WelcomeView(QWidget):
    exampleChosen = Signal(str)      # a name in EXAMPLES
    recentChosen = Signal(str)       # a session file's path
    openRequested = Signal()         # "Open another session..."
    lessonsRequested = Signal()      # "Learn step by step: the lessons"
    showAtStartChanged = Signal(bool)

    def __init__(self, examples: Mapping[str, SessionSpec], recent: Sequence[str],
                 show_at_start: bool, icon_color: str = "#404040",
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("welcomeView")
        # The theme's text colour: the buttons' own arrow is black, unseen on dark.
        self._icons = {"example": resources.icon("train", icon_color),
                       "recent": resources.icon("open", icon_color)}
        column = QVBoxLayout(self)
        title = QLabel("Welcome to Gradient Playground", objectName="welcomeTitle")
        font = title.font()
        font.setPointSizeF(font.pointSizeF() * 1.6)
        font.setBold(True)
        title.setFont(font)
        column.addWidget(title)
        column.addWidget(QLabel(PURPOSE, objectName="welcomePurpose", wordWrap=True))
        column.addSpacing(10)
        column.addWidget(self._heading("Start from an example"))
        column.addLayout(self._examples(examples))
        lessons = QPushButton("Learn step by step: the lessons (F1)\u2026",
                              objectName="welcomeLessons")
        lessons.setToolTip("Guided experiments, one idea each: set up, train, and the app "
                           "checks whether your run shows the effect.")
        lessons.clicked.connect(self.lessonsRequested)
        column.addWidget(lessons)
        column.addSpacing(10)
        column.addWidget(self._heading("Continue a recent session"))
        column.addLayout(self._recent(recent))
        column.addStretch(1)
        self.show_at_start = QCheckBox("Show this at every start",
                                       objectName="welcomeShowAtStart")
        self.show_at_start.setChecked(show_at_start)
        self.show_at_start.setToolTip("Otherwise it shows on the first start only; "
                                      "Help > Welcome brings it back at any time.")
        self.show_at_start.toggled.connect(self.showAtStartChanged)
        column.addWidget(self.show_at_start)

    @staticmethod
    def _heading(text: str) -> QLabel:
        label = QLabel(text)
        font = label.font()
        font.setBold(True)
        label.setFont(font)
        return label

    def _examples(self, examples: Mapping[str, SessionSpec]) -> QGridLayout:
        grid = QGridLayout()
        for index, (name, spec) in enumerate(examples.items()):
            button = QCommandLinkButton(example_title(name), summarize(spec),
                                        objectName=f"welcomeExample_{name}")
            button.setIcon(self._icons["example"])
            button.setToolTip(f"Load the {example_title(name)} example "
                              f"({spec.data.name.replace('_', ' ')} data):\n{summarize(spec)}")
            button.clicked.connect(lambda checked=False, n=name: self.exampleChosen.emit(n))
            grid.addWidget(button, index // COLUMNS, index % COLUMNS)
        return grid

    def _recent(self, recent: Sequence[str]) -> QVBoxLayout:
        column = QVBoxLayout()
        self.recent_buttons: list[QCommandLinkButton] = []
        for index, path in enumerate(recent):
            exists = Path(path).is_file()
            button = QCommandLinkButton(Path(path).name, str(Path(path).parent) if exists
                                        else f"not found in {Path(path).parent}",
                                        objectName=f"welcomeRecent{index}")
            button.setIcon(self._icons["recent"])
            button.setEnabled(exists)
            button.setToolTip(path)
            button.clicked.connect(lambda checked=False, p=path: self.recentChosen.emit(p))
            column.addWidget(button)
            self.recent_buttons.append(button)
        if not recent:
            column.addWidget(QLabel("Sessions you save or open will be listed here.",
                                    objectName="welcomeNoRecent"))
        row = QHBoxLayout()
        other = QPushButton("Open another session\u2026", objectName="welcomeOpen")
        other.setToolTip("Choose a saved session (.pgsession) to continue.")
        other.clicked.connect(self.openRequested)
        row.addWidget(other)
        row.addStretch(1)
        column.addLayout(row)
        return column
