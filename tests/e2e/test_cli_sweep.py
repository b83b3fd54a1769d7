"""`playground sweep` as users and scripts call it."""
import csv
import json
import math

import pytest

from playground import cli

SPIRAL = ["--dataset", "spiral", "--samples", "150", "--epochs", "30", "--batch-size", "16",
          "--seed", "7"]


def run_cli(capsys, *args):
    code = cli.main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def records(out):
    return [json.loads(line) for line in out.splitlines() if line.startswith("{")]


def test_a_sweep_of_4_optimizers_gives_the_table_of_4_separate_train_runs(capsys):
    optimizers = ("sgd", "momentum", "adam", "rmsprop")
    code, out, err = run_cli(capsys, "sweep", *SPIRAL, "--vary",
                             "optimizer=" + ",".join(optimizers), "--jsonl")
    assert code == 0, err
    rows = {r["optimizer"]: r for r in records(out) if r["event"] == "result"}
    for name in optimizers:
        code, out, err = run_cli(capsys, "train", *SPIRAL, "--optimizer", name, "--jsonl")
        assert code == 0, err
        lines = records(out)
        last = [r for r in lines if r["event"] == "epoch"][-1]
        finished = lines[-1]
        row = rows[name]
        assert row["reason"] == finished["reason"] and row["epochs"] == last["epoch"]
        for key in ("loss", "accuracy", "val_loss", "val_accuracy", "test_loss",
                    "test_accuracy"):
            theirs = last.get(key, finished.get(key))
            assert math.isclose(row[key], theirs, rel_tol=1e-5, abs_tol=1e-7), (name, key)


def test_jsonl_records_carry_the_train_keys_the_run_and_the_varied_values(capsys):
    code, out, _ = run_cli(capsys, "sweep", *SPIRAL, "--epochs", "3", "--vary",
                           "lr=0.01,0.1", "--vary", "optimizer=sgd,adam", "--jsonl")
    assert code == 0
    lines = records(out)
    epochs = [r for r in lines if r["event"] == "epoch"]
    results = [r for r in lines if r["event"] == "result"]
    assert len(epochs) == 4 * 3 and len(results) == 4
    first = epochs[0]
    for key in ("epoch", "step", "loss", "accuracy", "val_loss", "lr", "seconds",
                "grad_norm", "weight_norm", "run", "optimizer"):
        assert key in first
    assert {(r["optimizer"], r["lr"]) for r in epochs} == {
        ("sgd", 0.01), ("sgd", 0.1), ("adam", 0.01), ("adam", 0.1)}
    assert [r["run"] for r in results] == [1, 2, 3, 4]
    # each run's epoch records carry that run's varied values, the ones its result names
    by_run: dict[int, set] = {}
    for r in epochs:
        by_run.setdefault(r["run"], set()).add((r["optimizer"], r["lr"]))
    assert by_run == {r["run"]: {(r["optimizer"], r["lr"])} for r in results}


def test_the_table_prints_and_goes_to_csv(capsys, tmp_path):
    path = tmp_path / "table.csv"
    code, out, err = run_cli(capsys, "sweep", *SPIRAL, "--epochs", "4", "--vary",
                             "seed=1,2,3", "--target-loss", "5", "--csv", str(path))
    assert code == 0, err
    assert "run 3/3 seed=3: completed, 4 epochs" in out
    header = next(line for line in out.splitlines() if line.split()[:2] == ["run", "seed"])
    assert "seed" in header and "epoch_to_target" in header
    rows = list(csv.DictReader(path.open()))
    assert [row["seed"] for row in rows] == ["1", "2", "3"]
    assert all(row["epoch_to_target"] == "1" for row in rows)  # any loss is below 5


def test_list_presets_names_all_of_them(capsys):
    code, out, _ = run_cli(capsys, "sweep", "--list-presets")
    assert code == 0
    for name in ("optimizers", "init", "batch_size", "lr", "momentum", "activation",
                 "regularisation", "scaling", "iterations", "epochs"):
        assert name in out


def test_a_preset_runs_with_train_flags_shortening_it(capsys):
    code, out, err = run_cli(capsys, "sweep", "--preset", "init", "--epochs", "2",
                             "--seeds", "1")
    assert code == 0, err
    assert "run 30/30" in out and "zeros" in out  # 5 inits x 6 lrs
    assert "Claim: Zeros leave every hidden unit identical" in out
    assert "Verdict: " in out


def test_a_preset_ends_with_its_verdict_record_after_a_summary_per_variant(capsys):
    code, out, err = run_cli(capsys, "sweep", "--preset", "momentum", "--epochs", "3",
                             "--jsonl")
    assert code == 0, err
    lines = records(out)
    results = [r for r in lines if r["event"] == "result"]
    summaries = [r for r in lines if r["event"] == "summary"]
    assert len(results) == 4 * 3 and {r["seed"] for r in results} == {0, 1, 2}
    assert [r["momentum"] for r in summaries] == [0.0, 0.5, 0.9, 0.99]
    assert all(r["seeds"] == 3 and "loss_sd" in r and r["trained_together"] == 12
               for r in summaries)
    verdict = lines[-1]
    assert verdict["event"] == "verdict" and verdict["preset"] == "momentum"
    assert verdict["claim"].startswith("At one lr, each epoch moves the weights further")
    assert isinstance(verdict["agrees"], bool) and "momentum 0.99" in verdict["evidence"]


