"""Your own data: CSV, NPZ (arrays X and y) and IDX (the MNIST format).

Every problem with a file is a DataError whose one sentence names the file and, where
it applies, the line and column. CSV parsing is pandas' C parser (the fastest well-kept
one); everything around it (sniffing, checks, encoding of text columns) is ours.
"""
from __future__ import annotations

import csv
import gzip
import io
import os
import struct
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..errors import DataError

MAX_CATEGORIES = 50     # distinct text values a feature column may have (one-hot)
MAX_CLASSES = 100       # distinct target values a classification task may have
AUTO_CLASSES = 20       # integer targets with at most this many values are classes
MEMORY_FACTOR = 4       # parsing needs about this many bytes of memory per byte of file
_SNIFF_BYTES = 64 * 1024


@dataclass(frozen=True)
class FileData:
    X: np.ndarray                # float32 (n, features)
    y: np.ndarray                # int64 (n,) or float32 (n, 1)
    task: str                    # binary, multiclass or regression
    feature_names: tuple[str, ...]
    class_names: tuple[str, ...]
    image_shape: tuple[int, int, int] | None = None
    dropped_rows: int = 0


def load_file(path: str | Path, target: str = "", task: str = "auto",
              missing: str = "fail") -> FileData:
    path = Path(path)
    if not path.is_file():
        raise DataError(f"{path} does not exist or is not a file.")
    _check_fits_in_memory(path)
    suffix = "".join(path.suffixes[-2:]).lower()
    if path.suffix.lower() == ".npz":
        return load_npz(path, task)
    if "idx" in path.name.lower() or suffix.endswith("ubyte") or suffix.endswith("ubyte.gz"):
        return load_idx(path, target, task)
    return load_csv(path, target, task, missing)


# ---------------------------------------------------------------------- CSV

def load_csv(path: Path, target: str = "", task: str = "auto",
             missing: str = "fail") -> FileData:
    import pandas as pd  # imported here: it costs half a second at start-up

    head = _read_head(path)
    encoding, text = _decode(path, head)
    if not text.strip():
        raise DataError(f"{path} is empty.")
    delimiter = _sniff_delimiter(text)
    lines = "\n".join(text.splitlines()[:2])  # a lone carriage return confuses csv
    try:
        rows = list(csv.reader(io.StringIO(lines), delimiter=delimiter))
    except csv.Error as exc:
        raise DataError(f"{path} cannot be parsed as CSV ({exc}).") from None
    header = _has_header(rows)
    try:
        frame = pd.read_csv(path, sep=delimiter, header=0 if header else None,
                            encoding=encoding, engine="c")
    except pd.errors.EmptyDataError:
        raise DataError(f"{path} is empty.") from None
    except (pd.errors.ParserError, ValueError, csv.Error) as exc:
        raise DataError(f"{path}: {_parser_sentence(str(exc))}") from None
    except UnicodeDecodeError as exc:
        raise DataError(f"{path} is not readable text in {encoding} (byte {exc.start} "
                        "could not be decoded): save it as UTF-8 CSV.") from None
    if not header:
        frame.columns = [f"column {i + 1}" for i in range(frame.shape[1])]
    frame.columns = [str(c).strip() for c in frame.columns]
    if len(frame) == 0:
        raise DataError(f"{path} has a header but no data rows.")
    if frame.shape[1] < 2:
        raise DataError(f"{path} has only one column: it needs at least one feature column "
                        f"and a target column (the delimiter found was {delimiter!r}).")
    first_line = 2 if header else 1
    target_name = _target_column(path, frame, target)
    frame, dropped = _handle_missing(path, frame, missing, first_line)
    y, task, classes = _encode_target(path, frame[target_name], target_name, task)
    X, names = _encode_features(path, frame.drop(columns=[target_name]), first_line)
    return FileData(X, y, task, names, classes, None, dropped)


def _read_head(path: Path) -> bytes:
    with path.open("rb") as file:
        head = file.read(_SNIFF_BYTES)
    if b"\x00" in head:
        raise DataError(f"{path} looks like a binary file, not CSV text.")
    return head


