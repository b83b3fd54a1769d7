"""`playground descend` and `playground race`: public flags and --jsonl record keys;
bad input is one sentence and exit 2."""
import json

import pytest

from playground import cli
from playground.core.lab import descend


def run_cli(capsys, *args):
    try:
        code = cli.main(list(args))
    except SystemExit as exit_:  # argparse's own refusals exit from the parser
        code = exit_.code
    out, err = capsys.readouterr()
    return code, out, err


def test_descend_jsonl_records_are_the_iterations_then_the_reason(capsys):
    code, out, err = run_cli(capsys, "descend", "--function", "x**2", "--start", "5",
                             "--lr", "0.1", "--tol", "1e-6", "--max-iter", "1000", "--jsonl")
    assert code == 0 and err == ""
    records = [json.loads(line) for line in out.splitlines()]
    *rows, final = records
    assert all(set(row) == {"iteration", "x", "f", "grad", "step"} for row in rows)
    assert rows[0] == {"iteration": 1, "x": 5.0, "f": 25.0, "grad": 10.0, "step": -1.0}
    assert final["reason"] == "converged" and final["iterations"] == len(rows)
    expected = descend("x**2", 5.0, 0.1, 1e-6, 1000)
    assert [row["x"] for row in rows] == [it.x for it in expected.iterations]
    assert final["x"] == expected.x


def test_descend_prints_each_iteration_and_the_final_point(capsys):
    code, out, _ = run_cli(capsys, "descend", "--start", "-5", "--lr", "1.5",
                           "--max-iter", "500")
    lines = out.splitlines()
    assert code == 0 and lines[0].startswith("iteration 1: x = -5")
    assert lines[-1].startswith("diverged after")


def test_descend_with_a_registry_optimizer_and_max_iter(capsys):
    code, out, _ = run_cli(capsys, "descend", "--function", "(x-1)^2", "--optimizer",
                           "momentum", "--opt-params", "momentum=0.5", "--max-iter", "4",
                           "--jsonl")
    final = json.loads(out.splitlines()[-1])
    assert code == 0 and final["reason"] == "max_iter" and final["iterations"] == 4


def test_race_prints_each_optimizer_final_point(capsys):
    code, out, err = run_cli(capsys, "race", "--surface", "rosenbrock", "--start", "-1.5,2",
                             "--optimizers", "sgd:0.001,momentum:0.001,adam:0.05",
                             "--steps", "50", "--jsonl")
    assert code == 0 and err == ""
    records = [json.loads(line) for line in out.splitlines()]
    assert [r["optimizer"] for r in records] == ["sgd", "momentum", "adam"]
    assert all(set(r) == {"optimizer", "lr", "x", "y", "loss", "steps", "reached_at",
                          "status"} for r in records)
    assert all(r["steps"] == 50 and r["status"] == "finished" for r in records)


def test_race_counts_steps_to_the_tolerance(capsys):
    code, out, _ = run_cli(capsys, "race", "--surface", "bowl", "--condition", "1",
                           "--start", "1,1", "--optimizers", "sgd:1.0", "--steps", "5")
    assert code == 0 and "within 0.0001 of the minimum after 1 steps" in out


@pytest.mark.parametrize("args, words", [
    (["descend", "--function", "__import__('os').system('ls')"], "not allowed"),
    (["descend", "--function", "x.__class__"], "Attribute access"),
    (["descend", "--function", "9**9**9"], "exponent"),
    (["descend", "--lr", "0"], "learning rate must be above 0"),
    (["descend", "--lr", "abc"], "invalid float value"),
    (["descend", "--max-iter", "0"], "maximum number of iterations"),
    (["descend", "--optimizer", "nope"], "invalid choice"),
    (["descend", "--opt-params", "momentum"], "not of the form name=value"),
    (["race", "--surface", "nope"], "Unknown surface 'nope'"),
    (["race", "--start", "1"], "not a point x,y"),
    (["race", "--optimizers", "sgd,zoom"], "unknown optimizer 'zoom'"),
    (["race", "--optimizers", "sgd:fast"], "not a learning rate"),
    (["race", "--steps", "0"], "number of steps"),
    (["race", "--noise", "-1"], "noise"),
    (["race", "--surface", "bowl", "--condition", "0"], "condition number"),
    (["race", "--function", "lambda: 0"], "Lambda is not allowed"),
    (["race", "--schedule", "zigzag"], "unknown schedule"),
])
def test_bad_input_is_one_sentence_and_exit_2(capsys, args, words):
    code, out, err = run_cli(capsys, *args)
    assert code == 2 and out == ""
    assert words in err and err.count("\n") == 1 and "Traceback" not in err


def test_the_entry_point_routes_both_commands():
    """python -m playground goes through app.COMMANDS before the CLI's parser."""
    import subprocess
    import sys
    result = subprocess.run([sys.executable, "-m", "playground", "race", "--start", "-1.5,2",
                             "--steps", "3", "--jsonl"], capture_output=True, text=True,
                            timeout=300)
    assert result.returncode == 0, result.stderr
    assert len(result.stdout.splitlines()) == 3
    result = subprocess.run([sys.executable, "-m", "playground", "descend", "--max-iter", "2"],
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0 and result.stdout.startswith("iteration 1: x = 5")
