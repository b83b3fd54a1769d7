"""Light and dark themes: a Fusion palette, and matching colours for the plots.

Fusion draws the borders of check boxes, radio buttons, text fields, spin boxes, combo
boxes, buttons and group boxes in one colour derived from the window colour (140%
darker). On a dark window that is near black on near black: the controls lose their
edges. The dark theme therefore names an `outline` colour, and a proxy of Fusion hands
those controls a palette whose window colour yields it, with no style sheet (a style
sheet would replace Fusion's drawing of every sub-control it touches).
"""
from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QGuiApplication, QPalette
from PySide6.QtWidgets import QApplication, QProxyStyle, QStyle


@dataclass(frozen=True)
class Theme:
    name: str
    window: str
    base: str
    text: str
    muted: str
    accent: str
    plot_background: str
    series: tuple[str, ...]   # train, validation, and per-layer colours
    class_colors: tuple[str, ...]
    outline: str = ""         # controls' borders; "" = Fusion's own (fine on light)
    disabled_outline: str = ""


LIGHT = Theme("light", "#f4f5f7", "#ffffff", "#1d1f23", "#6b7280", "#2563eb", "#ffffff",
              ("#2563eb", "#f97316", "#16a34a", "#9333ea", "#dc2626", "#0891b2", "#ca8a04"),
              ("#f97316", "#2563eb", "#16a34a", "#9333ea", "#dc2626", "#0891b2", "#ca8a04",
               "#db2777"))
DARK = Theme("dark", "#1e2127", "#16181d", "#e5e7eb", "#9ca3af", "#60a5fa", "#16181d",
             ("#60a5fa", "#fb923c", "#4ade80", "#c084fc", "#f87171", "#22d3ee", "#facc15"),
             ("#fb923c", "#60a5fa", "#4ade80", "#c084fc", "#f87171", "#22d3ee", "#facc15",
              "#f472b6"), outline="#6b7280", disabled_outline="#3f444e")


def system_theme() -> Theme:
    hints = QGuiApplication.styleHints()
    return DARK if hints.colorScheme() == Qt.ColorScheme.Dark else LIGHT


def resolve(preference: str) -> Theme:
    return {"light": LIGHT, "dark": DARK}.get(preference) or system_theme()


def apply(app: QApplication, theme: Theme) -> None:
    app.setStyle(FramedFusionStyle(theme.outline, theme.disabled_outline)
                 if theme.outline else "Fusion")
    palette = QPalette()
    roles = {
        QPalette.ColorRole.Window: theme.window, QPalette.ColorRole.Base: theme.base,
        QPalette.ColorRole.AlternateBase: theme.window, QPalette.ColorRole.Button: theme.window,
        QPalette.ColorRole.WindowText: theme.text, QPalette.ColorRole.Text: theme.text,
        QPalette.ColorRole.ButtonText: theme.text, QPalette.ColorRole.ToolTipBase: theme.base,
        QPalette.ColorRole.ToolTipText: theme.text, QPalette.ColorRole.Highlight: theme.accent,
        QPalette.ColorRole.HighlightedText: "#ffffff", QPalette.ColorRole.PlaceholderText: theme.muted,
    }
    for role, color in roles.items():
        palette.setColor(role, QColor(color))
    palette.setColor(QPalette.ColorGroup.Disabled, QPalette.ColorRole.Text, QColor(theme.muted))
    palette.setColor(QPalette.ColorGroup.Disabled, QPalette.ColorRole.ButtonText,
                     QColor(theme.muted))
    palette.setColor(QPalette.ColorGroup.Disabled, QPalette.ColorRole.WindowText,
                     QColor(theme.muted))
    app.setPalette(palette)


class FramedFusionStyle(QProxyStyle):
    """Fusion, with the borders of input controls drawn in a chosen colour."""

    PRIMITIVES = frozenset({
        QStyle.PrimitiveElement.PE_IndicatorCheckBox,
        QStyle.PrimitiveElement.PE_IndicatorRadioButton,
        QStyle.PrimitiveElement.PE_IndicatorItemViewItemCheck,
        QStyle.PrimitiveElement.PE_FrameLineEdit,
        QStyle.PrimitiveElement.PE_PanelButtonCommand,
        QStyle.PrimitiveElement.PE_FrameGroupBox,
    })
    COMPLEX = frozenset({
        QStyle.ComplexControl.CC_SpinBox,
        QStyle.ComplexControl.CC_ComboBox,
        QStyle.ComplexControl.CC_GroupBox,
    })

    def __init__(self, outline: str, disabled_outline: str = "") -> None:
        super().__init__("Fusion")
        # Fusion's outline is window.darker(140): give it a window 140% lighter.
        self._window = QColor(outline).lighter(140)
        self._disabled_window = QColor(disabled_outline or outline).lighter(140)
        # One framed palette per palette seen, so its cacheKey stays the same and
        # Fusion's pixmap cache keeps hitting.
        self._framed: dict[int, QPalette] = {}

    def _framed_option(self, option):
        key = option.palette.cacheKey()
        palette = self._framed.get(key)
        if palette is None:
            if len(self._framed) > 64:
                self._framed.clear()
            palette = QPalette(option.palette)
            for group in (QPalette.ColorGroup.Active, QPalette.ColorGroup.Inactive):
                palette.setColor(group, QPalette.ColorRole.Window, self._window)
            palette.setColor(QPalette.ColorGroup.Disabled, QPalette.ColorRole.Window,
                             self._disabled_window)
            self._framed[key] = palette
        framed = type(option)(option)
        framed.palette = palette
        return framed

    def drawPrimitive(self, element, option, painter, widget=None) -> None:
        if element in self.PRIMITIVES:
            option = self._framed_option(option)
        super().drawPrimitive(element, option, painter, widget)

    def drawComplexControl(self, control, option, painter, widget=None) -> None:
        if control in self.COMPLEX:
            option = self._framed_option(option)
        super().drawComplexControl(control, option, painter, widget)
