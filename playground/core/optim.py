"""Optimizer and learning-rate schedule registries, with parameter schemas.

Schedules are our own pure functions of the update count (a multiplier on the base
learning rate), so the planned curve can be previewed without training, their whole
state is a few numbers, and changing the learning rate mid-run simply rescales them.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any, Iterable

import torch

from .errors import SpecError
from .schema import Param, coerce_params

_BETA1 = Param("beta1", "float", 0.9, "Decay of the running mean of gradients (the "
               "momentum part).", 0.0, 0.9999)
_BETA2 = Param("beta2", "float", 0.999, "Decay of the running mean of squared gradients "
               "(the per-weight step size).", 0.0, 0.999999)
_EPS = Param("eps", "float", 1e-8, "Small number that keeps the division stable.",
             1e-12, 1.0, log_scale=True)
_MOMENTUM = Param("momentum", "float", 0.9, "Fraction of the previous update carried "
                  "into this one: smooths the path and speeds it up along valleys.",
                  0.0, 0.999)


@dataclass(frozen=True)
class OptimizerKind:
    name: str
    label: str
    description: str
    torch_class: type[torch.optim.Optimizer]
    default_lr: float
    params: tuple[Param, ...] = ()
    fixed: dict[str, Any] = field(default_factory=dict)
    full_batch_only: bool = False

    def torch_kwargs(self, params: dict[str, Any]) -> dict[str, Any]:
        """Map our parameter names onto the torch constructor's."""
        kwargs = dict(self.fixed)
        for name, value in params.items():
            if name == "beta1":
                kwargs["betas"] = (value, kwargs.get("betas", (0.9, 0.999))[1])
            elif name == "beta2":
                kwargs["betas"] = (kwargs.get("betas", (0.9, 0.999))[0], value)
            else:
                kwargs[name] = value
        return kwargs


OPTIMIZERS: dict[str, OptimizerKind] = {
    kind.name: kind
    for kind in (
        OptimizerKind("sgd", "Gradient descent",
                      "Plain gradient descent: w <- w - lr * gradient.",
                      torch.optim.SGD, 0.1, fixed={"momentum": 0.0}),
        OptimizerKind("momentum", "SGD + momentum",
                      "Gradient descent that keeps a velocity, so consistent directions "
                      "build speed and noise cancels.",
                      torch.optim.SGD, 0.05, (_MOMENTUM,)),
        OptimizerKind("nesterov", "Nesterov momentum",
                      "Momentum that looks ahead: the gradient is taken where the "
                      "velocity is about to carry the weights.",
                      torch.optim.SGD, 0.05, (_MOMENTUM,), fixed={"nesterov": True}),
        OptimizerKind("adagrad", "Adagrad",
                      "Divides each weight's step by the root of its summed squared "
                      "gradients: rare features get larger steps, and steps only shrink.",
                      torch.optim.Adagrad, 0.05,
                      (Param("lr_decay", "float", 0.0, "Extra decay of the step size per "
                             "update.", 0.0, 1.0),
                       Param("eps", "float", 1e-10, "Stabilising constant.", 1e-12, 1.0,
                             log_scale=True))),
        OptimizerKind("adadelta", "Adadelta",
                      "Adagrad with a moving window instead of a growing sum, and steps "
                      "scaled by past updates, so lr 1.0 usually works.",
                      torch.optim.Adadelta, 1.0,
                      (Param("rho", "float", 0.9, "Decay of the running averages.",
                             0.0, 0.9999),
                       Param("eps", "float", 1e-6, "Stabilising constant.", 1e-12, 1.0,
                             log_scale=True))),
        OptimizerKind("rmsprop", "RMSprop",
                      "Divides each weight's step by a running average of its squared "
                      "gradients, so steps stay even across weights.",
                      torch.optim.RMSprop, 0.001,
                      (Param("alpha", "float", 0.99, "Decay of the squared-gradient "
                             "average.", 0.0, 0.9999),
                       _EPS,
                       Param("momentum", "float", 0.0, "Momentum on top of the scaled "
                             "steps.", 0.0, 0.999),
                       Param("centered", "bool", False, "Divide by the gradient's "
                             "variance instead of its raw second moment."))),
        OptimizerKind("adam", "Adam",
                      "Momentum plus RMSprop-style scaling, with bias correction for "
                      "the first steps.",
                      torch.optim.Adam, 0.001,
                      (_BETA1, _BETA2, _EPS,
                       Param("amsgrad", "bool", False, "Never let the step-size "
                             "denominator shrink (AMSGrad)."))),
        OptimizerKind("adamw", "AdamW",
                      "Adam with weight decay applied directly to the weights instead of "
                      "through the gradient (decoupled).",
                      torch.optim.AdamW, 0.001,
                      (_BETA1, _BETA2, _EPS,
                       Param("amsgrad", "bool", False, "Use AMSGrad's denominator."))),
        OptimizerKind("adamax", "Adamax",
                      "Adam with the infinity norm in place of the squared-gradient "
                      "average.",
                      torch.optim.Adamax, 0.002, (_BETA1, _BETA2, _EPS)),
        OptimizerKind("nadam", "NAdam",
                      "Adam with Nesterov's look-ahead momentum.",
                      torch.optim.NAdam, 0.002,
                      (_BETA1, _BETA2, _EPS,
                       Param("momentum_decay", "float", 0.004, "Schedule of the momentum "
                             "term.", 0.0, 1.0))),
        OptimizerKind("radam", "RAdam",
                      "Adam whose adaptive step is switched on gradually, as the variance "
                      "estimate becomes trustworthy (a built-in warm-up).",
                      torch.optim.RAdam, 0.001, (_BETA1, _BETA2, _EPS)),
        OptimizerKind("lbfgs", "L-BFGS",
                      "A quasi-Newton method: estimates curvature from recent steps and "
                      "jumps towards the minimum; needs full-batch updates.",
                      torch.optim.LBFGS, 1.0,
                      (Param("max_iter", "int", 20, "Inner iterations per update.", 1, 1000),
                       Param("history_size", "int", 100, "How many past steps estimate "
                             "the curvature.", 1, 1000),
                       Param("line_search", "choice", "strong_wolfe", "How far to move "
                             "along each direction.", choices=("strong_wolfe", "none"))),
                      full_batch_only=True),
    )
}


