"""A sweep as a grid study: the wall time of the same sweep trained (a) here, stacked,
(b) as a grid study by the sweep command alone and (c) by the sweep command with two
`search worker` processes, on a PostgreSQL started on loopback (as the tests start it)
or on SQLite with --sqlite. Every figure is a process's whole life: Python and torch
starting, the plan, the training, the table (the workers start once the sweep command
says its study exists).

    PYTHONPATH=$PWD .venv/bin/python -m tests.bench.bench_sweep_study [--sqlite] \
        [--epochs 30] [--rounds 1]
"""
from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SWEEP = ["--dataset", "spiral", "--samples", "500", "--batch-size", "32", "--threads", "1",
         "--vary", "lr=0.003,0.01,0.03,0.1", "--vary", "optimizer=sgd,momentum,rmsprop,adam"]


def _command(*args: str) -> list[str]:
    return [sys.executable, "-m", "playground", *args]


def _env() -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": str(ROOT), "OMP_NUM_THREADS": "1"}


def timed_sweep(epochs: int, storage: str | None, study: str, workers: int) -> float:
    """Seconds from starting the sweep command to its exit (workers join once it has
    made its study)."""
    flags = [*SWEEP, "--epochs", str(epochs)]
    if storage is not None:
        flags += ["--storage", storage, "--study", study]
    started = time.perf_counter()
    sweep = subprocess.Popen(_command("sweep", *flags), env=_env(), stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, text=True, cwd=ROOT)
    joined = []
    if workers:
        sweep.stdout.readline()  # "sweep of 16 runs: ...; a grid study ...": it exists
        joined = [subprocess.Popen(_command("search", "worker", "--storage", storage,
                                            "--study", study), env=_env(),
                                   stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                   text=True, cwd=ROOT) for _ in range(workers)]
    out, err = sweep.communicate()
    seconds = time.perf_counter() - started
    for worker in joined:
        worker.communicate()
    if sweep.returncode != 0 or any(w.returncode for w in joined):
        raise SystemExit(f"a process failed: {err or out}")
    print(f"  {'local, stacked' if storage is None else f'grid study, {workers} workers'}:"
          f" {seconds:.1f} s  ({out.strip().splitlines()[-1]})", flush=True)
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sqlite", action="store_true", help="SQLite, not PostgreSQL")
    parser.add_argument("--epochs", type=int, default=30)
    parser.add_argument("--rounds", type=int, default=1)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        if args.sqlite:
            _bench(args, lambda: f"sqlite:///{folder}/grid.db")
        else:
            from tests.core.search.test_postgres import running_postgres

            with running_postgres() as url:
                _bench(args, lambda: url)


def _bench(args: argparse.Namespace, url) -> None:
    times: dict[str, list[float]] = {"local": [], "alone": [], "two workers": []}
    for round_ in range(args.rounds):
        print(f"round {round_ + 1}: 16 points, {args.epochs} epochs", flush=True)
        times["local"].append(timed_sweep(args.epochs, None, "", 0))
        times["alone"].append(timed_sweep(args.epochs, url(), f"alone{round_}", 0))
        times["two workers"].append(timed_sweep(args.epochs, url(), f"two{round_}", 2))
    for name, seconds in times.items():
        print(f"{name}: median {statistics.median(seconds):.1f} s")


if __name__ == "__main__":
    main()
