"""Your own data: CSV, NPZ (arrays X and y) and IDX (the MNIST format).

Every problem with a file is a DataError whose one sentence names the file and, where
it applies, the line and column. CSV parsing is pandas' C parser (the fastest well-kept
one); everything around it (sniffing, checks, encoding of text columns) is ours.
"""
from __future__ import annotations

import csv
import gzip
import io
import math
import os
import re
import struct
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..errors import DataError
from ..limits import MAX_DATA_BYTES, MAX_DATA_VALUES, MAX_FEATURES, MAX_PATH, mb

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
    text = str(path)
    if not text.strip():
        raise DataError("The data file's path is empty; give a CSV, NPZ or IDX file.")
    if len(text) > MAX_PATH:
        raise DataError(f"The data file's path is {len(text):,} characters long; a path "
                        f"may have at most {MAX_PATH:,}.")
    path = Path(path)
    try:
        if not path.is_file():
            raise DataError(f"{path} does not exist or is not a file.")
        _check_fits_in_memory(path)
    except OSError as exc:
        raise DataError(f"{text[:80]} cannot be opened: {exc.strerror or exc}.") from None
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
    delimiter, decimal = _sniff_number_format(text, _sniff_delimiter(text))
    lines = "\n".join(text.splitlines()[:2])  # a lone carriage return confuses csv
    try:
        rows = list(csv.reader(io.StringIO(lines), delimiter=delimiter))
    except csv.Error as exc:
        raise DataError(f"{path} cannot be parsed as CSV ({exc}).") from None
    header = _has_header(rows)
    try:
        frame = pd.read_csv(path, sep=delimiter, header=0 if header else None,
                            encoding=encoding, engine="c", decimal=decimal)
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


_DECIMAL_COMMA = re.compile(r"[+-]?\d+,\d+(?:[eE][+-]?\d+)?")
_DECIMAL_POINT = re.compile(r"[+-]?\d*\.\d+(?:[eE][+-]?\d+)?")


def _sniff_number_format(text: str, delimiter: str) -> tuple[str, str]:
    """The delimiter and the decimal mark. Spreadsheets in many languages write
    '1,5;2,25;0': semicolons between fields and decimal commas; then the sniffer may
    even take the comma for the delimiter. Detected from the first lines."""
    lines = [line for line in text.splitlines()[:50] if line.strip()]
    if delimiter == ",":
        semicolons = {line.count(";") for line in lines}
        if len(semicolons) != 1 or semicolons == {0}:
            return ",", "."
        candidate = ";"
    else:
        candidate = delimiter
    fields = [field.strip().strip('"') for line in lines for field in line.split(candidate)]
    commas = sum(bool(_DECIMAL_COMMA.fullmatch(field)) for field in fields)
    points = sum(bool(_DECIMAL_POINT.fullmatch(field)) for field in fields)
    if commas and commas >= points:
        return candidate, ","
    return delimiter, "."


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
    width = 0
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
            width += 1
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
        width += len(categories)
        if width > MAX_FEATURES or len(frame) * width > MAX_DATA_VALUES:
            raise DataError(f"{path}: encoding its text columns would make "
                            f"{len(frame):,} rows x {width:,}+ columns, beyond the budget of "
                            f"{MAX_DATA_VALUES:,} values ({mb(MAX_DATA_VALUES * 4)}); use "
                            "fewer rows or text columns.")
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
    _check_npz(path)
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


def _check_npz(path: Path) -> None:
    """Every array's shape, type and size from its header, before any is unpacked: an
    8 MB file may claim gigabytes."""
    try:
        with zipfile.ZipFile(path) as archive:
            infos = archive.infolist()
            names = [info.filename for info in infos]
            if len(set(names)) != len(names):
                raise DataError(f"{path} holds an array name twice, so what it means is "
                                "ambiguous.")
            headers = {}
            for info in infos:
                if info.flag_bits & 0x1:
                    raise DataError(f"{path} is encrypted; save it without a password.")
                if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
                    raise DataError(f"{path} uses a compression method NumPy never writes; "
                                    "save it with numpy.savez or savez_compressed.")
                if info.file_size > MAX_DATA_BYTES:
                    raise DataError(f"{path}: the array {info.filename[:40]} would unpack to "
                                    f"{mb(info.file_size)}, above the {mb(MAX_DATA_BYTES)} "
                                    "a data set may take.")
                with archive.open(info) as member:
                    version = np.lib.format.read_magic(member)
                    reader = (np.lib.format.read_array_header_1_0 if version == (1, 0)
                              else np.lib.format.read_array_header_2_0)
                    shape, _, dtype = reader(member)
                headers[info.filename.lower().removesuffix(".npy")] = (shape, dtype, info)
    except DataError:
        raise
    except Exception:  # noqa: BLE001 - a damaged zip or array header, in any form
        raise DataError(f"{path} is not a readable NPZ file.") from None
    for key in ("x", "y"):
        if key not in headers:
            continue
        shape, dtype, info = headers[key]
        name = "X" if key == "x" else "y"
        if dtype.hasobject:
            raise DataError(f"{path} holds Python objects, which are never loaded (they "
                            "could run code); save plain numeric arrays.")
        if not shape:
            raise DataError(f"{path}: {name} is a single number; it must be an array with "
                            "one row per sample.")
        nbytes = math.prod(shape) * dtype.itemsize
        if nbytes > info.file_size or math.prod(shape) > MAX_DATA_VALUES:
            raise DataError(f"{path}: {name} claims {'x'.join(map(str, shape))} values, "
                            f"beyond the budget of {MAX_DATA_VALUES:,} values a data set "
                            "may have (or more than the file holds).")
        if key == "x" and len(shape) >= 2 and math.prod(shape[1:]) == 0:
            raise DataError(f"{path}: X has no columns, so there is nothing to learn from.")


