"""The 1-D demo of the introductory material: descend f from a start point, step by
lr * f'(x) (or any optimizer of the registry), stop when the change is below a tolerance
or after a maximum number of iterations; and the regimes of f = a x^2 + b x + c."""
from __future__ import annotations

import math
from dataclasses import dataclass

from ..errors import PlaygroundError
from ..limits import quoted
from .expr import parse_expression
from .mover import Mover, MoverSpec

MAX_ITERATIONS = 1_000_000


class DescentError(PlaygroundError, ValueError):
    """A start point, rate, tolerance or iteration count that cannot be used."""


@dataclass(frozen=True)
class Iteration:
    iteration: int    # 1-based
    x: float          # where this iteration's gradient was taken
    f: float
    grad: float
    step: float       # x_next - x


@dataclass(frozen=True)
class DescentResult:
    iterations: tuple[Iteration, ...]
    x: float          # the final point
    f: float
    reason: str       # "converged", "max_iter" or "diverged"


def check_descent(start: float, lr: float, tol: float, max_iter: int) -> None:
    """One sentence for the first unusable value; called before anything runs."""
    for name, value in (("start", start), ("lr", lr), ("tol", tol)):
        if not isinstance(value, (int, float)) or not math.isfinite(value):
            raise DescentError(f"{name} must be a finite number, not {quoted(value)}.")
    if lr <= 0:
        raise DescentError(f"The learning rate must be above 0, not {lr:g}.")
    if tol < 0:
        raise DescentError(f"The tolerance must be 0 or more, not {tol:g}.")
    if isinstance(max_iter, bool) or not isinstance(max_iter, int) or \
            not 1 <= max_iter <= MAX_ITERATIONS:
        raise DescentError(f"The maximum number of iterations must be a whole number from "
                           f"1 to {MAX_ITERATIONS:,}, not {quoted(max_iter)}.")


class Descent:
    """The demo one iteration at a time (the window reveals it step by step)."""

    def __init__(self, function: str, start: float, lr: float, tol: float = 1e-6,
                 max_iter: int = 1000, optimizer: str = "sgd", params: dict | None = None,
                 schedule: tuple[str, dict, float] = ("constant", {}, 0.0),
                 keep: bool = True) -> None:
        """`schedule`: a registry schedule's name, its parameters and warm-up steps;
        keep=False keeps no history (a million printed iterations need no list)."""
        check_descent(start, lr, tol, max_iter)
        self.expression = parse_expression(function, ("x",))
        spec = MoverSpec(optimizer, lr, dict(params or {}), schedule[0], dict(schedule[1]),
                         schedule[2])
        self.mover = Mover(self.expression, (start,), spec, total_steps=max_iter)
        self.tol, self.max_iter = tol, max_iter
        self.iterations: list[Iteration] = []
        self.count = 0
        self.keep = keep
        self.reason: str | None = None   # set when the descent has stopped

    def step(self) -> Iteration | None:
        if self.reason is not None:
            return None
        record = self.mover.step()
        self.count += 1
        row = Iteration(self.count, record.position[0], record.loss, record.grad[0],
                        record.update[0])
        if self.keep:
            self.iterations.append(row)
        if self.mover.status == "diverged":
            self.reason = "diverged"
        elif abs(row.step) < self.tol:
            self.reason = "converged"
        elif self.count >= self.max_iter:
            self.reason = "max_iter"
        return row

    @property
    def x(self) -> float:
        return self.mover.position[0]

    def result(self) -> DescentResult:
        x = self.x
        return DescentResult(tuple(self.iterations), x,
                             self.mover.value() if math.isfinite(x) else math.nan,
                             self.reason or "max_iter")


def descend(function: str, start: float, lr: float, tol: float = 1e-6,
            max_iter: int = 1000, optimizer: str = "sgd", params: dict | None = None,
            schedule: tuple[str, dict, float] = ("constant", {}, 0.0)) -> DescentResult:
    """Run the demo to its end: converged, max_iter or diverged."""
    descent = Descent(function, start, lr, tol, max_iter, optimizer, params, schedule)
    while descent.step() is not None:
        pass
    return descent.result()


def quadratic_formula(a2: float, a1: float, a0: float) -> str:
    return f"{a2!r}*x**2 + {a1!r}*x + {a0!r}"


@dataclass(frozen=True)
class Regime:
    multiplier: float  # x_next - x* = multiplier * (x - x*)
    name: str          # "smooth", "one step", "oscillating", "bouncing", "diverging", ...
    sentence: str


def quadratic_regime(a2: float, lr: float) -> Regime:
    """Plain gradient descent on a2 x^2 + a1 x + a0: every step multiplies the distance
    to the minimum by (1 - 2 a2 lr); on x^2 the regimes change at lr = 0.5 and 1."""
    m = 1.0 - 2.0 * a2 * lr
    if a2 <= 0:
        return Regime(m, "no minimum", "With a2 <= 0 the parabola has no minimum: descent "
                      "runs downhill forever.")
    edge = 1.0 / (2.0 * a2)
    if abs(m) < 1e-12:
        return Regime(m, "one step", f"lr = {edge:g} = 1/(2 a2) lands on the minimum in "
                      "exactly one step.")
    if 0 < m < 1:
        return Regime(m, "smooth", f"Each step multiplies the distance to the minimum by "
                      f"{m:.3g}: a smooth approach from one side (lr below {edge:g}).")
    if -1 < m < 0:
        return Regime(m, "oscillating", f"Each step multiplies the distance by {m:.3g}: "
                      f"it overshoots and jumps from side to side, yet shrinks "
                      f"(lr between {edge:g} and {2 * edge:g}).")
    if abs(m + 1) < 1e-12:
        return Regime(m, "bouncing", f"lr = {2 * edge:g} = 1/a2 jumps between x and -x "
                      "around the minimum forever.")
    return Regime(m, "diverging", f"Each step multiplies the distance by {m:.3g}: every "
                  f"jump lands farther out (lr above {2 * edge:g}).")
