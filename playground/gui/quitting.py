"""What closing the main window (File > Quit, the title bar's close button) does beyond
saving: ask once when work is going, and close every other window of the app (the
optimizer lab, the search, the sweep, the LR finder), which are top-level windows of
their own and would otherwise keep the process running with no main window."""
from __future__ import annotations

from typing import Sequence

from PySide6.QtWidgets import QApplication, QMessageBox, QWidget


def work_going(window, background: Sequence = ()) -> list[str]:
    """What is running, in words: a training run, then what each of the `background`
    features (the search, the sweep) says of itself."""
    going = ["a training run"] if window.controller.busy else []
    return going + [what for what in (feature.going() for feature in background) if what]


def confirm_quitting(window, files, background: Sequence = ()) -> bool:
    """Before File > Quit closes the window: when a run, or work of one of `background`
    (features with going() and shutdown(): the search, the sweep) is going, ask once
    (with the session's own question, asked of the `files` feature, when it has unsaved
    changes: save, discard or cancel), stop what is going and save if asked. True to go
    on closing."""
    going = work_going(window, background)
    if not going:
        return True
    what = going[0] if len(going) == 1 else ", ".join(going[:-1]) + " and " + going[-1]
    verb, them = ("is", "it") if len(going) == 1 else ("are", "them")
    text = f"{what[0].upper()}{what[1:]} {verb} still going. Quitting stops {them}."
    unsaved = files.has_unsaved_work()
    button = QMessageBox.StandardButton
    buttons = (button.Save | button.Discard if unsaved else button.Close) | button.Cancel
    answer = QMessageBox.question(window, "Quit?", text + (" Save the session first?"
                                                            if unsaved else ""),
                                  buttons, button.Cancel)
    if answer == button.Cancel:
        return False
    window.controller.shutdown()  # stopped first, so that a save holds where it stopped
    for feature in background:
        feature.shutdown()
    if answer == button.Save and not files.save_run():
        return False
    files.forget_changes()  # answered: closing does not ask about the session again
    return True


def close_other_windows(window: QWidget) -> None:
    """Close the top-level windows this window owns (each stops its own work as it
    closes): the lab, the search, the sweep, the LR finder."""
    for other in QApplication.topLevelWidgets():
        if other is not window and other.isVisible() and _owned_by(other, window):
            other.close()


def _owned_by(widget: QWidget, owner: QWidget) -> bool:
    parent = widget.parentWidget()
    while parent is not None and parent is not owner:
        parent = parent.parentWidget()
    return parent is owner
