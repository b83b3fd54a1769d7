"""A batched search against a one-at-a-time search: what asking trials together buys;
and with --quality, what TPE and Hyperband earn over random search and no pruning.

    .venv/bin/python -m tests.bench.bench_search [--rounds N] [--trials N] [--batch N ...]
                                                 [--sqlite]
    .venv/bin/python -m tests.bench.bench_search --quality [--seeds N]

The workload: an lr-only search (lr=1e-4..0.3:log, TPE, no pruner so every trial trains
all its epochs) of 16 trials on spiral, a 2-16-16-1 tanh network, Adam, batch 10, 30
epochs. Per round, round-robin (the order rotates, so a drift in the machine's speed hits
every variant), in one process, each variant on the same prepared data:

- sequential: Search(..., batch=1).run(), one trial at a time on the Trainer;
- batch N: Search(..., batch=N).run(), N trials asked at once and trained as one
  stacked model (core.search.batch).

We print each variant's median wall time, its median per-round ratio to sequential with
the interquartile range, and the best value found (TPE's later trials see fewer finished
trials when asked in batches, so the values asked differ after the 10 random start-up
trials). Storage: Optuna's in-memory storage, or an SQLite file with --sqlite (what the
CLI uses by default; it adds the same per-report writes to both sides).
"""
from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

from playground.core.data import prepare
from playground.core.search import Search, SearchSettings, sqlite_url
from playground.core.spec import (DataSpec, LayerSpec, ModelSpec, OptimizerSpec,
                                  SessionSpec, TrainSpec)

SPACE = "lr=1e-4..0.3:log"


def _dense(units, activation):
    return LayerSpec("dense", {"units": units, "activation": activation})


SPEC = SessionSpec(data=DataSpec("spiral"),
                   model=ModelSpec((_dense(16, "tanh"), _dense(16, "tanh"),
                                    _dense(None, "linear"))),
                   optimizer=OptimizerSpec("adam", 0.01),
                   train=TrainSpec(batch_size=10, epochs=30, device="cpu"))


def _search(batch: int, trials: int, data, folder: Path | None, tag: str):
    url = None if folder is None else sqlite_url(folder / f"{tag}.db")
    settings = SearchSettings(SPACE, trials=trials, pruner="none", batch=batch,
                              study=tag)
    started = time.perf_counter()
    summary = Search(SPEC, settings, url, data=data).run()
    seconds = time.perf_counter() - started
    values = [r.value for r in summary.ran if r.value is not None]
    assert len(summary.ran) == trials, summary
    return seconds, min(values)


def _quartiles(values: list[float]) -> str:
    if len(values) < 2:
        return f"[{values[0]:.2f}]"
    q = statistics.quantiles(values, n=4, method="inclusive")
    return f"[{q[0]:.2f}-{q[2]:.2f}]"


def _quality_spec(epochs: int, data: DataSpec, lr: float, optimizer: str = "sgd",
                  batch_size: int = 16) -> SessionSpec:
    """The test suite's tiny network (two tanh layers of 8) on `data`."""
    return SessionSpec(data=data,
                       model=ModelSpec((_dense(8, "tanh"), _dense(8, "tanh"),
                                        _dense(None, "linear"))),
                       optimizer=OptimizerSpec(optimizer, lr),
                       train=TrainSpec(batch_size=batch_size, epochs=epochs, device="cpu",
                                       threads=1))


def _best_of(spec: SessionSpec, space: str, sampler: str, pruner: str, seed: int):
    """A 30-trial in-memory search: its best value and the epochs all its trials trained."""
    summary = Search(spec, SearchSettings(space, trials=30, sampler=sampler, pruner=pruner,
                                          seed=seed), None).run()
    best = min(r.value for r in summary.ran if r.value is not None)
    return best, sum(r.epochs for r in summary.ran)


