"""A batched search against a one-at-a-time search: what asking trials together buys.

    .venv/bin/python -m tests.bench.bench_search [--rounds N] [--trials N] [--batch N ...]
                                                 [--sqlite]

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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--trials", type=int, default=16)
    parser.add_argument("--batch", type=int, nargs="+", default=[16, 4])
    parser.add_argument("--sqlite", action="store_true")
    args = parser.parse_args()
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
