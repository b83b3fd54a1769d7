"""What the process sets before its QApplication exists."""
from __future__ import annotations

import os


def prepare_qt_environment() -> None:
    """Qt's raster engine hands every fill of 96 or more rows to a thread pool and waits
    for it. Next to a training thread that holds one of the cores, those hand-offs cost
    more than the fills: measured on 2 cores while a tiny net trained, the pool's two
    threads woke about 4,200 times a second and preempted the GUI thread about 3,700
    times a second, for 0.02 cores of work. QT_NO_GUI_THREADPOOL (read once, when the
    pool is first wanted) keeps the fills on the GUI thread. A user's own setting wins."""
    os.environ.setdefault("QT_NO_GUI_THREADPOOL", "1")
