"""`playground lessons` and `playground lesson NAME [--check]`: the guided experiments.

`lessons` lists them; `lesson NAME` prints one (its ideas, the explanation, what to
try); `lesson NAME --check` runs its reference experiment headless, as a learner
following the lesson would, and says whether the run shows the effect (exit 0) or not
(exit 1), with the numbers it read.
"""
from __future__ import annotations

import argparse
import json
import textwrap
import time
from typing import Any

from ..core.lessons import find_lesson, load_lessons, run_reference
from .parsing import EXIT_OK

EXIT_NOT_SHOWN = 1


def register(commands: Any) -> None:
    listing = commands.add_parser("lessons", help="list the lessons (guided experiments)")
    listing.add_argument("--json", action="store_true", help="print JSON")
    listing.set_defaults(func=cmd_lessons)
    one = commands.add_parser(
        "lesson", help="print a lesson, or --check: run its experiment and judge it",
        description="Print a lesson; with --check, train its reference experiment "
        "headless and say whether the run shows the lesson's effect (exit 0) or not (1).")
    one.add_argument("name", help="the lesson's name (see 'playground lessons')")
    one.add_argument("--check", action="store_true",
                     help="run the reference experiment and judge it")
    one.add_argument("--jsonl", action="store_true",
                     help="with --check: one JSON object, the verdict")
    one.set_defaults(func=cmd_lesson)


def cmd_lessons(args: argparse.Namespace) -> int:
    lessons = load_lessons()
    if args.json:
        print(json.dumps([{"name": lesson.name, "title": lesson.title,
                           "ideas": list(lesson.ideas)} for lesson in lessons.values()],
                         indent=2))
        return EXIT_OK
    width = max(len(name) for name in lessons)
    for lesson in lessons.values():
        print(f"{lesson.name:<{width}}  {lesson.title}")
    return EXIT_OK


def cmd_lesson(args: argparse.Namespace) -> int:
    lesson = find_lesson(load_lessons(), args.name)
    if not args.check:
        _print_lesson(lesson)
        return EXIT_OK
    began = time.perf_counter()
    verdict = run_reference(lesson)
    seconds = time.perf_counter() - began
    if args.jsonl:
        print(json.dumps({**verdict.to_record(lesson.name), "seconds": round(seconds, 3)}),
              flush=True)
    else:
        shown = "shows the effect" if verdict.passed else "does NOT show the effect"
        print(f"{lesson.title}: the reference run {shown} ({seconds:.1f} s).")
        print(textwrap.fill(verdict.evidence, 88))
        if verdict.advice:
            print(textwrap.fill(f"What to try: {verdict.advice}", 88))
    return EXIT_OK if verdict.passed else EXIT_NOT_SHOWN


def _print_lesson(lesson) -> None:
    print(lesson.title)
    print("=" * len(lesson.title))
    print(f"Ideas: {'; '.join(lesson.ideas)}")
    print()
    print(lesson.body)
    if lesson.steps:
        print()
        print("Try this:")
        for number, step in enumerate(lesson.steps, 1):
            print(textwrap.fill(step, 86, initial_indent=f"{number}. ",
                                subsequent_indent="   "))
    print()
    print(f"Check it: playground lesson {lesson.name} --check (the reference run), or the "
          "Check button in the window's Lessons pane (your own runs).")
