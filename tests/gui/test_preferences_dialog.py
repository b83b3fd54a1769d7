"""The preferences dialog edits the declared QSettings keys, and only on OK."""
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog, QDialogButtonBox

from playground.gui import settings
from playground.gui.widgets.preferences_dialog import (Preferences, PreferencesDialog,
                                                       autosave_label)


def _make(qtbot):
    dialog = PreferencesDialog()
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    return dialog


def _type_into(qtbot, box, text):
    box.setFocus()
    box.lineEdit().selectAll()
    qtbot.keyClicks(box, text)


def _choose(qtbot, combo, text):
    """Pick an entry with the keyboard, as a user would: focus, then arrow keys."""
    combo.setFocus()
    index = combo.findText(text)
    assert index >= 0, text
    while combo.currentIndex() != index:
        key = Qt.Key.Key_Down if combo.currentIndex() < index else Qt.Key.Key_Up
        qtbot.keyClick(combo, key)


def test_shows_the_defaults_on_a_first_start(qtbot):
    dialog = _make(qtbot)
    assert dialog.objectName() == "preferencesDialog"
    assert dialog.threads.value() == 0 and dialog.threads.text() == "Automatic"
    assert dialog.theme.currentData() == "system"
    assert dialog.autosave.currentData() == settings.AUTOSAVE_EVERY.default
    assert "interface" in dialog.threads.toolTip() and "2-core" in dialog.threads.toolTip()
    assert [dialog.autosave.itemData(i) for i in range(dialog.autosave.count())] == list(
        settings.AUTOSAVE_CHOICES)


def test_ok_writes_every_setting_and_reports_them(qtbot):
    dialog = _make(qtbot)
    _type_into(qtbot, dialog.threads, "1")
    _choose(qtbot, dialog.theme, "Dark")
    _choose(qtbot, dialog.autosave, autosave_label(0))
    ok = dialog.buttons.button(QDialogButtonBox.StandardButton.Ok)
    with qtbot.waitSignal(dialog.preferencesApplied) as applied:
        qtbot.mouseClick(ok, Qt.MouseButton.LeftButton)
    chosen = Preferences(threads=1, theme="dark", autosave_every=0)
    assert applied.args == [chosen]
    assert dialog.result() == QDialog.DialogCode.Accepted
    assert settings.read(settings.THREADS) == 1
    assert settings.read(settings.THEME) == "dark"
    assert settings.read(settings.AUTOSAVE_EVERY) == 0
    assert Preferences.read() == chosen


def test_cancel_writes_nothing(qtbot):
    settings.write(settings.THEME, "light")
    dialog = _make(qtbot)
    assert dialog.theme.currentData() == "light"
    _type_into(qtbot, dialog.threads, "2")
    _choose(qtbot, dialog.theme, "Dark")
    _choose(qtbot, dialog.autosave, autosave_label(1000))
    emitted = []
    dialog.preferencesApplied.connect(emitted.append)
    qtbot.mouseClick(dialog.buttons.button(QDialogButtonBox.StandardButton.Cancel),
                     Qt.MouseButton.LeftButton)
    assert dialog.result() == QDialog.DialogCode.Rejected and emitted == []
    assert settings.read(settings.THREADS) == 0
    assert settings.read(settings.THEME) == "light"
    assert settings.read(settings.AUTOSAVE_EVERY) == settings.AUTOSAVE_EVERY.default


def test_opens_on_what_was_saved_and_keeps_an_interval_set_elsewhere(qtbot):
    Preferences(threads=1, theme="dark", autosave_every=25).write()
    dialog = _make(qtbot)
    assert dialog.values() == Preferences(threads=1, theme="dark", autosave_every=25)
    qtbot.keyClick(dialog, Qt.Key.Key_Return)  # OK is the default button
    assert Preferences.read() == Preferences(threads=1, theme="dark", autosave_every=25)


def test_a_damaged_setting_falls_back_to_its_default(qtbot):
    settings.write(settings.THEME, "purple")
    settings.write(settings.THREADS, "many")
    assert Preferences.read() == Preferences(theme="system", threads=0,
                                             autosave_every=settings.AUTOSAVE_EVERY.default)
