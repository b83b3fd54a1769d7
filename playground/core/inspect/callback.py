"""InspectCallback: snapshots of the network's inside, at most `rate` times a second.

It runs in the training thread and hands each Snapshot to `sink` (the GUI's worker turns
it into a signal). Snapshots come at most `rate` times a second during a run, between
updates as well as at epoch ends (so however long an epoch is), and less often when they
are dear (they keep to about 15% of the training thread's time), and always on a
pause, a single step and the end of a run, so a paused network is shown as it is.
With a report_sink it also sends a Report (confusion matrix or residuals) on every pause
and at the end. It keeps no state worth saving: an inspected run resumes exactly as one that is not.
"""
from __future__ import annotations

import time
from typing import Callable

from ..callbacks import Callback
from ..errors import PlaygroundError
from .reports import make_report
from .stats import Inspector, Snapshot
from .trace import Tracer

# Snapshots a second at most. A little over the 20 frames a second the graph must show:
# a snapshot waits for the first update after its time, and the graph's 30 Hz timer
# draws two that arrive within one tick as one frame; at 20 it drew 19 a second.
RATE = 24.0
BUDGET = 0.15  # ... and at most about this share of the training thread's time


class InspectCallback(Callback):
    name = "inspect"

    def __init__(self, sink: Callable[[Snapshot], None], rate: float = RATE,
                 wanted: Callable[[], bool] = lambda: True,
                 report_sink: Callable[[object], None] | None = None,
                 watched: Callable[[], tuple | None] = lambda: None,
                 trace_sink: Callable[[object], None] | None = None) -> None:
        self.sink, self.interval, self.wanted = sink, 1.0 / rate, wanted
        self.report_sink = report_sink  # a Report on every pause and at the end
        self.watched = watched          # the weight to trace with each snapshot, or None
        self.trace_sink = trace_sink
        self._tracer: Tracer | None = None
        self.inspector: Inspector | None = None
        self.last = -1e9
        self.wait = self.interval

    def _send(self, trainer) -> None:
        if not self.wanted():  # asked again after an interval, not at every update
            self.last, self.wait = time.perf_counter(), self.interval
            return
        if self.inspector is None or self.inspector.trainer is not trainer:
            self.inspector = Inspector(trainer)
        started, cpu = time.perf_counter(), time.thread_time()
        self.sink(self.inspector.snapshot())
        self._trace(trainer)
        # Space their starts so that snapshots take at most BUDGET of this thread's work,
        # whatever they cost (3 ms here, more on a slower machine or a wider net). The
        # cost is counted in this thread's CPU time: its wall time also counts waiting
        # for a core the other processes of a loaded machine hold, which slows the
        # training in between alike.
        self.last = started
        self.wait = max(self.interval, (time.thread_time() - cpu) / BUDGET)

    def _trace(self, trainer) -> None:
        watch = self.watched()
        if watch is None or self.trace_sink is None:
            return
        if self._tracer is None or self._tracer.where != watch:
            self._tracer = Tracer(watch)
        try:
            self.trace_sink(self._tracer.trace(trainer))
        except PlaygroundError:  # the weight is not in this network: nothing to trace
            pass

    def on_train_begin(self, trainer, event) -> None:
        self._send(trainer)

    def on_epoch_end(self, trainer, event) -> None:
        if time.perf_counter() - self.last >= self.wait:
            self._send(trainer)

    def on_update_end(self, trainer) -> None:
        """Between batches too, so the pictures move at `rate` however long an epoch
        is; the check costs well under a microsecond an update."""
        if time.perf_counter() - self.last >= self.wait:
            self._send(trainer)

    def on_paused(self, trainer, event) -> None:
        self._send(trainer)
        self._report(trainer)

    def on_batch_stepped(self, trainer, event) -> None:
        self._send(trainer)

    def on_train_end(self, trainer, event) -> None:
        self._send(trainer)
        if event.reason != "failed":
            self._report(trainer)

    def _report(self, trainer) -> None:
        if self.report_sink is not None:
            self.report_sink(make_report(trainer))