def optimizer_kind(name: str) -> OptimizerKind:
    try:
        return OPTIMIZERS[name]
    except KeyError:
        raise SpecError(
            f"optimizer.name: unknown optimizer {name!r}; choose one of "
            f"{', '.join(OPTIMIZERS)}."
        ) from None


def build_optimizer(name: str, lr: float, params: dict[str, Any], weight_decay: float,
                    parameters: Iterable[torch.nn.Parameter]) -> torch.optim.Optimizer:
    """Build the optimizer in the fastest form torch supports: fused, else foreach."""
    kind = optimizer_kind(name)
    kwargs = kind.torch_kwargs(coerce_params(kind.params, params, "optimizer"))
    parameters = list(parameters)
    if kind.name == "lbfgs":
        search = kwargs.pop("line_search")
        return torch.optim.LBFGS(parameters, lr=lr, line_search_fn=(
            None if search == "none" else search), **kwargs)
    kwargs["weight_decay"] = weight_decay
    devices = {param.device.type for param in parameters}
    for speed in ({"fused": True}, {"foreach": True}, {}):
        if "fused" in speed and not devices <= {"cpu", "cuda"}:
            continue
        try:
            return kind.torch_class(parameters, lr=lr, **kwargs, **speed)
        except (RuntimeError, ValueError, TypeError):
            continue
    raise AssertionError("unreachable: the plain form always builds")


def apply_hyperparameters(optimizer: torch.optim.Optimizer, name: str,
                          changes: dict[str, Any]) -> None:
    """Write validated hyperparameter changes (not lr) into every param group."""
    kind = optimizer_kind(name)
    torch_values = kind.torch_kwargs(changes)
    torch_values = {key: value for key, value in torch_values.items()
                    if key not in kind.fixed}
    for group in optimizer.param_groups:
        if "betas" in torch_values:
            b1, b2 = group["betas"]
            b1 = changes.get("beta1", b1)
            b2 = changes.get("beta2", b2)
            group["betas"] = (b1, b2)
        for key, value in torch_values.items():
            if key != "betas":
                group[key] = value


# ----------------------------------------------------------------- schedules

@dataclass(frozen=True)
class ScheduleKind:
    name: str
    label: str
    description: str
    params: tuple[Param, ...] = ()
    within_epoch: bool = False  # changes between updates, not only between epochs


