"""Opening a session to continue it: a session file or an interim run file (.pgrun)
from before sessions existed, and the data it was trained on, split and scaled as
then (refused if the data changed since)."""
from __future__ import annotations

import zipfile
from pathlib import Path
from typing import Any

from .. import sessioncheck
from ..errors import SessionFileError, SpecError
from ..experiments.runfile import store_from_state
from ..session import check_path
from .format import SUFFIX, Session, data_sha256, without_run_limits
from .reading import open_session


def open_any(path: str | Path) -> Session:
    """A session file, or an interim run file (.pgrun) from before sessions existed."""
    from ..session import load_run

    path = check_path(path, "The session's path")
    try:
        if not path.is_file():
            raise SessionFileError(f"{path} does not exist or is not a file.")
        session = is_session(path)
    except OSError as exc:
        raise SessionFileError(f"{str(path)[:80]} cannot be opened: "
                               f"{exc.strerror or exc}.") from None
    if session:
        return open_session(path)
    spec, state, meta = load_run(path)
    try:
        spec = without_run_limits(spec.validate())
    except SpecError as exc:
        raise SessionFileError(f"{path} holds an invalid spec: {exc}") from None
    sessioncheck.check_state(path, state, {})
    return Session(spec, state, dict(meta), runs=store_from_state(spec, state)[0],
                   current_run=1)


def is_session(path: Path) -> bool:
    """A zip with a top-level manifest (torch.save files are zips too, without one)."""
    try:
        with zipfile.ZipFile(path) as archive:
            return "manifest.json" in archive.namelist()
    except Exception:  # noqa: BLE001 - not a readable zip
        with Path(path).open("rb") as file:  # a damaged session still starts like a zip
            return file.read(4) == b"PK\x03\x04" and Path(path).suffix == SUFFIX


def prepared_data(session: Session, progress: Any = None) -> Any:
    """The session's data, split and scaled as when it was saved; the data's hash is
    checked, so a data set that changed since is reported instead of used."""
    from ..data import DATASETS, Dataset, DatasetInfo, load_dataset, prepare

    spec, meta = session.spec.data, session.data_meta
    expected = session.manifest.get("data_sha256")
    if session.data_arrays is not None:
        info = DatasetInfo(Path(spec.path).name or "file", meta["task"], "file",
                           f"{Path(spec.path).name} (embedded in the session)",
                           f"{len(session.data_arrays['X'])} x {session.data_arrays['X'].shape[1]}")
        shape = tuple(meta["image_shape"]) if meta.get("image_shape") else None
        dataset = Dataset(info, session.data_arrays["X"], session.data_arrays["y"],
                          tuple(meta["feature_names"]), tuple(meta["class_names"]), shape,
                          meta["task"])
    else:
        dataset = load_dataset(spec, progress)
    if expected and data_sha256(dataset.X, dataset.y) != expected:
        where = spec.path if DATASETS.get(spec.name, None) and spec.name == "file" else spec.name
        raise SessionFileError(f"The data ({where}) differs from the data this session was "
                               "trained on, so it cannot continue exactly.")
    return prepare(spec, dataset)
