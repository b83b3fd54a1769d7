"""Where a study lives: Optuna's RDB storage, SQLite beside the session by default.

Why SQLite and not Optuna's journal file for the embedded default (read in optuna 5.0's
storages/journal/_file.py, tried here, and the SQLite side tested by
tests/core/search/test_study.py, which SIGKILLs a search mid-trial and resumes it):
- A search must survive a crash in the middle of a trial. SQLite commits every change in
  a transaction, so a process killed at any instant leaves the last committed state.
  The journal file appends records under a lock *file*: a process killed while it holds
  the lock leaves it behind, and the next append waited 30.1 s (the lock's grace period)
  before breaking it. A torn last record (power lost mid-write) is worse: the next
  record is glued onto it, and the next `ask` on that journal failed with an
  AttributeError inside Optuna's replay; the study could not go on.
- The trial that was running when the process died must be seen as dead, or it is counted
  against the budget forever. RDBStorage keeps heartbeats (`heartbeat_interval`) and
  `fail_stale_trials` fails trials whose heartbeat stopped; JournalStorage has no
  heartbeat. (On one machine we do not even wait for the heartbeat: see
  liveness.reap_dead_trials.)
Any other URL SQLAlchemy and Optuna accept works too: `postgresql://user@host/db` lets
workers on several machines share one study.
"""
from __future__ import annotations

import os
import reprlib
from pathlib import Path
from typing import Any

from ..errors import PlaygroundError

HEARTBEAT_S = 10       # a running trial writes its heartbeat this often
GRACE_S = 60           # and is failed when none came for this long (another process dead)
SUFFIX = ".search.db"
_SCHEMES = ("sqlite", "postgresql", "mysql", "oracle", "mssql")


class StorageError(PlaygroundError):
    """A storage URL that cannot be used; the message says why in one sentence."""


def searches_folder() -> Path:
    """Where a study with no file to sit beside lives: $GRADIENT_PLAYGROUND_SEARCHES,
    else `searches` in the user's data folder (platformdirs), never the current folder
    (a search started from a repository or the desktop would litter it)."""
    override = os.environ.get("GRADIENT_PLAYGROUND_SEARCHES")
    if override:
        return Path(override)
    import platformdirs

    return Path(platformdirs.user_data_dir("gradient-playground", appauthor=False)) / "searches"


def default_path(anchor: str | os.PathLike | None) -> Path:
    """The study file beside `anchor` (a session or spec file), else in the searches
    folder: `spiral.pgsession` -> `spiral.search.db`; none -> `playground.search.db`."""
    if anchor:
        anchor = Path(anchor)
        return anchor.with_name(anchor.stem + SUFFIX)
    return searches_folder() / ("playground" + SUFFIX)


def sqlite_url(path: str | os.PathLike) -> str:
    return "sqlite:///" + str(Path(path).resolve())


def shown(url: str) -> str:
    """The URL as it may be printed: the password hidden."""
    try:
        from sqlalchemy.engine import make_url

        return make_url(url).render_as_string(hide_password=True)
    except Exception:  # noqa: BLE001 - unparsable: show a shortened raw text instead
        return reprlib.repr(url)[1:-1]


def check_url(url: str) -> None:
    """Refuse a URL that is not an Optuna (SQLAlchemy) storage URL, before connecting."""
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError

    if not isinstance(url, str) or not url.strip():
        raise StorageError("The storage URL is empty; give one such as "
                           "sqlite:///search.db or postgresql://user@host/db.")
    try:
        parsed = make_url(url)
    except (ArgumentError, ValueError):
        raise StorageError(f"{reprlib.repr(url)} is not a storage URL; give one such as "
                           "sqlite:///search.db or postgresql://user@host/db.") from None
    backend = parsed.get_backend_name()
    if backend not in _SCHEMES:
        raise StorageError(f"{shown(url)}: {backend!r} is not a database Optuna can store a "
                           f"study in; use one of {', '.join(_SCHEMES)}.")
    if backend == "sqlite":
        database = parsed.database or ""
        if not database or database == ":memory:":
            raise StorageError(f"{shown(url)} names no file; a study must outlive the "
                               "process: give sqlite:///path/to/file.db.")
        folder = Path(database).expanduser().resolve().parent
        if not folder.is_dir():
            raise StorageError(f"The folder of {shown(url)} does not exist: {folder}.")


def open_storage(url: str) -> Any:
    """An optuna RDBStorage for `url`, with heartbeats; StorageError if it cannot be
    reached (the database's own reason, shortened to one sentence)."""
    check_url(url)
    import optuna
    from sqlalchemy.exc import SQLAlchemyError

    kwargs: dict[str, Any] = {}
    if url.startswith("sqlite"):  # several processes may write: wait for the lock
        kwargs = {"connect_args": {"timeout": 60}}
    from .liveness import quiet

    try:
        with quiet():
            return optuna.storages.RDBStorage(url, engine_kwargs=kwargs,
                                              heartbeat_interval=HEARTBEAT_S,
                                              grace_period=GRACE_S)
    except ImportError:
        raise StorageError(f"{shown(url)} needs a database driver that is not installed "
                           "(for PostgreSQL: pip install 'psycopg[binary]').") from None
    except (SQLAlchemyError, OSError, RuntimeError) as exc:
        reason = (str(getattr(exc, "orig", None) or exc).strip().splitlines() or ["?"])[0]
        raise StorageError(f"The study storage {shown(url)} cannot be opened: "
                           f"{reason.rstrip('.')}.") from None