SCHEDULES: dict[str, ScheduleKind] = {
    kind.name: kind
    for kind in (
        ScheduleKind("constant", "Constant", "The learning rate never changes."),
        ScheduleKind("step", "Step decay",
                     "Multiplies the learning rate by gamma every step_size epochs.",
                     (Param("step_size", "int", 10, "Epochs between drops.", 1, 100_000),
                      Param("gamma", "float", 0.5, "Factor applied at each drop.",
                            0.0, 1.0))),
        ScheduleKind("multistep", "Multi-step decay",
                     "Multiplies the learning rate by gamma at each listed epoch.",
                     (Param("milestones", "floats", (30.0, 60.0, 90.0),
                            "Epochs at which the rate drops.", 0.0, 1e9),
                      Param("gamma", "float", 0.1, "Factor applied at each drop.",
                            0.0, 1.0))),
        ScheduleKind("exponential", "Exponential decay",
                     "Multiplies the learning rate by gamma after every epoch.",
                     (Param("gamma", "float", 0.95, "Factor per epoch.", 0.0, 1.0),)),
        ScheduleKind("inverse_time", "Inverse-time decay",
                     "lr / (1 + decay * updates): the classic decay of stochastic "
                     "approximation, smooth and slowing.",
                     (Param("decay", "float", 0.001, "Decay per update.", 0.0, 1e3,
                            log_scale=True),), within_epoch=True),
        ScheduleKind("cosine", "Cosine annealing",
                     "Follows half a cosine from the full rate down to a floor; with a "
                     "period shorter than the run it restarts (warm restarts).",
                     (Param("period", "float", 0.0, "Epochs in the first cycle (0: the "
                            "whole run).", 0.0, 1e9),
                      Param("period_mult", "int", 1, "Each cycle is this many times "
                            "longer than the last.", 1, 100),
                      Param("min_factor", "float", 0.0, "Floor, as a fraction of the "
                            "base rate.", 0.0, 1.0)), within_epoch=True),
        ScheduleKind("onecycle", "One-cycle",
                     "Rises from a low rate to the base rate, then anneals far below it: "
                     "fast training in a fixed budget.",
                     (Param("pct_start", "float", 0.3, "Fraction of the run spent "
                            "rising.", 0.0, 1.0),
                      Param("div_factor", "float", 25.0, "Start rate = base / this.",
                            1.0, 1e6),
                      Param("final_div_factor", "float", 1e4, "Final rate = start / "
                            "this.", 1.0, 1e9)), within_epoch=True),
        ScheduleKind("plateau", "Reduce on plateau",
                     "Cuts the learning rate when the validation loss stops improving.",
                     (Param("factor", "float", 0.1, "Multiplier at each cut.", 0.0, 1.0),
                      Param("patience", "int", 10, "Epochs without improvement before "
                            "a cut.", 0, 100_000),
                      Param("threshold", "float", 1e-4, "Relative improvement that "
                            "counts.", 0.0, 1.0),
                      Param("min_factor", "float", 0.0, "Never go below this fraction "
                            "of the base rate.", 0.0, 1.0))),
    )
}

