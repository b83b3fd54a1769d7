"""The checks that read a learner's runs and say whether they show a lesson's effect.

A check gets the Evidence (the session's runs, oldest first, the current one last; the
health findings of the current run; the optimizer lab's 1-D descent; the LR finder's
last result) and returns a Verdict: passed or not, the numbers it read, and, when not,
why and what to try. Checks only read; they train nothing, so the window runs them at
once. Comparisons pick the newest run of each variant and refuse to judge two runs that
differ in more than the variable (and the learning rate, where each variant is meant to
have its own), because such a comparison would teach the wrong thing.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any, Callable, Mapping, Sequence

import numpy as np

from ..experiments.runs import Run
from ..spec import SessionSpec
from .error import LessonError


@dataclass(frozen=True)
class Evidence:
    runs: Sequence[Run] = ()          # oldest first; the last is the current run
    findings: Sequence[Any] = ()      # core.health.Finding of the current run
    descent: Any = None               # core.lab.descent.Descent (or its result)
    lr_finding: Any = None            # core.search.lr_finder.LrFinding


@dataclass(frozen=True)
class Verdict:
    passed: bool
    evidence: str                     # what was read, with the numbers
    advice: str = ""                  # when not passed: why, and what to try

    def to_record(self, name: str) -> dict[str, Any]:
        return {"event": "lesson", "name": name, "passed": self.passed,
                "evidence": self.evidence, "advice": self.advice}


@dataclass(frozen=True)
class Check:
    evaluate: Callable[[Evidence, Mapping[str, Any]], Verdict]
    params: Mapping[str, type] = field(default_factory=dict)   # allowed, with their types
    required: tuple[str, ...] = ()

    def validate(self, params: Mapping[str, Any]) -> None:
        for key, value in params.items():
            kind = self.params.get(key)
            if kind is None:
                raise LessonError(f"the check takes no setting {key!r} (it takes "
                                  f"{', '.join(self.params) or 'none'})")
            if kind is float and isinstance(value, int) and not isinstance(value, bool):
                continue
            if not isinstance(value, kind) or isinstance(value, bool) and kind is not bool:
                raise LessonError(f"the check's {key} must be a {kind.__name__}")
        missing = [key for key in self.required if key not in params]
        if missing:
            raise LessonError(f"the check needs {', '.join(missing)}")
        if "by" in params and params["by"] not in VARIABLES:
            raise LessonError(f"the check compares by {params['by']!r}; known: "
                              f"{', '.join(VARIABLES)}")
        if "measure" in params and params["measure"] not in MEASURES:
            raise LessonError(f"the check measures {params['measure']!r}; known: "
                              f"{', '.join(MEASURES)}")


CHECKS: dict[str, Check] = {}


def check(name: str, params: Mapping[str, type] | None = None, required: tuple[str, ...] = ()):
    def register(function: Callable[[Evidence, Mapping[str, Any]], Verdict]):
        CHECKS[name] = Check(function, dict(params or {}), required)
        return function
    return register


# ----------------------------------------------------------------- reading a run
def losses(run: Run, key: str = "loss") -> np.ndarray:
    return np.asarray(run.columns.get(key, ()), dtype=np.float64)


def final(run: Run, key: str = "loss") -> float:
    values = losses(run, key)
    finite = values[np.isfinite(values)]
    if run.reason == "diverged" or (len(values) and not math.isfinite(values[-1])):
        return math.inf
    return float(finite[-1]) if len(finite) else math.nan


def first(run: Run, key: str = "loss") -> float:
    values = losses(run, key)
    finite = values[np.isfinite(values)]
    return float(finite[0]) if len(finite) else math.nan


def _current(evidence: Evidence) -> Run | None:
    trained = [run for run in evidence.runs if run.rows]
    return trained[-1] if trained else None


NO_RUN = Verdict(False, "There is no trained run yet.",
                 "Apply the lesson's setup, press Train, and check again.")


def _fmt(value: float) -> str:
    return "diverged" if value == math.inf else f"{value:.3g}"


# ----------------------------------------------------------------- variables
def _momentum(spec: SessionSpec) -> Any:
    name = spec.optimizer.name
    if name == "sgd":
        return 0.0
    if name in ("momentum", "nesterov"):
        return float(spec.optimizer.params.get("momentum", 0.9))
    return None


def _hidden_inits(spec: SessionSpec) -> str:
    inits = {str(layer.params.get("init", "default")) for layer in spec.model.layers
             if layer.kind == "dense"}
    return "zeros" if "zeros" in inits else "random"


def _batchnorm(spec: SessionSpec) -> str:
    return "on" if any(layer.kind == "batchnorm" for layer in spec.model.layers) else "off"


def _regularised(spec: SessionSpec) -> str:
    dropout = any(layer.kind == "dropout" for layer in spec.model.layers)
    return "on" if dropout or spec.train.l1 or spec.train.l2 else "off"


# name -> (the value of a spec, the spec fields that make it, in words)
VARIABLES: dict[str, tuple[Callable[[SessionSpec], Any], tuple[str, ...], str]] = {
    "batch": (lambda s: "full" if s.train.batch_size is None else s.train.batch_size,
              ("train.batch_size",), "batch size"),
    "momentum": (_momentum, ("optimizer.name", "optimizer.params"), "momentum"),
    "optimizer": (lambda s: s.optimizer.name, ("optimizer.name", "optimizer.params"),
                  "optimizer"),
    "scaling": (lambda s: s.data.scaling, ("data.scaling",), "feature scaling"),
    "clipping": (lambda s: "on" if s.train.clip_norm or s.train.clip_value else "off",
                 ("train.clip_norm", "train.clip_value"), "gradient clipping"),
    "regularisation": (_regularised, ("train.l1", "train.l2", "model"), "regularisation"),
    "batchnorm": (_batchnorm, ("model",), "batch normalisation"),
    "schedule": (lambda s: s.schedule.name, ("schedule",), "schedule"),
    "init": (_hidden_inits, ("model",), "initialisation"),
    "lr": (lambda s: s.optimizer.lr, ("optimizer.lr",), "learning rate"),
}


def _jitter(run: Run) -> float:
    """How much the training loss still jumps between epochs at the end of the run: the
    median absolute change over the last 10 epochs, relative to the loss."""
    values = losses(run)[-11:]
    if len(values) < 4 or not np.all(np.isfinite(values)):
        return math.inf
    return float(np.median(np.abs(np.diff(values))) / max(np.median(values), 1e-12))


MEASURES: dict[str, tuple[Callable[[Run], float], str]] = {
    "loss": (final, "final training loss"),
    "val_loss": (lambda run: final(run, "val_loss"), "final validation loss"),
    "gap": (lambda run: final(run, "val_loss") - final(run, "loss"),
            "gap between validation and training loss"),
    "jitter": (_jitter, "epoch-to-epoch jitter of the loss at the end"),
}


def _flat(plain: Any, prefix: str = "") -> dict[str, Any]:
    if isinstance(plain, dict):
        out: dict[str, Any] = {}
        for key, value in plain.items():
            out.update(_flat(value, f"{prefix}{key}."))
        return out
    return {prefix.rstrip("."): repr(plain)}


def other_differences(a: SessionSpec, b: SessionSpec, ignore: Sequence[str]) -> list[str]:
    """The spec fields in which two runs differ, besides those under `ignore` (and the
    epochs, which may differ: each run is read at its end)."""
    skip = (*ignore, "train.epochs", "train.threads", "train.device")
    fa, fb = _flat(a.to_dict()), _flat(b.to_dict())
    keys = sorted(set(fa) | set(fb))
    return [key for key in keys if fa.get(key) != fb.get(key)
            and not any(key == s or key.startswith(s + ".") for s in skip)]


# ----------------------------------------------------------------- the checks
@check("lr_too_high")
def lr_too_high(evidence: Evidence, params: Mapping[str, Any]) -> Verdict:
    run = _current(evidence)
    if run is None:
        return NO_RUN
    start, end = first(run), final(run)
    lr = run.spec.optimizer.lr
    if end == math.inf or run.reason == "diverged":
        return Verdict(True, f"At learning rate {lr:.3g} the run diverged: the steps "
                             "overshot so far that the loss blew up.")
    if end >= start:
        return Verdict(True, f"At learning rate {lr:.3g} the loss ended at {end:.3g}, no lower "
                             f"than after the first epoch ({start:.3g}): each step overshoots.")
    return Verdict(False, f"At learning rate {lr:.3g} the loss fell from {start:.3g} to "
                          f"{end:.3g}: this rate is not too high for this network.",
                   "Raise the learning rate tenfold (or more) and train again.")


@check("lr_too_low", {"drop": float, "min_epochs": int})
def lr_too_low(evidence: Evidence, params: Mapping[str, Any]) -> Verdict:
    run = _current(evidence)
    if run is None:
        return NO_RUN
    most, epochs = float(params.get("drop", 0.1)), int(params.get("min_epochs", 10))
    start, end = first(run), final(run)
    lr = run.spec.optimizer.lr
    if run.rows < epochs:
        return Verdict(False, f"The run has {run.rows} epochs.",
                       f"Train at least {epochs} epochs, so that a crawl can be told from "
                       "a slow start.")
    if not math.isfinite(end):
        return Verdict(False, f"At learning rate {lr:.3g} the run diverged: that is a rate "
                              "too high, not too low.", "Lower the learning rate a hundredfold.")
    drop = 1 - end / start if start > 0 else 0.0
    if drop <= most:
        return Verdict(True, f"At learning rate {lr:.3g} the loss fell only {drop:.1%} in "
                             f"{run.rows} epochs ({start:.3g} to {end:.3g}): the steps are "
                             "too small to get anywhere.")
    return Verdict(False, f"At learning rate {lr:.3g} the loss fell {drop:.0%} in {run.rows} "
                          f"epochs ({start:.3g} to {end:.3g}): that is learning, not a crawl.",
                   "Lower the learning rate a hundredfold and train again.")


@check("compare", {"by": str, "baseline": object, "measure": str, "margin": float,
                   "tuned": bool, "if_not": str}, required=("by", "baseline"))
def compare(evidence: Evidence, params: Mapping[str, Any]) -> Verdict:
    """The newest run of the variant `baseline` against the newest run of any other
    variant (with `tuned`, each variant's best run over the learning rates it was
    trained at): the other must score below `margin` times the baseline's measure."""
    by, baseline = params["by"], params["baseline"]
    value_of, fields, words = VARIABLES[by]
    measure, measure_words = MEASURES[params.get("measure", "loss")]
    margin, tuned = float(params.get("margin", 0.8)), bool(params.get("tuned", False))
    trained = [run for run in evidence.runs if run.rows]
    base = [run for run in trained if _same(value_of(run.spec), baseline)]
    other = [run for run in trained if not _same(value_of(run.spec), baseline)
             and value_of(run.spec) is not None]
    if not base or not other:
        have = "a run" if base or other else "no run"
        return Verdict(False, f"There is {have} to compare yet: this check needs a run with "
                              f"{words} {baseline} and one with another {words}.",
                       "Follow the steps: train once as set up, change the "
                       f"{words}, and train again.")
    a = _pick(base, measure, tuned)
    b = _pick([run for run in other if value_of(run.spec) == value_of(other[-1].spec)],
              measure, tuned)
    ignore = (*fields, "optimizer.lr") if tuned or by == "optimizer" else fields
    differ = other_differences(a.spec, b.spec, ignore)
    if differ:
        return Verdict(False, f"{a.name} and {b.name} differ in {', '.join(differ[:4])} as "
                              f"well as in the {words}, so they cannot show what the {words} "
                              "alone does.",
                       f"Change only the {words} between the two runs.")
    va, vb = measure(a), measure(b)
    tuned_words = " (each at its best learning rate)" if tuned else ""
    said = (f"{words} {_show(value_of(b.spec))} ({b.name}): {measure_words} {_fmt(vb)}; "
            f"{words} {_show(baseline)} ({a.name}): {_fmt(va)}{tuned_words}")
    if math.isfinite(vb) and (va == math.inf or vb < margin * va):
        return Verdict(True, said + ".")
    return Verdict(False, said + f", not below {margin:g} times it.",
                   str(params.get("if_not", "")) or "Look at the curves: the effect needs a "
                   "setting where it can show.")


