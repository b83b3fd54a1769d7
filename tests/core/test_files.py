"""Importing your own files: good files load, bad ones get one sentence."""
import gzip
import struct

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from playground.core.data import files
from playground.core.data.files import load_file
from playground.core.errors import DataError


def write(tmp_path, text, name="data.csv", encoding="utf-8"):
    path = tmp_path / name
    path.write_bytes(text.encode(encoding) if isinstance(text, str) else text)
    return path


# --------------------------------------------------------------- good CSV

def test_header_text_labels_and_default_last_target(tmp_path):
    path = write(tmp_path, "length,width,species\n5.1,3.5,setosa\n7.0,3.2,versicolor\n"
                           "6.3,3.3,virginica\n5.0,3.6,setosa\n")
    data = load_file(path)
    assert data.feature_names == ("length", "width")
    assert data.class_names == ("setosa", "versicolor", "virginica")
    assert data.y.tolist() == [0, 1, 2, 0] and data.task == "multiclass"
    assert data.X.dtype == np.float32 and data.X.shape == (4, 2)


def test_no_header_semicolons_and_numeric_binary_target(tmp_path):
    path = write(tmp_path, "1.0;2.0;0\n3.0;4.5;1\n2.0;1.0;1\n")
    data = load_file(path)
    assert data.feature_names == ("column 1", "column 2") and data.task == "binary"
    assert data.X[1].tolist() == [3.0, 4.5]


def test_tabs_target_by_name_and_regression_inferred(tmp_path):
    rows = "\n".join(f"{i}\t{i * 0.37:.3f}\t{i % 3}" for i in range(40))
    path = write(tmp_path, "a\tprice\tb\n" + rows + "\n", "data.tsv")
    data = load_file(path, target="price")
    assert data.task == "regression" and data.y.shape == (40, 1)
    assert data.feature_names == ("a", "b")


def test_target_by_number_and_task_override(tmp_path):
    path = write(tmp_path, "x,label,y\n1,0,5\n2,1,6\n3,2,7\n4,1,8\n")
    assert load_file(path, target="1").task == "multiclass"
    assert load_file(path, target="1", task="regression").task == "regression"
    with pytest.raises(DataError, match="has 3 classes, not the two a binary task needs"):
        load_file(path, target="1", task="binary")


def test_text_feature_columns_are_one_hot(tmp_path):
    path = write(tmp_path, "colour,size,ok\nred,1,1\nblue,2,0\nred,3,1\ngreen,4,0\n")
    data = load_file(path)
    assert data.feature_names == ("colour=blue", "colour=green", "colour=red", "size")
    assert data.X[0].tolist() == [0, 0, 1, 1]


def test_missing_values_fail_with_line_and_column_or_are_dropped(tmp_path):
    path = write(tmp_path, "a,b,y\n1,2,0\n3,,1\n5,6,1\n7,8,0\n")
    with pytest.raises(DataError, match=r"line 3, column 'b' has a missing value"):
        load_file(path)
    data = load_file(path, missing="drop")
    assert len(data.X) == 3 and data.dropped_rows == 1


def test_windows_encoded_text_is_read(tmp_path):
    path = write(tmp_path, "caf\u00e9,size,y\n1,2,0\n3,4,1\n", encoding="cp1252")
    assert load_file(path).feature_names[0] == "caf\u00e9"


# ---------------------------------------------------------------- bad CSV

@pytest.mark.parametrize("content, words", [
    ("", "is empty"),
    ("   \n\n", "is empty"),
    ("a,b,y\n", "has a header but no data rows"),
    ("a,b,y\n1,2,0\n3,4,5,6\n", "line 3 has 4 fields but the rows before it have 3"),
    ("a,b,y\n1,2,0\n3,abc,1\n" + "4,5,0\n" * 20, "line 3, column 'b' holds 'abc', which is not a number"),
    ("a,b,y\n1,2,7\n3,4,7\n", "has the same value in every row"),
    ("a,b,y\n1,inf,0\n3,4,1\n", "line 2, column 'b' holds an infinite value"),
    ("a,b,y\n1,nan,0\n3,4,1\n", "line 2, column 'b' has a missing value"),
    (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "looks like a binary file, not CSV"),
    ("justonecolumn\n1\n2\n", "has only one column"),
])
def test_bad_csv_gives_one_sentence_naming_the_file(tmp_path, content, words):
    path = write(tmp_path, content)
    with pytest.raises(DataError) as caught:
        load_file(path)
    message = str(caught.value)
    assert words in message and str(path) in message
    assert message.count("\n") == 0


