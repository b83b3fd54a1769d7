"""Steps several GUI tests share."""
from __future__ import annotations


def save_and_reopen(qtbot, window, path: str, timeout: int) -> None:
    """Save the session to `path` through the window, reset it (so that what follows
    comes from the file), and open the file again."""
    window.features.files.path = path
    with qtbot.waitSignal(window.controller.saved, timeout=timeout):
        assert window.features.files.save_run()
    window.actionReset.trigger()
    with qtbot.waitSignal(window.controller.trainerReady, timeout=timeout):
        window.features.files.open_run(path)