def _from_arrays(path: Path, X: np.ndarray, y: np.ndarray, task: str,
                 image_shape: tuple[int, int, int] | None) -> FileData:
    if X.dtype.kind not in "fiub" or y.dtype.kind not in "fiub":
        raise DataError(f"{path}: X and y must be numeric arrays.")
    if X.ndim == 0 or y.ndim == 0:
        raise DataError(f"{path}: X and y must be arrays with one row per sample, not "
                        "single numbers.")
    if X.ndim > 4:
        raise DataError(f"{path}: X has {X.ndim} dimensions; at most 4 (rows, channels, "
                        "height, width) are read.")
    if X.size == 0 and len(X) > 0 or (X.ndim > 1 and math.prod(X.shape[1:]) == 0):
        raise DataError(f"{path}: X has no columns, so there is nothing to learn from.")
    if X.ndim == 1:
        X = X.reshape(-1, 1)
    if X.ndim > 2:
        image_shape = image_shape or ((1, *X.shape[1:3]) if X.ndim == 3 else None)
        X = X.reshape(len(X), -1)
    if X.shape[1] > MAX_FEATURES:
        raise DataError(f"{path}: X has {X.shape[1]:,} columns; a data set may have at most "
                        f"{MAX_FEATURES:,}.")
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
    """One IDX array (optionally gzip-compressed), checked against its header before
    its data is read: never more than the header promises, nor than the budget."""
    opener = gzip.open if path.suffix.lower() == ".gz" else open
    try:
        with opener(path, "rb") as file:
            head = file.read(4)
            if len(head) < 4 or head[0] != 0 or head[1] != 0 or head[2] not in _IDX_TYPES:
                raise DataError(f"{path} is not an IDX file (its first bytes are not an IDX "
                                "header).")
            dims = head[3]
            sizes = file.read(4 * dims)
            if dims == 0 or dims > 4 or len(sizes) < 4 * dims:
                raise DataError(f"{path} has a damaged IDX header.")
            shape = struct.unpack(f">{dims}I", sizes)
            dtype = np.dtype(_IDX_TYPES[head[2]])
            expected = math.prod(shape) * dtype.itemsize
            if expected > MAX_DATA_BYTES or math.prod(shape) > MAX_DATA_VALUES:
                raise DataError(f"{path} claims {'x'.join(map(str, shape))} values "
                                f"({mb(expected)}), beyond the {mb(MAX_DATA_BYTES)} a data "
                                "set may take.")
            data = file.read(expected + 1)
    except DataError:
        raise
    except (OSError, EOFError, zlib.error) as exc:
        raise DataError(f"{path} cannot be read as IDX: it is damaged "
                        f"({getattr(exc, 'strerror', None) or exc}).") from None
    if len(data) != expected:
        raise DataError(f"{path} is truncated or damaged: its header promises {expected} "
                        f"bytes of data but it holds "
                        f"{'more' if len(data) > expected else len(data)}.")
    return np.frombuffer(data, dtype=dtype).reshape(shape)


def load_idx(path: Path, labels: str, task: str = "auto") -> FileData:
    if not labels:
        raise DataError(f"{path} is an IDX file: name its labels file as the target "
                        "(--target LABELS-FILE).")
    labels_path = Path(labels)
    try:
        exists = len(labels) <= MAX_PATH and labels_path.is_file()
    except OSError:
        exists = False
    if not exists:
        raise DataError(f"The labels file {labels[:80]} does not exist.")
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
