"""Mover: one optimizer from our registry moving a 1- or 2-element tensor downhill.

The same `build_optimizer` that trains a network builds the optimizer here, and the
learning-rate schedules are the same `LRSchedule`, so what the lab shows is exactly what
trains. Each step records where the point was, f and the gradient there (after the
optional noise), the optimizer's internal buffers after the update, and the actual move.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import torch

from ..eager_optim import eager_step, install as _defer_dynamo
from ..errors import SpecError
from ..limits import quoted
from ..optim import LRSchedule, apply_hyperparameters, build_optimizer, optimizer_kind
from ..schema import coerce_params
from .expr import Expression

_defer_dynamo()  # building an optimizer would import torch._dynamo: seconds, for nothing

DIVERGED_AT = 1e12   # a coordinate this far out has left any surface we draw

# The per-weight buffers torch keeps, by the name the lab shows them under.
INTERNALS = {"momentum_buffer": "momentum", "exp_avg": "momentum", "sum": "accumulator",
             "exp_avg_sq": "accumulator", "square_avg": "accumulator",
             "exp_inf": "accumulator", "acc_delta": "update average",
             "grad_avg": "gradient average", "max_exp_avg_sq": "max accumulator"}


# Rates that move visibly without flying off on the lab's surfaces; the registry's
# defaults suit networks, whose gradients are far smaller than Rosenbrock's (SGD at its
# network default 0.1 diverges there at once).
LAB_LR = {"sgd": 0.001, "momentum": 0.001, "nesterov": 0.001, "adagrad": 0.1,
          "adadelta": 1.0, "rmsprop": 0.01, "adam": 0.05, "adamw": 0.05,
          "adamax": 0.05, "nadam": 0.05, "radam": 0.05, "lbfgs": 0.2}


def lab_lr(name: str) -> float:
    """The lab's starting learning rate for an optimizer of the registry."""
    return LAB_LR.get(name, optimizer_kind(name).default_lr)


@dataclass(frozen=True)
class MoverSpec:
    """One racer: the optimizer's registry name, learning rate, hyperparameters and
    schedule (a registry name and its parameters; the schedule counts steps)."""
    optimizer: str = "sgd"
    lr: float | None = None            # None: the lab's rate for it (lab_lr)
    params: dict[str, Any] = field(default_factory=dict)
    schedule: str = "constant"
    schedule_params: dict[str, Any] = field(default_factory=dict)
    warmup: float = 0.0                # steps over which the rate climbs from near 0

    def resolved_lr(self) -> float:
        return lab_lr(self.optimizer) if self.lr is None else self.lr


MAX_WARMUP = 1_000_000  # steps: as many as the longest descent takes


def check_warmup(warmup: Any) -> None:
    """A warm-up is a number of steps: finite, 0 or more (a negative one read as none)."""
    if isinstance(warmup, bool) or not isinstance(warmup, (int, float)) or \
            not math.isfinite(warmup) or not 0 <= warmup <= MAX_WARMUP:
        raise SpecError(f"The warm-up must be 0 to {MAX_WARMUP:,} steps, not "
                        f"{quoted(warmup)}.")


@dataclass(frozen=True)
class StepRecord:
    step: int                           # 0-based update index
    position: tuple[float, ...]         # where the gradient was taken
    loss: float
    grad: tuple[float, ...]             # the gradient used (noise included)
    update: tuple[float, ...]           # new position - old position
    lr: float                           # the rate this update used
    internals: dict[str, tuple[float, ...]]  # torch state buffers after the update


class Mover:
    def __init__(self, expression: Expression, start: tuple[float, ...], spec: MoverSpec,
                 total_steps: int = 1000, noise: float = 0.0, seed: int = 0) -> None:
        check_warmup(spec.warmup)
        self.expression = expression
        self.spec = spec
        self.point = torch.tensor([float(v) for v in start], dtype=torch.float64,
                                  requires_grad=True)
        self.base_lr = spec.resolved_lr()
        self.optimizer = build_optimizer(spec.optimizer, self.base_lr, spec.params, 0.0,
                                         [self.point])
        # The optimizer's own step without torch's wrappers, as the trainer runs it.
        self._step = eager_step(self.optimizer)
        self.schedule = LRSchedule(spec.schedule, spec.schedule_params, spec.warmup,
                                   max(1, total_steps), 1)
        self.noise = float(noise)
        self.generator = torch.Generator().manual_seed(seed)
        self.steps = 0
        self.status = "running"   # or "diverged"

    # -------------------------------------------------------------- live changes
    def set_lr(self, lr: float) -> None:
        self.base_lr = float(lr)

    def set_params(self, changes: dict[str, Any]) -> None:
        kind = optimizer_kind(self.spec.optimizer)
        known = {p.name for p in kind.params}
        checked = coerce_params(tuple(p for p in kind.params if p.name in changes),
                                {k: v for k, v in changes.items() if k in known},
                                "optimizer")
        apply_hyperparameters(self.optimizer, self.spec.optimizer, checked)

    # -------------------------------------------------------------- stepping
    def _loss(self) -> torch.Tensor:
        values = self.point.unbind()
        loss = self.expression(*values)
        if loss.dim():  # a constant function broadcasts to a 0-d tensor already
            loss = loss.sum()
        return loss + 0.0 * self.point.sum()  # keeps a constant function differentiable

    def _closure(self) -> torch.Tensor:
        self.point.grad = None
        loss = self._loss()
        loss.backward()
        self._add_noise()
        return loss

    def _add_noise(self) -> None:
        if self.noise > 0.0:
            self.point.grad.add_(torch.randn(self.point.shape, generator=self.generator,
                                             dtype=torch.float64), alpha=self.noise)

    def step(self) -> StepRecord | None:
        """One update; None once the point has diverged."""
        if self.status != "running":
            return None
        lr = self.base_lr * self.schedule.factor(self.steps)
        for group in self.optimizer.param_groups:
            group["lr"] = lr
        before = tuple(self.point.detach().tolist())
        loss = self._closure()
        grad = tuple(self.point.grad.tolist())
        if isinstance(self.optimizer, torch.optim.LBFGS):
            self._step(self._closure)
        else:
            self._step()
        after = tuple(self.point.detach().tolist())
        record = StepRecord(self.steps, before, float(loss.detach()), grad,
                            tuple(a - b for a, b in zip(after, before)), lr,
                            self._internals())
        self.steps += 1
        if not all(math.isfinite(v) and abs(v) < DIVERGED_AT for v in (*after, record.loss)):
            self.status = "diverged"
        return record

    @property
    def position(self) -> tuple[float, ...]:
        return tuple(self.point.detach().tolist())

    def value(self) -> float:
        with torch.no_grad():
            return float(self._loss())

    def _internals(self) -> dict[str, tuple[float, ...]]:
        state = self.optimizer.state.get(self.point, {})
        return {key: tuple(value.tolist()) for key, value in state.items()
                if key in INTERNALS and isinstance(value, torch.Tensor)
                and value.shape == self.point.shape}