def _same(value: Any, baseline: Any) -> bool:
    if isinstance(value, float) and isinstance(baseline, (int, float)):
        return math.isclose(value, float(baseline))
    return str(value) == str(baseline)


def _show(value: Any) -> str:
    return f"{value:g}" if isinstance(value, float) else str(value)


def _pick(runs: list[Run], measure: Callable[[Run], float], tuned: bool) -> Run:
    if not tuned:
        return runs[-1]
    scored = [(measure(run), i, run) for i, run in enumerate(runs)]
    finite = [item for item in scored if math.isfinite(item[0])]
    return min(finite)[2] if finite else runs[-1]


@check("vanishing", {"ratio": float})
def vanishing(evidence: Evidence, params: Mapping[str, Any]) -> Verdict:
    run = _current(evidence)
    if run is None:
        return NO_RUN
    ratio_at_most = float(params.get("ratio", 0.01))
    labels = [key for key in run.columns if key.startswith("grad_norm/")]
    if len(labels) < 3:
        return Verdict(False, "The run has fewer than three layers with weights.",
                       "Use the lesson's deep network (Apply setup).")
    tail = lambda key: float(np.nanmedian(losses(run, key)[-5:]))  # noqa: E731
    firsts, lasts = tail(labels[0]), tail(labels[-1])
    ratio = firsts / lasts if lasts > 0 else math.nan
    name_a, name_b = labels[0].split("/", 1)[1], labels[-1].split("/", 1)[1]
    said = (f"Layer {name_a} (next to the input) gets a gradient of norm {firsts:.2g}, layer "
            f"{name_b} (the output) {lasts:.2g}: a ratio of {ratio:.2g}")
    if ratio <= ratio_at_most:
        return Verdict(True, said + ": the gradient vanishes on its way back.")
    return Verdict(False, said + f", above {ratio_at_most:g}: the gradient reaches the first "
                   "layer.", "Use sigmoid hidden layers, more of them, and train again.")


