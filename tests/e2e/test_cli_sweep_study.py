"""`playground sweep ... --storage URL --study NAME`: the sweep as a grid study, as users
call it: the same records as a local sweep (and the trial and worker of each point), a
second run resumes it, and every refusal is one sentence before any work, leaving
another program's database as it was."""
import json
import sqlite3

import pytest

from playground import cli

FAST = ["--dataset", "spiral", "--samples", "120", "--epochs", "2", "--batch-size", "16",
        "--threads", "1"]
VARY = ["--vary", "lr=0.01,0.1", "--vary", "optimizer=sgd,adam"]


def run_cli(capsys, *args):
    code = cli.main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def records(out, event):
    return [r for r in (json.loads(line) for line in out.splitlines()
                        if line.startswith("{")) if r["event"] == event]


def test_a_grid_study_gives_a_local_sweeps_records_and_resumes(capsys, tmp_path):
    url = f"sqlite:///{tmp_path / 'grid.db'}"
    code, out, err = run_cli(capsys, "sweep", *FAST, *VARY, "--jsonl")
    assert code == 0, err
    local = records(out, "result")
    code, out, err = run_cli(capsys, "sweep", *FAST, *VARY, "--jsonl", "--storage", url,
                             "--study", "g")
    assert code == 0, err
    epochs, shared = records(out, "epoch"), records(out, "result")
    assert len(epochs) == 4 * 2 and all("trial" in r and "run" in r for r in epochs)
    assert [r["run"] for r in shared] == [1, 2, 3, 4]
    # extended, never renamed (a run trained alone also logs what only the Trainer does)
    assert set(local[0]) | {"trial", "worker"} <= set(shared[0])
    for mine, theirs in zip(shared, local):
        assert (mine["name"], mine["reason"], mine["epochs"]) == \
            (theirs["name"], theirs["reason"], theirs["epochs"])
    code, out, err = run_cli(capsys, "sweep", *FAST, *VARY, "--storage", url, "--study",
                             "g")
    assert code == 0, err  # resumed: nothing left to train, the same table
    assert "grid study: 4 of 4 points done, 4 trained here" in out
    assert not [line for line in out.splitlines() if line.startswith("run 1/4")]


def test_help_says_trial_by_trial_and_how_presets_are_shared(capsys):
    with pytest.raises(SystemExit):
        cli.main(["sweep", "--help"])
    text = " ".join(capsys.readouterr().out.split())
    assert "trial by trial" in text and "no stacked training" in text
    assert "seeds and its tuned lrs are axes of the grid" in text


@pytest.mark.parametrize("args, words", [
    (["--study", "g"], "give --storage URL too"),
    (["--storage", "nonsense", "--vary", "lr=abc"], "is not a storage URL"),  # first
    (["--storage", "ftp://x/y"], "'ftp' is not a database"),
    (["--storage", "sqlite:///x.db", "--study", "n" * 201], "study name must be 1 to 200"),
    (["--storage", "postgresql://u@127.0.0.1:1/db"], "cannot be opened"),
])
def test_refusals_are_one_sentence_before_any_work(capsys, tmp_path, monkeypatch, args,
                                                   words):
    monkeypatch.chdir(tmp_path)
    code, out, err = run_cli(capsys, "sweep", *FAST, *VARY[:2], *args)
    assert code == 2 and words in err, err
    assert len(err.strip().splitlines()) == 1 and "Traceback" not in err
    assert out == "" and list(tmp_path.iterdir()) == []  # nothing trained, nothing made


def test_another_programs_database_is_refused_and_left_as_it_was(capsys, tmp_path):
    path = tmp_path / "theirs.db"
    with sqlite3.connect(path) as connection:
        connection.execute("CREATE TABLE customers (id INTEGER, name TEXT)")
    before = path.read_bytes()
    code, out, err = run_cli(capsys, "sweep", *FAST, *VARY[:2], "--storage",
                             f"sqlite:///{path}")
    assert code == 2 and "holds tables that are not a study's" in err
    assert path.read_bytes() == before and sorted(p.name for p in tmp_path.iterdir()) == [
        "theirs.db"]


def test_a_search_and_a_sweep_never_share_a_study(capsys, tmp_path):
    url = f"sqlite:///{tmp_path / 'both.db'}"
    assert run_cli(capsys, "search", *FAST, "--space", "lr=1e-3..0.3:log", "--trials",
                   "1", "--storage", url, "--study", "s")[0] == 0
    code, _, err = run_cli(capsys, "sweep", *FAST, *VARY[:2], "--storage", url, "--study",
                           "s")
    assert code == 2 and "is a search, not a sweep" in err
    assert run_cli(capsys, "sweep", *FAST, *VARY[:2], "--storage", url, "--study",
                   "g")[0] == 0
    code, _, err = run_cli(capsys, "search", *FAST, "--space", "lr=1e-3..0.3:log",
                           "--storage", url, "--study", "g")
    assert code == 2 and "is a sweep's grid, not a search" in err
    code, _, err = run_cli(capsys, "sweep", *FAST, "--vary", "lr=0.01,0.2", "--storage",
                           url, "--study", "g")
    assert code == 2 and "holds another sweep" in err


def test_a_worker_of_a_sweep_writes_no_tensorboard_logs_and_says_so(capsys, tmp_path):
    url = f"sqlite:///{tmp_path / 'grid.db'}"
    assert run_cli(capsys, "sweep", *FAST, *VARY[:2], "--storage", url, "--study",
                   "g")[0] == 0
    code, out, err = run_cli(capsys, "search", "worker", "--storage", url, "--study", "g",
                             "--tensorboard", str(tmp_path / "logs"))
    assert code == 2 and "the sweep command's --tensorboard" in err
    assert len(err.strip().splitlines()) == 1