def quality(seeds: int) -> None:
    """TPE against random search, and Hyperband against no pruning, over `seeds` seeds."""
    spiral = DataSpec("spiral", samples=120, noise=0.05)
    spec = _quality_spec(6, spiral, 0.1)
    space = "lr=1e-4..3:log,momentum=0..0.95,units=2..32"
    best = {s: [_best_of(spec, space, s, "none", seed)[0] for seed in range(seeds)]
            for s in ("random", "tpe")}
    print(f"TPE vs random: 30 trials of {space}, spiral 120, 2-8-8-1 tanh, SGD, 6 epochs, "
          f"seeds 0-{seeds - 1}")
    print("| sampler | best validation loss per seed | median |")
    print("|---|---|---|")
    for sampler, values in best.items():
        print(f"| {sampler} | {', '.join(f'{v:.4f}' for v in values)} | "
              f"**{statistics.median(values):.4f}** |")
    wins = sum(t < r for t, r in zip(best["tpe"], best["random"]))
    print(f"TPE lower than random on {wins} of {seeds} seeds\n")

    spec = _quality_spec(27, DataSpec("moons", samples=400, noise=0.45), 0.01, "adam",
                         batch_size=32)
    space = "lr=1e-4..1:log,units=2..32"
    print(f"Hyperband vs no pruning: 30 random trials of {space}, moons 400 noise 0.45, "
          f"2-8-8-1 tanh, Adam, batch 32, 27 epochs, the same draws with and without pruning")
    print("| seed | best, no pruning | best, Hyperband | ratio | epochs saved |")
    print("|---|---|---|---|---|")
    ratios, savings = [], []
    for seed in range(seeds):
        best_full, epochs_full = _best_of(spec, space, "random", "none", seed)
        best_pruned, epochs_pruned = _best_of(spec, space, "random", "hyperband", seed)
        ratios.append(best_pruned / best_full)
        savings.append(1 - epochs_pruned / epochs_full)
        print(f"| {seed} | {best_full:.4f} | {best_pruned:.4f} | {ratios[-1]:.3f} | "
              f"{savings[-1]:.0%} |")
    print(f"median ratio **{statistics.median(ratios):.3f}**, "
          f"median saving **{statistics.median(savings):.0%}**")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--trials", type=int, default=16)
    parser.add_argument("--batch", type=int, nargs="+", default=[16, 4])
    parser.add_argument("--sqlite", action="store_true")
    parser.add_argument("--quality", action="store_true",
                        help="TPE vs random and Hyperband vs no pruning, not speed")
    parser.add_argument("--seeds", type=int, default=5, help="with --quality")
    args = parser.parse_args()
    if args.quality:
        quality(args.seeds)
        return
    data = prepare(SPEC.data)
    variants = [1, *args.batch]
    times: dict[int, list[float]] = {b: [] for b in variants}
    best: dict[int, list[float]] = {b: [] for b in variants}
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) if args.sqlite else None
        for round_ in range(args.rounds):
            shift = round_ % len(variants)
            for batch in variants[shift:] + variants[:shift]:
                seconds, value = _search(batch, args.trials, data, folder,
                                         f"r{round_}b{batch}")
                times[batch].append(seconds)
                best[batch].append(value)
    print(f"{args.trials}-trial search, {SPACE}, spiral 2-16-16-1 tanh, Adam, batch 10, "
          f"30 epochs, {args.rounds} rounds, "
          f"{'SQLite' if args.sqlite else 'in-memory'} storage")
    print("| variant | wall s (median) | / sequential | best value (median) |")
    print("|---|---|---|---|")
    for batch in variants:
        ratios = [t / s for t, s in zip(times[batch], times[1])]
        name = "sequential" if batch == 1 else f"batch {batch}"
        print(f"| {name} | {statistics.median(times[batch]):.3f} | "
              f"**{statistics.median(ratios):.2f}** {_quartiles(ratios)} | "
              f"{statistics.median(best[batch]):.4f} |")


if __name__ == "__main__":
    main()
