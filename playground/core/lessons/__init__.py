"""Lessons (Qt-free): every idea of gradient descent as a guided experiment. A lesson is
a Markdown file with a small front matter under playground/resources/lessons; its check
reads the learner's runs and says whether they show the effect, and why not."""
from .checks import CHECKS, Evidence, Verdict
from .error import LessonError
from .lesson import Lesson, RunRecipe, find_lesson, load_lessons, parse_lesson
from .reference import run_lab, run_reference

__all__ = ["CHECKS", "Evidence", "Lesson", "LessonError", "RunRecipe", "Verdict",
           "find_lesson", "load_lessons", "parse_lesson", "run_lab", "run_reference"]
