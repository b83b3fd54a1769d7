"""The welcome view, through its real buttons: an example loads that spec into the
session model, a recent session opens, it shows on the first start only (unless asked),
and Help > Welcome brings it back."""
import shutil
from pathlib import Path

from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QCommandLinkButton

from playground.core.examples import EXAMPLES
from playground.gui import settings
from playground.gui.files_feature import new_spec
from playground.gui.widgets.welcome import example_title, summarize

SESSION = Path(__file__).parents[1] / "data" / "session-v1.pgsession"


def _welcome(qtbot, window):
    window.findChild(type(window.features.welcome.actionWelcome), "actionWelcome").trigger()
    feature = window.features.welcome
    qtbot.waitUntil(lambda: feature.welcome is not None and feature.welcome.isVisible())
    return feature.welcome


def _click(qtbot, dialog, name):
    button = dialog.findChild(QCommandLinkButton, name)
    assert button is not None, name
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


def test_every_example_has_a_button_that_describes_it(qtbot, window):
    dialog = _welcome(qtbot, window)
    for name, make in EXAMPLES.items():
        button = dialog.findChild(QCommandLinkButton, f"welcomeExample_{name}")
        assert button.description() == summarize(make())
    assert summarize(EXAMPLES["spiral"]()).startswith("16 tanh \u203a 16 tanh \u203a out\nadam, ")
    assert summarize(EXAMPLES["digits_cnn"]()).startswith("conv 8 \u203a pool \u203a conv 16")
    assert example_title("digits_mlp") == "Digits MLP"
    help_menu = next(a.menu() for a in window.menuBar().actions() if a.text() == "&Help")
    assert window.features.welcome.actionWelcome in help_menu.actions()


def test_clicking_an_example_loads_its_spec_into_the_session(qtbot, window):
    assert window.spec.data.name == "spiral"
    dialog = _welcome(qtbot, window)
    _click(qtbot, dialog, "welcomeExample_breast_cancer")
    expected = new_spec("breast_cancer")
    assert window.session.spec == expected
    # the panels show it too: what Train would train now
    assert window.data_panel.dataset.currentData() == "breast_cancer"
    assert window.layers.model == expected.model
    qtbot.waitUntil(lambda: window.features.welcome.welcome is None)  # closed once chosen


def test_clicking_a_recent_session_opens_it(qtbot, window, tmp_path):
    path = str(tmp_path / "mine.pgsession")
    shutil.copy(SESSION, path)
    missing = str(tmp_path / "gone.pgsession")
    settings.write(settings.RECENT_FILES, f"{path}\n{missing}")
    dialog = _welcome(qtbot, window)
    buttons = [dialog.findChild(QCommandLinkButton, f"welcomeRecent{i}") for i in (0, 1)]
    assert buttons[0].text() == "mine.pgsession" and buttons[0].isEnabled()
    assert not buttons[1].isEnabled() and buttons[1].description().startswith("not found")
    with qtbot.waitSignal(window.controller.opened, timeout=30_000):
        _click(qtbot, dialog, "welcomeRecent0")
    qtbot.waitUntil(lambda: window.features.files.path == path, timeout=10_000)
    assert window.controller.trainer.epoch == 2


def test_shown_on_the_first_start_only_unless_asked_for_every_start(qtbot, window):
    feature = window.features.welcome
    assert feature.welcome is None  # a window made by code shows nothing by itself
    assert feature.offer_welcome()
    qtbot.waitUntil(lambda: feature.welcome is not None and feature.welcome.isVisible())
    feature.welcome.close()
    qtbot.waitUntil(lambda: feature.welcome is None)
    assert not feature.offer_welcome()  # a returning user gets the window as they left it
    dialog = _welcome(qtbot, window)
    box = feature.welcome_view.show_at_start
    assert not box.isChecked()
    qtbot.mouseClick(box, Qt.MouseButton.LeftButton, pos=QPoint(6, box.height() // 2))
    assert settings.read(settings.WELCOME_AT_START) == "always"
    dialog.close()
    qtbot.waitUntil(lambda: window.features.welcome.welcome is None)
    assert window.features.welcome.offer_welcome() and window.features.welcome.offer_welcome()


def test_open_another_session_asks_for_a_file_and_opens_it(qtbot, window, tmp_path,
                                                          monkeypatch):
    from PySide6.QtWidgets import QFileDialog, QPushButton

    path = str(tmp_path / "chosen.pgsession")
    shutil.copy(SESSION, path)
    monkeypatch.setattr(QFileDialog, "getOpenFileName",
                        staticmethod(lambda *args, **kwargs: (path, "")))
    dialog = _welcome(qtbot, window)
    with qtbot.waitSignal(window.controller.opened, timeout=30_000):
        qtbot.mouseClick(dialog.findChild(QPushButton, "welcomeOpen"),
                         Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: window.features.files.path == path, timeout=10_000)
