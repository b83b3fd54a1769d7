"""A search's storage harms nothing else: another program's database is refused before
any table is added, a refused search leaves no file behind, a damaged study is one
sentence, the seed is checked, and a killed worker's trial does not eat the budget."""
from __future__ import annotations

import shutil
import sqlite3
import subprocess
import sys

import optuna
import pytest
from optuna.trial import TrialState

from playground.core.search import (Search, SearchListener, SearchSettings, SpaceError,
                                    StorageError, join_settings, sqlite_url)
from playground.core.search.liveness import HOST
from playground.core.search.storage import _driver_hint

from ..helpers import tiny_spec, with_optimizer

SPACE = "lr=1e-3..0.3:log"


def _spec(epochs=2):
    return tiny_spec(epochs=epochs, threads=1)


def _tables(path):
    with sqlite3.connect(path) as connection:
        return {r[0] for r in connection.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table'")}


@pytest.mark.parametrize("schema, words", [
    ("CREATE TABLE customers (id INTEGER, name TEXT)", "not a study's"),
    ("CREATE TABLE studies (id INTEGER, title TEXT)", "not made by Optuna"),
])
def test_another_programs_database_is_refused_and_left_as_it_was(tmp_path, schema, words):
    path = tmp_path / "theirs.db"
    with sqlite3.connect(path) as connection:
        connection.execute(schema)
    before = (_tables(path), path.read_bytes())
    with pytest.raises(StorageError, match=words):
        Search(_spec(), SearchSettings(SPACE, trials=1), sqlite_url(path))
    assert (_tables(path), path.read_bytes()) == before


def test_a_file_that_is_not_a_database_is_one_sentence(tmp_path):
    path = tmp_path / "notes.db"
    path.write_text("my notes, not a database\n" * 100)
    with pytest.raises(StorageError, match="cannot be read as an SQLite database"):
        Search(_spec(), SearchSettings(SPACE, trials=1), sqlite_url(path))
    assert path.read_text().startswith("my notes")


def test_a_study_whose_writer_was_killed_mid_transaction_opens_again(tmp_path):
    """A writer killed mid-transaction (a search's process, SIGKILL) leaves a hot journal
    that must be rolled back before the file is read: the check that the database is a
    study's must not take it for an unreadable file, or the search never resumes."""
    path = tmp_path / "k.db"
    Search(_spec(epochs=1), SearchSettings(SPACE, trials=1, pruner="none"),
           sqlite_url(path)).run()
    killed = ("import os, signal, sqlite3\n"
              f"c = sqlite3.connect({str(path)!r}, isolation_level=None)\n"
              "c.execute('PRAGMA cache_size=1'); c.execute('BEGIN')\n"
              "c.execute('CREATE TABLE scratch (x TEXT)')\n"
              "for i in range(2000): c.execute('INSERT INTO scratch VALUES (?)', ('x' * 500,))\n"
              "os.kill(os.getpid(), signal.SIGKILL)\n")
    subprocess.run([sys.executable, "-c", killed], timeout=60)
    assert (tmp_path / "k.db-journal").exists()  # the crash's hot journal
    summary = Search(None, join_settings("search"), sqlite_url(path)).run()
    assert len(summary.ran) == 0 and "scratch" not in _tables(path)


def test_a_refused_search_leaves_no_database_file_behind(tmp_path):
    absent = tmp_path / "absent.db"
    with pytest.raises(StorageError, match="There is no study"):
        Search(None, join_settings("search"), sqlite_url(absent))  # a worker
    adagrad = with_optimizer(_spec(), "adagrad", 0.01)
    with pytest.raises(SpaceError, match="momentum"):  # refused once the storage is open
        Search(adagrad, SearchSettings("momentum=0..0.9", trials=1), sqlite_url(absent))
    assert list(tmp_path.iterdir()) == []


def test_a_database_a_search_made_is_used_again(tmp_path, made):
    url = _study_with(tmp_path, made)
    assert len(Search(_spec(), SearchSettings(SPACE, trials=2), url).run().ran) == 1


@pytest.fixture(scope="module")
def made(tmp_path_factory):
    """A study file a search made (making one costs about a second: made once)."""
    path = tmp_path_factory.mktemp("made") / "made.db"
    Search(_spec(), SearchSettings(SPACE, trials=1), sqlite_url(path))
    return path


def _study_with(tmp_path, made, **damage):
    path = tmp_path / "d.db"
    shutil.copyfile(made, path)
    url = sqlite_url(path)
    study = optuna.load_study(study_name="search", storage=url)
    for key, value in damage.items():
        study.set_user_attr(key, value)
    study.tell(study.ask(), 1.0)
    return url


@pytest.mark.parametrize("key, value, words", [
    ("trials", "many", "budget is 'many'"), ("trials", True, "budget is True"),
    ("trials", 0, "budget is 0"), ("sampler", "best", "sampler is 'best'"),
    ("pruner", 5, "pruner is 5"), ("spec", 5, "spec is not a spec"),
    ("spec", '{"data": 1', "does not read"), ("space", ["lr"], "space is not a space"),
    ("space", "lr=a..b", "does not read"), ("spec", "x" * 100_000, "does not read"),
])
def test_a_damaged_study_is_one_sentence(tmp_path, made, key, value, words):
    url = _study_with(tmp_path, made, **{key: value})
    for base, settings in ((None, join_settings("search")),
                           (_spec(), SearchSettings(SPACE, trials=2))):
        with pytest.raises(StorageError, match="is damaged") as error:
            Search(base, settings, url)
        assert words in str(error.value) and len(str(error.value)) < 400


def test_a_study_missing_an_attribute_is_damaged(tmp_path):
    url = sqlite_url(tmp_path / "m.db")
    study = optuna.create_study(study_name="search", storage=url)
    study.set_user_attr("spec", _spec().to_json())
    study.set_user_attr("space", SPACE)
    study.tell(study.ask(), 1.0)
    with pytest.raises(StorageError, match="its stored trials is missing"):
        Search(None, join_settings("search"), url)


@pytest.mark.parametrize("seed", [-1, 2**32, True, 1.5, 10**30])
def test_a_search_seed_outside_optunas_range_is_one_sentence(tmp_path, seed):
    with pytest.raises(SpaceError, match="search seed must be a whole number") as error:
        SearchSettings(SPACE, seed=seed).check()
    assert len(str(error.value)) < 160
    with pytest.raises(SpaceError, match="search seed"):
        Search(None, join_settings("search", seed), sqlite_url(tmp_path / "w.db"))
    assert not (tmp_path / "w.db").exists()


def test_the_largest_seed_resumes_past_the_end_of_the_range(tmp_path, made):
    url = _study_with(tmp_path, made)  # a trial already: the resumed seed is one more
    settings = SearchSettings(SPACE, trials=2, seed=2**32 - 1, sampler="random")
    assert len(Search(_spec(), settings, url).run().ran) == 1


def test_a_killed_workers_trial_does_not_use_up_the_survivors_budget(tmp_path):
    url = sqlite_url(tmp_path / "w.db")
    exited = subprocess.Popen([sys.executable, "-c", "pass"])
    exited.wait()  # its pid: a process that has died

    class KilledWorker(SearchListener):
        """After the survivor's first trial, another worker takes a trial and dies."""

        def trial_ended(self, result):
            if result.number == 0:
                other = optuna.load_study(study_name="search", storage=url)
                trial = other.ask()
                trial.set_user_attr("host", HOST)
                trial.set_user_attr("pid", exited.pid)

    search = Search(_spec(), SearchSettings(SPACE, trials=3, pruner="none"), url,
                    listener=KilledWorker())
    summary = search.run()
    complete = search.study.get_trials(states=(TrialState.COMPLETE,))
    assert summary.reason == "budget" and len(complete) == 3 == len(summary.ran)
    assert [t.number for t in search.study.get_trials(states=(TrialState.FAIL,))] == [1]


@pytest.mark.parametrize("url, words", [
    ("mysql://u@localhost/db", "pip install mysqlclient"),
    ("mysql+pymysql://u@localhost/db", "pip install pymysql"),
    ("postgresql+psycopg2://u@localhost/db", "pip install psycopg2-binary"),
])
def test_a_missing_driver_hint_names_the_urls_own_driver(url, words):
    assert words in _driver_hint(url) and "psycopg[" not in _driver_hint(url)
