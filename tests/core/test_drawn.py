"""The drawn data set: points kept in the spec, loaded, split and scaled like any set."""
import dataclasses
import json

import numpy as np
import pytest

from playground.core.data import DATASETS, load_dataset, prepare
from playground.core.data import drawn
from playground.core.errors import DataError, SpecError
from playground.core.export.sharecode import from_code, to_code
from playground.core.sessionfile import open_session, prepared_data, save_session
from playground.core.spec import DataSpec, SessionSpec
from playground.core.trainer import Trainer

from .helpers import tiny_spec


def three_clouds(per_class: int = 20, seed: int = 0) -> tuple:
    rng = np.random.default_rng(seed)
    centres = [(-3.0, 0.0), (3.0, 0.0), (0.0, 3.0)]
    return tuple(drawn.point(float(a), float(b), float(label))
                 for label, centre in enumerate(centres)
                 for a, b in rng.normal(centre, 0.7, (per_class, 2)))


def drawn_spec(points=None, **data) -> SessionSpec:
    spec = tiny_spec(epochs=2)
    return dataclasses.replace(spec, data=DataSpec(
        drawn.NAME, points=three_clouds() if points is None else points, **data))


def test_the_drawn_set_loads_splits_and_scales_like_the_others():
    spec = drawn_spec()
    data = prepare(spec.data)
    assert data.task == "multiclass" and data.dataset.class_names == ("0", "1", "2")
    assert len(data.x_train) + len(data.x_val) + len(data.x_test) == 60
    assert sorted(np.bincount(data.y_val)) == [3, 3, 3]  # stratified by class
    assert np.allclose(data.x_train.mean(axis=0), 0, atol=1e-5)  # scaled on the train rows
    rows = np.asarray(spec.data.points, dtype=np.float32)
    assert np.array_equal(load_dataset(spec.data).X, rows[:, :2])
    assert DATASETS[drawn.NAME].two_dimensional  # the boundary and plane views draw it


def test_a_class_keeps_its_number_and_values_make_a_regression():
    points = tuple((float(i), float(-i), 2.0 * (i % 2)) for i in range(20))
    dataset = load_dataset(DataSpec(drawn.NAME, points=points))
    assert dataset.class_names == ("0", "1", "2") and dataset.task == "multiclass"
    values = tuple((float(i), float(i % 3), 0.5 * i) for i in range(20))
    data = prepare(DataSpec(drawn.NAME, task="regression", points=values))
    assert data.task == "regression" and data.y_train.shape[1] == 1
    assert data.target_scaler is not None
    both = prepare(DataSpec(drawn.NAME, points=three_clouds(), inputs=("x1", "x2", "x1x2")))
    assert both.x_train.shape[1] == 3  # engineered inputs work on a drawn set too


def test_spec_json_and_share_code_carry_the_points_exactly():
    spec = drawn_spec().validate()
    again = SessionSpec.from_json(spec.to_json())
    assert again == spec and again.data.points == spec.data.points
    assert from_code(to_code(spec)) == spec


def test_a_full_canvas_still_fits_a_share_code():
    rng = np.random.default_rng(1)
    worst = tuple(drawn.point(*rng.uniform(-6, 6, 2).tolist(), float(rng.uniform(-100, 100)))
                  for _ in range(drawn.MAX_POINTS))
    spec = dataclasses.replace(drawn_spec(), data=DataSpec(drawn.NAME, task="regression",
                                                           points=worst))
    assert from_code(to_code(spec)).data.points == worst


def test_a_session_file_keeps_the_drawn_set_and_opens_it_again_exactly(tmp_path):
    trainer = Trainer(drawn_spec())
    trainer.fit()
    path = tmp_path / "drawn.pgsession"
    save_session(path, trainer.spec, trainer.state_dict(), trainer.data)
    session = open_session(path)
    assert session.spec == trainer.spec
    reopened = prepared_data(session)
    assert np.array_equal(reopened.x_train, trainer.data.x_train)
    assert np.array_equal(reopened.y_test, trainer.data.y_test)


