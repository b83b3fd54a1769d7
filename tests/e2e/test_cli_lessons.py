"""`playground lessons`, `lesson NAME` and `lesson NAME --check` through the real CLI."""
from __future__ import annotations

import json

from playground.cli import main


def test_lessons_lists_every_lesson_with_its_ideas(capsys):
    assert main(["lessons", "--json"]) == 0
    listed = json.loads(capsys.readouterr().out)
    assert len(listed) >= 16
    assert {"name", "title", "ideas"} <= set(listed[0])


def test_a_lesson_prints_its_explanation_and_steps(capsys):
    assert main(["lesson", "momentum"]) == 0
    out = capsys.readouterr().out
    assert "Momentum and Nesterov" in out and "Try this:" in out and "--check" in out


def test_check_prints_the_verdict_record_and_exits_0_when_shown(capsys):
    assert main(["lesson", "early-stopping", "--check", "--jsonl"]) == 0
    record = json.loads(capsys.readouterr().out)
    assert record["event"] == "lesson" and record["name"] == "early-stopping"
    assert record["passed"] is True and "epoch" in record["evidence"]


def test_an_unknown_lesson_is_one_sentence_and_exit_2(capsys):
    assert main(["lesson", "no-such-lesson", "--check"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "There is no lesson 'no-such-lesson'" in err


def test_the_window_launcher_knows_every_command_of_the_cli():
    """`playground NAME` goes through app.COMMANDS before the CLI's parser: a command the
    CLI has but app.py does not name would be taken for a file to open."""
    import argparse

    from playground import app
    from playground.cli import build_parser

    parser = build_parser()
    commands = next(action for action in parser._actions
                    if isinstance(action, argparse._SubParsersAction))
    assert set(commands.choices) == set(app.COMMANDS)
