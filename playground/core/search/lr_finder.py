"""The learning-rate finder (Leslie Smith's range test, as fastai and Lightning run it).

The learning rate grows exponentially from `start` to `end` over `updates` mini-batch
updates while the training loss is recorded, smoothed by a bias-corrected moving average
(beta 0.98); the sweep stops once the smoothed loss exceeds `diverge` times its best.
Two suggestions are read off the curve: "steepest" (where the loss falls fastest against
log lr) and "valley" (fastai's default rule, credited to ESRI: about two thirds down the
longest stretch in which the loss keeps falling).

The sweep trains a copy of the network with a fresh optimizer of the session's kind, on
batches drawn by its own generator, so the trainer's weights, optimizer state, shuffle
order and position are untouched by construction; the global torch RNG (dropout) and the
thread count are put back as they were.
"""
from __future__ import annotations

import copy
import math
from dataclasses import dataclass
from typing import Any, Callable

import torch

from ..errors import SpecError
from ..optim import build_optimizer, optimizer_kind

# The suggestions ignore the first tenth of the sweep (the average is still settling)
# and its last few points (the blow-up), as fastai does.
_SKIP_END = 5


@dataclass(frozen=True)
class LrFinding:
    lrs: tuple[float, ...]        # the learning rate of each update
    losses: tuple[float, ...]     # the smoothed loss after each update
    raw: tuple[float, ...]        # each update's own batch loss
    steepest: float
    valley: float
    reason: str                   # "diverged", "completed" or "stopped"

    @property
    def suggestion(self) -> float:
        """The lr to use: fastai's default, the valley."""
        return self.valley


def find_lr(trainer: Any, *, start: float = 1e-7, end: float = 10.0, updates: int = 100,
            beta: float = 0.98, diverge: float = 4.0,
            progress: Callable[[int, float, float], None] | None = None,
            stop: Callable[[], bool] | None = None) -> LrFinding:
    """Sweep the learning rate on `trainer`'s network and training data."""
    check_sweep(start, end, updates, beta, diverge)
    spec = trainer.spec
    if optimizer_kind(spec.optimizer.name).full_batch_only:
        raise SpecError(f"The learning-rate finder takes one step per batch, which "
                        f"{optimizer_kind(spec.optimizer.name).label} does not; choose "
                        "another optimizer to find its learning rate.")
    rng_state, threads = torch.get_rng_state(), torch.get_num_threads()
    model = copy.deepcopy(trainer.model)
    was_training = trainer.model.training
    try:
        torch.set_num_threads(trainer.threads)
        optimizer = build_optimizer(spec.optimizer.name, start, dict(spec.optimizer.params),
                                    spec.train.l2, model.parameters())
        lrs, losses, raw, reason = _sweep(trainer, model, optimizer, start, end, updates,
                                          beta, diverge, progress, stop)
    finally:
        torch.set_rng_state(rng_state)
        torch.set_num_threads(threads)
        trainer.model.train(was_training)
    if len(losses) < 3:
        raise SpecError(f"The loss blew up within {len(losses)} updates of the sweep; "
                        "start it from a smaller learning rate.")
    window = _window(len(losses), updates)
    xs, ys = lrs[window], losses[window]
    return LrFinding(tuple(lrs), tuple(losses), tuple(raw), steepest(xs, ys), valley(xs, ys),
                     reason)


def check_sweep(start: float, end: float, updates: int, beta: float = 0.98,
                diverge: float = 4.0) -> None:
    """Refuse a sweep that cannot run, in one sentence (SpecError)."""
    if not (0 < start < end <= 100):
        raise SpecError(f"The sweep must run from a learning rate above 0 up to a larger "
                        f"one of at most 100, not {start:g} to {end:g}.")
    if not (isinstance(updates, int) and 5 <= updates <= 100_000):
        raise SpecError(f"The sweep needs 5 to 100,000 updates, not {updates!r}.")
    if not 0 <= beta < 1:
        raise SpecError(f"The smoothing beta must be from 0 to below 1, not {beta:g}.")
    if not diverge > 1:
        raise SpecError(f"The divergence factor must be above 1, not {diverge:g}.")


def _sweep(trainer: Any, model: torch.nn.Module, optimizer: torch.optim.Optimizer,
           start: float, end: float, updates: int, beta: float, diverge: float,
           progress: Callable | None, stop: Callable | None
           ) -> tuple[list[float], list[float], list[float], str]:
    x, y = trainer.x["train"], trainer.y["train"]
    n = len(x)
    size = n if trainer.spec.train.batch_size is None else min(trainer.batch_size, n)
    generator = torch.Generator().manual_seed(trainer.spec.train.seed)
    clip = trainer.spec.train.clip_norm
    params = [p for p in model.parameters() if p.requires_grad]
    ratio = (end / start) ** (1 / (updates - 1))
    order, cursor = torch.randperm(n, generator=generator), 0
    lrs: list[float] = []
    losses: list[float] = []
    raw: list[float] = []
    average, best = 0.0, math.inf
    model.train()
    for i in range(updates):
        if stop is not None and stop():
            return lrs, losses, raw, "stopped"
        if cursor + size > n:  # a new pass over the rows, in a new order
            order, cursor = torch.randperm(n, generator=generator), 0
        index = order[cursor:cursor + size].to(x.device)
        cursor += size
        lr = start * ratio ** i
        for group in optimizer.param_groups:
            group["lr"] = lr
        optimizer.zero_grad(set_to_none=True)
        loss = trainer.loss_fn(model(x.index_select(0, index)), y.index_select(0, index))
        loss.backward()
        if clip:
            torch.nn.utils.clip_grad_norm_(params, clip)
        optimizer.step()
        value = float(loss.detach())
        if not math.isfinite(value):
            return lrs, losses, raw, "diverged"
        average = beta * average + (1 - beta) * value
        smoothed = average / (1 - beta ** (i + 1))  # bias correction: early values unshrunk
        lrs.append(lr)
        losses.append(smoothed)
        raw.append(value)
        if progress is not None:
            progress(i, lr, smoothed)
        if i > 0 and smoothed > diverge * best:
            return lrs, losses, raw, "diverged"
        best = min(best, smoothed)
    return lrs, losses, raw, "completed"


def _window(count: int, updates: int) -> slice:
    """The part of the curve the suggestions read: fastai's [updates // 10 : -5], or
    the whole curve when a short sweep leaves too little of it."""
    first, last = updates // 10, count - _SKIP_END
    return slice(first, last) if last - first >= 3 else slice(0, count)


def steepest(lrs: list[float], losses: list[float]) -> float:
    """The lr where the loss falls fastest against log lr (the most negative slope)."""
    slopes = [(losses[i + 1] - losses[i]) / (math.log(lrs[i + 1]) - math.log(lrs[i]))
              for i in range(len(losses) - 1)]
    return float(lrs[min(range(len(slopes)), key=slopes.__getitem__)])


def valley(lrs: list[float], losses: list[float]) -> float:
    """fastai's valley rule: find the longest run of points whose losses keep falling
    (a longest decreasing subsequence, by dynamic programming), then take the point
    about two thirds of the way along it (1/3 + 1/6 of its length from its start)."""
    n = len(losses)
    lengths = [1] * n
    start = end = 0
    for i in range(1, n):
        for j in range(i):
            if losses[i] < losses[j] and lengths[i] < lengths[j] + 1:
                lengths[i] = lengths[j] + 1
            if lengths[end] < lengths[i]:
                end, start = i, max(i - lengths[i], 0)  # fastai's may reach -1
    sections = (end - start) / 3
    return float(lrs[start + int(sections) + int(sections / 2)])
