"""Where files are written: checked before any work, a missing folder is a sentence (not
created), and saved files follow the user's umask (autosaves stay the user's alone)."""
import os
import stat

import pytest

from playground import cli
from playground.core.autosave import Autosaver
from playground.core.errors import SessionFileError
from playground.core.session import check_output
from playground.core.sessionfile import save_session
from playground.core.trainer import Trainer

from .helpers import tiny_spec


@pytest.fixture
def umask():
    previous = os.umask(0o022)
    yield lambda mask: os.umask(mask)
    os.umask(previous)


def _mode(path):
    return stat.S_IMODE(os.stat(path).st_mode)


def test_a_missing_folder_is_a_sentence_and_is_not_created(tmp_path):
    missing = tmp_path / "no" / "such"
    with pytest.raises(SessionFileError, match=r"does not exist; create it or choose"):
        check_output(missing / "run.pgsession", "--save")
    with pytest.raises(SessionFileError, match="does not exist"):
        save_session(missing / "run.pgsession", tiny_spec(), None)
    assert not (tmp_path / "no").exists()
    with pytest.raises(SessionFileError, match="is a folder; give a file name"):
        check_output(tmp_path, "--save")
    long = tmp_path / ("x" * 200) / "run.pgsession"
    with pytest.raises(SessionFileError) as error:
        check_output(long)
    assert len(str(error.value)) < 200  # the path quoted in part, not whole
    for too_long in (tmp_path / ("y" * 300) / "run.pgsession", tmp_path / ("z" * 300)):
        with pytest.raises(SessionFileError, match="cannot be used: File name too long"):
            check_output(too_long)
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    with pytest.raises(SessionFileError, match="is a file, not a folder"):
        check_output(blocker / "run.pgsession")


@pytest.mark.skipif(os.geteuid() == 0, reason="root may write anywhere")
def test_an_unwritable_folder_is_a_sentence(tmp_path):
    folder = tmp_path / "ro"
    folder.mkdir(mode=0o500)
    with pytest.raises(SessionFileError, match="is not writable"):
        check_output(folder / "run.pgsession")


@pytest.mark.parametrize("mask, expected", [(0o022, 0o644), (0o077, 0o600), (0o002, 0o664)])
def test_a_saved_session_follows_the_umask(tmp_path, umask, mask, expected):
    umask(mask)
    path = tmp_path / "run.pgsession"
    save_session(path, tiny_spec(), None)
    assert _mode(path) == expected


def test_autosaves_are_the_users_alone_and_make_their_own_folder(tmp_path, umask):
    trainer = Trainer(tiny_spec(epochs=1))
    saved = Autosaver(tmp_path / "app" / "autosave").save(trainer)
    assert _mode(saved) == 0o600


def test_train_save_into_a_missing_folder_is_refused_before_training(capsys, tmp_path):
    target = tmp_path / "absent" / "run.pgsession"
    code = cli.main(["train", "--dataset", "xor", "--epochs", "2", "--jsonl",
                     "--save", str(target)])
    out, err = capsys.readouterr()
    assert code == cli.EXIT_USAGE and out == ""  # nothing trained
    assert "does not exist" in err and len(err.strip().splitlines()) == 1
    assert not target.parent.exists()


def test_train_save_follows_the_umask(capsys, tmp_path, umask):
    target = tmp_path / "run.pgsession"
    assert cli.main(["train", "--dataset", "xor", "--epochs", "1", "--save",
                     str(target)]) == 0
    assert _mode(target) == 0o644
