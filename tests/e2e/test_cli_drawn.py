"""`playground train drawn.json`: a drawn data set trains from its spec file like any set."""
import json

from playground.core.data import drawn
from playground.core.spec import DataSpec, SessionSpec, TrainSpec
from tests.core.test_drawn import three_clouds
from tests.e2e.test_cli import run_cli, run_process


def test_a_drawn_spec_trains_from_the_command_line(tmp_path):
    spec = SessionSpec(data=DataSpec(drawn.NAME, points=three_clouds()),
                       train=TrainSpec(epochs=3, device="cpu"))
    path = tmp_path / "drawn.json"
    path.write_text(spec.to_json())
    result = run_process("train", str(path), "--jsonl", "--save", str(tmp_path / "d.pgsession"))
    assert result.returncode == 0, result.stderr
    records = [json.loads(line) for line in result.stdout.splitlines()]
    assert [r["epoch"] for r in records if r["event"] == "epoch"] == [1, 2, 3]
    assert records[-1]["event"] == "finished" and "test_accuracy" in records[-1]


def test_a_drawn_spec_with_one_class_is_refused_in_one_sentence(tmp_path, capsys):
    one_class = tuple(p for p in three_clouds() if p[2] == 1.0)
    spec = SessionSpec(data=DataSpec(drawn.NAME, points=one_class))
    path = tmp_path / "one.json"
    path.write_text(spec.to_json())
    code, out, err = run_cli(capsys, "train", str(path))
    assert code == 2 and out == ""
    assert err.strip().endswith("The drawn points are all of class 1: pick another class "
                                "and draw some, so that there is a boundary to learn.")
    assert len(err.strip().splitlines()) == 1
    bad = json.loads(spec.to_json())
    bad["data"]["points"][0][2] = 9
    path.write_text(json.dumps(bad))
    code, out, err = run_cli(capsys, "train", str(path))
    assert code == 2 and "data.points[0]: the class 9 is not one of 0 to 7" in err


def test_an_empty_drawn_set_is_refused_in_command_line_words(capsys):
    code, out, err = run_cli(capsys, "train", "--dataset", drawn.NAME)
    assert code == 2 and out == "" and len(err.strip().splitlines()) == 1
    assert err.strip().endswith("The drawn set has no points: draw them in the window, or "
                                "give a spec file whose data.points holds them.")
    assert "click" not in err
