"""Issue 15 through the command line: nothing lost, nothing unbounded, never a traceback.

Every refusal is one sentence on stderr and exit 2; a bug is one sentence, exit 1 and
the traceback in the log file; a save in progress survives Ctrl-C.
"""
import json
import os
import signal
import subprocess
import sys
import textwrap
import zipfile
from pathlib import Path

import numpy as np
import pytest

from playground import cli
from playground.core.sessionfile import open_session

ROOT = Path(__file__).resolve().parents[2]
ENV = {**os.environ, "PYTHONUNBUFFERED": "1",
       "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))}
FAST = ["--dataset", "spiral", "--samples", "100", "--layers", "8:tanh,auto",
        "--epochs", "2", "--batch-size", "20"]


def run_cli(capsys, *args):
    try:
        code = cli.main(list(args))
    except SystemExit as exc:  # argparse's own refusals
        code = exc.code
    out, err = capsys.readouterr()
    return code, out, err


def one_sentence(err):
    lines = err.strip().splitlines()
    return len(lines) == 1 and "Traceback" not in err and "Warning" not in err


def run_process(*args, **kwargs):
    return subprocess.run([sys.executable, "-m", "playground", *args], capture_output=True,
                          text=True, env={**ENV, **kwargs.pop("env", {})}, timeout=300,
                          **kwargs)


# ------------------------------------------------ values checked before any data

@pytest.mark.parametrize("args, words", [
    (["--samples", "-5"], "--samples: -5 is out of range"),
    (["--samples", "1000000000"], "above the limit of 1,000,000 points"),
    (["--dataset", "blobs", "--classes", "0"], "--classes: 0 is out of range"),
    (["--data-seed", "-1"], "--data-seed: -1 is out of range"),
    (["--split", "nan/1/1"], "--split: 'nan/1/1' must be three numbers of 0 or more"),
    (["--split", "70/30"], "must be three parts"),
    (["--inputs", "x1,bogus"], "--inputs: 'bogus' is not allowed"),
    (["--features", "0-999999999"], "beyond the limit of 100,000 columns"),
    (["--features", "5-2"], "the range '5-2' is empty"),
    (["--layers", "100000:relu,100000:relu"], "the limit is 20,000,000"),
    (["--layers", ""], "--layers is empty"),
    (["--optimizer", ""], "--optimizer is empty"),
    (["--schedule", ""], "--schedule is empty"),
    (["--data", ""], "--data is empty"),
    (["--save", ""], "--save is empty"),
    (["--resume", ""], "--resume is empty"),
    (["--save", "x" * 5000], "at most 4,096"),
    (["--data", "d" * 5000], "at most 4,096"),
])
def test_bad_values_are_one_sentence_before_any_data_is_made(capsys, args, words):
    code, out, err = run_cli(capsys, "train", *args)
    assert code == 2, err
    assert words in err and one_sentence(err), err
    assert "epoch" not in out  # nothing trained


def test_a_spec_file_with_a_two_part_split_is_a_sentence(capsys, tmp_path):
    path = tmp_path / "two.json"
    path.write_text(json.dumps({"data": {"split": [0.5, 0.5]}}))
    code, _, err = run_cli(capsys, "train", str(path))
    assert code == 2 and "expected a list of 3 values" in err and one_sentence(err)


@pytest.mark.parametrize("text, words", [
    ("[" * 50_000 + "]" * 50_000, "nested more than 64 levels deep"),
    ('{"train": {"epochs": ' + "7" * 5000 + "}}", "5,000 digits"),
])
def test_spec_files_that_break_parsers_are_sentences(capsys, tmp_path, text, words):
    path = tmp_path / "evil.json"
    path.write_text(text)
    code, _, err = run_cli(capsys, "train", str(path))
    assert code == 2 and words in err and one_sentence(err)


def test_a_10000_layer_spec_is_refused_in_words(capsys, tmp_path):
    path = tmp_path / "deep.json"
    path.write_text(json.dumps({"model": {"layers": [{"kind": "relu"}] * 10_000}}))
    code, _, err = run_cli(capsys, "train", str(path))
    assert code == 2 and "10,000 layers; at most 256" in err and one_sentence(err)


def test_data_files_refused_in_words(capsys, tmp_path):
    npz = tmp_path / "empty.npz"
    np.savez(npz, X=np.zeros((10, 0), dtype=np.float32), y=np.arange(10) % 2)
    code, _, err = run_cli(capsys, "train", "--data", str(npz))
    assert code == 2 and "X has no columns" in err and one_sentence(err)


# ------------------------------------------------------------------ saves

def test_a_step_limited_session_continues_where_it_opens(capsys, tmp_path):
    path = tmp_path / "limited.pgsession"
    code, _, err = run_cli(capsys, "train", *FAST, "--max-steps", "3", "--save", str(path))
    assert code == 0, err
    session = open_session(path)
    assert session.state["step"] == 3 and session.spec.train.max_steps == 0
    from playground.core.sessionfile import prepared_data, restore_state
    from playground.core.trainer import Trainer

    trainer = Trainer(session.spec, data=prepared_data(session))
    restore_state(trainer, session.state, path)
    finished = trainer.fit()
    assert finished.reason == "completed" and trainer.step > 3


def test_stale_temporary_files_are_removed_by_the_next_save(capsys, tmp_path):
    path = tmp_path / "s.pgsession"
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True).stdout.strip()
    stale = tmp_path / f".s.pgsession.{dead}.abc123.tmp"
    stale.write_bytes(b"half a session")
    old = tmp_path / ".s.pgsession.k2j4h5g6.tmp"  # named before names held the pid
    old.write_bytes(b"older")
    os.utime(old, (0, 0))
    unrelated = tmp_path / ".other.pgsession.1.x.tmp"
    unrelated.write_bytes(b"not ours to judge")
    code, _, err = run_cli(capsys, "train", *FAST, "--save", str(path))
    assert code == 0, err
    assert not stale.exists() and not old.exists() and unrelated.exists()
    assert open_session(path).state["epoch"] == 2


