"""Race: several optimizers from the same start on one 2-D surface, stepped together.

Each racer is a Mover (our registry's optimizer on a 2-element tensor); the race keeps
every racer's path and step records so a view can draw them, and reports per racer how
many steps it took to come within a tolerance of the surface's known minimum value.
"""
from __future__ import annotations

import math
from collections import deque
from dataclasses import dataclass

from ..errors import PlaygroundError
from ..limits import quoted
from .mover import Mover, MoverSpec, StepRecord
from .surfaces import Surface

MAX_RACERS = 12
MAX_STEPS = 100_000
MAX_NOISE = 1e3
MAX_SEED = 2**63 - 1  # torch.Generator.manual_seed's range, as train.seed


class RaceError(PlaygroundError, ValueError):
    """A start point, step count, noise level or list of racers that cannot be used."""


@dataclass
class Racer:
    spec: MoverSpec
    mover: Mover
    path: list[tuple[float, float]]
    records: list[StepRecord] | deque[StepRecord]   # every one, or the last few
    reached_at: int | None = None      # steps to within tol of the known minimum value

    @property
    def status(self) -> str:
        return self.mover.status

    @property
    def steps(self) -> int:
        return self.mover.steps


class Race:
    def __init__(self, surface: Surface, start: tuple[float, float],
                 racers: list[MoverSpec], steps: int = 500, noise: float = 0.0,
                 seed: int = 0, tol: float = 1e-4, keep_records: int | None = None) -> None:
        """keep_records: how many of each racer's latest step records to keep (None:
        all); a long race in the window needs only the last one to draw."""
        check_race(start, racers, steps, noise, seed, tol)
        self.surface = surface
        self.start = (float(start[0]), float(start[1]))
        self.steps = steps
        self.noise = noise
        self.tol = tol
        expression = surface.expression
        # Every racer gets the same noise sequence (same seed): a fair comparison.
        self.racers = [Racer(spec, Mover(expression, self.start, spec, steps, noise, seed),
                             [self.start], [] if keep_records is None
                             else deque(maxlen=keep_records)) for spec in racers]

    @property
    def done(self) -> bool:
        return all(r.status != "running" or r.steps >= self.steps for r in self.racers)

    def step(self) -> int:
        """Advance every running racer by one update; returns how many moved."""
        moved = 0
        for racer in self.racers:
            if racer.steps >= self.steps:
                continue
            record = racer.mover.step()
            if record is None:
                continue
            moved += 1
            racer.records.append(record)
            racer.path.append(racer.mover.position)
            if racer.reached_at is None and self._reached(record.loss):
                racer.reached_at = record.step
        return moved

    def run(self) -> None:
        while not self.done:
            self.step()

    def _reached(self, loss: float) -> bool:
        target = self.surface.min_value
        return target is not None and math.isfinite(loss) and loss - target <= self.tol


def check_race(start: tuple[float, float], racers: list[MoverSpec], steps: int,
               noise: float, seed: int = 0, tol: float = 1e-4) -> None:
    if len(start) != 2 or not all(isinstance(v, (int, float)) and math.isfinite(v)
                                  for v in start):
        raise RaceError(f"The start must be two finite numbers x,y, not {quoted(start)}.")
    if isinstance(seed, bool) or not isinstance(seed, int) or not 0 <= seed <= MAX_SEED:
        raise RaceError(f"The noise's seed must be a whole number from 0 to {MAX_SEED:,}, "
                        f"not {quoted(seed)}.")
    if not (isinstance(tol, (int, float)) and math.isfinite(tol) and tol >= 0):
        raise RaceError(f"The tolerance must be a finite number, 0 or more, not "
                        f"{quoted(tol)}.")
    if not racers:
        raise RaceError("A race needs at least one optimizer.")
    if len(racers) > MAX_RACERS:
        raise RaceError(f"A race takes at most {MAX_RACERS} optimizers, not {len(racers):,}.")
    if isinstance(steps, bool) or not isinstance(steps, int) or not 1 <= steps <= MAX_STEPS:
        raise RaceError(f"The number of steps must be a whole number from 1 to "
                        f"{MAX_STEPS:,}, not {quoted(steps)}.")
    if not (isinstance(noise, (int, float)) and 0 <= noise <= MAX_NOISE):
        raise RaceError(f"The gradient noise must be between 0 and {MAX_NOISE:g}, "
                        f"not {quoted(noise)}.")
    for spec in racers:
        lr = spec.resolved_lr()
        if not (isinstance(lr, (int, float)) and math.isfinite(lr) and lr > 0):
            raise RaceError(f"{spec.optimizer}: the learning rate must be above 0, "
                            f"not {quoted(lr)}.")
