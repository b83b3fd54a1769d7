"""HealthBanners: each health finding as a banner: its sentence, its reason, a Fix button
that asks for the finding's spec change, and a close button. The widget only shows and
asks; the window applies the fix through the session model."""
from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

MAX_BANNERS = 3   # the newest; older findings stay in the status bar's history


class HealthBanner(QFrame):
    fixRequested = Signal(object)   # the Finding
    closed = Signal(object)

    def __init__(self, finding, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.finding = finding
        self.setObjectName(f"healthBanner_{finding.check}")
        self.setProperty("healthBanner", True)
        row = QHBoxLayout(self)
        row.setContentsMargins(8, 4, 4, 4)
        title = finding.check.replace("_", " ")
        self.text = QLabel(f"<b>{title.capitalize()}</b> (epoch {finding.epoch}): "
                           f"{finding.message}<br>{finding.reason}", wordWrap=True)
        self.text.setTextFormat(Qt.TextFormat.RichText)
        row.addWidget(self.text, 1)
        self.fix = QPushButton("Fix", objectName="healthFix")
        self.fix.setToolTip(f"Apply: {finding.fix_label}. Undo (Ctrl+Z) takes it back.")
        self.fix.setEnabled(bool(finding.fix))
        self.fix.clicked.connect(lambda: self.fixRequested.emit(self.finding))
        row.addWidget(self.fix)
        close = QPushButton("\u00d7", objectName="healthClose", flat=True, maximumWidth=28)
        close.setToolTip("Dismiss")
        close.clicked.connect(lambda: self.closed.emit(self))
        row.addWidget(close)


class HealthBanners(QWidget):
    fixRequested = Signal(object)   # the Finding whose Fix was pressed

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("healthBanners")
        self.column = QVBoxLayout(self)
        self.column.setContentsMargins(0, 0, 0, 0)
        self.column.setSpacing(2)
        self.style_sheet = ""
        self.hide()

    @property
    def banners(self) -> list[HealthBanner]:
        return [self.column.itemAt(i).widget() for i in range(self.column.count())]

    def add_finding(self, finding) -> HealthBanner:
        for old in self.banners:  # the same check again: the newer finding replaces it
            if old.finding.check == finding.check:
                self.remove(old)
        banner = HealthBanner(finding, self)
        banner.setStyleSheet(self.style_sheet)
        banner.fixRequested.connect(self._on_banner_fix_requested)
        banner.closed.connect(self.remove)
        self.column.insertWidget(0, banner)
        while len(self.banners) > MAX_BANNERS:
            self.remove(self.banners[-1])
        self.show()
        return banner

    def clear(self) -> None:
        for banner in self.banners:
            self.remove(banner)

    def set_colors(self, background: str, text: str, accent: str) -> None:
        self.style_sheet = (f"QFrame {{ background: {background}; color: {text}; "
                            f"border-left: 4px solid {accent}; border-radius: 4px; }} "
                            "QLabel, QPushButton#healthClose { border: none; }")
        for banner in self.banners:
            banner.setStyleSheet(self.style_sheet)

    def _on_banner_fix_requested(self, finding) -> None:
        self.fixRequested.emit(finding)

    def remove(self, banner: HealthBanner) -> None:
        self.column.removeWidget(banner)
        banner.setParent(None)
        banner.deleteLater()
        self.setVisible(bool(self.banners))
