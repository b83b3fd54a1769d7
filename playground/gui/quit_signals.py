"""SIGINT (Ctrl-C in the terminal that started the window) and SIGTERM (a polite kill)
end the window the way quitting does: the training thread is stopped and waited for, so
a save that has begun finishes. Without this, SIGTERM killed the process mid-save and
SIGINT raised KeyboardInterrupt in whichever Qt slot ran next.

Python runs a signal handler only when the main thread runs Python code, and Qt's event
loop is C++: the handler is woken through a socket that Qt watches."""
from __future__ import annotations

import signal
import socket
from typing import Callable

from PySide6.QtCore import QObject, QSocketNotifier, QTimer

SIGNALS = (signal.SIGINT, signal.SIGTERM)


def quit_on_signals(parent: QObject, quit: Callable[[], None]) -> Callable[[], None]:
    """Call `quit` from the event loop on SIGINT or SIGTERM; returns what undoes it
    (keep it while the loop runs: it holds the wake-up socket)."""
    reader, writer = socket.socketpair()
    for end in (reader, writer):
        end.setblocking(False)
    previous_fd = signal.set_wakeup_fd(writer.fileno())
    notifier = QSocketNotifier(reader.fileno(), QSocketNotifier.Type.Read, parent)

    def drain() -> None:
        try:
            reader.recv(256)
        except OSError:  # nothing left to read
            pass

    notifier.activated.connect(drain)
    previous = {number: signal.signal(number, lambda *_: QTimer.singleShot(0, quit))
                for number in SIGNALS}

    def undo() -> None:
        for number, handler in previous.items():
            signal.signal(number, handler if handler is not None else signal.SIG_DFL)
        signal.set_wakeup_fd(previous_fd)
        notifier.setEnabled(False)
        notifier.deleteLater()
        reader.close()
        writer.close()

    return undo
