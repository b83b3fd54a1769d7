"""HealthBanners: the run's health findings as one banner. It shows the top finding
(the root cause: the lowest Finding.priority, the newest among equals) with its
sentence, its reason, a Fix button that asks for the finding's spec change and a close
button; an "N more" button expands the other findings below it, each with its own Fix,
in an area of bounded height, so the views under the banner keep their room. The widget
only shows and asks; the window applies the fix through the session model."""
from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (QFrame, QHBoxLayout, QLabel, QPushButton, QScrollArea,
                               QToolButton, QVBoxLayout, QWidget)

MORE_HEIGHT = 90    # px: the expanded findings scroll beyond this (about two of them)
TITLES = {"lr_too_high": "Learning rate too high"}


class HealthBanner(QFrame):
    fixRequested = Signal(object)   # the Finding
    closed = Signal(object)

    def __init__(self, finding, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.finding = finding
        self.setObjectName(f"healthBanner_{finding.check}")
        self.setProperty("healthBanner", True)
        self.row = QHBoxLayout(self)
        self.row.setContentsMargins(8, 4, 4, 4)
        self.text = QLabel(wordWrap=True)
        self.text.setTextFormat(Qt.TextFormat.RichText)
        self.row.addWidget(self.text, 1)
        self.set_compact(False)
        self.fix = QPushButton("Fix", objectName="healthFix")
        self.fix.setToolTip(f"Apply: {finding.fix_label}. Undo (Ctrl+Z) takes it back.")
        self.fix.setEnabled(bool(finding.fix))
        self.fix.clicked.connect(lambda: self.fixRequested.emit(self.finding))
        self.row.addWidget(self.fix, 0, Qt.AlignmentFlag.AlignTop)
        close = QPushButton("\u00d7", objectName="healthClose", flat=True, maximumWidth=28)
        close.setToolTip("Dismiss")
        close.clicked.connect(lambda: self.closed.emit(self))
        self.row.addWidget(close, 0, Qt.AlignmentFlag.AlignTop)


    def set_compact(self, compact: bool) -> None:
        """Compact (under "N more"): the sentence, with the reason in the tooltip; else
        the reason on a line of its own."""
        finding = self.finding
        title = TITLES.get(finding.check, finding.check.replace("_", " ").capitalize())
        head = f"<b>{title}</b> (epoch {finding.epoch}): {finding.message}"
        self.text.setText(head if compact else f"{head}<br>{finding.reason}")
        self.text.setToolTip(finding.reason if compact else "")


class HealthBanners(QWidget):
    fixRequested = Signal(object)   # the Finding whose Fix was pressed

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("healthBanners")
        column = QVBoxLayout(self)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(2)
        self.top = QHBoxLayout()           # the top finding's banner, and "N more"
        self.top.setSpacing(2)
        column.addLayout(self.top)
        self.more = QToolButton(objectName="healthMore", checkable=True)
        self.more.setToolTip("Show the run's other findings")
        self.more.toggled.connect(self._on_more_toggled)
        self.top.addWidget(self.more, 0, Qt.AlignmentFlag.AlignTop)
        self.others = QWidget()
        self.others_column = QVBoxLayout(self.others)
        self.others_column.setContentsMargins(0, 0, 0, 0)
        self.others_column.setSpacing(2)
        self.scroll = QScrollArea(objectName="healthMoreArea", widgetResizable=True,
                                  frameShape=QFrame.Shape.NoFrame)
        self.scroll.setWidget(self.others)
        self.scroll.setMaximumHeight(MORE_HEIGHT)
        self.scroll.hide()
        column.addWidget(self.scroll)
        self._banners: dict[str, HealthBanner] = {}   # one per check, in arrival order
        self.style_sheet = ""
        self.hide()

    @property
    def banners(self) -> list[HealthBanner]:
        """Every finding's banner, the top one first, then the others by priority."""
        return sorted(self._banners.values(), key=_order)

    @property
    def banner(self) -> HealthBanner | None:
        """The top finding's banner: the one shown without expanding."""
        banners = self.banners
        return banners[0] if banners else None

    def add_finding(self, finding) -> HealthBanner:
        old = self._banners.pop(finding.check, None)  # the same check again: replaced
        if old is not None:
            self._discard(old)
        banner = HealthBanner(finding, self)
        banner.setStyleSheet(self.style_sheet)
        banner.fixRequested.connect(self._on_banner_fix_requested)
        banner.closed.connect(self.remove)
        self._banners[finding.check] = banner
        self._arrange()
        return banner

    def clear(self) -> None:
        for banner in list(self._banners.values()):
            self.remove(banner)

    def remove(self, banner: HealthBanner) -> None:
        if self._banners.get(banner.finding.check) is banner:
            del self._banners[banner.finding.check]
        self._discard(banner)
        self._arrange()

    def set_colors(self, background: str, text: str, accent: str) -> None:
        self.style_sheet = (f"QFrame {{ background: {background}; color: {text}; "
                            f"border-left: 4px solid {accent}; border-radius: 4px; }} "
                            "QLabel, QPushButton#healthClose { border: none; }")
        for banner in self._banners.values():
            banner.setStyleSheet(self.style_sheet)

    def _arrange(self) -> None:
        """The top banner in the first row, the others in the expanding area."""
        banners = self.banners
        for index, banner in enumerate(banners):
            if index == 0:
                self.top.insertWidget(0, banner, 1)
            else:
                self.others_column.insertWidget(index - 1, banner)
            banner.set_compact(index > 0)
            banner.show()
        rest = len(banners) - 1
        self.scroll.setFixedHeight(min(MORE_HEIGHT, self.others.sizeHint().height()))
        self.more.setVisible(rest > 0)
        self.more.setText(f"{rest} more" if rest > 0 else "")
        if rest <= 0 and self.more.isChecked():
            self.more.setChecked(False)
        self.scroll.setVisible(rest > 0 and self.more.isChecked())
        self.setVisible(bool(banners))

    def _discard(self, banner: HealthBanner) -> None:
        banner.hide()
        banner.setParent(None)
        banner.deleteLater()

    def _on_more_toggled(self, expanded: bool) -> None:
        self.more.setToolTip("Hide the other findings" if expanded else
                             "Show the run's other findings")
        self.scroll.setVisible(expanded and len(self._banners) > 1)

    def _on_banner_fix_requested(self, finding) -> None:
        self.fixRequested.emit(finding)


def _order(banner: HealthBanner) -> tuple[int, int]:
    """Root causes first; among equals, the newest first."""
    return banner.finding.priority, -banner.finding.epoch
