"""What a window feature is given: the FeatureContext, and the WindowEvents it listens to.

A feature (runs, files, inside, sweep, search, lab, welcome, lessons, export, landscape)
is an object held in `MainWindow.features`. It is built with a context and touches the
window only through it: the session model (the spec, its edits and undo), the training
controller (its signals and commands), the window's shared views named in `views`, and
the registry helpers below for menus, docks and status messages. It hears the window's
own moments (a theme applied, the window closing) from `events`, so that no feature
overrides a window method. Features never import one another: what one needs of another
arrives as a callable in its own context, given by the window that composes them.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QDockWidget, QMainWindow, QMenu, QMessageBox, QWidget

from .menus import menu_titled

STATUS_MS = 5000


class WindowEvents(QObject):
    """The window's moments that features follow. Emitted by the window only."""

    themeApplied = Signal(object)   # the Theme now in use (colours of plots and banners)
    closing = Signal()              # the window closes for good: stop threads, let go


@dataclass(frozen=True)
class FeatureContext:
    window: QMainWindow       # the parent of a feature's docks, dialogs and actions
    session: Any              # SessionModel: the spec that trains, its edits, undo
    controller: Any           # TrainingController: the run's signals and commands
    events: WindowEvents
    views: Any = None         # the window's shared views (plots, boundary, tabs, ...)
    can_close: list[Callable[[], bool]] = field(default_factory=list)

    @property
    def theme(self):
        """The theme in use now (the window's); themeApplied says when it changes."""
        return self.window.theme

    def menu(self, title: str) -> QMenu:
        """The menu bar's menu called `title`, made before Help if there is none yet."""
        return menu_titled(self.window, title)

    def add_action(self, menu_title: str, action: QAction, before: QAction | None = None,
                   separator: bool = False) -> QAction:
        """Put `action` in a menu of the menu bar and make its shortcut work window-wide."""
        menu = self.menu(menu_title)
        if separator and menu.actions():
            menu.insertSeparator(before) if before else menu.addSeparator()
        menu.insertAction(before, action) if before else menu.addAction(action)
        self.window.addAction(action)
        return action

    def add_dock(self, dock: QDockWidget,
                 area: Qt.DockWidgetArea = Qt.DockWidgetArea.RightDockWidgetArea,
                 beside: str | None = None) -> QDockWidget:
        """Dock `dock` on the window; `beside` names a dock (objectName) to tab it with."""
        self.window.addDockWidget(area, dock)
        other = self.window.findChild(QDockWidget, beside) if beside else None
        if other is not None:
            self.window.tabifyDockWidget(other, dock)
        return dock

    def say(self, message: str, ms: int = STATUS_MS) -> None:
        """A passing sentence in the status bar."""
        self.window.statusBar().showMessage(message, ms)

    def warn(self, title: str, message: str) -> None:
        """A sentence that needs the user's attention: the status bar and a dialog."""
        self.window.statusBar().showMessage(message, 15_000)
        QMessageBox.warning(self.window, title, message)

    def widget(self, object_name: str) -> QWidget | None:
        """The window's widget called `object_name` (a lesson points at it), or None."""
        return self.window.findChild(QWidget, object_name)

    def ask_before_closing(self, check: Callable[[], bool]) -> None:
        """`check` runs when the window is asked to close; False keeps it open."""
        self.can_close.append(check)
