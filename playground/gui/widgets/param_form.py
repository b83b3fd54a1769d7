"""ParamForm: editors rendered from a parameter schema (core.schema.Param).

Setting values blocks the editors' signals, so pushing a spec into the form never
echoes back as a change (the napari rule). Number boxes commit when the user is done
(Enter, focus out, an arrow step), not on every keystroke: typing 48 is one edit.
"""
from __future__ import annotations

from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (QCheckBox, QComboBox, QDoubleSpinBox, QFormLayout, QLineEdit,
                               QSpinBox, QWidget)

from ...core.schema import Param

AUTO = -1  # the spin box value shown as "auto" for optional whole numbers


class ParamForm(QWidget):
    valuesChanged = Signal(object)  # dict of the edited values

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._layout = QFormLayout(self)
        self._layout.setContentsMargins(0, 0, 0, 0)
        self._editors: dict[str, tuple[Param, QWidget]] = {}
        self._schema: tuple[Param, ...] = ()

    def set_schema(self, schema: tuple[Param, ...], values: dict[str, Any]) -> None:
        if tuple(p.name for p in schema) != tuple(p.name for p in self._schema):
            self._rebuild(schema)
        self.set_values(values)

    def _rebuild(self, schema: tuple[Param, ...]) -> None:
        while self._layout.rowCount():
            self._layout.removeRow(0)
        self._schema, self._editors = schema, {}
        for param in schema:
            editor = self._make_editor(param)
            editor.setToolTip(param.help)
            editor.setObjectName(f"param_{param.name}")
            self._editors[param.name] = (param, editor)
            self._layout.addRow(param.name.replace("_", " "), editor)

    def _make_editor(self, param: Param) -> QWidget:
        if param.kind == "bool":
            editor = QCheckBox()
            editor.toggled.connect(self._emit)
        elif param.kind == "choice":
            editor = QComboBox()
            editor.addItems(list(param.choices))
            editor.currentTextChanged.connect(self._emit)
        elif param.kind == "int":
            editor = QSpinBox()
            low = int(param.low if param.low is not None else -10**9)
            editor.setRange(AUTO if param.optional else low,
                            int(param.high if param.high is not None else 10**9))
            if param.optional:
                editor.setSpecialValueText("auto")
            editor.setKeyboardTracking(False)
            editor.valueChanged.connect(self._emit)
        elif param.kind == "float":
            editor = QDoubleSpinBox()
            editor.setDecimals(10 if param.log_scale else 4)
            editor.setRange(param.low if param.low is not None else -1e9,
                            param.high if param.high is not None else 1e9)
            editor.setSingleStep(0.01 if (param.high or 1) <= 1 else 0.1)
            editor.setKeyboardTracking(False)
            editor.valueChanged.connect(self._emit)
        else:
            editor = QLineEdit(placeholderText="numbers, e.g. 30, 60, 90")
            editor.editingFinished.connect(self._emit)
        return editor

    def set_values(self, values: dict[str, Any]) -> None:
        for name, (param, editor) in self._editors.items():
            value = values.get(name, param.default)
            editor.blockSignals(True)
            if isinstance(editor, QCheckBox):
                editor.setChecked(bool(value))
            elif isinstance(editor, QComboBox):
                editor.setCurrentText(str(value))
            elif isinstance(editor, QSpinBox):
                editor.setValue(AUTO if value in (None, "auto") else int(value))
            elif isinstance(editor, QDoubleSpinBox):
                editor.setValue(float(value))
            else:
                editor.setText(_numbers_text(value))
            editor.blockSignals(False)

    def values(self) -> dict[str, Any]:
        result = {}
        for name, (param, editor) in self._editors.items():
            if isinstance(editor, QCheckBox):
                result[name] = editor.isChecked()
            elif isinstance(editor, QComboBox):
                result[name] = editor.currentText()
            elif isinstance(editor, QSpinBox):
                result[name] = None if editor.value() == AUTO and param.optional else editor.value()
            elif isinstance(editor, QDoubleSpinBox):
                result[name] = editor.value()
            else:
                result[name] = _parse_numbers(editor.text())
        return result

    def editor(self, name: str) -> QWidget:
        return self._editors[name][1]

    def _emit(self, *_: Any) -> None:
        self.valuesChanged.emit(self.values())


def _numbers_text(value: Any) -> str:
    if isinstance(value, str):
        return value
    return ", ".join(f"{v:g}" for v in value) if value else ""


def _parse_numbers(text: str) -> tuple[float, ...] | str:
    """'30, 60 90' -> (30.0, 60.0, 90.0); text that is not numbers stays text, so the
    spec's validation can say what is wrong with it."""
    parts = text.replace(",", " ").replace(";", " ").split()
    try:
        return tuple(float(part) for part in parts)
    except ValueError:
        return text
