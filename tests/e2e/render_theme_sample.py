"""A sample form (check boxes, radio buttons, spin boxes, combos, line edits, group
boxes; enabled and disabled) rendered offscreen in the light and dark themes:

    .venv/bin/python -m tests.e2e.render_theme_sample [FOLDER]

writes sample-light.png and sample-dark.png (to a temporary folder by default) to look
at after a change to playground/gui/theme.py.
"""
from __future__ import annotations

import os
import sys
import tempfile

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import Qt  # noqa: E402
from PySide6.QtWidgets import (QApplication, QCheckBox, QComboBox,  # noqa: E402
                               QDoubleSpinBox, QFormLayout, QGroupBox, QHBoxLayout,
                               QLineEdit, QPushButton, QRadioButton, QSlider, QSpinBox,
                               QVBoxLayout, QWidget)

from playground.gui import theme  # noqa: E402


def _row(*buttons) -> QHBoxLayout:
    row = QHBoxLayout()
    for button in buttons:
        row.addWidget(button)
    return row


def _button(kind, text: str, checked: bool = False, enabled: bool = True):
    button = kind(text)
    button.setChecked(checked)
    button.setEnabled(enabled)
    return button


def sample() -> QWidget:
    widget = QWidget()
    widget.resize(520, 420)
    box = QGroupBox("Group box: inputs")
    form = QFormLayout(box)
    form.addRow("check boxes", _row(_button(QCheckBox, "checked", True),
                                    _button(QCheckBox, "unchecked"),
                                    _button(QCheckBox, "disabled", enabled=False)))
    form.addRow("radio buttons", _row(_button(QRadioButton, "selected", True),
                                      _button(QRadioButton, "not selected"),
                                      _button(QRadioButton, "disabled", enabled=False)))
    spin = QSpinBox()
    spin.setValue(16)
    form.addRow("spin box", spin)
    double = QDoubleSpinBox()
    double.setDecimals(4)
    double.setValue(0.01)
    form.addRow("double spin", double)
    combo = QComboBox()
    combo.addItems(["Adam", "SGD"])
    form.addRow("combo", combo)
    form.addRow("line edit", QLineEdit("some text"))
    empty = QLineEdit()
    empty.setPlaceholderText("placeholder")
    form.addRow("empty edit", empty)
    disabled = QLineEdit("disabled")
    disabled.setEnabled(False)
    form.addRow("disabled edit", disabled)
    slider = QSlider(Qt.Orientation.Horizontal)
    slider.setValue(40)
    form.addRow("slider", slider)
    checkable = QGroupBox("Checkable group")
    checkable.setCheckable(True)
    QVBoxLayout(checkable).addWidget(QPushButton("a button"))
    outer = QVBoxLayout(widget)
    outer.addWidget(box)
    outer.addWidget(checkable)
    return widget


def main() -> None:
    app = QApplication(sys.argv[:1])
    out = sys.argv[1] if len(sys.argv) > 1 else tempfile.mkdtemp(prefix="theme-")
    for chosen in (theme.LIGHT, theme.DARK):
        theme.apply(app, chosen)
        widget = sample()
        widget.show()
        app.processEvents()
        widget.grab().save(os.path.join(out, f"sample-{chosen.name}.png"))
        widget.close()
    print(os.path.join(out, "sample-light.png"), os.path.join(out, "sample-dark.png"))


if __name__ == "__main__":
    main()