CTRL_C_DURING_SAVE = textwrap.dedent("""
    import os, signal, sys
    from playground import cli
    real_fsync = os.fsync
    def fsync(fd):  # Ctrl-C arrives while the session is being written
        os.kill(os.getpid(), signal.SIGINT)
        real_fsync(fd)
    os.fsync = fsync
    sys.exit(cli.main(sys.argv[1:]))
""")


def test_ctrl_c_during_save_finishes_the_file_then_exits_in_words(tmp_path):
    path = tmp_path / "big.pgsession"
    child = subprocess.run([sys.executable, "-c", CTRL_C_DURING_SAVE, "train", *FAST,
                            "--save", str(path)], capture_output=True, text=True, env=ENV,
                           timeout=300)
    assert child.returncode == 130, child.stderr
    assert child.stderr.strip() == "playground train: interrupted."
    assert open_session(path).state["epoch"] == 2  # whole, verified
    assert not list(tmp_path.glob(".*.tmp"))


def test_sigterm_during_save_finishes_the_file_first(tmp_path):
    script = CTRL_C_DURING_SAVE.replace("signal.SIGINT", "signal.SIGTERM")
    path = tmp_path / "big.pgsession"
    child = subprocess.run([sys.executable, "-c", script, "train", *FAST, "--save",
                            str(path)], capture_output=True, text=True, env=ENV, timeout=300)
    assert child.returncode == -signal.SIGTERM
    assert open_session(path).state["epoch"] == 2


# ------------------------------------------------------------- divergence

@pytest.mark.parametrize("args", [
    ["--dataset", "diabetes", "--layers", "16:relu,1", "--optimizer", "adam", "--lr", "100",
     "--epochs", "20"],
    ["--dataset", "spiral", "--layers", "16:tanh,16:tanh,auto", "--optimizer", "adam",
     "--lr", "100", "--epochs", "30"],
    ["--dataset", "spiral", "--layers", "16:tanh,16:tanh,auto", "--optimizer", "sgd",
     "--lr", "100", "--epochs", "30"],
])
def test_a_diverging_run_ends_diverged_with_a_suggestion(capsys, args):
    code, out, err = run_cli(capsys, "train", *args, "--jsonl")
    assert code == 0, err
    final = json.loads(out.splitlines()[-1])
    assert final["reason"] == "diverged", final
    assert "learning rate 10x lower" in final["message"]


