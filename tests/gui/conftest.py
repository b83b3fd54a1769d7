import gc

import pytest
from PySide6.QtCore import QCoreApplication, QSettings
from PySide6.QtWidgets import QMessageBox

from playground.gui.controller import TrainingController


@pytest.fixture(autouse=True)
def isolated_settings(tmp_path, monkeypatch):
    """QSettings in a temporary folder; modal dialogs answered without blocking."""
    QSettings.setDefaultFormat(QSettings.Format.IniFormat)
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, str(tmp_path))
    QCoreApplication.setOrganizationName("Gradient Playground Tests")
    QCoreApplication.setApplicationName("Gradient Playground Tests")
    monkeypatch.setenv("GRADIENT_PLAYGROUND_AUTOSAVE", str(tmp_path / "autosave"))
    warnings = []
    monkeypatch.setattr(QMessageBox, "warning",
                        staticmethod(lambda parent, title, text, *a: warnings.append((title, text))))
    def answer(parent, title, text, buttons=QMessageBox.StandardButton.No, *rest):
        discard = QMessageBox.StandardButton.Discard
        return discard if buttons & discard else QMessageBox.StandardButton.No

    monkeypatch.setattr(QMessageBox, "question", staticmethod(answer))
    yield warnings


@pytest.fixture
def controller(qtbot):
    made = TrainingController()
    yield made
    assert made.shutdown(), "the training thread did not stop"


@pytest.fixture
def window(qtbot):
    from playground.gui.main_window import MainWindow

    made = MainWindow(theme_name="light")
    qtbot.addWidget(made)
    made.show()
    yield made
    made.close()
    assert made.controller.shutdown()
    assert made.controller.state == "idle"
    gc.collect()  # the closed window's cycles go here, in the GUI thread
