"""Canary for the PySide6 6.12.0 leak: a reference lost per Signal.emit() on Python 3.11
aborted the process after a few thousand emits (Fatal Python error: bool_dealloc).
Run in a child process so an abort shows up as a failing exit code, not a silent death."""
import subprocess
import sys

CANARY = r"""
import os
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
from PySide6.QtCore import QCoreApplication, QObject, Signal

class Emitter(QObject):
    fired = Signal(object)
    flag = Signal(bool)

app = QCoreApplication([])
emitter = Emitter()
seen = []
emitter.fired.connect(lambda value: seen.append(value))
emitter.flag.connect(lambda value: None)
for i in range(50_000):
    emitter.fired.emit({"epoch": i, "loss": 0.5})
    emitter.flag.emit(i % 2 == 0)
assert len(seen) == 50_000 and seen[-1]["epoch"] == 49_999
print("ok")
"""


def test_fifty_thousand_emits_do_not_abort():
    result = subprocess.run([sys.executable, "-c", CANARY], capture_output=True, text=True,
                            timeout=300)
    assert result.returncode == 0, f"exit {result.returncode}: {result.stderr[-2000:]}"
    assert result.stdout.strip() == "ok"


def test_pinned_pyside_version():
    import PySide6

    assert PySide6.__version__ == "6.11.3"
