"""RunKeyFilter: Space is the run key everywhere outside a text field being edited.

Qt gives a focused text field (a line edit, a number box, an editable combo box) first
claim on Space, so after typing a number and pressing Enter, Space went into the field
(and blanked a number) instead of training. A field counts as being edited from the
first key typed into it (or a click into its text) until Enter or Escape, or until the
focus leaves it; outside that, this filter turns the field's claim down and the window's
Space shortcut runs. It watches only the focused text field (it follows the focus), so
the other events of the application never pass through Python.
"""
from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt, Slot
from PySide6.QtWidgets import (QAbstractSpinBox, QApplication, QComboBox, QLineEdit,
                               QPlainTextEdit, QTextEdit, QWidget)

_DONE_KEYS = (Qt.Key.Key_Return, Qt.Key.Key_Enter, Qt.Key.Key_Escape)
_EDIT_KEYS = (Qt.Key.Key_Backspace, Qt.Key.Key_Delete)


def text_field(widget: QObject | None) -> QWidget | None:
    """The text field `widget` is or belongs to (a spin box's or combo box's own line
    edit counts as the box), else None."""
    if isinstance(widget, QLineEdit) and isinstance(widget.parent(),
                                                    (QAbstractSpinBox, QComboBox)):
        widget = widget.parent()
    if isinstance(widget, (QLineEdit, QAbstractSpinBox, QPlainTextEdit, QTextEdit)):
        return widget
    if isinstance(widget, QComboBox) and widget.isEditable():
        return widget
    return None


def _parts(field: QWidget) -> list[QWidget]:
    """The field and the line edit inside it, which takes its clicks."""
    inner = field.lineEdit() if isinstance(field, (QAbstractSpinBox, QComboBox)) else None
    return [field] + ([inner] if inner is not None else [])


class RunKeyFilter(QObject):
    def __init__(self, app: QApplication, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.field: QWidget | None = None     # the focused text field, watched
        self.editing: QWidget | None = None   # the field being edited, if any
        app.focusChanged.connect(self._on_app_focus_changed)

    @Slot(QWidget, QWidget)
    def _on_app_focus_changed(self, old: QWidget | None, new: QWidget | None) -> None:
        field = text_field(new)
        if field is self.field:
            return
        if self.field is not None:
            try:
                for part in _parts(self.field):
                    part.removeEventFilter(self)
            except RuntimeError:  # the field was deleted
                pass
        self.field, self.editing = field, None
        if field is not None:
            for part in _parts(field):
                part.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        kind = event.type()
        if kind == QEvent.Type.ShortcutOverride:
            return self._space_runs(event)
        if kind == QEvent.Type.KeyPress:
            if event.key() in _DONE_KEYS:
                self.editing = None
            elif event.key() in _EDIT_KEYS or (event.text() and event.text().isprintable()):
                self.editing = self.field
        elif kind == QEvent.Type.MouseButtonPress and isinstance(watched, QLineEdit):
            self.editing = self.field  # a click into the text: about to edit it
        return False

    def _space_runs(self, event) -> bool:
        """True (the field's claim turned down, so the shortcut runs) for a plain Space
        while the field is not being edited."""
        if (event.key() != Qt.Key.Key_Space or event.modifiers() != Qt.KeyboardModifier.NoModifier
                or self.editing is self.field):
            return False
        event.ignore()
        return True
