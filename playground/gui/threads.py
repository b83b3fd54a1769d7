"""The one way the controllers put a worker on a thread of its own."""
from __future__ import annotations

from typing import Callable

from PySide6.QtCore import QObject, QThread, SignalInstance


def worker_thread(owner: QObject, worker: QObject, done: SignalInstance,
                  on_finished: Callable[[], None]) -> QThread:
    """A QThread owned by `owner` that runs `worker.run()` when started and quits when
    `done` fires; `on_finished` then runs in the owner's thread. Not started: call
    start() once everything is connected. Connect `done`'s other slots before calling
    this, so they hear of it before the thread ends. The worker has no parent, so Python
    owns it: dropping the last reference after the thread ends deletes it (a
    deleteLater() as well would delete it twice)."""
    thread = QThread(owner)
    worker.moveToThread(thread)
    thread.started.connect(worker.run)
    done.connect(thread.quit)
    thread.finished.connect(on_finished)
    return thread
