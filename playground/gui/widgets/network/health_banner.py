"""HealthBanners: the run's health findings as one banner. It shows the top finding
(the root cause: the lowest Finding.priority, the newest among equals) with its
sentence, its reason, a Fix button that asks for the finding's spec change and a close
button; an "N more" button opens the other findings, each with its own Fix, in a popup
under the banner, so the views below keep their room whether it is open or not. The
widget only shows and asks; the window applies the fix through the session model."""
from __future__ import annotations

from PySide6.QtCore import QPoint, Qt, Signal
from PySide6.QtWidgets import (QFrame, QHBoxLayout, QLabel, QPushButton, QScrollArea,
                               QToolButton, QVBoxLayout, QWidget)

MORE_HEIGHT = 320   # px: the other findings scroll beyond this
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
        title = TITLES.get(finding.check, finding.check.replace("_", " ").capitalize())
        self.text = QLabel(f"<b>{title}</b> (epoch {finding.epoch}): {finding.message}"
                           f"<br>{finding.reason}", wordWrap=True)
        self.text.setTextFormat(Qt.TextFormat.RichText)
        self.row.addWidget(self.text, 1)
        self.fix = QPushButton("Fix", objectName="healthFix")
        self.fix.setToolTip(f"Apply: {finding.fix_label}. Undo (Ctrl+Z) takes it back.")
        self.fix.setEnabled(bool(finding.fix))
        self.fix.clicked.connect(lambda: self.fixRequested.emit(self.finding))
        self.row.addWidget(self.fix, 0, Qt.AlignmentFlag.AlignTop)
        close = QPushButton("\u00d7", objectName="healthClose", flat=True, maximumWidth=28)
        close.setToolTip("Dismiss")
        close.clicked.connect(lambda: self.closed.emit(self))
        self.row.addWidget(close, 0, Qt.AlignmentFlag.AlignTop)


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
        self.popup = _Popup(self, self.more)
        self.popup.hidden.connect(lambda: self.more.setChecked(False))
        self.others = QWidget()
        self.others_column = QVBoxLayout(self.others)
        self.others_column.setContentsMargins(0, 0, 0, 0)
        self.others_column.setSpacing(2)
        self.scroll = QScrollArea(widgetResizable=True, frameShape=QFrame.Shape.NoFrame)
        self.scroll.setWidget(self.others)
        QVBoxLayout(self.popup).addWidget(self.scroll)
        self.popup.layout().setContentsMargins(2, 2, 2, 2)
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
        """The top banner in the first row, the others in the popup."""
        banners = self.banners
        for index, banner in enumerate(banners):
            if index == 0:
                self.top.insertWidget(0, banner, 1)
            else:
                self.others_column.insertWidget(index - 1, banner)
            banner.show()
        rest = len(banners) - 1
        self.more.setVisible(rest > 0)
        self.more.setText(f"{rest} more" if rest > 0 else "")
        if rest <= 0:
            self.more.setChecked(False)
        elif self.popup.isVisible():
            self._place_popup()
        self.setVisible(bool(banners))

    def _discard(self, banner: HealthBanner) -> None:
        banner.hide()
        banner.setParent(None)
        banner.deleteLater()

    def _on_more_toggled(self, expanded: bool) -> None:
        if expanded and len(self._banners) > 1:
            self._place_popup()
            self.popup.show()
        else:
            self.popup.hide()

    def _place_popup(self) -> None:
        """Under the banner, as wide as it, as tall as the findings (scrolling beyond
        MORE_HEIGHT)."""
        width, layout = self.width(), self.others_column
        needed = (layout.totalHeightForWidth(width - 4) if layout.hasHeightForWidth()
                  else layout.totalSizeHint().height())
        self.popup.setGeometry(*self._below(), width, min(MORE_HEIGHT, needed) + 4)

    def _below(self) -> tuple[int, int]:
        corner = self.mapToGlobal(QPoint(0, self.height()))
        return corner.x(), corner.y()

    def _on_banner_fix_requested(self, finding) -> None:
        self.fixRequested.emit(finding)


class _Popup(QFrame):
    """The other findings' window: it closes at a click elsewhere, as a menu does."""

    hidden = Signal()

    def __init__(self, parent: QWidget, button: QToolButton) -> None:
        super().__init__(parent, Qt.WindowType.Popup)
        self.setObjectName("healthMoreArea")
        self.button = button

    def mousePressEvent(self, event) -> None:
        # A click on "N more" itself only closes it: replayed to the button, the click
        # would open it again.
        where = self.button.mapFromGlobal(event.globalPosition().toPoint())
        self.setAttribute(Qt.WidgetAttribute.WA_NoMouseReplay,
                          self.button.rect().contains(where))
        super().mousePressEvent(event)

    def hideEvent(self, event) -> None:
        super().hideEvent(event)
        self.hidden.emit()


def _order(banner: HealthBanner) -> tuple[int, int]:
    """Root causes first; among equals, the newest first."""
    return banner.finding.priority, -banner.finding.epoch