def _decode(path: Path, head: bytes) -> tuple[str, str]:
    # Cut at the last line break so a multi-byte character is never split. Plain utf-8
    # keeps pandas on its fast path; utf-8-sig (which strips a BOM) only when needed.
    cut = head[: head.rfind(b"\n") + 1] or head
    first = "utf-8-sig" if head.startswith(b"\xef\xbb\xbf") else "utf-8"
    for encoding in (first, "cp1252"):
        try:
            return encoding, cut.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise DataError(f"{path} is in an unreadable text encoding: save it as UTF-8 CSV.")


def _sniff_delimiter(text: str) -> str:
    sample = "\n".join(text.splitlines()[:50])
    try:
        return csv.Sniffer().sniff(sample, delimiters=",;\t|").delimiter
    except csv.Error:
        return ","


def _is_number(field: str) -> bool:
    try:
        float(field)
        return True
    except ValueError:
        return False


def _has_header(rows: list[list[str]]) -> bool:
    """A first row with fewer numeric fields than the second (or none) is a header."""
    if not rows:
        return False
    first = sum(_is_number(f) for f in rows[0])
    if len(rows) < 2:
        return first == 0
    return first == 0 or first < sum(_is_number(f) for f in rows[1])


def _parser_sentence(message: str) -> str:
    import re

    found = re.search(r"Expected (\d+) fields in line (\d+), saw (\d+)", message)
    if found:
        expected, line, saw = found.groups()
        return f"line {line} has {saw} fields but the rows before it have {expected}."
    return f"the file cannot be parsed as CSV ({message.strip().splitlines()[-1]})."


def _target_column(path: Path, frame, target: str) -> str:
    columns = list(frame.columns)
    if not target:
        return columns[-1]
    if target in columns:
        return target
    try:
        index = int(target)
    except ValueError:
        raise DataError(f"{path} has no column {target!r}; its columns are "
                        f"{', '.join(columns[:12])}{', ...' if len(columns) > 12 else ''}."
                        ) from None
    if not -len(columns) <= index < len(columns):
        raise DataError(f"{path} has {len(columns)} columns; column number {index} does "
                        "not exist (numbers start at 0, -1 is the last).")
    return columns[index]


def _handle_missing(path: Path, frame, missing: str, first_line: int):
    gaps = frame.isna().to_numpy()
    if not gaps.any():
        return frame, 0
    if missing == "drop":
        kept = frame[~gaps.any(axis=1)].reset_index(drop=True)
        if len(kept) == 0:
            raise DataError(f"{path}: every row has a missing value, so none is left "
                            "after dropping them.")
        return kept, len(frame) - len(kept)
    row, column = np.argwhere(gaps)[0]
    raise DataError(f"{path}: line {row + first_line}, column {frame.columns[column]!r} "
                    "has a missing value; fill it in, or choose to drop rows with "
                    "missing values.")


def _encode_target(path: Path, column, name: str, task: str):
    if column.dtype.kind not in "fiub":
        column = column.astype(str).str.strip()
    values = column.to_numpy()
    if column.dtype.kind in "fiub":
        values = values.astype(np.float64)
        if not np.isfinite(values).all():
            raise DataError(f"{path}: the target column {name!r} holds an infinite value.")
    uniques = np.unique(values.astype(str) if column.dtype.kind not in "fiub" else values)
    if len(uniques) < 2:
        raise DataError(f"{path}: the target column {name!r} has the same value in every "
                        "row, so there is nothing to learn.")
    if task == "auto":
        task = _infer_task(column.dtype.kind, values, uniques)
    if task == "regression":
        if column.dtype.kind not in "fiub":
            raise DataError(f"{path}: the target column {name!r} holds text, so it cannot "
                            "be a regression target.")
        return values.astype(np.float32).reshape(-1, 1), task, ()
    if len(uniques) > MAX_CLASSES:
        raise DataError(f"{path}: the target column {name!r} has {len(uniques)} distinct "
                        f"values, too many for classes (at most {MAX_CLASSES}); is it a "
                        "regression target?")
    if task == "binary" and len(uniques) != 2:
        raise DataError(f"{path}: the target column {name!r} has {len(uniques)} classes, "
                        "not the two a binary task needs.")
    keys = values.astype(str) if column.dtype.kind not in "fiub" else values
    indices = np.searchsorted(uniques, keys).astype(np.int64)
    names = tuple(_class_name(u) for u in uniques)
    return indices, ("binary" if len(uniques) == 2 else "multiclass"), names


