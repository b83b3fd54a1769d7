"""`playground export`, `playground predict` and `playground spec --code/--from-code`."""
from __future__ import annotations

import csv
import json

import pytest

from playground import cli


def run(capsys, *args):
    code = cli.main([str(a) for a in args])
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture(scope="module")
def session(tmp_path_factory):
    path = tmp_path_factory.mktemp("export") / "iris.pgsession"
    assert cli.main(["train", "--example", "iris", "--epochs", "3", "--save",
                     str(path)]) == 0
    return path


def test_export_writes_weights_and_a_script_and_says_sizes_and_times(capsys, session,
                                                                     tmp_path):
    pytest.importorskip("safetensors")  # the optional extra [export]
    code, out, err = run(capsys, "export", session, "--weights", tmp_path / "m.safetensors",
                         "--script", tmp_path / "train.py")
    assert code == 0, err
    assert (tmp_path / "m.safetensors").stat().st_size > 0
    assert json.loads((tmp_path / "m.json").read_text())["classes"] == [
        "setosa", "versicolor", "virginica"]
    assert "load_iris" in (tmp_path / "train.py").read_text()
    assert out.count("wrote ") == 3 and " KB, " in out


@pytest.mark.parametrize("flags, words", [
    ([], "Say what to export"),
    (["--onnx", "{tmp}/missing/m.onnx"], "does not exist"),
    (["--script", "{tmp}"], "is a folder"),
    (["--weights", "{tmp}/m.json"], "the same file"),
    (["--onnx", "{tmp}/a.onnx", "--script", "{tmp}/a.onnx"], "the same file"),
])
def test_bad_output_paths_are_refused_before_any_work(capsys, session, tmp_path, flags, words):
    flags = [f.format(tmp=tmp_path) for f in flags]
    code, out, err = run(capsys, "export", session, *flags)
    assert code == 2 and words in err and len(err.strip().splitlines()) == 1
    assert list(tmp_path.iterdir()) == []  # nothing written


def test_export_of_a_missing_session_is_one_sentence(capsys, tmp_path):
    code, _, err = run(capsys, "export", tmp_path / "none.pgsession", "--script",
                       tmp_path / "t.py")
    assert code == 2 and "does not exist" in err and not (tmp_path / "t.py").exists()


def test_predict_adds_prediction_and_one_probability_per_class(capsys, session, tmp_path):
    rows = tmp_path / "flowers.csv"
    rows.write_text("\ufeffid,sepal length (cm),sepal width (cm),petal length (cm),"
                    "petal width (cm)\n1,5.1,3.5,1.4,0.2\n2,6.7,3.0,5.2,2.3\n",
                    encoding="utf-8")  # with the byte-order mark spreadsheets write
    output = tmp_path / "out.csv"
    code, _, err = run(capsys, "predict", session, "--input", rows, "--output", output)
    assert code == 0, err
    table = list(csv.DictReader(output.open()))
    assert list(table[0])[:2] == ["id", "sepal length (cm)"]
    assert list(table[0])[-4:] == ["prediction", "p_setosa", "p_versicolor", "p_virginica"]
    assert table[0]["id"] == "1"
    for row in table:
        probabilities = [float(row[f"p_{c}"]) for c in ("setosa", "versicolor", "virginica")]
        assert sum(probabilities) == pytest.approx(1.0, abs=1e-4)
        assert row["prediction"] == ("setosa", "versicolor", "virginica")[
            probabilities.index(max(probabilities))]


@pytest.mark.parametrize("text, words", [
    ("a,b\n1,2\n", "has no column 'sepal length (cm)'"),
    ("sepal length (cm),sepal width (cm),petal length (cm),petal width (cm)\n1,x,3,4\n",
     "line 2, column 'sepal width (cm)': 'x' is not a number"),
])
def test_a_csv_that_does_not_fit_is_one_sentence_and_exit_2(capsys, session, tmp_path,
                                                              text, words):
    rows = tmp_path / "rows.csv"
    rows.write_text(text)
    code, out, err = run(capsys, "predict", session, "--input", rows)
    assert code == 2 and words in err and len(err.strip().splitlines()) == 1 and not out


def test_spec_code_round_trip_from_an_example_and_a_file(capsys, tmp_path):
    code, share, _ = run(capsys, "spec", "--example", "xor", "--code")
    assert code == 0 and share.startswith("pg1.")
    code, text, _ = run(capsys, "spec", "--from-code", share.strip())
    _, example, _ = run(capsys, "spec", "--example", "xor")
    assert code == 0 and json.loads(text) == json.loads(example)
    spec_file = tmp_path / "spec.json"
    spec_file.write_text(example)
    assert run(capsys, "spec", spec_file, "--code")[1] == share


@pytest.mark.parametrize("args, words", [
    (["--from-code", "pg1.eJxTykjNyclXAgAJUgJZ"], "does not hold a spec"),
    (["--from-code", "pg1.abc"], "damaged"),
    (["--code"], "needs a spec"),
])
def test_spec_code_mistakes_are_one_sentence(capsys, args, words):
    code, out, err = run(capsys, "spec", *args)
    assert code == 2 and words in err and not out


# ------------------------------------------------- the command line of a spec

