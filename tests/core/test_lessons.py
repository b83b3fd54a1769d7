"""Lessons: every shipped lesson loads and its reference experiment shows its effect;
a broken lesson file is refused with a sentence naming it; each check says why not."""
from __future__ import annotations

import math

import numpy as np
import pytest

from playground.core.experiments.runs import RunStore
from playground.core.lessons import (CHECKS, Evidence, LessonError, find_lesson, load_lessons,
                                     parse_lesson, run_reference)
from playground.core.lessons.lesson import RunRecipe

LESSONS = load_lessons()

GOOD = """---
title: A lesson
ideas: [momentum]
setup: {example: spiral, edits: {optimizer.lr: 0.1}}
check: {name: lr_too_high}
reference:
  runs: [{example: spiral, edits: {optimizer.lr: 0.1}}]
---
Text.
"""


def test_at_least_sixteen_lessons_cover_the_material():
    assert len(LESSONS) >= 16
    ideas = {idea for lesson in LESSONS.values() for idea in lesson.ideas}
    for idea in ("momentum", "adaptive methods", "initialisation", "feature scaling",
                 "gradient clipping", "regularisation", "learning-rate schedules",
                 "batch vs mini-batch vs stochastic", "hyperparameter tuning", "losses",
                 "metrics", "activations", "the 1-D descent demo"):
        assert idea in ideas, idea


@pytest.mark.parametrize("name", list(LESSONS))
def test_every_reference_run_shows_its_lesson(name):
    """Each reference was chosen far from its check's threshold (tests/bench/bench_lessons
    prints the margins over three seeds)."""
    verdict = run_reference(LESSONS[name])
    assert verdict.passed, verdict.evidence + " " + verdict.advice
    assert verdict.evidence


def test_a_good_lesson_parses():
    lesson = parse_lesson(GOOD, "lessons/99-mine.md")
    assert lesson.name == "mine" and lesson.check == "lr_too_high"
    assert lesson.setup.spec().optimizer.lr == 0.1


@pytest.mark.parametrize("broken, words", [
    ("no front matter", "no front matter"),
    (GOOD.replace("title: A lesson\n", ""), "lacks title"),
    (GOOD.replace("check: {name: lr_too_high}", "check: {name: nonsense}"), "unknown check"),
    (GOOD.replace("check: {name: lr_too_high}", "check: {name: lr_too_low, drop: fast}"),
     "drop must be a float"),
    (GOOD.replace("example: spiral, edits: {optimizer.lr: 0.1}}\ncheck",
                  "example: spiral, edits: {optimizer.lr: -1}}\ncheck"), "invalid"),
    (GOOD.replace("optimizer.lr: 0.1}}\ncheck", "optimizer.nope: 1}}\ncheck"), "no field"),
    (GOOD.replace("example: spiral, edits: {optimizer.lr: 0.1}}\ncheck",
                  "example: moon, edits: {}}\ncheck"), "unknown example"),
    (GOOD.replace("ideas: [momentum]", "ideas: [momentum]\ncolour: red"), "unknown settings"),
    (GOOD.replace("title: A lesson", "title: [unclosed"), "broken"),
    (GOOD.replace("ideas: [momentum]", "ideas: [momentum]\ntry:\n  - Open it: now"),
     "list of texts"),
    (GOOD.replace("title: A lesson", "title: !!python/object:os.system x"), "broken"),
])
def test_a_broken_lesson_is_refused_with_a_sentence_naming_its_file(broken, words):
    with pytest.raises(LessonError) as caught:
        parse_lesson(broken, "lessons/99-mine.md")
    assert "lessons/99-mine.md" in str(caught.value)
    assert words in str(caught.value)


def test_an_unknown_lesson_is_one_sentence():
    with pytest.raises(LessonError, match="There is no lesson 'nope'"):
        find_lesson(LESSONS, "nope")


def _store(*runs):
    store = RunStore()
    for spec, losses, reason in runs:
        store.add_finished(spec, {"epoch": np.arange(1, len(losses) + 1.0),
                                  "loss": np.array(losses, float)}, reason=reason)
    return tuple(store)


def _spec(**edits):
    return RunRecipe("spiral", edits).spec()


def test_comparisons_refuse_runs_that_differ_in_more_than_the_variable():
    runs = _store((_spec(**{"train.batch_size": None}), [0.7, 0.6], "completed"),
                  (_spec(**{"train.batch_size": 10, "optimizer.lr": 0.5}), [0.7, 0.1],
                   "completed"))
    verdict = CHECKS["compare"].evaluate(Evidence(runs), {"by": "batch", "baseline": "full"})
    assert not verdict.passed and "optimizer.lr" in verdict.evidence


def test_a_comparison_says_which_run_won_and_why_not():
    slow, fast = [0.7, 0.6, 0.5], [0.7, 0.2, 0.1]
    runs = _store((_spec(**{"train.batch_size": None}), slow, "completed"),
                  (_spec(**{"train.batch_size": 10}), fast, "completed"))
    shown = CHECKS["compare"].evaluate(Evidence(runs), {"by": "batch", "baseline": "full"})
    assert shown.passed and "0.1" in shown.evidence and "0.5" in shown.evidence
    runs = _store((_spec(**{"train.batch_size": None}), fast, "completed"),
                  (_spec(**{"train.batch_size": 10}), slow, "completed"))
    not_shown = CHECKS["compare"].evaluate(Evidence(runs), {"by": "batch", "baseline": "full",
                                                            "if_not": "Train longer."})
    assert not not_shown.passed and not_shown.advice == "Train longer."


def test_the_lr_checks_read_the_run_and_point_the_right_way():
    high = CHECKS["lr_too_high"].evaluate
    low = CHECKS["lr_too_low"].evaluate
    falling = _store((_spec(), [0.7, 0.4, 0.2], "completed"))
    assert not high(Evidence(falling), {}).passed
    assert "Raise" in high(Evidence(falling), {}).advice
    assert high(Evidence(_store((_spec(), [0.7, math.nan], "diverged"))), {}).passed
    crawl = _store((_spec(), [0.7] * 9 + [0.69], "completed"))
    assert low(Evidence(crawl), {"min_epochs": 5}).passed
    verdict = low(Evidence(falling), {"min_epochs": 2})
    assert not verdict.passed and "Lower" in verdict.advice
    assert not low(Evidence(()), {}).passed


def test_the_best_lr_must_lie_inside_the_range_tried():
    runs = _store(*((_spec(**{"optimizer.lr": lr}), [0.7, loss], "completed")
                    for lr, loss in ((0.01, 0.6), (0.1, 0.3), (1.0, 0.1))))
    verdict = CHECKS["best_lr_inside"].evaluate(Evidence(runs), {})
    assert not verdict.passed and "higher" in verdict.advice

