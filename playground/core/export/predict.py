"""Predictions for the rows of a CSV file: the session's scaling applied, the output
with the input's columns, `prediction` (the class name, or the value in the target's
units) and one column per output (p_<class> for probabilities)."""
from __future__ import annotations

import csv
import io
from pathlib import Path

import numpy as np

from ..limits import MAX_DATA_BYTES, MAX_DATA_VALUES, mb
from ..session import atomic_write
from .trained import ExportError, TrainedModel


def read_rows(path: str | Path, trained: TrainedModel) -> tuple["object", np.ndarray]:
    """The CSV as a table and its feature columns (by name) as float32; ExportError in
    one sentence when the columns do not fit the model."""
    import pandas as pd

    path = Path(path)
    name = path.name[:80]
    try:
        if path.stat().st_size > MAX_DATA_BYTES:  # before pandas holds it all in memory
            raise ExportError(f"{name} is larger than {mb(MAX_DATA_BYTES)}; split it and "
                              "predict the parts.")
        # utf-8-sig: a spreadsheet's byte-order mark is not part of the first column's name
        frame = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    except FileNotFoundError:
        raise ExportError(f"{name} does not exist.") from None
    except (OSError, UnicodeDecodeError, pd.errors.ParserError,
            pd.errors.EmptyDataError) as exc:
        first = (str(exc).splitlines() or [type(exc).__name__])[0][:120]
        raise ExportError(f"{name} cannot be read as CSV ({first}).") from None
    wanted = list(trained.raw_features)
    missing = [column for column in wanted if column not in frame.columns]
    if missing:
        shown = ", ".join(wanted[:6]) + (f" and {len(wanted) - 6} more" if len(wanted) > 6
                                         else "")
        raise ExportError(f"{name} has no column {missing[0]!r}; the model needs the "
                          f"columns {shown}.")
    if frame.shape[0] * len(wanted) > MAX_DATA_VALUES:
        raise ExportError(f"{name} has too many rows to predict at once; split it.")
    values = frame[wanted]
    numbers = values.apply(pd.to_numeric, errors="coerce")
    bad = numbers.isna() | ~np.isfinite(numbers.to_numpy(dtype=float, na_value=np.nan))
    if bad.to_numpy().any():
        row, column = np.argwhere(bad.to_numpy())[0]
        raise ExportError(f"{name}, line {row + 2}, column {wanted[column]!r}: "
                          f"{values.iat[row, column]!r} is not a number.")
    return frame, numbers.to_numpy(dtype=np.float32)


def prediction_table(frame: "object", trained: TrainedModel,
                     X: np.ndarray) -> tuple[list[str], list[list[str]]]:
    out, labels = trained.predict(X)
    header = [*frame.columns, "prediction", *(trained.output_names
                                              if trained.is_classification else ())]
    rows = []
    for i, original in enumerate(frame.itertuples(index=False)):
        extra = [format(float(v), ".6g") for v in out[i]] if trained.is_classification \
            else []
        rows.append([*original, labels[i], *extra])
    return header, rows


def write_csv(path: str | Path | None, header: list[str], rows: list[list[str]]) -> str:
    """The table as CSV text; written atomically to `path` when given."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    text = buffer.getvalue()
    if path is not None:
        atomic_write(Path(path), lambda file: file.write(text.encode("utf-8")))
    return text