@check("symmetry")
def symmetry(evidence: Evidence, params: Mapping[str, Any]) -> Verdict:
    run = _current(evidence)
    if run is None:
        return NO_RUN
    found = [f for f in evidence.findings if getattr(f, "check", "") == "symmetry"]
    if found:
        return Verdict(True, found[0].message + " " + found[0].reason)
    if _hidden_inits(run.spec) != "zeros":
        return Verdict(False, "The network's layers start from random weights, so their "
                              "units differ from the first update on.",
                       "Set the hidden layers' initialisation to zeros and train again.")
    return Verdict(False, "The health checks have not reported identical units in this run.",
                   "Train at least a few epochs with the zeros initialisation.")


@check("early_stopped")
def early_stopped(evidence: Evidence, params: Mapping[str, Any]) -> Verdict:
    run = _current(evidence)
    if run is None:
        return NO_RUN
    planned = run.spec.train.epochs
    if run.reason == "early_stopping":
        val = losses(run, "val_loss")
        best = int(np.nanargmin(val)) + 1 if np.isfinite(val).any() else 0
        return Verdict(True, f"Early stopping ended the run at epoch {run.rows} of {planned}: "
                             f"the validation loss was lowest at epoch {best} and did not "
                             f"improve for {run.spec.train.early_stopping.patience} epochs.")
    if not run.spec.train.early_stopping.enabled:
        return Verdict(False, f"The run ended ({run.reason or 'still going'}) without early "
                              "stopping.", "Turn on early stopping and train again.")
    return Verdict(False, f"The run ended ({run.reason or 'still going'}) before the "
                          "validation loss stalled long enough to stop it.",
                   "Train longer (more epochs), or lower the patience.")


