"""The menu bar's menus, shared by the features that add entries to them, and the
named actions they add."""
from __future__ import annotations

from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QMenu


def menu_titled(window, title: str) -> QMenu:
    """The menu bar's menu called `title` (ampersands ignored); made if there is none
    yet, before Help so that Help stays last, with an objectName such as "toolsMenu"."""
    plain, bar = title.replace("&", ""), window.menuBar()
    help_action = None
    for action in bar.actions():
        menu = action.menu()
        if menu is None:
            continue
        if action.text().replace("&", "") == plain:
            return menu
        if action.text().replace("&", "") == "Help":
            help_action = action
    made = QMenu(title, window)
    made.setObjectName(plain.lower() + "Menu")
    bar.insertMenu(help_action, made) if help_action else bar.addMenu(made)
    return made


def named_action(parent, name: str, text: str, shortcut: str, tip: str, slot) -> QAction:
    """An action with an objectName, a shortcut and a tip (shown as tooltip and in the
    status bar), calling `slot` (with no arguments) when triggered."""
    action = QAction(text, parent, objectName=name)
    action.setShortcut(QKeySequence(shortcut))
    action.setToolTip(tip)
    action.setStatusTip(tip)
    action.triggered.connect(lambda checked=False: slot())
    return action
