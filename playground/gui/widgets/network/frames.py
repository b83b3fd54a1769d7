"""FrameScheduler: when a view of the inside draws.

A view asks for a frame when what it shows has changed (`request()`); the frame comes
at most `fps` times a second, and only while the view is visible: a hidden view keeps
its request and draws once when it is shown again (the view calls `shown()` from its
showEvent). The timer is single-shot and started only while a frame is pending, so an
idle or hidden view never enters Python: each timer tick takes the GIL that the
training thread needs (four views ticking at 30 Hz for nothing made about 120 such
entries a second while another tab was showing).
"""
from __future__ import annotations

import math
import time
from collections.abc import Callable

from PySide6.QtCore import QObject, QTimer
from PySide6.QtWidgets import QWidget

FPS = 30


class FrameScheduler(QObject):
    def __init__(self, view: QWidget, draw: Callable[[], None], fps: float = FPS) -> None:
        super().__init__(view)
        self.view = view
        self.period = 1.0 / fps
        self.pending = False      # a frame was asked for and not drawn yet
        self.frames = 0           # frames drawn
        self._draw = draw
        self._last = -math.inf    # time.monotonic() of the last frame
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self._on_timer_timeout)

    @property
    def ticking(self) -> bool:
        """Whether the timer runs (a frame is due soon)."""
        return self._timer.isActive()

    def request(self) -> None:
        """Draw at the next frame: now if none came within the last period, else when
        the period is over; once, however often it is asked for meanwhile."""
        self.pending = True
        self._schedule()

    def shown(self) -> None:
        """The view was shown: a frame asked for while it was hidden comes now."""
        self._schedule()

    def cancel(self) -> None:
        self.pending = False
        self._timer.stop()

    def _schedule(self) -> None:
        if not self.pending or self._timer.isActive() or not self.view.isVisible():
            return
        wait = max(0.0, self._last + self.period - time.monotonic())
        self._timer.start(math.ceil(wait * 1000))

    def _on_timer_timeout(self) -> None:
        if not self.pending or not self.view.isVisible():
            return  # hidden since it was asked for: shown() brings it back
        self.pending = False
        self._last = time.monotonic()
        self.frames += 1
        self._draw()


def epoch_ceiling(epochs: float) -> float:
    """The next of 1, 1.2, 1.5, 2, 2.5, 3, 4, 5, 6, 8 times a power of ten: an epoch
    axis set to it changes about ten times a decade (an axis whose range changes renders
    its text again, in Python), and the curve fills most of its width."""
    if epochs <= 1:
        return 1.0
    power = 10.0 ** math.floor(math.log10(epochs))
    return next(m * power for m in (1, 1.2, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10)
                if m * power >= epochs)
