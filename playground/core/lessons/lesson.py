"""A lesson is data: one Markdown file with a small YAML front matter, so that a teacher
adds one without code.

    ---
    title: The learning rate, too high
    ideas: [learning rate too high / too low]
    setup: {example: spiral, edits: {optimizer.name: sgd, optimizer.lr: 30.0}}
    watch: [plot:loss, control:optimizer]
    try:
      - Train, and watch the loss.
    check: {name: lr_too_high}
    reference:
      runs: [{example: spiral, edits: {...}}]
    ---
    The explanation, in Markdown.

The file's name (without .md, and without a leading "NN-" that orders the list) is the
lesson's name. Everything is validated when the lessons are loaded: a broken lesson is
refused with a sentence that names its file, and a good lesson's setup and reference
specs are real, valid specs. YAML is read with safe_load (no objects, no code).
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from importlib.resources import files
from typing import Any, Mapping

import yaml

from ..errors import PlaygroundError, SpecError
from ..examples import EXAMPLES
from ..spec import SessionSpec
from .checks import CHECKS
from .error import LessonError

MAX_LESSON_BYTES = 64_000       # a lesson is a page of text, not a data file
MAX_REFERENCE_RUNS = 12
WATCH_KINDS = ("plot", "control", "tab", "lab")
KEYS = {"title", "ideas", "setup", "watch", "try", "check", "reference"}
REQUIRED = ("title", "ideas", "setup", "check", "reference")


@dataclass(frozen=True)
class RunRecipe:
    """A spec as a lesson writes it: a built-in example with dotted edits
    ({"optimizer.lr": 0.1, "train.batch_size": null}); `lrs` trains one run per
    learning rate (a small grid, to give a variant its own tuned rate)."""

    example: str
    edits: Mapping[str, Any] = field(default_factory=dict)
    lrs: tuple[float, ...] = ()

    def spec(self, lr: float | None = None) -> SessionSpec:
        plain = EXAMPLES[self.example]().to_dict()
        for path, value in self.edits.items():
            _set_plain(plain, path, value)
        if lr is not None:
            plain["optimizer"]["lr"] = lr
        return SessionSpec.from_dict(plain).validate()

    def specs(self) -> list[SessionSpec]:
        return [self.spec(lr) for lr in self.lrs] if self.lrs else [self.spec()]


@dataclass(frozen=True)
class Lesson:
    name: str
    title: str
    ideas: tuple[str, ...]
    body: str                      # Markdown
    setup: RunRecipe | None        # None for a lab lesson
    lab: Mapping[str, Any]         # the optimizer lab's state, for a lab lesson
    watch: tuple[str, ...]         # "plot:loss", "control:optimizer", "tab:flow", ...
    steps: tuple[str, ...]         # the "try this" steps
    check: str
    check_params: Mapping[str, Any]
    reference: tuple[RunRecipe, ...]
    reference_lab: Mapping[str, Any]
    source: str                    # the file it came from


def parse_lesson(text: str, source: str) -> Lesson:
    """The lesson in `text` (the contents of the file `source`); LessonError names the
    file and what is wrong with it."""
    try:
        return _parse(text, source)
    except LessonError as exc:
        if source in str(exc):
            raise
        raise LessonError(f"The lesson {source} is broken: {exc}.") from None
    except (PlaygroundError, yaml.YAMLError, KeyError, TypeError, ValueError) as exc:
        detail = str(exc).splitlines()[0][:160] if str(exc) else type(exc).__name__
        raise LessonError(f"The lesson {source} is broken: {detail}") from None


def _parse(text: str, source: str) -> Lesson:
    if len(text.encode("utf-8", "replace")) > MAX_LESSON_BYTES:
        raise LessonError(f"The lesson {source} is longer than {MAX_LESSON_BYTES:,} bytes.")
    match = re.match(r"\A---[ \t]*\n(.*?)\n---[ \t]*\n(.*)\Z", text, re.S)
    if not match:
        raise LessonError(f"The lesson {source} has no front matter: it must begin with "
                          "a line '---', its settings, and another '---'.")
    head = yaml.safe_load(match.group(1))
    if not isinstance(head, dict):
        raise LessonError(f"The lesson {source}'s front matter is not a set of settings.")
    unknown = sorted(set(map(str, head)) - KEYS)
    if unknown:
        raise LessonError(f"The lesson {source} has unknown settings: {', '.join(unknown)} "
                          f"(known: {', '.join(sorted(KEYS))}).")
    missing = [key for key in REQUIRED if key not in head]
    if missing:
        raise LessonError(f"The lesson {source} lacks {', '.join(missing)}.")
    check = _mapping(head["check"], "check", source)
    name = str(check.get("name", ""))
    if name not in CHECKS:
        raise LessonError(f"The lesson {source} names an unknown check {name!r} (known: "
                          f"{', '.join(sorted(CHECKS))}).")
    params = {k: v for k, v in check.items() if k != "name"}
    CHECKS[name].validate(params)
    setup, lab = _setup(head["setup"], source)
    reference = _mapping(head["reference"], "reference", source)
    recipes = tuple(_recipe(item, source) for item in _list(reference.get("runs", []),
                                                            "reference.runs", source))
    ref_lab = _mapping(reference.get("lab", {}), "reference.lab", source)
    if not recipes and not ref_lab:
        raise LessonError(f"The lesson {source}'s reference has neither runs nor a lab state.")
    if sum(len(r.specs()) for r in recipes) > MAX_REFERENCE_RUNS:
        raise LessonError(f"The lesson {source}'s reference trains more than "
                          f"{MAX_REFERENCE_RUNS} runs.")
    watch = _texts(head.get("watch", []), "watch", source)
    for item in watch:
        if item.partition(":")[0] not in WATCH_KINDS or not item.partition(":")[2]:
            raise LessonError(f"The lesson {source} watches {item!r}; write kind:name with a "
                              f"kind of {', '.join(WATCH_KINDS)}.")
    ideas = _texts(head["ideas"], "ideas", source)
    steps = _texts(head.get("try", []), "try", source)
    body = match.group(2).strip()
    if not body or not ideas or not str(head["title"]).strip():
        raise LessonError(f"The lesson {source} needs a title, its ideas and an explanation.")
    return Lesson(lesson_name(source), str(head["title"]).strip(), ideas, body, setup, lab,
                  watch, steps, name, params, recipes, ref_lab, source)


def lesson_name(source: str) -> str:
    stem = source.rsplit("/", 1)[-1].removesuffix(".md")
    return re.sub(r"^\d+-", "", stem)


def _setup(value: Any, source: str) -> tuple[RunRecipe | None, Mapping[str, Any]]:
    setup = _mapping(value, "setup", source)
    if "lab" in setup:
        return None, _mapping(setup["lab"], "setup.lab", source)
    return _recipe(setup, source), {}


def _recipe(value: Any, source: str) -> RunRecipe:
    item = _mapping(value, "a run", source)
    example = str(item.get("example", ""))
    if example not in EXAMPLES:
        raise LessonError(f"The lesson {source} names an unknown example {example!r} "
                          f"(known: {', '.join(EXAMPLES)}).")
    extra = sorted(set(item) - {"example", "edits", "lrs"})
    if extra:
        raise LessonError(f"The lesson {source} has a run with unknown keys: {', '.join(extra)}.")
    lrs = tuple(float(lr) for lr in _list(item.get("lrs", []), "lrs", source))
    recipe = RunRecipe(example, dict(_mapping(item.get("edits", {}), "edits", source)), lrs)
    try:
        recipe.specs()   # the specs are real and valid now, not when a learner clicks
    except SpecError as exc:
        raise LessonError(f"The lesson {source} has a run whose spec is invalid: {exc}"
                          ) from None
    return recipe


def _set_plain(plain: dict, path: str, value: Any) -> None:
    *parents, last = path.split(".")
    node = plain
    for part in parents:
        if not isinstance(node.get(part), dict):
            raise SpecError(f"The spec has no field {path!r}.")
        node = node[part]
    params = parents and parents[-1] == "params"
    if last not in node and not params:
        raise SpecError(f"The spec has no field {path!r}.")
    node[last] = value


def _texts(value: Any, what: str, source: str) -> tuple[str, ...]:
    """A list of plain texts (a step with an unquoted ': ' in it reads as a mapping)."""
    items = _list(value, what, source)
    for item in items:
        if not isinstance(item, (str, int, float)):
            raise LessonError(f"The lesson {source}'s {what} must be a list of texts; quote "
                              f"an item that holds ': ' or starts with a special character.")
    return tuple(str(item) for item in items)


def _mapping(value: Any, what: str, source: str) -> Mapping[str, Any]:
    if not isinstance(value, dict):
        raise LessonError(f"The lesson {source}'s {what} must be a set of settings.")
    return value


def _list(value: Any, what: str, source: str) -> list:
    if not isinstance(value, list):
        raise LessonError(f"The lesson {source}'s {what} must be a list.")
    return value


def load_lessons() -> dict[str, Lesson]:
    """Every lesson shipped with the package, by name, in the files' order."""
    folder = files("playground") / "resources" / "lessons"
    entries = sorted((e for e in folder.iterdir() if e.name.endswith(".md")),
                     key=lambda e: e.name)
    lessons: dict[str, Lesson] = {}
    for entry in entries:
        source = f"lessons/{entry.name}"
        lesson = parse_lesson(entry.read_text(encoding="utf-8"), source)
        if lesson.name in lessons:
            raise LessonError(f"The lesson {source} repeats the name {lesson.name!r}.")
        lessons[lesson.name] = lesson
    return lessons


def find_lesson(lessons: Mapping[str, Lesson], name: str) -> Lesson:
    if name not in lessons:
        raise LessonError(f"There is no lesson {name[:80]!r}; 'playground lessons' lists "
                          f"them ({', '.join(lessons)}).")
    return lessons[name]
