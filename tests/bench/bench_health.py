"""The health diagnosis on the crafted matrix (tests/core/health_cases.py), on more
seeds than the tests use: how often the first finding is the fault's root cause, how
often its fix moves the lr the right way, and how many healthy runs raise anything.

    .venv/bin/python -m tests.bench.bench_health [--seeds 10]

The tests hold the same matrix on seeds 0-2; a cell that is right on fewer than all the
seeds here is a borderline one and belongs here, not in the tests.
"""
from __future__ import annotations

import argparse
import time

from tests.core.health_cases import FAULTS, HEALTHY, lr_direction, run, seeded


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seeds", type=int, default=10)
    seeds = range(parser.parse_args().seeds)
    started = time.perf_counter()
    right = directions = total = 0
    for fault in FAULTS:
        firsts: dict[str, int] = {}
        cell_right = cell_direction = 0
        for seed in seeds:
            spec = seeded(fault.spec, seed)
            _, found = run(spec, fault.prepare)
            first = found[0] if found else None
            name = first.check if first else "nothing"
            firsts[name] = firsts.get(name, 0) + 1
            cell_right += name == fault.first and first.rank == 1
            cell_direction += first is not None and lr_direction(spec, first) == fault.lr
        right, directions, total = right + cell_right, directions + cell_direction, \
            total + len(seeds)
        print(f"{fault.name:28} first {firsts}  right {cell_right}/{len(seeds)}  "
              f"fix direction {cell_direction}/{len(seeds)}")
    alarms = runs = 0
    for name, spec in HEALTHY:
        for seed in seeds:
            _, found = run(seeded(spec, seed))
            runs += 1
            if found:
                alarms += 1
                print(f"false alarm: {name} seed {seed}: {[f.check for f in found]}")
    print(f"\nright first diagnosis {right}/{total}, fix in the right direction "
          f"{directions}/{total}, false alarms {alarms}/{runs} healthy runs "
          f"({time.perf_counter() - started:.0f} s)")


if __name__ == "__main__":
    main()
