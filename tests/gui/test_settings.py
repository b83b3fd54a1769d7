"""gui.settings.read: typed values back from QSettings, whatever the backend stored."""
from __future__ import annotations

from PySide6.QtCore import QSettings

from playground.gui import settings


def test_a_bool_read_back_from_an_ini_file_keeps_its_value(tmp_path, qapp):
    store = QSettings(str(tmp_path / "a.ini"), QSettings.Format.IniFormat)
    flag = settings.Setting("test/flag", bool, True)
    settings.write(flag, False, store)
    store.sync()
    again = QSettings(str(tmp_path / "a.ini"), QSettings.Format.IniFormat)  # text now
    assert settings.read(flag, again) is False
    settings.write(flag, True, again)
    assert settings.read(flag, again) is True
    again.setValue("test/flag", "false")  # as text: an edited file, another version
    assert settings.read(flag, again) is False
    again.setValue("test/flag", "nonsense")
    assert settings.read(flag, again) is True  # the default, not bool("nonsense")
