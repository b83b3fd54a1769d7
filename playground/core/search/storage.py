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

import contextlib
import os
import reprlib
from pathlib import Path
from typing import Any

from ..errors import PlaygroundError
from ..limits import MAX_PATH, QUOTE_CHARS, quoted

# The tables Optuna's RDBStorage makes (optuna 5.0: storages/_rdb/models.py, and alembic's
# own): a search adds tables only to a database that holds none or only these.
OPTUNA_TABLES = frozenset({
    "alembic_version", "studies", "study_directions", "study_system_attributes",
    "study_user_attributes", "trial_heartbeats", "trial_intermediate_values",
    "trial_params", "trial_system_attributes", "trial_user_attributes", "trial_values",
    "trials", "version_info"})
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


def shown(url: str, limit: int | None = QUOTE_CHARS) -> str:
    """The URL as it may be printed: the password hidden, at most `limit` characters
    (the end kept: a file's name; None: whole)."""
    try:
        from sqlalchemy.engine import make_url

        text = make_url(url).render_as_string(hide_password=True)
    except Exception:  # noqa: BLE001 - unparsable: show a shortened raw text instead
        return quoted(url)[1:-1]
    return text if limit is None or len(text) <= limit else "..." + text[-(limit - 3):]


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
        raise StorageError(f"{quoted(url)} is not a storage URL; give one such as "
                           "sqlite:///search.db or postgresql://user@host/db.") from None
    backend = parsed.get_backend_name()
    if backend not in _SCHEMES:
        raise StorageError(f"{shown(url)}: {quoted(backend)} is not a database Optuna can store a "
                           f"study in; use one of {', '.join(_SCHEMES)}.")
    if backend == "sqlite":
        database = parsed.database or ""
        if not database or database == ":memory:":
            raise StorageError(f"{shown(url)} names no file; a study must outlive the "
                               "process: give sqlite:///path/to/file.db.")
        if len(database) > MAX_PATH or any(len(part) > 255 for part in Path(database).parts):
            raise StorageError(f"The file name in {quoted(url)} is longer than a file "
                               "name may be; give a shorter one.")
        try:
            folder = Path(database).expanduser().resolve().parent
            found = folder.is_dir()
        except (OSError, RuntimeError) as exc:  # a name the system refuses, a link loop
            raise StorageError(f"The file of {quoted(url)} cannot be used: "
                               f"{getattr(exc, 'strerror', None) or exc}.") from None
        if not found:
            raise StorageError(f"The folder of {quoted(url)} does not exist: "
                               f"{quoted(str(folder))}.")


def sqlite_file(url: str) -> Path | None:
    """The file of an sqlite:// URL, None for other databases."""
    from sqlalchemy.engine import make_url

    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite":
        return None
    return Path(parsed.database or "").expanduser().resolve()


def new_sqlite_file(url: str | None) -> Path | None:
    """The file an sqlite:// URL would create (None if it exists or is not SQLite): a
    search refused after opening it removes it again, leaving nothing behind."""
    if url is None:
        return None
    check_url(url)
    path = sqlite_file(url)
    return path if path is not None and not path.exists() else None


@contextlib.contextmanager
def nothing_left_on_refusal(url: str | None, holder: Any) -> Any:
    """Open a study inside this: when it is refused (any exception), the storage that
    `holder.storage` opened is closed and a database file made for it removed."""
    created = new_sqlite_file(url)
    try:
        yield
    except BaseException:
        engine = getattr(getattr(holder, "storage", None), "engine", None)
        if engine is not None:
            engine.dispose()
        remove_new_database(created)
        raise


def remove_new_database(path: Path | None) -> None:
    """Delete a database file this process created (and SQLite's journals of it)."""
    if path is None:
        return
    for name in (path.name, path.name + "-journal", path.name + "-wal", path.name + "-shm"):
        try:
            (path.parent / name).unlink(missing_ok=True)
        except OSError:  # gone or locked: nothing more to do
            pass


