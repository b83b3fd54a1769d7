"""The CLI's words where a learner trips (issue 27): flags named as typed, splits that
must add up, and the commands listed where the window cannot open."""
from __future__ import annotations

import pytest

from playground import app

from .test_never_a_traceback import run_cli


@pytest.mark.parametrize("args, words", [
    (["--batch-size", "0"], "--batch-size: 0 is out of range"),
    (["--lr", "-1"], "--lr: -1.0 is out of range"),
    (["--samples", "5"], "--samples: 5 is out of range"),
    (["--momentum", "5"], "--momentum: 5 is out of range"),
    (["--optimizer", "adam", "--opt-param", "beta2=3"], "--opt-param beta2: 3 is out of"),
    (["--schedule", "step:gamma=3"], "--schedule gamma: 3 is out of range"),
    (["--validate-every", "0"], "--validate-every: 0 is out of range"),
    (["--dataset", "moons", "--layers", "8:relu,auto,4"],
     "--layers, layer 2's units: only the last Dense layer"),
])
def test_an_error_in_a_typed_flag_names_the_flag(capsys, args, words):
    code, out, err = run_cli(capsys, "train", "--epochs", "1", *args)
    assert code == 2 and words in err, err
    assert "train." not in err and "optimizer." not in err and "model.layers" not in err


def test_an_error_from_a_spec_file_keeps_its_path_in_the_file(capsys, tmp_path):
    spec = tmp_path / "spec.json"
    spec.write_text('{"train": {"batch_size": 0}}')
    code, out, err = run_cli(capsys, "train", str(spec))
    assert code == 2 and "train.batch_size: 0 is out of range" in err


@pytest.mark.parametrize("split", ["80/30/10", "70/15/10", "0/0/0"])
def test_a_split_that_does_not_add_up_to_100_is_refused(capsys, split):
    code, out, err = run_cli(capsys, "train", "--epochs", "1", "--split", split)
    assert code == 2 and "must add up to 100, such as 70/15/15" in err, err
    assert len(err.strip().splitlines()) == 1


def test_the_no_display_sentence_lists_every_command(monkeypatch):
    monkeypatch.delenv("DISPLAY", raising=False)
    monkeypatch.delenv("WAYLAND_DISPLAY", raising=False)
    monkeypatch.delenv("QT_QPA_PLATFORM", raising=False)
    monkeypatch.setattr(app.sys, "platform", "linux")
    problem = app.display_problem()
    assert all(command in problem for command in app.COMMANDS), problem


def test_screenshots_go_to_the_folder_given_else_outside_the_repository(tmp_path):
    from pathlib import Path

    from .screenshot_folder import screenshot_folder

    folder, rest = screenshot_folder(["--out", str(tmp_path / "shots"), "flow"])
    assert folder == tmp_path / "shots" and folder.is_dir() and rest == ["flow"]
    default, _ = screenshot_folder([])
    repository = Path(__file__).resolve().parents[2]
    assert repository not in default.resolve().parents
