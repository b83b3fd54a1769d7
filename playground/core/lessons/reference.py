"""A lesson's reference experiment, headless: train its runs (or run its lab state) as
a learner following the lesson would, then apply the lesson's check to them. This is
what `playground lesson NAME --check` prints, and what the tests hold every lesson to.
"""
from __future__ import annotations

from typing import Any, Mapping

from ..experiments.runs import RunStore
from ..health import HealthMonitor
from ..trainer import Trainer
from .checks import CHECKS, Evidence, Verdict
from .lesson import Lesson


def run_reference(lesson: Lesson) -> Verdict:
    store, findings = RunStore(), []
    lr_finding = None
    for recipe in lesson.reference:
        for spec in recipe.specs():
            findings = []
            trainer = Trainer(spec, callbacks=[HealthMonitor(findings.append)])
            if lesson.check == "lr_finder":
                lr_finding, spec = _use_finder(trainer)
                trainer = Trainer(spec, callbacks=[HealthMonitor(findings.append)])
            finished = trainer.fit()
            store.add_finished(spec, trainer.history.columns, trainer.history.changes,
                               dict(finished.test), reason=finished.reason)
    descent = run_lab(lesson.reference_lab) if lesson.reference_lab else None
    evidence = Evidence(tuple(store), tuple(findings), descent, lr_finding)
    return CHECKS[lesson.check].evaluate(evidence, lesson.check_params)


def _use_finder(trainer: Trainer):
    """The range test on the run's network, and the spec at its suggestion (as the
    learner does with the finder's Use button)."""
    from dataclasses import replace

    from ..search import find_lr

    found = find_lr(trainer)
    suggestion = getattr(found, "suggestion", None)
    spec = trainer.spec
    if suggestion is not None:
        spec = replace(spec, optimizer=replace(spec.optimizer, lr=float(suggestion)))
    return found, spec


def run_lab(state: Mapping[str, Any]):
    """The lab's 1-D descent of `state` ({function, start, lr, tol, max_iter}), run to
    its end."""
    from ..lab.descent import Descent

    descent = Descent(str(state.get("function", "x**2")), float(state.get("start", 5.0)),
                      float(state["lr"]), float(state.get("tol", 1e-6)),
                      int(state.get("max_iter", 1000)))
    while descent.step() is not None:
        pass
    return descent
