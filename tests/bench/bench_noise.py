"""What the gradient noise figures and the kept weight trajectory cost the trainer.

    .venv/bin/python -m tests.bench.bench_noise [--rounds 15]

The same Trainer, same data and initial weights, trains epochs with everything on (the
default: GradientNoise's six vector operations per update, WeightTrajectory's snapshot
every few epochs) and with both taken out, round-robin; prints the median ratio of the
seconds per epoch (on / off) per workload. Goal: close to 1.
"""
from __future__ import annotations

import argparse
import statistics
import time

import torch

from playground.core.landscape import WeightTrajectory
from tests.bench.bench_trainer import WORKLOADS, _data, _spec, _StopAfter
from playground.core.trainer import Trainer


def trainer_for(workload, data, on: bool) -> tuple[Trainer, _StopAfter]:
    stop = _StopAfter()
    trainer = Trainer(_spec(workload, threads=1), data=data, callbacks=[stop])
    if not on:
        trainer.noise.on_update_end = None
        trainer.callbacks = [c for c in trainer.callbacks
                             if c is not trainer.noise and not isinstance(c, WeightTrajectory)]
    return trainer, stop


def seconds_per_epoch(trainer: Trainer, stop: _StopAfter, epochs: int) -> float:
    """CPU seconds of this thread per epoch: on a shared machine, wall time also counts
    the time other processes held the core (rounds then varied by +-20%)."""
    stop.remaining = epochs
    started = time.thread_time()
    trainer.fit()
    return (time.thread_time() - started) / epochs


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=15)
    args = parser.parse_args()
    import numpy as np

    torch.set_num_threads(1)
    for workload in WORKLOADS:
        if workload.name.startswith("W2"):
            continue  # 60,000 rows: minutes; the per-update cost is what matters
        data = _data(workload, np.random.default_rng(0))
        loops = {on: trainer_for(workload, data, on) for on in (True, False)}
        for trainer, stop in loops.values():
            seconds_per_epoch(trainer, stop, 2)  # warm up
        ratios = []
        for index in range(args.rounds):
            order = (True, False) if index % 2 else (False, True)  # either may go first
            times = {on: seconds_per_epoch(*loops[on], workload.epochs_per_timing)
                     for on in order}
            ratios.append(times[True] / times[False])
        print(f"{workload.name}: on/off {statistics.median(ratios):.3f} "
              f"(rounds {', '.join(f'{r:.3f}' for r in ratios)})", flush=True)


if __name__ == "__main__":
    main()