def _infer_task(kind: str, values: np.ndarray, uniques: np.ndarray) -> str:
    if kind not in "fiub":
        return "binary" if len(uniques) == 2 else "multiclass"
    integral = bool(np.all(np.mod(uniques, 1) == 0))
    if len(uniques) == 2 or (integral and len(uniques) <= AUTO_CLASSES):
        return "binary" if len(uniques) == 2 else "multiclass"
    return "regression"


def _class_name(value) -> str:
    if isinstance(value, (float, np.floating)) and float(value).is_integer():
        return str(int(value))
    return str(value)


def _encode_features(path: Path, frame, first_line: int) -> tuple[np.ndarray, tuple[str, ...]]:
    import pandas as pd

    blocks, names = [], []
    for name in frame.columns:
        column = frame[name]
        if column.dtype.kind in "fiub":
            values = column.to_numpy(dtype=np.float64)
            bad = ~np.isfinite(values)
            if bad.any():
                row = int(np.argmax(bad))
                raise DataError(f"{path}: line {row + first_line}, column {name!r} holds an "
                                "infinite value.")
            blocks.append(values.astype(np.float32).reshape(-1, 1))
            names.append(str(name))
            continue
        column = column.astype(str).str.strip()
        numeric = pd.to_numeric(column, errors="coerce")
        if numeric.notna().mean() > 0.9:  # mostly numbers: a stray word is an error
            row = int(np.argmax(numeric.isna().to_numpy()))
            raise DataError(f"{path}: line {row + first_line}, column {name!r} holds "
                            f"{str(column.iloc[row])!r}, which is not a number.")
        categories = sorted(column.astype(str).unique())
        if len(categories) > MAX_CATEGORIES:
            raise DataError(f"{path}: column {name!r} holds {len(categories)} distinct text "
                            f"values; text features can be encoded only with at most "
                            f"{MAX_CATEGORIES} categories.")
        codes = np.searchsorted(categories, column.astype(str).to_numpy())
        blocks.append(np.eye(len(categories), dtype=np.float32)[codes])
        names.extend(f"{name}={category}" for category in categories)
    if not blocks:
        raise DataError(f"{path} has no feature columns besides the target.")
    return np.concatenate(blocks, axis=1), tuple(names)


# ---------------------------------------------------------------------- NPZ

def load_npz(path: Path, task: str = "auto") -> FileData:
    with path.open("rb") as file:
        if file.read(4) != b"PK\x03\x04":
            raise DataError(f"{path} is not a readable NPZ file.")
    try:
        with np.load(path, allow_pickle=False) as archive:
            keys = {key.lower(): key for key in archive.files}
            if "x" not in keys or "y" not in keys:
                raise DataError(f"{path} must hold two arrays named X and y; it holds "
                                f"{', '.join(archive.files) or 'none'}.")
            X, y = archive[keys["x"]], archive[keys["y"]]
    except DataError:
        raise
    except ValueError as exc:
        if "pickle" in str(exc).lower():
            raise DataError(f"{path} holds Python objects, which are never loaded (they "
                            "could run code); save plain numeric arrays.") from None
        raise DataError(f"{path} is not a readable NPZ file.") from None
    except (OSError, EOFError, KeyError, Exception):  # noqa: BLE001 - zip errors vary
        raise DataError(f"{path} is not a readable NPZ file.") from None
    return _from_arrays(path, X, y, task, None)


