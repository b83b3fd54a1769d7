"""Light and dark themes: a Fusion palette, and matching colours for the plots."""
from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QGuiApplication, QPalette
from PySide6.QtWidgets import QApplication


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


LIGHT = Theme("light", "#f4f5f7", "#ffffff", "#1d1f23", "#6b7280", "#2563eb", "#ffffff",
              ("#2563eb", "#f97316", "#16a34a", "#9333ea", "#dc2626", "#0891b2", "#ca8a04"),
              ("#f97316", "#2563eb", "#16a34a", "#9333ea", "#dc2626", "#0891b2", "#ca8a04",
               "#db2777"))
DARK = Theme("dark", "#1e2127", "#16181d", "#e5e7eb", "#9ca3af", "#60a5fa", "#16181d",
             ("#60a5fa", "#fb923c", "#4ade80", "#c084fc", "#f87171", "#22d3ee", "#facc15"),
             ("#fb923c", "#60a5fa", "#4ade80", "#c084fc", "#f87171", "#22d3ee", "#facc15",
              "#f472b6"))


def system_theme() -> Theme:
    hints = QGuiApplication.styleHints()
    return DARK if hints.colorScheme() == Qt.ColorScheme.Dark else LIGHT


def resolve(preference: str) -> Theme:
    return {"light": LIGHT, "dark": DARK}.get(preference) or system_theme()


def apply(app: QApplication, theme: Theme) -> None:
    app.setStyle("Fusion")
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
