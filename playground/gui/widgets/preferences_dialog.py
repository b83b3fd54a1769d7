"""Edit > Preferences: training threads, theme and autosave, kept in QSettings.

Every value is read from and written to the keys declared in `settings`; nothing is
written unless the dialog is accepted. After writing, `preferencesApplied` carries the
new values (a `Preferences`) so the window can apply them: the theme at once, the
autosave interval to the controller, the threads from the next start of training.
"""
from __future__ import annotations

import os
from dataclasses import dataclass

from PySide6.QtCore import QSettings, Signal
from PySide6.QtWidgets import (QComboBox, QDialog, QDialogButtonBox, QFormLayout, QLabel,
                               QSpinBox, QVBoxLayout, QWidget)

from .. import settings

THREADS_TIP = (
    "How many CPU threads PyTorch uses to train. Automatic uses all cores but one, "
    "leaving the interface a core to draw the plots and answer clicks.\n\n"
    "More threads are not always faster: on a 2-core desktop, training on both cores "
    "while the window draws made each epoch about 6x slower (the threads keep waiting "
    "for each other), while one thread lost almost nothing. Small networks gain nothing "
    "from a second thread even on an idle machine; large ones gain up to about 1.5x.\n\n"
    "Takes effect the next time training starts.")
THEME_NAMES = {"system": "Follow the system", "light": "Light", "dark": "Dark"}


def autosave_label(every: int) -> str:
    """The words for an autosave interval, as in Run > Autosave."""
    return "On pause and stop only" if every == 0 else f"Every {every:,} epochs too"


@dataclass(frozen=True)
class Preferences:
    threads: int = 0             # 0 = automatic
    theme: str = "system"        # one of settings.THEMES
    autosave_every: int = 50     # epochs; 0 = on pause and stop only

    @classmethod
    def read(cls, store: QSettings | None = None) -> "Preferences":
        theme = settings.read(settings.THEME, store)
        return cls(threads=max(0, settings.read(settings.THREADS, store)),
                   theme=theme if theme in settings.THEMES else settings.THEME.default,
                   autosave_every=max(0, settings.read(settings.AUTOSAVE_EVERY, store)))

    def write(self, store: QSettings | None = None) -> None:
        settings.write(settings.THREADS, self.threads, store)
        settings.write(settings.THEME, self.theme, store)
        settings.write(settings.AUTOSAVE_EVERY, self.autosave_every, store)


class PreferencesDialog(QDialog):
    preferencesApplied = Signal(object)  # Preferences, after they were written

    def __init__(self, parent: QWidget | None = None, store: QSettings | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("preferencesDialog")
        self.setWindowTitle("Preferences")
        self._store = store
        current = Preferences.read(store)

        self.threads = QSpinBox(objectName="threadsBox")
        cores = os.cpu_count() or 1
        self.threads.setRange(0, max(cores, current.threads))
        self.threads.setSpecialValueText("Automatic")
        self.threads.setValue(current.threads)
        self.threads.setToolTip(THREADS_TIP)
        threads_label = QLabel("Training &threads")
        threads_label.setBuddy(self.threads)
        threads_label.setToolTip(THREADS_TIP)

        self.theme = QComboBox(objectName="themeBox")
        for name in settings.THEMES:
            self.theme.addItem(THEME_NAMES[name], name)
        self.theme.setCurrentIndex(self.theme.findData(current.theme))

        self.autosave = QComboBox(objectName="autosaveBox")
        choices = list(settings.AUTOSAVE_CHOICES)
        if current.autosave_every not in choices:  # set elsewhere: keep it on offer
            choices = sorted(choices + [current.autosave_every])
        for every in choices:
            self.autosave.addItem(autosave_label(every), every)
        self.autosave.setCurrentIndex(self.autosave.findData(current.autosave_every))
        self.autosave.setToolTip("Checkpoints of the run go to your data folder on every "
                                 "pause and stop, and every so many epochs; after a "
                                 "crash the next start offers the newest.")

        form = QFormLayout()
        form.addRow(threads_label, self.threads)
        form.addRow("&Theme", self.theme)
        form.addRow("&Autosave", self.autosave)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.buttons)

    def values(self) -> Preferences:
        """What the controls show now (not yet written)."""
        return Preferences(threads=self.threads.value(), theme=self.theme.currentData(),
                           autosave_every=self.autosave.currentData())

    def accept(self) -> None:
        self.threads.interpretText()  # a number typed but not yet committed counts
        chosen = self.values()
        chosen.write(self._store)
        super().accept()
        self.preferencesApplied.emit(chosen)