def test_unknown_target_column_lists_the_columns(tmp_path):
    path = write(tmp_path, "a,b,y\n1,2,0\n3,4,1\n")
    with pytest.raises(DataError, match="has no column 'label'; its columns are a, b, y"):
        load_file(path, target="label")


def test_text_feature_with_too_many_categories(tmp_path):
    rows = "".join(f"name{i},{i % 2}\n" for i in range(80))
    path = write(tmp_path, "who,y\n" + rows)
    with pytest.raises(DataError, match="80 distinct text values"):
        load_file(path)


def test_a_file_larger_than_memory_is_refused_up_front(tmp_path, monkeypatch):
    path = write(tmp_path, "a,y\n1,0\n2,1\n")
    monkeypatch.setattr(files, "available_memory", lambda: 10)
    with pytest.raises(DataError, match="too large to load into the 0 MB of memory"):
        load_file(path)


def test_missing_file(tmp_path):
    with pytest.raises(DataError, match="does not exist"):
        load_file(tmp_path / "nope.csv")


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.text(alphabet=st.sampled_from("0123456789.,;-\t\n abcxyzé\"'eE+"), max_size=300))
def test_generated_csv_loads_or_raises_our_error(tmp_path, text):
    path = write(tmp_path, text, "generated.csv")
    try:
        data = load_file(path)
    except DataError:
        return
    assert len(data.X) == len(data.y) > 0 and np.isfinite(data.X).all()


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.binary(max_size=200))
def test_generated_bytes_load_or_raise_our_error(tmp_path, blob):
    path = write(tmp_path, blob, "bytes.csv")
    try:
        load_file(path)
    except DataError:
        pass


# -------------------------------------------------------------------- NPZ

def test_npz_with_x_and_y(tmp_path):
    path = tmp_path / "d.npz"
    np.savez(path, X=np.arange(20).reshape(10, 2), y=np.arange(10) % 2)
    data = load_file(path)
    assert data.X.shape == (10, 2) and data.task == "binary"


def test_npz_with_python_objects_is_refused(tmp_path):
    path = tmp_path / "evil.npz"
    np.savez(path, X=np.array([{"a": 1}, {"b": 2}], dtype=object), y=np.array([0, 1]))
    with pytest.raises(DataError, match="holds Python objects, which are never loaded"):
        load_file(path)


@pytest.mark.parametrize("arrays, words", [
    ({"data": np.zeros((3, 2))}, "must hold two arrays named X and y; it holds data"),
    ({"X": np.zeros((3, 2)), "y": np.zeros(4)}, "X has 3 rows but y has 4"),
    ({"X": np.array([[1.0, np.nan], [1, 2]]), "y": np.array([0, 1])}, "NaN or infinite"),
])
def test_bad_npz(tmp_path, arrays, words):
    path = tmp_path / "bad.npz"
    np.savez(path, **arrays)
    with pytest.raises(DataError, match=words):
        load_file(path)


def test_not_a_zip_named_npz(tmp_path):
    with pytest.raises(DataError, match="is not a readable NPZ file"):
        load_file(write(tmp_path, "hello", "fake.npz"))


# -------------------------------------------------------------------- IDX

def idx_bytes(array: np.ndarray) -> bytes:
    header = struct.pack(">BBBB", 0, 0, 0x08, array.ndim) + struct.pack(
        f">{array.ndim}I", *array.shape)
    return header + array.astype(np.uint8).tobytes()


def test_idx_images_and_labels_gzipped(tmp_path):
    images = np.random.default_rng(0).integers(0, 255, (12, 5, 4))
    labels = np.arange(12) % 3
    image_path = tmp_path / "imgs-idx3-ubyte.gz"
    image_path.write_bytes(gzip.compress(idx_bytes(images)))
    label_path = tmp_path / "labels-idx1-ubyte"
    label_path.write_bytes(idx_bytes(labels))
    data = load_file(image_path, target=str(label_path))
    assert data.X.shape == (12, 20) and data.image_shape == (1, 5, 4)
    assert np.array_equal(data.X[0].reshape(5, 4), images[0])
    assert data.task == "multiclass"


def test_truncated_idx_says_so(tmp_path):
    path = tmp_path / "imgs.idx"
    path.write_bytes(idx_bytes(np.zeros((4, 3, 3)))[:-5])
    labels = tmp_path / "labels.idx"
    labels.write_bytes(idx_bytes(np.arange(4) % 2))
    with pytest.raises(DataError, match="is truncated or damaged"):
        load_file(path, target=str(labels))
    with pytest.raises(DataError, match="name its labels file as the target"):
        load_file(path)