@check("loss_after_accuracy", {"drop": float})
def loss_after_accuracy(evidence: Evidence, params: Mapping[str, Any]) -> Verdict:
    """Accuracy counts only which side of the boundary a point falls on; the
    cross-entropy loss keeps falling as the network grows more confident."""
    run = _current(evidence)
    if run is None:
        return NO_RUN
    accuracy = losses(run, "accuracy")
    if not len(accuracy) or not np.isfinite(accuracy).any():
        return Verdict(False, "The run reports no training accuracy: it is not a "
                              "classification run.", "Apply the lesson's setup (a classifier).")
    top = float(np.nanmax(accuracy))
    reached = int(np.flatnonzero(accuracy >= top - 1e-9)[0])
    loss = losses(run)
    at, end = float(loss[reached]), final(run)
    most = float(params.get("drop", 0.7))
    said = (f"Training accuracy reached {top:.1%} at epoch {reached + 1}, with loss {at:.3g}; "
            f"the loss then went on to {_fmt(end)}")
    if math.isfinite(end) and end <= most * at:
        return Verdict(True, said + f" ({end / at:.0%} of it) while the accuracy could not "
                                    "rise any more.")
    return Verdict(False, said + ".", "Train longer: the effect shows once the accuracy has "
                   "stopped rising.")


