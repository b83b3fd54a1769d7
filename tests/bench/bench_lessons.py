"""Every lesson's reference experiment on three seeds: its verdict, the numbers it read
and its time, so that the margins of tests/core/test_lessons.py can be seen.

    .venv/bin/python -m tests.bench.bench_lessons [NAME ...]
"""
from __future__ import annotations

import dataclasses
import sys
import time

from playground.core.lessons import load_lessons, run_reference
from playground.core.lessons.lesson import RunRecipe

SEEDS = (0, 1, 2)


def main(names: list[str]) -> None:
    lessons = load_lessons()
    for name in names or list(lessons):
        lesson = lessons[name]
        for seed in SEEDS:
            recipes = tuple(RunRecipe(r.example, {**r.edits, "train.seed": seed,
                                                  "data.seed": seed}, r.lrs)
                            for r in lesson.reference)
            began = time.perf_counter()
            verdict = run_reference(dataclasses.replace(lesson, reference=recipes))
            print(f"{name:22s} seed {seed} {'shown' if verdict.passed else 'NOT shown':9s} "
                  f"{time.perf_counter() - began:5.1f} s  {verdict.evidence}", flush=True)


if __name__ == "__main__":
    main(sys.argv[1:])