def schedule_defaults_for(name: str, epochs: int) -> dict[str, Any]:
    """Settings that show a decay's idea in a run of `epochs` epochs: a few visible
    drops, ending well below the base rate but not at nothing. The fixed defaults
    (step: every 10 epochs by 0.5) left 0.5**20, about a millionth, of the rate after a
    200-epoch run: training stopped long before the run did. Others: {} (the defaults)."""
    epochs = max(1, int(epochs))
    if name == "step":  # three drops: 1/8 of the rate for the last quarter
        return {"step_size": max(1, epochs // 4), "gamma": 0.5}
    if name == "multistep":  # at a half and three quarters: 1/100 at the end
        return {"milestones": (float(epochs // 2), float(3 * epochs // 4)), "gamma": 0.1}
    if name == "exponential":  # smoothly down to a tenth
        return {"gamma": round(0.1 ** (1 / epochs), 4)}
    return {}


WARMUP_HELP = ("Epochs over which the rate climbs linearly from near zero to the "
               "schedule's value; avoids large, wild first steps.")


def schedule_kind(name: str) -> ScheduleKind:
    try:
        return SCHEDULES[name]
    except KeyError:
        raise SpecError(
            f"schedule.name: unknown schedule {name!r}; choose one of "
            f"{', '.join(SCHEDULES)}."
        ) from None


class LRSchedule:
    """Multiplier on the base learning rate as a function of the update count."""

    def __init__(self, name: str, params: dict[str, Any], warmup_epochs: float,
                 total_epochs: int, steps_per_epoch: int):
        self.kind = schedule_kind(name)
        self.p = coerce_params(self.kind.params, params, "schedule")
        self.spe = max(1, steps_per_epoch)
        self.total_steps = max(1, total_epochs * self.spe)
        self.warmup_steps = warmup_epochs * self.spe
        self.plateau_factor = 1.0
        self.plateau_best = math.inf
        self.plateau_wait = 0
        self.is_constant = name in ("constant", "plateau") and self.warmup_steps == 0
        self.within_epoch = self.kind.within_epoch or self.warmup_steps > 0

    def replan(self, total_epochs: int) -> None:
        """The run's length changed: schedules that span the run stretch or shrink."""
        self.total_steps = max(1, total_epochs * self.spe)

    def factor(self, step: int) -> float:
        value = self._base_factor(step) * self.plateau_factor
        if step < self.warmup_steps:
            value *= (step + 1) / (self.warmup_steps + 1)
        return value

    def _base_factor(self, step: int) -> float:
        name, p = self.kind.name, self.p
        epoch = step // self.spe
        if name == "step":
            return p["gamma"] ** (epoch // p["step_size"])
        if name == "multistep":
            return p["gamma"] ** sum(1 for m in p["milestones"] if epoch >= m)
        if name == "exponential":
            return p["gamma"] ** epoch
        if name == "inverse_time":
            return 1.0 / (1.0 + p["decay"] * step)
        if name == "cosine":
            return self._cosine(step)
        if name == "onecycle":
            return self._onecycle(step)
        return 1.0

    def _cosine(self, step: int) -> float:
        p = self.p
        period = (p["period"] * self.spe) if p["period"] > 0 else self.total_steps
        position = float(step)
        while position >= period and p["period"] > 0:
            position -= period
            period *= p["period_mult"]
        cos = 0.5 * (1.0 + math.cos(math.pi * min(1.0, position / period)))
        return p["min_factor"] + (1.0 - p["min_factor"]) * cos

    def _onecycle(self, step: int) -> float:
        p = self.p
        start = 1.0 / p["div_factor"]
        end = start / p["final_div_factor"]
        rise = max(1.0, p["pct_start"] * self.total_steps)
        if step < rise:
            return _cos_between(start, 1.0, step / rise)
        fall = max(1.0, self.total_steps - rise)
        return _cos_between(1.0, end, min(1.0, (step - rise) / fall))

    def on_epoch_end(self, monitored: float) -> bool:
        """Feed the monitored loss to reduce-on-plateau; True when the rate was cut."""
        if self.kind.name != "plateau" or not math.isfinite(monitored):
            return False
        p = self.p
        if monitored < self.plateau_best * (1.0 - p["threshold"]):
            self.plateau_best, self.plateau_wait = monitored, 0
            return False
        self.plateau_wait += 1
        if self.plateau_wait <= p["patience"]:
            return False
        self.plateau_wait = 0
        new_factor = max(p["min_factor"], self.plateau_factor * p["factor"])
        cut = new_factor < self.plateau_factor
        self.plateau_factor = new_factor
        return cut

    def state_dict(self) -> dict[str, float]:
        return {"plateau_factor": self.plateau_factor, "plateau_best": self.plateau_best,
                "plateau_wait": self.plateau_wait}

    def load_state_dict(self, state: dict[str, float]) -> None:
        self.plateau_factor = float(state["plateau_factor"])
        self.plateau_best = float(state["plateau_best"])
        self.plateau_wait = int(state["plateau_wait"])


def _cos_between(start: float, end: float, fraction: float) -> float:
    return end + (start - end) * 0.5 * (1.0 + math.cos(math.pi * fraction))


def planned_lr_curve(name: str, params: dict[str, Any], base_lr: float,
                     warmup_epochs: float, epochs: int, steps_per_epoch: int,
                     max_points: int = 2000) -> tuple[list[float], list[float]]:
    """The learning rate the schedule plans, as (epoch positions, rates), no training.

    Reduce-on-plateau depends on the run, so its plan is the base rate.
    """
    schedule = LRSchedule(name, params, warmup_epochs, epochs, steps_per_epoch)
    total = max(1, epochs * schedule.spe)
    stride = max(1, math.ceil(total / max_points))
    steps = list(range(0, total, stride))
    return ([step / schedule.spe for step in steps],
            [base_lr * schedule.factor(step) for step in steps])
