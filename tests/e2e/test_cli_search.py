"""`playground search`, `search worker` and `lr-find` as users and scripts call them."""
from __future__ import annotations

import json

import pytest

from .test_never_a_traceback import run_cli  # cli.main, argparse's exits caught

FAST = ["--dataset", "spiral", "--samples", "100", "--layers", "8:tanh,auto",
        "--epochs", "3", "--batch-size", "20", "--threads", "1"]


def test_search_runs_prints_each_trial_and_resumes_by_running_again(capsys, tmp_path,
                                                                    monkeypatch):
    monkeypatch.chdir(tmp_path)  # without a spec, the study file is not put here
    monkeypatch.setenv("GRADIENT_PLAYGROUND_SEARCHES", str(tmp_path / "data" / "searches"))
    args = ["search", *FAST, "--space", "lr=1e-3..0.3:log,units=2..12", "--trials", "3",
            "--jsonl"]
    code, out, err = run_cli(capsys, *args)
    assert code == 0, err
    study = tmp_path / "data" / "searches" / "playground.search.db"
    assert f"the study is kept in {study}" in err  # said where, on stderr
    records = [json.loads(line) for line in out.splitlines()]
    assert [r["event"] for r in records] == ["trial"] * 3 + ["search_end"]
    assert [r["number"] for r in records[:3]] == [0, 1, 2]
    assert records[-1]["trials"] == 3 and records[-1]["best"] is not None
    assert study.is_file() and not (tmp_path / "playground.search.db").exists()
    code, out, err = run_cli(capsys, *args[:-3], "--trials", "5", "--jsonl")
    assert code == 0, err
    numbers = [json.loads(line)["number"] for line in out.splitlines()
               if '"trial"' in line]
    assert numbers == [3, 4]  # the study went on where it stood
    code, out, err = run_cli(capsys, "search", *FAST, "--space", "lr=1e-3..0.3:log",
                             "--trials", "1")
    assert code == 2 and "searches the space" in err and len(err.splitlines()) == 1


def test_a_batched_search_prints_every_trial_it_asked(capsys, tmp_path):
    url = f"sqlite:///{tmp_path / 'b.db'}"
    code, out, err = run_cli(capsys, "search", *FAST, "--space", "lr=1e-3..0.3:log",
                             "--trials", "5", "--batch", "3", "--storage", url, "--jsonl")
    assert code == 0, err
    records = [json.loads(line) for line in out.splitlines()]
    assert sorted(r["number"] for r in records[:-1]) == [0, 1, 2, 3, 4]
    assert all(r["state"] == "complete" for r in records[:-1])
    assert records[-1]["trials"] == 5 and records[-1]["reason"] == "budget"


def test_a_worker_joins_by_name_and_runs_the_rest_of_the_budget(capsys, tmp_path):
    url = f"sqlite:///{tmp_path / 's.db'}"
    assert run_cli(capsys, "search", *FAST, "--space", "lr=1e-3..0.3:log", "--trials", "2",
                   "--timeout", "0.01", "--storage", url, "--study", "shared")[0] == 0
    code, out, err = run_cli(capsys, "search", "worker", "--storage", url, "--study",
                             "shared")
    assert code == 0, err
    assert "this process ran 1 trials; the study holds 2" in out


@pytest.mark.parametrize("args, words", [
    (["--space", "lr=0..1:log"], "lr: 0 is out of range"),
    (["--space", "colour=red"], "'colour' is not a hyperparameter"),
    (["--space", "lr=1e-3..1", "--storage", "ftp://x/y"], "'ftp' is not a database"),
    (["--space", "lr=1e-3..1", "--storage", "nonsense"], "is not a storage URL"),
    (["--space", "lr=1e-3..1", "--storage", "postgresql://u@127.0.0.1:1/db"],
     "cannot be opened"),
    (["--space", "lr=1e-3..1", "--trials", "0"], "trial budget"),
    (["--space", "lr=1e-3..1", "--batch", "0"], "The batch must be 1 to 64"),
    (["--space", "lr=1e-3..1", "--save", "x.pgsession"], "belongs to `playground train`"),
    ([], "--space is missing"),
    (["worker", "--study", "x"], "give --storage URL and --study NAME"),
    (["--sampler", "bayes"], "invalid choice: 'bayes'"),
    # refused by the search itself: no word of where the study would have been kept
    (["--space", "momentum=0..0.9", "--optimizer", "adagrad"], "Adagrad has no momentum"),
])
def test_bad_spaces_and_urls_are_one_sentence_and_exit_2(capsys, tmp_path, monkeypatch,
                                                         args, words):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("GRADIENT_PLAYGROUND_SEARCHES", str(tmp_path))
    code, out, err = run_cli(capsys, "search", *args)
    assert code == 2
    assert words in err
    assert len(err.strip().splitlines()) == 1 and "Traceback" not in err
    assert not (tmp_path / "playground.search.db").exists()  # refused before it was made


BLOBS = ["--dataset", "blobs", *FAST[2:]]  # its loss falls far below its start (9x the bar)


def test_lr_find_prints_the_suggested_lr(capsys):
    code, out, err = run_cli(capsys, "lr-find", *BLOBS, "--optimizer", "adam")
    assert code == 0, err
    assert out.startswith("suggested lr ") and "(valley); steepest " in out
    code, out, err = run_cli(capsys, "lr-find", *BLOBS, "--jsonl", "--updates", "40")
    record = json.loads(out)
    assert record["suggestion"] == record["valley"] and len(record["lrs"]) <= 40
    assert record["lrs"] == sorted(record["lrs"])
    assert record["clear"] is True and record["note"] == ""
    low, high = record["descent"]
    assert low <= record["valley"] <= high and low <= record["steepest"] <= high
    assert record["start_loss"] > min(record["losses"])


def test_lr_find_says_when_there_is_no_clear_valley(capsys):
    """Spiral's loss stays flat over a 100-update sweep (its fall is under half the bar)."""
    code, out, err = run_cli(capsys, "lr-find", *FAST, "--optimizer", "adam")
    assert code == 0, err
    assert out.startswith("no clear valley: ") and "suggested" not in out
    code, out, err = run_cli(capsys, "lr-find", *FAST, "--optimizer", "adam", "--jsonl")
    record = json.loads(out)
    assert record["clear"] is False and "no clear valley" in record["note"]
    assert record["suggestion"] is None and record["valley"] is None
    assert record["steepest"] is None and record["descent"] is None


@pytest.mark.parametrize("args, words", [
    (["--start", "1", "--end", "0.1"], "from a learning rate above 0"),
    (["--updates", "2"], "5 to 100,000 updates"),
    (["--optimizer", "lbfgs", "--batch-size", "full"], "L-BFGS"),
    (["--resume", "x.pgsession"], "--resume belongs to `playground train`"),
])
def test_lr_find_refusals_are_one_sentence(capsys, args, words):
    code, out, err = run_cli(capsys, "lr-find", *FAST, *args)
    assert code == 2 and words in err and len(err.strip().splitlines()) == 1
