"""The learning-rate finder (Leslie Smith's range test, as fastai and Lightning run it).

The learning rate grows exponentially from `start` to `end` over `updates` mini-batch
updates while the training loss is recorded, smoothed by a bias-corrected moving average
(beta 0.98); the sweep stops once the smoothed loss exceeds `diverge` times its best.

Suggestions come only from the descent: the stretch that ends at the lowest smoothed
loss and lies clearly below the loss the sweep started from (the mean batch loss over its
first tenth and any updates at an lr of at most 1e-5, too small to change anything).
Within it, "steepest" is where the loss falls fastest against log lr and "valley" is
fastai's default rule (credited to ESRI: about two thirds down the longest stretch in
which the loss keeps falling); both are points where the loss is falling. When the loss
never falls clearly (by `MIN_DROP` of its start and by three times what the batches'
noise alone would move it), or only rises, there is no clear valley: the finding says
so in a sentence and suggests no lr, rather than a point in a flat stretch or a blow-up.

The sweep trains a copy of the network with a fresh optimizer of the session's kind, on
batches drawn by its own generator, so the trainer's weights, optimizer state, shuffle
order and position are untouched by construction; the global torch RNG (dropout) and the
thread count are put back as they were.
"""
from __future__ import annotations

import copy
import math
import statistics
from dataclasses import dataclass
from typing import Any, Callable

import torch

from ..errors import SpecError
from ..optim import build_optimizer, optimizer_kind

# The suggestions ignore the first tenth of the sweep (the average is still settling)
# and its last few points (the blow-up), as fastai does.
_SKIP_END = 5
# A clear valley: the smoothed loss falls at least this share below its start. A flat
# curve's smoothed noise stays well under it (spiral's 100-update sweep: 1.5%).
MIN_DROP = 0.05
# The descent begins where the loss is below its start by this share of the whole drop,
# so the noise of a flat stretch at the start level never counts as falling.
_DESCENT_MARGIN = 0.1
_NEGLIGIBLE_LR = 1e-5  # the start level is measured up to here (and the first tenth)


@dataclass(frozen=True)
class Reading:
    """What a loss curve says: the suggestions (None without a clear valley), the
    descent they come from (indices into the curve read) and a sentence when there is
    no clear valley."""

    steepest: float | None
    valley: float | None
    descent: tuple[int, int] | None   # first and last index of the descent
    note: str = ""

    @property
    def clear(self) -> bool:
        return self.valley is not None


@dataclass(frozen=True)
class LrFinding:
    lrs: tuple[float, ...]        # the learning rate of each update
    losses: tuple[float, ...]     # the smoothed loss after each update
    raw: tuple[float, ...]        # each update's own batch loss
    steepest: float | None        # None: no clear valley
    valley: float | None
    reason: str                   # "diverged", "completed" or "stopped"
    start_loss: float = math.nan  # the loss the sweep started from
    note: str = ""                # why there is no clear valley ("" when there is one)
    descent: tuple[float, float] | None = None  # the lrs the suggestions were read from

    @property
    def clear(self) -> bool:
        """Whether the curve has a clear valley to suggest an lr from."""
        return self.valley is not None

    @property
    def suggestion(self) -> float | None:
        """The lr to use: fastai's default, the valley; None without a clear valley."""
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
    start_loss, noise = _start_level(lrs, raw, updates, beta)
    reading = read_curve(xs, ys, start_loss, noise)
    note = reading.note
    if note and trainer.step > 0:
        note += (f" The network has trained {trainer.step:,} updates already, so its "
                 "loss may have little left to fall: sweep it from fresh weights (Reset).")
    descent = None if reading.descent is None else \
        (xs[reading.descent[0]], xs[reading.descent[1]])
    return LrFinding(tuple(lrs), tuple(losses), tuple(raw), reading.steepest,
                     reading.valley, reason, start_loss, note, descent)