def _tables(url: str) -> set[str]:
    """The tables the database already holds, read without creating the file. Opened
    read-write (mode=rw never creates one): a writer killed mid-transaction leaves a hot
    journal, which SQLite must roll back before anyone reads, and read-only it refused
    ("attempt to write a readonly database"), so a crashed search could not resume. A
    database with no such journal is only read."""
    path = sqlite_file(url)
    if path is not None:
        if not path.exists():
            return set()
        import sqlite3

        try:
            with contextlib.closing(sqlite3.connect(f"{path.as_uri()}?mode=rw", uri=True,
                                                    timeout=60)) as connection:
                rows = connection.execute(
                    "SELECT name FROM sqlite_master WHERE type = 'table'").fetchall()
        except sqlite3.Error as exc:
            raise StorageError(f"{shown(url)} cannot be read as an SQLite database "
                               f"({str(exc).rstrip('.')}); give another file.") from None
        return {str(row[0]) for row in rows}
    import sqlalchemy

    engine = sqlalchemy.create_engine(url)
    try:
        return set(sqlalchemy.inspect(engine).get_table_names())
    finally:
        engine.dispose()


def check_owned(url: str) -> None:
    """Refuse a database that holds tables Optuna did not make (another program's
    data): a search would add its tables to it, or fail on a table of the same name."""
    tables = _tables(url)
    foreign = sorted(tables - OPTUNA_TABLES)
    if foreign:
        named = ", ".join(reprlib.repr(name)[1:-1] for name in foreign[:3])
        raise StorageError(f"{shown(url)} holds tables that are not a study's ({named}"
                           f"{', ...' if len(foreign) > 3 else ''}); a search only uses an "
                           "empty database or one it made: give another.")
    if tables and "version_info" not in tables:
        raise StorageError(f"{shown(url)} holds tables named like a study's but was not "
                           "made by Optuna; give an empty database or one a search made.")


def open_storage(url: str) -> Any:
    """An optuna RDBStorage for `url`, with heartbeats; StorageError if it cannot be
    reached (the database's own reason, shortened to one sentence) or holds another
    program's tables."""
    check_url(url)
    import optuna
    from sqlalchemy.exc import SQLAlchemyError

    try:
        check_owned(url)
    except ImportError:
        raise StorageError(f"{shown(url)} needs a database driver that is not installed "
                           f"({_driver_hint(url)}).") from None
    except (SQLAlchemyError, OSError) as exc:
        raise StorageError(f"The study storage {shown(url)} cannot be opened: "
                           f"{_reason(exc)}.") from None
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
                           f"({_driver_hint(url)}).") from None
    except (SQLAlchemyError, OSError, RuntimeError) as exc:
        raise StorageError(f"The study storage {shown(url)} cannot be opened: "
                           f"{_reason(exc)}.") from None


def _reason(exc: BaseException) -> str:
    """The database's own reason: its first line, at most 160 characters."""
    reason = (str(getattr(exc, "orig", None) or exc).strip().splitlines() or ["?"])[0]
    return reason[:160].rstrip(".")


# SQLAlchemy's driver name -> what pip installs it as
_DRIVERS = {"psycopg": "'psycopg[binary]'", "psycopg2": "psycopg2-binary",
            "mysqldb": "mysqlclient", "pymysql": "pymysql", "oracledb": "oracledb",
            "cx_oracle": "cx_Oracle", "pyodbc": "pyodbc", "pymssql": "pymssql"}


def _driver_hint(url: str) -> str:
    """What to install for the URL's own driver (mysql:// is mysqlclient, not psycopg)."""
    from sqlalchemy.engine import make_url

    parsed = make_url(url)
    driver = parsed.get_driver_name()
    package = _DRIVERS.get(driver)
    return (f"for {parsed.get_backend_name()}+{driver}: pip install {package}" if package
            else f"install the SQLAlchemy driver {driver!r}")
