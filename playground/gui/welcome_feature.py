"""WelcomeFeature: the welcome view in its own window, shown on the first start (and at
every start if the user asks) and from Help > Welcome.

A separate, non-modal window rather than a page of the main window: the main window's
panels, menus and toolbar stay where returning users know them, and the welcome view
closes as soon as something is chosen.
Reads: the examples (core), the recent files and WELCOME_AT_START settings, the theme.
Changes: the WELCOME_AT_START setting; nothing else itself: a choice goes to the
callables the window gives (load an example, open a session, show the lessons), and
the keyboard focus goes back to the main window's views.
"""
from __future__ import annotations

from typing import Callable

from PySide6.QtCore import QObject, Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QVBoxLayout

from ..core.examples import EXAMPLES
from . import settings
from .features import FeatureContext
from .widgets.welcome import WelcomeView


class WelcomeFeature(QObject):
    def __init__(self, context: FeatureContext, *, load_example: Callable[[str], None],
                 open_session: Callable[[str | None], None],
                 show_lessons: Callable[[], None]) -> None:
        """`load_example(name)`: start from an example; `open_session(path)`: open a
        session file (None: ask which); `show_lessons()`: the lessons dock."""
        super().__init__(context.window)
        self.context = context
        self.load_example, self.open_session = load_example, open_session
        self.show_lessons = show_lessons
        self.welcome: QDialog | None = None
        self.welcome_view: WelcomeView | None = None
        self.actionWelcome = QAction("&Welcome", context.window, objectName="actionWelcome")
        self.actionWelcome.setToolTip("The examples, one click each, and your recent "
                                      "sessions")
        self.actionWelcome.setStatusTip(self.actionWelcome.toolTip())
        self.actionWelcome.triggered.connect(self.show_welcome)
        help_menu = context.menu("&Help")
        first = help_menu.actions()[0] if help_menu.actions() else None
        help_menu.insertAction(first, self.actionWelcome)

    def offer_welcome(self) -> bool:
        """At start: the welcome view on the first start, or on every start if asked."""
        mode = settings.read(settings.WELCOME_AT_START)
        if mode == "never":
            return False
        if mode != "always":
            settings.write(settings.WELCOME_AT_START, "never")
        self.show_welcome()
        return True

    def show_welcome(self) -> None:
        """The welcome view, made afresh (so the recent list is current)."""
        if self.welcome is not None:
            self.welcome.close()
        recent = [p for p in settings.read(settings.RECENT_FILES).split("\n") if p]
        view = WelcomeView({name: make() for name, make in EXAMPLES.items()}, recent,
                           settings.read(settings.WELCOME_AT_START) == "always",
                           self.context.theme.text)
        dialog = QDialog(self.context.window, objectName="welcomeDialog")
        dialog.setWindowTitle("Welcome to Gradient Playground")
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        column = QVBoxLayout(dialog)
        column.addWidget(view)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(dialog.close)
        column.addWidget(buttons)
        view.exampleChosen.connect(lambda name: self._on_welcome_chosen(self.load_example,
                                                                        name))
        view.recentChosen.connect(lambda path: self._on_welcome_chosen(self.open_session,
                                                                       path))
        view.openRequested.connect(lambda: self._on_welcome_chosen(self.open_session, None))
        view.lessonsRequested.connect(lambda: self._on_welcome_chosen(
            lambda _: self.show_lessons(), None))
        view.showAtStartChanged.connect(lambda on: settings.write(
            settings.WELCOME_AT_START, "always" if on else "never"))
        dialog.destroyed.connect(lambda *_: self._on_welcome_destroyed(dialog))
        self.welcome, self.welcome_view = dialog, view
        dialog.resize(960, 700)
        dialog.show()

    def _on_welcome_destroyed(self, dialog: QDialog) -> None:
        if self.welcome is dialog:  # not a newer one shown since
            self.welcome = None

    def _on_welcome_chosen(self, load, argument) -> None:
        """Close the welcome view first: a question the load may ask (save the current
        session?) then comes from the main window, not from behind the welcome view."""
        if self.welcome is not None:
            self.welcome.close()
        load(argument)
        # The keys go to the main window at once (Space trains), not after a click.
        window = self.context.window
        window.activateWindow()
        window.raise_()
        self.context.views.tabs.setFocus()
