"""The differential diagnosis: the findings that hold at one moment of a run, judged
together. A finding another one explains is folded into it as a symptom (its clause is
quoted in the cause's message) instead of standing beside it with a fix of its own, and
the causes are ranked by CAUSE_ORDER: rank 1 is the root cause.

Which finding explains which is the gradient-descent story each check tells: steps too
large saturate tanh and sigmoid units (vanishing gradients), kill ReLU units and flatten
the loss; identical units pass no gradient to the layers below them; and a flat loss is
"stalled" only when nothing else explains it.
"""
from __future__ import annotations

import dataclasses

from .finding import CAUSE_ORDER, Finding

EXPLAINS: dict[str, frozenset[str]] = {
    "divergence": frozenset({"exploding_gradients", "lr_too_high", "vanishing_gradients",
                             "dead_units", "stalled"}),
    "symmetry": frozenset({"vanishing_gradients", "dead_units", "stalled"}),
    "exploding_gradients": frozenset({"lr_too_high", "stalled"}),
    "lr_too_high": frozenset({"vanishing_gradients", "dead_units", "stalled"}),
    "dead_units": frozenset({"vanishing_gradients", "stalled"}),
    "vanishing_gradients": frozenset({"stalled"}),
}

# How a cause's message says what it brought about: "<symptom> <by>".
BY = {"divergence": "by the too-large steps", "lr_too_high": "by the too-large steps",
      "exploding_gradients": "by the exploding gradients",
      "symmetry": "since the units are identical",
      "dead_units": "since dead units pass no gradient back",
      "vanishing_gradients": "since too little gradient reaches the first layers"}


def diagnose(findings: list[Finding]) -> tuple[Finding, ...]:
    """The causes among the findings (one per check), ranked, each with its symptoms
    folded into its message."""
    ordered = sorted(findings, key=lambda f: f.priority)
    causes: list[Finding] = []
    symptoms: dict[str, list[Finding]] = {}
    for finding in ordered:
        cause = next((c for c in causes if finding.check in EXPLAINS.get(c.check, ())),
                     None)
        if cause is None:
            causes.append(finding)
            symptoms[finding.check] = []
        else:
            symptoms[cause.check].append(finding)
    return tuple(_fold(cause, symptoms[cause.check], rank)
                 for rank, cause in enumerate(causes, start=1))


def _fold(cause: Finding, symptoms: list[Finding], rank: int) -> Finding:
    # An lr too high needs no "by the too-large steps": it is those steps.
    clauses = [s.detail if s.check == "lr_too_high" else f"{s.detail} {BY[cause.check]}"
               for s in symptoms if s.detail]
    message = cause.message
    if clauses:
        said = "; ".join(clauses)
        message += f" {said[0].upper()}{said[1:]}."
    return dataclasses.replace(cause, message=message, rank=rank)