def _normal(spec):
    """The spec with every layer's parameters filled in (the parser fills them)."""
    from playground.core.layers import LAYERS
    from playground.core.schema import coerce_params

    data = spec.validate().to_dict()
    for layer in data["model"]["layers"]:
        layer["params"] = coerce_params(LAYERS[layer["kind"]].params, layer["params"], "m")
    for part, registry in (("optimizer", "optimizer"), ("schedule", "schedule")):
        data[part]["params"] = _coerced(part, data[part])
    return data


def _coerced(part, value):
    from playground.core.optim import optimizer_kind, schedule_kind
    from playground.core.schema import coerce_params

    kind = optimizer_kind(value["name"]) if part == "optimizer" else schedule_kind(value["name"])
    return coerce_params(kind.params, value["params"], part)


def _parsed(text):
    import shlex

    from playground.cli.train_flags import apply_overrides
    from playground.core.spec import SessionSpec

    words = shlex.split(text)
    assert words[:2] == ["playground", "train"]
    return apply_overrides(SessionSpec(), cli.build_parser().parse_args(words[1:]))


def _specs():
    import dataclasses

    from playground.core.examples import EXAMPLES
    from playground.core.spec import (DataSpec, EarlyStoppingSpec, OptimizerSpec,
                                      ScheduleSpec, TrainSpec)

    specs = [make() for make in EXAMPLES.values()]
    base = EXAMPLES["spiral"]()
    specs.append(dataclasses.replace(
        base, data=DataSpec("blobs", classes=4, inputs=("x1", "x2", "x1x2"),
                            split=(0.6, 0.2, 0.2), scaling="robust", seed=3),
        optimizer=OptimizerSpec("adam", 0.002, {"beta2": 0.99, "amsgrad": True}),
        schedule=ScheduleSpec("multistep", {"milestones": (10.0, 20.0), "gamma": 0.5}, 2.0),
        train=TrainSpec(batch_size=None, epochs=40, l2=1e-4, clip_norm=1.0, seed=7,
                        metrics=("accuracy", "f1"), convergence_tol=1e-5,
                        early_stopping=EarlyStoppingSpec(enabled=True, patience=4))))
    return specs


def test_the_command_line_trains_the_same_spec():
    from playground.core.export.commandline import command_line

    for spec in _specs():
        assert _normal(_parsed(command_line(spec))) == _normal(spec), command_line(spec)


def test_a_spec_no_flag_can_express_is_one_sentence():
    import dataclasses

    from playground.core.errors import PlaygroundError
    from playground.core.export.commandline import command_line
    from playground.core.spec import LayerSpec, ModelSpec, SessionSpec

    spec = dataclasses.replace(SessionSpec(), model=ModelSpec((
        LayerSpec("dense", {"units": 8, "bias": False}), LayerSpec("dense", {"units": None}))))
    with pytest.raises(PlaygroundError, match="bias"):
        command_line(spec)


def test_train_writes_tensorboard_logs_and_refuses_a_bad_folder_first(capsys, tmp_path):
    pytest.importorskip("torch.utils.tensorboard")
    code, _, err = run(capsys, "train", "--example", "xor", "--epochs", "2",
                       "--tensorboard", tmp_path / "tb")
    assert code == 0, err
    assert any(p.name.startswith("events.out.tfevents") for p in (tmp_path / "tb").iterdir())
    code, out, err = run(capsys, "train", "--example", "xor", "--epochs", "2",
                         "--tensorboard", tmp_path / "missing" / "tb")
    assert code == 2 and "does not exist" in err and "epoch" not in out


def test_sweep_writes_a_tensorboard_folder_per_run(capsys, tmp_path):
    accumulator = pytest.importorskip("tensorboard.backend.event_processing.event_accumulator")
    code, _, err = run(capsys, "sweep", "--example", "xor", "--epochs", "2", "--vary",
                       "lr=0.01,0.1", "--tensorboard", tmp_path / "tb")
    assert code == 0, err
    folders = sorted(p.name for p in (tmp_path / "tb").iterdir())
    assert folders == ["run01_lr=0.01", "run02_lr=0.1"]
    events = accumulator.EventAccumulator(str(tmp_path / "tb" / folders[1]))
    events.Reload()
    assert [e.step for e in events.Scalars("loss")] == [1, 2]
    assert "hparam/test_accuracy" in events.Tags()["scalars"]
    assert any(tag.startswith("weights/") for tag in events.Tags()["histograms"])


def test_search_writes_a_tensorboard_folder_per_trial(capsys, tmp_path):
    accumulator = pytest.importorskip("tensorboard.backend.event_processing.event_accumulator")
    spec = tmp_path / "spec.json"
    spec.write_text(run(capsys, "spec", "--example", "xor")[1])
    code, out, err = run(capsys, "search", spec, "--space", "lr=1e-3..1:log", "--trials",
                         "2", "--epochs", "2", "--pruner", "none", "--tensorboard",
                         tmp_path / "tb")
    assert code == 0, err
    assert sorted(p.name for p in (tmp_path / "tb").iterdir()) == ["trial0000", "trial0001"]
    events = accumulator.EventAccumulator(str(tmp_path / "tb" / "trial0001"))
    events.Reload()
    assert [e.step for e in events.Scalars("objective")] == [1, 2]
    assert "hparam/objective" in events.Tags()["scalars"]
    code, _, err = run(capsys, "search", spec, "--space", "lr=1e-3..1:log", "--trials", "1",
                       "--tensorboard", tmp_path / "no" / "tb", "--study", "other")
    assert code == 2 and "does not exist" in err
