"""HealthMonitor: runs the checks after every epoch, judges what they find together (the
diagnosis: root cause first, its symptoms folded into it) and reports each cause once.
A symptom whose cause is active is not reported on its own: its cause's message says it
(or, when the cause comes later, the cause's message names it).

Hysteresis: a check that fired stays quiet while its condition holds, and may fire again
only after the condition has been clear for CLEAR evaluations in a row, so a loss that
hovers at a threshold gives one banner, not one per epoch. Layer statistics (dead units,
symmetry) are probed every epoch for the first PROBE_EARLY epochs, then every PROBE_EVERY
(or a hundredth of the planned epochs, if more);
the probe runs in evaluation mode without gradients and draws no random numbers, so a
monitored run trains bit for bit like one that is not.

With `min_seconds` (the window's choice), epochs after the first PROBE_EARLY are judged
at most once per that interval: the checks read the history since their last look, so
nothing is lost, and a tiny net's thousands of epochs a second no longer pay for every
check every epoch. A non-finite (training or validation) loss, a pause and the end of a run are judged at once.
Without it (the CLI, tests) every epoch is judged, and a finding's epoch is exact.
"""
from __future__ import annotations

import math
import time
from typing import Callable

from ..callbacks import Callback
from .checks import Check, Context, all_checks, nonfinite_split_finding
from .diagnosis import diagnose
from .finding import Finding

CLEAR = 5
# Findings that say the steps are too large: a later fix never raises the lr back there.
TOO_LARGE_STEPS = {"divergence", "lr_too_high", "exploding_gradients"}
PROBE_EARLY = 20
PROBE_EVERY = 5


class HealthMonitor(Callback):
    name = "health"

    def __init__(self, sink: Callable[[Finding], None],
                 checks: list[Check] | None = None, min_seconds: float = 0.0) -> None:
        self.sink = sink
        self.checks = checks if checks is not None else all_checks()
        self.min_seconds = min_seconds
        self.active: dict[str, Finding] = {}   # the checks found and not yet clear
        self.clear: dict[str, int] = {}
        self.findings: list[Finding] = []
        self.judged_at = -math.inf      # perf_counter() of the last judgement
        self.probed_epoch = 0
        self.waiting = None             # the last epoch's event, not judged yet
        self.saturated_before: dict[str, float] = {}
        self.too_high_lr = math.inf     # the lowest lr a finding said was too high
        # the causes reported, with the spec's lr then: while it is unchanged, a symptom
        # one of them explains stays folded, even in an epoch where the cause's own
        # condition lapsed (a swinging loss dips below its start now and then)
        self.reported: dict[str, tuple[Finding, float]] = {}

    def on_train_begin(self, trainer, event) -> None:
        """The untrained network's saturated shares: what the lr check compares with."""
        if trainer.step == 0 and not self.saturated_before:
            from ..events import EpochEnded

            ctx = Context(trainer, EpochEnded({"epoch": 0}), probe=True)
            self.saturated_before = {label: share for label, _, share in ctx.saturations()}

    def on_epoch_end(self, trainer, event) -> None:
        if (self.min_seconds and event.epoch > PROBE_EARLY
                and time.perf_counter() - self.judged_at < self.min_seconds
                and math.isfinite(event.logs.get("loss", math.nan))
                and math.isfinite(event.logs.get("val_loss", 0.0))):
            self.waiting = event
            return
        self._judge(trainer, event)

    def on_paused(self, trainer, event) -> None:
        self._catch_up(trainer)

    def on_train_end(self, trainer, event) -> None:
        self._catch_up(trainer)
        test = getattr(event, "test", {}).get("test_loss")
        losses = trainer.history.columns.get("loss", ())
        if (test is not None and not math.isfinite(test) and losses
                and math.isfinite(losses[-1]) and "divergence" not in self.active):
            self._report(nonfinite_split_finding(trainer.spec, event.epoch, "test", test,
                                                 losses[-1]))

    def _catch_up(self, trainer) -> None:
        if self.waiting is not None:
            self._judge(trainer, self.waiting)

    def _judge(self, trainer, event) -> None:
        self.waiting, self.judged_at = None, time.perf_counter()
        epoch = event.epoch
        # Long runs of tiny nets make thousands of epochs a second: probe about 100 times.
        every = max(PROBE_EVERY, trainer.spec.train.epochs // 100)
        probe = (epoch <= PROBE_EARLY or epoch % every == 0
                 or bool(self.min_seconds) and epoch - self.probed_epoch >= every)
        if probe:
            self.probed_epoch = epoch
        ctx = Context(trainer, event, probe, self.saturated_before)
        ctx.too_high_lr = self.too_high_lr
        new = []
        for check in self.checks:
            finding = check.evaluate(ctx)
            if finding is not None:
                self.clear[check.name] = 0
                if check.name not in self.active:
                    new.append(check.name)
                self.active[check.name] = finding
            elif check.name in self.active and (probe or not _needs_probe(check)):
                self.clear[check.name] = self.clear.get(check.name, 0) + 1
                if self.clear[check.name] >= CLEAR:
                    del self.active[check.name]
        if new:
            lr = trainer.spec.optimizer.lr
            pool = {**{check: finding for check, (finding, at) in self.reported.items()
                       if at == lr}, **self.active}
            for cause in diagnose(list(pool.values())):
                if cause.check in new:
                    self._report(cause)
                    self.reported[cause.check] = (cause, lr)
        if self.active.keys() & TOO_LARGE_STEPS:
            self.too_high_lr = min(self.too_high_lr, ctx.lr)

    def _report(self, finding: Finding) -> None:
        self.findings.append(finding)
        self.sink(finding)


def _needs_probe(check: Check) -> bool:
    return check.name in ("dead_units", "symmetry")
