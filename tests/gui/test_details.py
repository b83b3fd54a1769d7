"""The details a learner trips over (issue 27): the run key, stale views, defaults
and wording, each through the real widgets."""
from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QCommandLinkButton


def _count_run_key(window) -> list:
    """Space's action, counted instead of training (the key's route is what is tested)."""
    pressed: list = []
    window.actionTrain.triggered.disconnect(window.train)
    window.actionTrain.triggered.connect(lambda *_: pressed.append(1))
    return pressed


def _activate(qtbot, widget) -> None:
    widget.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is widget, timeout=5000)


def test_space_runs_after_enter_in_a_number_field_and_types_while_editing(qtbot, window):
    pressed = _count_run_key(window)
    _activate(qtbot, window)
    box = window.optimizer_panel.lr_box
    box.setFocus()
    box.selectAll()
    qtbot.keyClicks(box, "0.05")
    qtbot.keyClick(box, Qt.Key.Key_Return)
    assert window.spec.optimizer.lr == 0.05
    qtbot.keyClick(box, Qt.Key.Key_Space)
    assert pressed == [1] and box.value() == 0.05  # not blanked: the run key ran
    qtbot.keyClicks(box, "1")  # editing again: Space is the field's
    qtbot.keyClick(box, Qt.Key.Key_Space)
    assert pressed == [1]


def test_space_runs_right_after_an_example_is_chosen_in_the_welcome_view(qtbot, window):
    pressed = _count_run_key(window)
    window.show_welcome()
    dialog = window.welcome
    _activate(qtbot, dialog)
    button = dialog.findChild(QCommandLinkButton, "welcomeExample_xor")
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    assert window.spec.data.name == "xor"
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window, timeout=5000)
    qtbot.keyClick(QApplication.focusWidget() or window, Qt.Key.Key_Space)
    assert pressed == [1]