@pytest.mark.parametrize("points, task, words", [
    (((0.0, 0.0, 8.0),), "auto", "the class 8 is not one of 0 to 7"),
    (((0.0, 0.0, 1.5),), "auto", "needs the task 'regression'"),
    (((float("nan"), 0.0, 1.0),), "auto", "must be finite"),
    (((0.0, 1e9, 1.0),), "regression", "must be finite and at most"),
])
def test_a_bad_point_is_one_sentence_naming_it(points, task, words):
    with pytest.raises(SpecError, match="data.points\\[0\\]") as caught:
        SessionSpec(data=DataSpec(drawn.NAME, task=task, points=points)).validate()
    assert words in str(caught.value) and str(caught.value).count(". ") == 0


def test_the_bounds_are_checked_before_anything_is_made():
    many = ((0.0, 0.0, 0.0),) * (drawn.MAX_POINTS + 1)
    with pytest.raises(SpecError, match="at most 5,000"):
        SessionSpec(data=DataSpec(drawn.NAME, points=many)).validate()
    with pytest.raises(SpecError, match="only the drawn data set has points"):
        SessionSpec(data=DataSpec("spiral", points=((0.0, 0.0, 0.0),))).validate()
    text = drawn_spec().to_json().replace("[\n        -", "[\n        1,\n        -", 1)
    with pytest.raises(SpecError, match="expected a list of 3 values"):
        SessionSpec.from_json(text)


def test_what_cannot_be_trained_yet_says_what_to_draw():
    with pytest.raises(DataError, match="No points drawn yet"):
        prepare(DataSpec(drawn.NAME))
    one_class = tuple((float(i), 0.0, 1.0) for i in range(30))
    with pytest.raises(DataError, match="all of class 1: pick another class"):
        prepare(DataSpec(drawn.NAME, points=one_class))
    few = ((0.0, 0.0, 0.0), (1.0, 0.0, 0.0), (0.0, 1.0, 1.0), (1.0, 1.0, 1.0))
    with pytest.raises(DataError) as caught:
        prepare(DataSpec(drawn.NAME, points=few))
    assert str(caught.value) == ("The drawn set has 4 points, too few for its 15% "
                                 "validation part: draw at least 4 points of one class, "
                                 "or set the validation part to 0%.")
    assert prepare(DataSpec(drawn.NAME, points=few, split=(1.0, 0.0, 0.0))).x_train.shape == \
        (4, 2)


def test_starting_from_another_set_takes_its_raw_points():
    spiral = load_dataset(DataSpec("spiral", samples=200))
    points = drawn.points_from(spiral.X, spiral.y, "auto")
    assert len(points) == 200 and {p[2] for p in points} == {0.0, 1.0}
    assert np.allclose(np.asarray(points)[:, :2], spiral.X, atol=5e-4)
    json.dumps(SessionSpec(data=DataSpec(drawn.NAME, points=points)).validate().to_dict())


def test_exports_without_a_place_for_points_say_so():
    from playground.core.export.commandline import command_line
    from playground.core.export.script import check_scriptable
    from playground.core.export.trained import ExportError

    for export in (command_line, check_scriptable):
        with pytest.raises(ExportError, match="train it with `playground train spec.json`"):
            export(drawn_spec())


def test_runs_that_differ_in_their_drawing_say_so_in_a_short_phrase():
    from playground.core.experiments.runs import differences
    more, fewer = drawn_spec(three_clouds(30)), drawn_spec(three_clouds(20))
    assert differences(more, fewer) == "drawn points (90 vs 60)"
    moved = drawn_spec(three_clouds(20, seed=1))
    assert differences(moved, fewer) == "drawn points (60 each, not the same)"
    assert differences(fewer, fewer) == ""