@check("best_lr_inside")
def best_lr_inside(evidence: Evidence, params: Mapping[str, Any]) -> Verdict:
    """Among runs that differ only in the learning rate, the best one lies inside the
    range tried: too low crawls, too high overshoots."""
    trained = [run for run in evidence.runs if run.rows]
    if not trained:
        return NO_RUN
    ref = trained[-1]
    group = [run for run in trained if not other_differences(run.spec, ref.spec,
                                                             ("optimizer.lr",))]
    lrs = sorted({run.spec.optimizer.lr for run in group})
    if len(lrs) < 3:
        return Verdict(False, f"There are runs at {len(lrs)} learning rate(s) that differ in "
                              "nothing else.", "Train at three or more learning rates, "
                              "each ten times the last (a sweep of lr does it in one go).")
    best = {lr: min(final(run) for run in group if run.spec.optimizer.lr == lr) for lr in lrs}
    winner = min(lrs, key=lambda lr: best[lr])
    table = ", ".join(f"{lr:g}: {_fmt(best[lr])}" for lr in lrs)
    if lrs[0] < winner < lrs[-1]:
        return Verdict(True, f"Final loss by learning rate: {table}. The best, {winner:g}, "
                             "lies inside the range: lower rates crawl, higher ones overshoot.")
    side = "higher" if winner == lrs[-1] else "lower"
    return Verdict(False, f"Final loss by learning rate: {table}. The best is the "
                          f"{'highest' if side == 'higher' else 'lowest'} tried.",
                   f"Extend the range to {side} learning rates: the best may lie beyond it.")


@check("lr_finder", {"drop": float})
def lr_finder(evidence: Evidence, params: Mapping[str, Any]) -> Verdict:
    found = evidence.lr_finding
    run = _current(evidence)
    suggestion = getattr(found, "suggestion", None)
    if found is None:
        return Verdict(False, "The learning-rate range test has not run.",
                       "Run Tools > Find learning rate, use its suggestion, and train.")
    if suggestion is None or not math.isfinite(float(suggestion)):
        note = str(getattr(found, "note", "") or "")
        return Verdict(False, "The range test found no clear valley on this network"
                       + (f": {note}" if note else "."),
                       "Try it with another optimizer or a smaller start learning rate.")
    if run is None:
        return NO_RUN
    lr, most = run.spec.optimizer.lr, float(params.get("drop", 0.5))
    start, end = first(run), final(run)
    if not 1 / 3 <= lr / float(suggestion) <= 3:
        return Verdict(False, f"The range test suggested {float(suggestion):.3g}; the run "
                              f"trained at {lr:.3g}.", "Use the suggestion and train again.")
    if math.isfinite(end) and end <= most * start:
        return Verdict(True, f"The range test suggested {float(suggestion):.3g}; at {lr:.3g} "
                             f"the loss fell from {start:.3g} to {end:.3g} in {run.rows} epochs.")
    return Verdict(False, f"At the suggested {lr:.3g} the loss went from {start:.3g} to "
                          f"{_fmt(end)}.", "Train longer; if it still does not fall, the "
                          "suggestion does not fit this network: try a tenth of it.")


@check("descent_oscillates")
def descent_oscillates(evidence: Evidence, params: Mapping[str, Any]) -> Verdict:
    """The 1-D demo oscillating on its way down: each step jumps over the minimum (the
    step changes sign) yet lands lower, so it still converges."""
    descent = evidence.descent
    rows = list(getattr(descent, "iterations", ()) or ())
    if descent is None or len(rows) < 3:
        return Verdict(False, "The optimizer lab has no 1-D descent to read yet.",
                       "Apply the setup (it opens the lab's 1-D tab) and press Run.")
    steps = [row.step for row in rows if row.step]
    flips = sum(1 for a, b in zip(steps, steps[1:]) if a * b < 0)
    reason = getattr(descent, "reason", None)
    lr = getattr(getattr(descent, "mover", None), "spec", None)
    rate = f" at learning rate {lr.lr:g}" if lr is not None else ""
    said = (f"The descent{rate} took {len(rows)} steps; the step changed direction "
            f"{flips} times out of {max(len(steps) - 1, 0)}")
    if reason == "diverged":
        return Verdict(False, said + ", and it diverged: each jump landed higher.",
                       "Lower the learning rate until the jumps shrink.")
    if flips >= 0.8 * max(len(steps) - 1, 1) and reason == "converged":
        return Verdict(True, said + ", and it converged: every step jumped over the "
                                    "minimum and still landed lower.")
    if flips >= 0.8 * max(len(steps) - 1, 1):
        return Verdict(False, said + ", but it has not converged yet.",
                       "Let it run to the end (Run).")
    return Verdict(False, said + ": it walked down one side.",
                   "Raise the learning rate until each step jumps over the minimum "
                   "(for f = x², above 0.5 and below 1).")
