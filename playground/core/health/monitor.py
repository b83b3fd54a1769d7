"""HealthMonitor: runs the checks after every epoch and reports each finding once.

Hysteresis: a check that fired stays quiet while its condition holds, and may fire again
only after the condition has been clear for CLEAR evaluations in a row, so a loss that
hovers at a threshold gives one banner, not one per epoch. Layer statistics (dead units,
symmetry) are probed every epoch for the first PROBE_EARLY epochs, then every PROBE_EVERY
(or a hundredth of the planned epochs, if more);
the probe runs in evaluation mode without gradients and draws no random numbers, so a
monitored run trains bit for bit like one that is not.
"""
from __future__ import annotations

from typing import Callable

from ..callbacks import Callback
from .checks import Check, Context, all_checks
from .finding import Finding

CLEAR = 5
PROBE_EARLY = 20
PROBE_EVERY = 5


class HealthMonitor(Callback):
    name = "health"

    def __init__(self, sink: Callable[[Finding], None],
                 checks: list[Check] | None = None) -> None:
        self.sink = sink
        self.checks = checks if checks is not None else all_checks()
        self.active: dict[str, bool] = {}
        self.clear: dict[str, int] = {}
        self.findings: list[Finding] = []

    def on_epoch_end(self, trainer, event) -> None:
        epoch = event.epoch
        # Long runs of tiny nets make thousands of epochs a second: probe about 100 times.
        every = max(PROBE_EVERY, trainer.spec.train.epochs // 100)
        probe = epoch <= PROBE_EARLY or epoch % every == 0
        ctx = Context(trainer, event, probe)
        for check in self.checks:
            finding = check.evaluate(ctx)
            if finding is not None:
                self.clear[check.name] = 0
                if not self.active.get(check.name):
                    self.active[check.name] = True
                    self.findings.append(finding)
                    self.sink(finding)
            elif self.active.get(check.name) and (probe or not _needs_probe(check)):
                self.clear[check.name] = self.clear.get(check.name, 0) + 1
                if self.clear[check.name] >= CLEAR:
                    self.active[check.name] = False


def _needs_probe(check: Check) -> bool:
    return check.name in ("dead_units", "symmetry")
