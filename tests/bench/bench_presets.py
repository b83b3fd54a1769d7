"""The presets: what a fair comparison costs, and whether each verdict holds over seeds.

    .venv/bin/python -m tests.bench.bench_presets [--rounds N] [--only NAME,NAME]
    .venv/bin/python -m tests.bench.bench_presets --verdicts [--only ...]
    .venv/bin/python -m tests.bench.bench_presets --markdown > /tmp/teaches.md

Default (time): per preset, round-robin in one process on the same machine,
- before: the preset as it was before verdicts (commit dd72b8a: one seed, each
  optimizer at its default lr, the older settings), its run_sweep() time;
- one seed: the preset now with --seeds 1 (its own setting, each variant's lr grid);
- now: the preset as it runs by default (3 seeds, each variant's lr grid), all of the
  seeds and lrs of a variant stacked into one model where the runs can stack.
We print the medians of the seconds and of the ratios now / before and now / one seed.
The goal (issue 22): now within about 3x of before.

--verdicts: each preset's verdict from three disjoint sets of 3 seeds (0-2, 3-5, 6-8):
a claim the tests rely on should agree on all three.

--markdown: every preset's summary table and verdict as Markdown (3 seeds, as the CLI's
`playground sweep --preset NAME --markdown` prints one): the README's section "What the
playground teaches".
"""
from __future__ import annotations

import argparse
import dataclasses
import importlib.util
import statistics
import subprocess
import sys
import time
from pathlib import Path

from playground.core.experiments.presets import PRESETS
from playground.core.experiments.sweep import run_sweep

BEFORE = "dd72b8a"   # the last commit with the presets of one seed and default lrs
ROOT = Path(__file__).resolve().parents[2]


def old_presets() -> dict:
    """The presets module as it was at BEFORE, loaded beside today's (same package)."""
    source = subprocess.run(["git", "show", f"{BEFORE}:playground/core/experiments/presets.py"],
                            cwd=ROOT, capture_output=True, text=True, check=True).stdout
    spec = importlib.util.spec_from_loader("playground.core.experiments._presets_before",
                                           loader=None)
    module = importlib.util.module_from_spec(spec)
    module.__package__ = "playground.core.experiments"
    sys.modules[spec.name] = module  # dataclasses look their module up there
    exec(compile(source, "presets_before.py", "exec"), module.__dict__)  # noqa: S102
    return module.PRESETS


def _timed(plan) -> float:
    started = time.perf_counter()
    run_sweep(plan)
    return time.perf_counter() - started


def time_presets(names: list[str], rounds: int) -> None:
    before = old_presets()
    print(f"{'preset':<15} {'runs':>5} {'before s':>9} {'1 seed s':>9} {'now s':>8} "
          f"{'now/before':>11} {'now/1 seed':>11}")
    for name in names:
        item = PRESETS[name]
        plans = {"now": item.plan(), "one": item.plan(seeds=1)}
        if name in before:
            plans["before"] = before[name].plan()
        times: dict[str, list[float]] = {key: [] for key in plans}
        for round_ in range(rounds):
            keys = list(plans)
            keys = keys[round_ % len(keys):] + keys[:round_ % len(keys)]
            for key in keys:
                times[key].append(_timed(plans[key]))
        med = {key: statistics.median(values) for key, values in times.items()}
        ratio = (f"{statistics.median(n / b for n, b in zip(times['now'], times['before'])):.2f}"
                 if "before" in med else "new")
        print(f"{name:<15} {len(plans['now'].runs):>5} {med.get('before', float('nan')):>9.2f} "
              f"{med['one']:>9.2f} {med['now']:>8.2f} {ratio:>11} "
              f"{statistics.median(n / o for n, o in zip(times['now'], times['one'])):>11.2f}",
              flush=True)


def verdicts(names: list[str]) -> None:
    for name in names:
        item = PRESETS[name]
        marks = []
        for first in (0, 3, 6):
            base = item.base()
            base = dataclasses.replace(base, train=dataclasses.replace(base.train, seed=first))
            verdict = item.verdict(run_sweep(item.plan(base)).summary())
            marks.append("agrees" if verdict.agrees else "DOES NOT")
            print(f"{name:<15} seeds {first}-{first + 2}: {marks[-1]}: {verdict.evidence}",
                  flush=True)
        print(f"{name:<15} {'stable' if len(set(marks)) == 1 else 'UNSTABLE'}", flush=True)


def markdown(names: list[str]) -> None:
    from playground.cli.sweep import markdown as as_markdown

    for name in names:
        item = PRESETS[name]
        plan = item.plan()
        result = run_sweep(plan)
        summary = result.summary()
        print(as_markdown(summary, plan, item.columns, item, item.verdict(summary)))
        print(flush=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--only", default=",".join(PRESETS))
    group = parser.add_mutually_exclusive_group()
    group.add_argument("--verdicts", action="store_true")
    group.add_argument("--markdown", action="store_true")
    args = parser.parse_args(argv)
    names = [name.strip() for name in args.only.split(",")]
    if args.markdown:
        markdown(names)
    elif args.verdicts:
        verdicts(names)
    else:
        time_presets(names, args.rounds)
    return 0


if __name__ == "__main__":
    sys.exit(main())
