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
    rows.write_text("id,sepal length (cm),sepal width (cm),petal length (cm),"
                    "petal width (cm)\n1,5.1,3.5,1.4,0.2\n2,6.7,3.0,5.2,2.3\n")
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
