"""Optimizer updates over a leading run axis: one update for many stacked networks.

torch.optim refuses a per-model learning-rate tensor, so the stacked trainer updates its
parameters itself. Each family is written once, with every hyperparameter a column
(runs, 1) over the run axis, and follows torch.optim's formulas step for step (the
fused/foreach kernels the Trainer uses), so a stacked run matches the same run trained
alone up to float rounding. tests/core/test_batched.py checks each against torch.optim.

Parameters, gradients and states are (runs, P) tensors: each row one run's every value.
"""
from __future__ import annotations

import math
from typing import Any, Iterable, Sequence

import torch

from ..optim import optimizer_kind
from ..schema import coerce_params

# Families with a stacked update; any other optimizer trains alone (see batched.py).
BATCHED_OPTIMIZERS = ("sgd", "momentum", "nesterov", "adam", "adamw", "rmsprop", "adagrad")


def _column(values: Iterable[float]) -> torch.Tensor | float:
    """A hyperparameter over the run axis: a plain number when every run has the same
    (cheaper, and the most common sweep varies one thing), else a (runs, 1) column."""
    values = list(values)
    if all(value == values[0] for value in values):
        return float(values[0])
    return torch.tensor(values, dtype=torch.float32).unsqueeze(1)


class StackedUpdate:
    """The update of one optimizer family for a block of runs (rows of the buffer)."""

    def __init__(self, name: str, params: Sequence[dict[str, Any]], weight_decay: Sequence[float],
                 size: int) -> None:
        kind = optimizer_kind(name)
        self.name = name
        self.p = [coerce_params(kind.params, dict(p), "optimizer") for p in params]
        self.runs = len(self.p)
        self.wd = _column(weight_decay)
        self.any_wd = any(w != 0 for w in weight_decay)
        self.amsgrad = self.centered = None
        self.step_count = 0
        zeros = lambda: torch.zeros(self.runs, size)  # noqa: E731
        if name in ("momentum", "nesterov"):
            self.m = _column(p["momentum"] for p in self.p)
            self.buf = zeros()
        elif name in ("adam", "adamw"):
            self.beta1 = [p["beta1"] for p in self.p]
            self.beta2 = [p["beta2"] for p in self.p]
            self.b2 = _column(self.beta2)
            self.c1 = _column(1 - b for b in self.beta1)  # 1 - beta, in double as torch
            self.c2 = _column(1 - b for b in self.beta2)
            self.eps = _column(p["eps"] for p in self.p)
            self.amsgrad = torch.tensor([p["amsgrad"] for p in self.p]).unsqueeze(1)
            self.any_amsgrad = bool(self.amsgrad.any())
            self.exp_avg, self.exp_avg_sq = zeros(), zeros()
            self.max_sq = zeros() if self.any_amsgrad else None
        elif name == "rmsprop":
            self.alpha = _column(p["alpha"] for p in self.p)
            self.c = _column(1 - p["alpha"] for p in self.p)
            self.eps = _column(p["eps"] for p in self.p)
            self.m = _column(p["momentum"] for p in self.p)
            self.centered = torch.tensor([p["centered"] for p in self.p]).unsqueeze(1)
            self.any_centered = bool(self.centered.any())
            self.any_momentum = any(p["momentum"] > 0 for p in self.p)
            self.square_avg = zeros()
            self.grad_avg = zeros() if self.any_centered else None
            self.buf = zeros() if self.any_momentum else None
        elif name == "adagrad":
            self.lr_decay = _column(p["lr_decay"] for p in self.p)
            self.eps = _column(p["eps"] for p in self.p)
            self.state_sum = zeros()
        elif name != "sgd":
            raise ValueError(f"no stacked update for {name}")

    def to(self, device: torch.device) -> "StackedUpdate":
        """Move every state and hyperparameter tensor to the parameters' device."""
        for name, value in vars(self).items():
            if isinstance(value, torch.Tensor):
                setattr(self, name, value.to(device))
        return self

    def step(self, param: torch.Tensor, grad: torch.Tensor, lr: torch.Tensor) -> None:
        """One update of `param` (runs, P) in place, from `grad`, with `lr` (runs, 1)."""
        self.step_count += 1
        if self.name == "adamw":
            if self.any_wd:  # decoupled: the weights shrink, the gradient is untouched
                param.mul_(1 - lr * self.wd)
        elif self.any_wd:
            grad = grad + self.wd * param
        getattr(self, "_" + self.name if self.name != "adamw" else "_adam")(param, grad, lr)

    def _sgd(self, param: torch.Tensor, grad: torch.Tensor, lr: torch.Tensor) -> None:
        param.sub_(lr * grad)

    def _momentum(self, param: torch.Tensor, grad: torch.Tensor, lr: torch.Tensor) -> None:
        self.buf.mul_(self.m).add_(grad)
        param.sub_(lr * self.buf)

    def _nesterov(self, param: torch.Tensor, grad: torch.Tensor, lr: torch.Tensor) -> None:
        self.buf.mul_(self.m).add_(grad)
        param.sub_(lr * (grad + self.m * self.buf))

    def _adam(self, param: torch.Tensor, grad: torch.Tensor, lr: torch.Tensor) -> None:
        step = self.step_count
        self.exp_avg.lerp_(grad, self.c1)
        if isinstance(self.c2, float):  # one beta2 for all: one pass, no temporary
            self.exp_avg_sq.mul_(self.b2).addcmul_(grad, grad, value=self.c2)
        else:
            self.exp_avg_sq.mul_(self.b2).addcmul_(grad * self.c2, grad)
        second = self.exp_avg_sq
        if self.any_amsgrad:
            torch.maximum(self.max_sq, self.exp_avg_sq, out=self.max_sq)
            second = torch.where(self.amsgrad, self.max_sq, self.exp_avg_sq)
        correction1 = _column([1 - b ** step for b in self.beta1])
        correction2_sqrt = _column([math.sqrt(1 - b ** step) for b in self.beta2])
        denom = second.sqrt().div_(correction2_sqrt).add_(self.eps)
        param.addcdiv_(self.exp_avg * (lr / correction1), denom, value=-1.0)

    def _rmsprop(self, param: torch.Tensor, grad: torch.Tensor, lr: torch.Tensor) -> None:
        self.square_avg.mul_(self.alpha).addcmul_(grad * self.c, grad)
        if self.any_centered:
            self.grad_avg.lerp_(grad, self.c)
            centred = (self.square_avg - self.grad_avg * self.grad_avg).sqrt_()
            avg = torch.where(self.centered, centred, self.square_avg.sqrt()).add_(self.eps)
        else:
            avg = self.square_avg.sqrt().add_(self.eps)
        if self.any_momentum:
            self.buf.mul_(self.m).add_(grad / avg)
            param.sub_(lr * self.buf)
        else:
            param.sub_(lr * (grad / avg))

    def _adagrad(self, param: torch.Tensor, grad: torch.Tensor, lr: torch.Tensor) -> None:
        clr = lr / (1 + (self.step_count - 1) * self.lr_decay)
        self.state_sum.addcmul_(grad, grad, value=1.0)
        std = self.state_sum.sqrt().add_(self.eps)
        param.sub_(clr * (grad / std))
