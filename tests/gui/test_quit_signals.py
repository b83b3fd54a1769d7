"""SIGINT or SIGTERM while the window saves: the quit waits until the file is whole."""
import os
import signal
import threading

import pytest

from playground.core.sessionfile import open_session, writing
from playground.gui.quit_signals import quit_on_signals

from ..core.helpers import tiny_spec


@pytest.mark.parametrize("signal_number", [signal.SIGINT, signal.SIGTERM])
def test_a_signal_during_a_save_quits_only_once_the_file_is_whole(qtbot, controller,
                                                                  tmp_path, monkeypatch,
                                                                  signal_number):
    with qtbot.waitSignal(controller.finished, timeout=30_000):
        controller.start(tiny_spec(epochs=2))
    prepare, quitting = writing._prepare_members, threading.Event()

    def prepare_signalled(*args, **kwargs):  # in the training thread, the save begun
        os.kill(os.getpid(), signal_number)
        assert quitting.wait(30)  # the quit has begun before the file is written
        return prepare(*args, **kwargs)

    monkeypatch.setattr(writing, "_prepare_members", prepare_signalled)
    path = tmp_path / "run.pgsession"
    quit_done = []

    def quit():  # what the app's quit runs (aboutToQuit: controller.shutdown)
        quitting.set()
        quit_done.append(controller.shutdown())
        quit_done.append(path.exists())

    undo = quit_on_signals(controller, quit)
    try:
        assert controller.save(str(path))
        qtbot.waitUntil(lambda: len(quit_done) == 2, timeout=30_000)
    finally:
        undo()
    assert quit_done == [True, True]  # shut down, and by then the file was in place
    assert open_session(path).state is not None