def _start_level(lrs: list[float], raw: list[float], updates: int,
                 beta: float) -> tuple[float, float]:
    """The loss before the sweep changed anything, and how far a smoothed value may lie
    from it by batch noise alone (one standard deviation): the mean batch loss over the
    first tenth of the sweep and any further updates at an lr of at most 1e-5, which
    moves no weight noticeably in so few steps."""
    count = max(3, updates // 10, sum(1 for lr in lrs if lr <= _NEGLIGIBLE_LR))
    settling = raw[:count]
    spread = statistics.stdev(settling) if len(settling) > 1 else 0.0
    # the smoothed value's own scatter, and the start's: the two are compared
    return statistics.fmean(settling), spread * math.sqrt((1 - beta) / (1 + beta)
                                                          + 1 / len(settling))


def read_curve(lrs: list[float], losses: list[float], start: float,
               noise: float = 0.0) -> Reading:
    """The suggestions from a smoothed loss curve against exponentially growing lrs,
    read only from its descent; `start` is the loss before any lr could change it,
    `noise` one standard deviation of the batch noise in comparing a smoothed value
    with it (a fall within three of those is no clear fall)."""
    finite = [i for i, loss in enumerate(losses) if math.isfinite(loss)]
    if not finite or not math.isfinite(start):
        return Reading(None, None, None, "The loss was never finite, so there is no "
                       "valley; sweep from a smaller first learning rate.")
    low = min(finite, key=losses.__getitem__)
    drop = start - losses[low]
    if drop < max(MIN_DROP * abs(start), 3 * noise):
        return Reading(None, None, None, _no_valley(lrs, losses, start, noise))
    threshold = start - _DESCENT_MARGIN * drop
    first = low
    while first > 0 and losses[first - 1] < threshold:
        first -= 1
    slopes = {i: _slope(lrs, losses, i) for i in range(first, low)}
    falling = [i for i, slope in slopes.items() if slope < 0]
    if not falling:  # lowest where the reading begins, rising after
        return Reading(None, None, None, f"The loss was at its lowest at the first lr "
                       f"read ({lrs[low]:.2g}) and rose after it, so there is no valley "
                       "to read: sweep from a smaller first learning rate.")
    steep = min(falling, key=slopes.__getitem__)
    stretch = range(first, low + 1)
    middle = first + _valley_index([losses[i] for i in stretch])
    if middle not in falling:  # the rule's point must itself be on the way down
        middle = min(falling, key=lambda i: (abs(i - middle), i))
    return Reading(float(lrs[steep]), float(lrs[middle]), (first, low))


def _slope(lrs: list[float], losses: list[float], i: int) -> float:
    return (losses[i + 1] - losses[i]) / (math.log(lrs[i + 1]) - math.log(lrs[i]))


def _no_valley(lrs: list[float], losses: list[float], start: float, noise: float) -> str:
    """Why a curve that never fell clearly below its start has no valley, in words."""
    lowest = min((loss for loss in losses if math.isfinite(loss)), default=start)
    fell = max(0.0, (start - lowest) / abs(start) * 100) if start else 0.0
    rise = max(MIN_DROP * abs(start), 3 * noise)
    rose = next((i for i, loss in enumerate(losses)
                 if not math.isfinite(loss) or loss > start + rise), None)
    clear = max(MIN_DROP * 100, 300 * noise / abs(start)) if start else MIN_DROP * 100
    head = (f"The loss never fell clearly below where it started ({start:.3g}; at most "
            f"{fell:.0f}% lower, where a fall of {clear:.0f}% would stand out from the "
            "batches' noise), so there is no clear valley and no lr to suggest")
    if rose is None:
        return (f"{head}: over lrs {lrs[0]:.2g} to {lrs[-1]:.2g} it stayed flat. A longer "
                "sweep (more updates) may show a fall that this one was too short for.")
    if rose <= len(losses) // 4:
        return (f"{head}: it rose from lr {lrs[rose]:.2g}, near the start of the sweep. "
                "Sweep from a smaller first learning rate.")
    return (f"{head}: it stayed flat up to lr {lrs[rose]:.2g} and then rose. A longer "
            "sweep (more updates) may show a fall that this one was too short for.")


def check_sweep(start: float, end: float, updates: int, beta: float = 0.98,
                diverge: float = 4.0) -> None:
    """Refuse a sweep that cannot run, in one sentence (SpecError)."""
    if not (0 < start < end <= 100):
        raise SpecError(f"The sweep must run from a learning rate above 0 up to a larger "
                        f"one of at most 100, not {start:g} to {end:g}.")
    if not end >= 10 * start:  # the sweep reads slopes against log(lr): a span is needed
        raise SpecError(f"The sweep must span at least a factor of 10 (one decade), not "
                        f"{start:g} to {end:g}.")
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
    return float(lrs[_valley_index(losses)])


def _valley_index(losses: list[float]) -> int:
    """The index valley() picks (fastai's rule, as it computes it)."""
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
    return start + int(sections) + int(sections / 2)
