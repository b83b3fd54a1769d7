"""The process's Qt set-up: fills stay on the GUI thread (no raster thread pool)."""
from __future__ import annotations

import os
import subprocess
import sys
import textwrap

import pytest

PAINT_AND_COUNT = textwrap.dedent("""
    import os, sys
    os.environ["QT_QPA_PLATFORM"] = "offscreen"
    if sys.argv[1] == "prepared":
        from playground.gui.qt_setup import prepare_qt_environment
        prepare_qt_environment()
    from PySide6.QtGui import QColor, QImage, QPainter
    from PySide6.QtWidgets import QApplication
    app = QApplication([])
    image = QImage(1200, 900, QImage.Format.Format_ARGB32_Premultiplied)
    for _ in range(5):  # large fills: Qt hands these to its pool unless told not to
        painter = QPainter(image)
        painter.fillRect(image.rect(), QColor(200, 100, 50, 128))
        painter.end()
    pooled = [t for t in os.listdir("/proc/self/task")
              if "pooled" in open(f"/proc/self/task/{t}/comm").read()]
    print(len(pooled))
""")


def _pooled_threads(mode: str) -> int:
    env = {k: v for k, v in os.environ.items() if k != "QT_NO_GUI_THREADPOOL"}
    out = subprocess.run([sys.executable, "-c", PAINT_AND_COUNT, mode], env=env,
                         capture_output=True, text=True, timeout=120, check=True)
    return int(out.stdout.split()[-1])


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
def test_the_app_keeps_qt_fills_on_the_gui_thread():
    assert _pooled_threads("prepared") == 0
    # The control: without the set-up Qt starts its pool for the same fills, so the
    # zero above is the set-up's doing, not a Qt that no longer has the pool.
    assert _pooled_threads("plain") > 0
