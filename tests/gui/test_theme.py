"""Controls keep visible edges in the dark theme (measured on rendered pixels)."""
import dataclasses

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (QApplication, QCheckBox, QComboBox, QDoubleSpinBox, QLineEdit,
                               QRadioButton, QSpinBox)

from playground.gui import theme


def _luminance(color: QColor) -> float:
    def channel(c: float) -> float:
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    return (0.2126 * channel(color.redF()) + 0.7152 * channel(color.greenF())
            + 0.0722 * channel(color.blueF()))


def _contrast(a: QColor, b: QColor) -> float:
    """WCAG contrast ratio: 1 (same) to 21 (black on white)."""
    high, low = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def _edge_contrast(widget, background: str) -> float:
    """The strongest contrast against `background` in the first pixels of the middle
    row: a field's left border, an indicator's outline (text starts further right)."""
    image = widget.grab().toImage()
    y = image.height() // 2
    return max(_contrast(image.pixelColor(x, y), QColor(background)) for x in range(4))


@pytest.fixture
def themed(qtbot):
    app = QApplication.instance()
    style, palette = app.style().name(), app.palette()

    def apply(chosen):
        theme.apply(app, chosen)

    yield apply
    app.setStyle(style)
    app.setPalette(palette)


def _controls(qtbot):
    made = [QCheckBox(), QRadioButton(), QLineEdit(), QSpinBox(), QDoubleSpinBox(),
            QComboBox()]
    for widget in made:
        qtbot.addWidget(widget)
        widget.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # a focused field is highlighted
        widget.resize(120, 28)
        widget.show()
    return made


# Measured: light (Fusion's own) 1.65-2.1, dark with its outline 2.7-3.9, dark without
# it 1.08-1.11 for all but the combo box.
@pytest.mark.parametrize("chosen, floor", [(theme.LIGHT, 1.5), (theme.DARK, 2.0)],
                         ids=["light", "dark"])
def test_every_input_control_has_a_visible_edge(qtbot, themed, chosen, floor):
    themed(chosen)
    for widget in _controls(qtbot):
        contrast = _edge_contrast(widget, chosen.window)
        assert contrast >= floor, f"{type(widget).__name__}: edge contrast {contrast:.2f}"


def test_plain_fusion_on_the_dark_palette_loses_the_edges(qtbot, themed):
    # The measurement can tell: without the outline, Fusion's borders all but vanish.
    themed(dataclasses.replace(theme.DARK, outline=""))
    weak = [type(w).__name__ for w in _controls(qtbot)
            if _edge_contrast(w, theme.DARK.window) < 1.2]
    assert {"QCheckBox", "QRadioButton", "QLineEdit", "QSpinBox"} <= set(weak)