def test_seeds_give_a_mean_and_spread_per_combination(capsys):
    code, out, err = run_cli(capsys, "sweep", *SPIRAL, "--epochs", "2", "--vary",
                             "lr=0.01,0.1", "--seeds", "2")
    assert code == 0, err
    assert "sweep of 4 runs: lr; 2 seeds each" in out
    header = next(line for line in out.splitlines() if line.startswith("variant"))
    assert header.split()[:3] == ["variant", "lr", "seeds"]
    table = out[out.index(header):].splitlines()[1:3]
    assert all("\u00b1" in line for line in table)
    assert "Verdict" not in out  # a sweep of one's own makes no claim


def test_l1_and_batchnorm_are_sweep_variables(capsys):
    code, out, err = run_cli(capsys, "sweep", *SPIRAL, "--epochs", "2", "--vary",
                             "l1=0,0.01", "--vary", "batchnorm=off,on", "--jsonl")
    assert code == 0, err
    results = [r for r in records(out) if r["event"] == "result"]
    assert [(r["l1"], r["batchnorm"]) for r in results] == [
        (0.0, "off"), (0.0, "on"), (0.01, "off"), (0.01, "on")]
    assert all(r["reason"] == "completed" for r in results)


def test_an_unwritable_csv_is_refused_before_any_training(capsys, tmp_path):
    missing = tmp_path / "no such folder" / "table.csv"
    code, out, err = run_cli(capsys, "sweep", *SPIRAL, "--vary", "lr=0.01,0.1",
                             "--csv", str(missing))
    assert code == 2 and out == ""  # not one run trained
    assert f"the folder {missing.parent} does not exist" in err
    assert not missing.parent.exists()  # and not created
    code, out, err = run_cli(capsys, "sweep", *SPIRAL, "--vary", "lr=0.01",
                             "--csv", str(tmp_path))
    assert code == 2 and out == "" and "is a folder" in err


def test_markdown_prints_the_preset_table_and_its_verdict(capsys):
    code, out, err = run_cli(capsys, "sweep", "--preset", "lr", "--epochs", "3",
                             "--seeds", "2", "--markdown")
    assert code == 0, err
    lines = out.splitlines()
    assert lines[0].startswith("**Learning rate vs convergence** (lr). On diabetes")
    header = next(line for line in lines if line.startswith("| lr"))
    assert "| loss |" in header and "| epoch_to_target |" in header
    assert "2 seeds" in lines[0]
    assert sum(line.startswith("| ") for line in lines) == 1 + 4
    assert any(line.startswith("Verdict: **") for line in lines)


@pytest.mark.parametrize("args, words", [
    ([], "Say what to vary"),
    (["--vary", "lr"], "is not of the form name=value1,value2"),
    (["--vary", "speed=1,2"], "'speed' cannot be swept"),
    (["--vary", "lr=0.1,abc"], "lr: 'abc' is not a number"),
    (["--vary", "lr=0.1,0.1"], "lr: a value is listed twice"),
    (["--vary", "lr=0.1", "--vary", "seed=1", "--vary", "l2=0"], "one or two variables"),
    (["--vary", "seed=" + ",".join(map(str, range(30))), "--vary", "lr=0.1,0.2,0.3"],
     "would train 90 runs; at most 64"),
    (["--vary", "optimizer=adam,lbfgs"], "Run 2 (optimizer=lbfgs): train.batch_size"),
    (["--vary", "momentum=0.5", "--optimizer", "adagrad"], "Adagrad has no momentum term"),
    (["--preset", "nope"], "Unknown preset 'nope'"),
    (["--vary", "lr=0.1", "--csv", ""], "--csv is empty"),
    (["--vary", "lr=0.1", "--seeds", "0"], "seeds: 0 is out of range"),
    (["--vary", "seed=1,2", "--seeds", "3"], "seed is swept already"),
    (["--vary", "batchnorm=maybe"], "batchnorm: 'maybe' is not allowed"),
])
def test_bad_sweeps_are_one_sentence_and_exit_2(capsys, args, words):
    code, out, err = run_cli(capsys, "sweep", *args)
    assert code == 2 and words in err, err
    assert "Traceback" not in err and out == ""


def test_train_keeps_its_flags():
    parser = cli.build_parser()
    train = parser._subparsers._group_actions[0].choices["train"]
    flags = [a.option_strings[-1] for a in train._actions if a.option_strings]
    tail = ["--validate-every", "--save", "--resume", "--jsonl"]  # other commands may add
    assert [flag for flag in flags if flag in tail] == tail      # theirs (--tensorboard)
    assert "--checkpoint-every" in flags
