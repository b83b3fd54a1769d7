"""Steps several GUI tests share."""
from __future__ import annotations


def save_and_reopen(qtbot, window, path: str, timeout: int) -> None:
    """Save the session to `path` through the window, reset it (so that what follows
    comes from the file), and open the file again."""
    window.path = path
    with qtbot.waitSignal(window.controller.saved, timeout=timeout):
        assert window.save_run()
    window.actionReset.trigger()
    with qtbot.waitSignal(window.controller.trainerReady, timeout=timeout):
        window.open_run(path)
