"""Without the optional `export` extra (the packaged app lacks it: onnx, onnxscript,
safetensors, tensorboard), every export that needs it is one sentence naming what to
install, on stderr with exit 2, before any work; never a traceback. The packages are
made unimportable here as a missing install leaves them (None in sys.modules)."""
import sys

import pytest

from playground import cli
from playground.core.export.extras import INSTALL, missing

FAST = ["--dataset", "spiral", "--samples", "120", "--epochs", "2", "--threads", "1"]


def run_cli(capsys, *args):
    code = cli.main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def without(monkeypatch, *names):
    for name in names:
        monkeypatch.setitem(sys.modules, name, None)


def assert_one_sentence(code, err, *words):
    assert code == 2, err
    assert len(err.strip().splitlines()) == 1 and "Traceback" not in err
    for word in (*words, INSTALL):
        assert word in err


@pytest.mark.parametrize("flag, module, words", [
    ("--onnx", "onnxscript", ("ONNX export needs", "onnxscript not installed")),
    ("--weights", "safetensors", ("Weights export needs", "safetensors")),
])
def test_export_says_what_to_install_before_reading_the_session(capsys, tmp_path,
                                                               monkeypatch, flag, module,
                                                               words):
    without(monkeypatch, module)
    out_file = tmp_path / "model.out"
    code, out, err = run_cli(capsys, "export", str(tmp_path / "absent.pgsession"), flag,
                             str(out_file))
    assert_one_sentence(code, err, *words)
    assert "absent" not in err and not out_file.exists()  # before the session was read


@pytest.mark.parametrize("command", [
    ["train", *FAST],
    ["sweep", *FAST, "--vary", "lr=0.01,0.1"],
    ["search", *FAST, "--space", "lr=1e-3..0.1", "--trials", "1"],
])
def test_tensorboard_logs_say_what_to_install_before_training(capsys, tmp_path,
                                                             monkeypatch, command):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("GRADIENT_PLAYGROUND_SEARCHES", str(tmp_path))
    without(monkeypatch, "tensorboard", "torch.utils.tensorboard")
    code, out, err = run_cli(capsys, *command, "--tensorboard", str(tmp_path / "logs"))
    assert_one_sentence(code, err, "TensorBoard logs need", "tensorboard not installed")
    assert out == "" and list(tmp_path.iterdir()) == []  # nothing trained, nothing made


def test_the_packaged_app_points_to_the_installed_app(monkeypatch):
    without(monkeypatch, "onnx")
    monkeypatch.setattr(sys, "frozen", True, raising=False)
    sentence = missing("onnx")
    assert "this packaged app does not include (onnx)" in sentence and INSTALL in sentence