def _from_arrays(path: Path, X: np.ndarray, y: np.ndarray, task: str,
                 image_shape: tuple[int, int, int] | None) -> FileData:
    if X.dtype.kind not in "fiub" or y.dtype.kind not in "fiub":
        raise DataError(f"{path}: X and y must be numeric arrays.")
    if X.ndim == 1:
        X = X.reshape(-1, 1)
    if X.ndim > 2:
        image_shape = image_shape or ((1, *X.shape[1:3]) if X.ndim == 3 else None)
        X = X.reshape(len(X), -1)
    y = y.reshape(len(y), -1) if y.ndim > 1 else y
    if len(X) != len(y):
        raise DataError(f"{path}: X has {len(X)} rows but y has {len(y)}.")
    if len(X) == 0:
        raise DataError(f"{path} holds no rows.")
    X = X.astype(np.float32)
    if not np.isfinite(X).all():
        row, column = np.argwhere(~np.isfinite(X))[0]
        raise DataError(f"{path}: X row {row}, column {column} is NaN or infinite.")
    import pandas as pd

    target = pd.Series(y.ravel() if y.ndim == 1 or y.shape[1] == 1 else y[:, 0])
    if y.ndim == 2 and y.shape[1] > 1:
        raise DataError(f"{path}: y must be one column of targets, not {y.shape[1]}.")
    if target.isna().any():
        raise DataError(f"{path}: y row {int(np.argmax(target.isna()))} is missing.")
    encoded, task, classes = _encode_target(path, target, "y", task)
    names = tuple(f"x{i + 1}" for i in range(X.shape[1]))
    return FileData(X, encoded, task, names, classes, image_shape)


# ---------------------------------------------------------------------- IDX

_IDX_TYPES = {0x08: ">u1", 0x09: ">i1", 0x0B: ">i2", 0x0C: ">i4", 0x0D: ">f4", 0x0E: ">f8"}


def read_idx(path: Path) -> np.ndarray:
    """One IDX array (optionally gzip-compressed), checked against its header."""
    opener = gzip.open if path.suffix.lower() == ".gz" else open
    try:
        with opener(path, "rb") as file:
            data = file.read()
    except (OSError, EOFError) as exc:
        raise DataError(f"{path} cannot be read as IDX: {exc}.") from None
    if len(data) < 4 or data[0] != 0 or data[1] != 0 or data[2] not in _IDX_TYPES:
        raise DataError(f"{path} is not an IDX file (its first bytes are not an IDX header).")
    dims = data[3]
    header = 4 + 4 * dims
    if dims == 0 or len(data) < header:
        raise DataError(f"{path} has a damaged IDX header.")
    shape = struct.unpack(f">{dims}I", data[4:header])
    dtype = np.dtype(_IDX_TYPES[data[2]])
    expected = int(np.prod(shape)) * dtype.itemsize
    if len(data) - header != expected:
        raise DataError(f"{path} is truncated or damaged: its header promises {expected} "
                        f"bytes of data but it holds {len(data) - header}.")
    return np.frombuffer(data, dtype=dtype, offset=header).reshape(shape)


def load_idx(path: Path, labels: str, task: str = "auto") -> FileData:
    if not labels:
        raise DataError(f"{path} is an IDX file: name its labels file as the target "
                        "(--target LABELS-FILE).")
    labels_path = Path(labels)
    if not labels_path.is_file():
        raise DataError(f"The labels file {labels_path} does not exist.")
    images, targets = read_idx(path), read_idx(labels_path)
    shape = (1, *images.shape[1:3]) if images.ndim == 3 else None
    return _from_arrays(path, images, targets, task, shape)


# ------------------------------------------------------------------- memory

def available_memory() -> int | None:
    """Bytes of memory available now, where the system tells; None if it does not."""
    try:
        return os.sysconf("SC_AVPHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    except (AttributeError, ValueError, OSError):
        return None


def _check_fits_in_memory(path: Path) -> None:
    size = path.stat().st_size
    free = available_memory()
    if free is not None and size * MEMORY_FACTOR > free:
        raise DataError(f"{path} is {size / 2**20:,.0f} MB, too large to load into the "
                        f"{free / 2**20:,.0f} MB of memory available now; use a sample "
                        "of it.")