def test_a_limit_stopped_run_with_nan_says_so(capsys):
    code, out, err = run_cli(capsys, "train", "--dataset", "diabetes", "--layers",
                             "64:relu,64:relu,1", "--optimizer", "sgd", "--lr", "100",
                             "--batch-size", "10", "--max-steps", "6", "--scaling", "none",
                             "--jsonl")
    assert code == 0, err
    final = json.loads(out.splitlines()[-1])
    assert final["reason"] == "diverged" and "NaN" in final["message"], final
    assert "Stopped after 6 updates" in final["message"]
    assert one_sentence(err) or not err.strip()


@pytest.mark.parametrize("args", [
    ["--dataset", "spiral", "--layers", "16:tanh,16:tanh,auto", "--optimizer", "sgd",
     "--lr", "1", "--epochs", "40"],
    ["--dataset", "plane", "--noise", "0", "--layers", "1", "--optimizer", "sgd", "--lr",
     "0.5", "--epochs", "20"],
    ["--dataset", "diabetes", "--layers", "16:relu,1", "--lr", "0.3", "--epochs", "30"],
])
def test_rough_but_learning_runs_are_not_called_diverged(capsys, args):
    code, out, err = run_cli(capsys, "train", *args, "--jsonl")
    assert code == 0, err
    assert json.loads(out.splitlines()[-1])["reason"] == "completed"


# ------------------------------------------------------- the top levels

def test_a_mistyped_command_is_one_sentence_naming_the_commands():
    result = run_process("serach", "--space", "x")
    assert result.returncode == 2
    assert one_sentence(result.stderr)
    assert "'serach' is neither a command nor an existing file" in result.stderr
    from playground.app import COMMANDS  # every command named, whichever are added
    assert ", ".join(COMMANDS[:-1]) + f" and {COMMANDS[-1]}" in result.stderr


def test_a_bug_is_one_sentence_exit_1_and_a_logged_traceback(capsys, monkeypatch, tmp_path):
    def broken(args):
        raise RuntimeError("something internal")

    from playground.cli import datasets

    monkeypatch.setattr(datasets, "cmd_datasets", broken)
    code, _, err = run_cli(capsys, "datasets")
    assert code == 1 and one_sentence(err)
    assert "RuntimeError: something internal" in err and "this is a bug" in err
    from playground import logfile

    log = Path(os.environ["GRADIENT_PLAYGROUND_LOG"]).read_text()
    assert "Traceback" in log and "something internal" in log


WARNS = textwrap.dedent("""
    import sys, warnings
    import numpy as np
    from playground import cli
    from playground.cli import datasets as command
    def datasets(args):
        np.array([1.0]) / np.array([0.0])  # numpy: RuntimeWarning, divide by zero
        warnings.warn("overflow encountered", RuntimeWarning)
        return 0
    command.cmd_datasets = datasets
    sys.exit(cli.main(["datasets"]))
""")


def test_numpy_warnings_go_to_the_log_not_the_terminal(tmp_path):
    log = tmp_path / "playground.log"
    child = subprocess.run([sys.executable, "-c", WARNS], capture_output=True, text=True,
                           env={**ENV, "GRADIENT_PLAYGROUND_LOG": str(log)}, timeout=120)
    assert child.returncode == 0 and child.stderr == "", child.stderr
    assert "overflow encountered" in log.read_text()


def test_the_window_excepthook_words(monkeypatch):
    from playground import app
    from playground.core.errors import DataError

    assert app.describe_exception(DataError("x.csv is empty.")) == "x.csv is empty."
    assert app.exit_status(DataError("x")) == 2
    try:
        raise KeyError("boom")
    except KeyError as exc:
        sentence = app.describe_exception(exc)
    assert sentence.startswith("Something went wrong (KeyError") and "log" in sentence
    assert app.exit_status(KeyError()) == 1
    assert app.argument_problem(["serach", "x"]).startswith("'serach' is neither")
    assert app.argument_problem([]) is None
