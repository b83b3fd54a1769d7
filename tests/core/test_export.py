"""core.export: the trained model out of the playground (ONNX, safetensors, share codes,
predictions) and the standalone training script against the app's own run."""
from __future__ import annotations

import dataclasses
import json
import os
import subprocess
import sys

import numpy as np
import pytest
import torch

from playground.core.errors import PlaygroundError
from playground.core.export import from_trainer, load_trained
from playground.core.export.script import check_scriptable, script_text, \
    write_trained_script
from playground.core.export.sharecode import from_code, to_code
from playground.core.sessionfile import save_session
from playground.core.spec import (DataSpec, EarlyStoppingSpec, LayerSpec, ModelSpec,
                                  OptimizerSpec, ScheduleSpec, SessionSpec, TrainSpec)
from playground.core.trainer import Trainer

from .helpers import dense, tiny_spec

ENV = {**os.environ, "OMP_NUM_THREADS": "1", "PYTHONUNBUFFERED": "1"}


def _trained(spec: SessionSpec) -> Trainer:
    trainer = Trainer(spec)
    trainer.fit()
    return trainer


def _blobs_spec() -> SessionSpec:
    """Three classes on engineered inputs and min-max scaling: every part PredictNet folds."""
    return SessionSpec(
        data=DataSpec("blobs", samples=90, classes=3, inputs=("x1", "x2", "x1x2", "sinx1"),
                      scaling="minmax"),
        model=ModelSpec((dense(6, "relu"), dense(None))),
        optimizer=OptimizerSpec("adam", 0.02),
        train=TrainSpec(batch_size=16, epochs=3, device="cpu"))


def _sine_spec() -> SessionSpec:
    """Regression with a scaled target, dropout, init, L1, clipping, a warm-up cosine."""
    return SessionSpec(
        data=DataSpec("sine", samples=80, noise=0.05),
        model=ModelSpec((dense(8, "tanh", "xavier_uniform"),
                         LayerSpec("dropout", {"rate": 0.2}), dense(8, "relu", "he_normal"),
                         dense(None))),
        optimizer=OptimizerSpec("momentum", 0.05, {"momentum": 0.8}),
        schedule=ScheduleSpec("cosine", {}, 1.0),
        train=TrainSpec(batch_size=10, epochs=4, device="cpu", l1=1e-4, l2=1e-3,
                        clip_norm=1.0))


# ------------------------------------------------------------------ predict

def test_predict_net_gives_the_trainers_probabilities_from_raw_columns():
    trainer = _trained(_blobs_spec())
    model = from_trainer(trainer)
    raw = trainer.data.dataset  # engineered columns; the raw ones are regenerated below
    from playground.core.data import load_dataset

    plain = load_dataset(dataclasses.replace(trainer.spec.data, inputs=())).X
    out, labels = model.predict(plain)
    expected = torch.softmax(trainer.predict_raw(torch.from_numpy(
        trainer.data.scaler.transform(raw.X))), dim=1).numpy()
    assert model.raw_features == ("x1", "x2")
    assert model.output_names == ("p_0", "p_1", "p_2")
    assert np.abs(out - expected).max() < 1e-5
    assert labels == [str(i) for i in expected.argmax(axis=1)]


def test_predict_net_gives_regression_values_in_the_targets_units():
    trainer = _trained(_sine_spec())
    model = from_trainer(trainer)
    X = trainer.data.dataset.X
    out, labels = model.predict(X)
    scaled = trainer.predict_raw(torch.from_numpy(trainer.data.scaler.transform(X))).numpy()
    target = trainer.data.target_scaler
    assert np.abs(out - (scaled * target.scale + target.offset)).max() < 1e-5
    assert model.output_names == ("y",) and float(labels[0]) == pytest.approx(out[0, 0], 1e-4)


def test_a_saved_session_loads_the_same_model_as_the_live_trainer(tmp_path):
    trainer = _trained(tiny_spec(epochs=2))
    path = tmp_path / "run.pgsession"
    save_session(path, trainer.spec, trainer.state_dict(), trainer.data)
    live, saved = from_trainer(trainer), load_trained(path)
    X = trainer.data.dataset.X
    assert np.array_equal(live.predict(X)[0], saved.predict(X)[0])
    assert saved.data_sha256 == live.data_sha256


def test_an_untrained_session_is_one_sentence(tmp_path):
    spec = tiny_spec()
    path = tmp_path / "new.pgsession"
    save_session(path, spec, None)
    with pytest.raises(PlaygroundError, match="never trained"):
        load_trained(path)


# -------------------------------------------------------------- ONNX, weights

def test_onnx_in_onnxruntime_matches_torch_within_1e_5(tmp_path):
    ort = pytest.importorskip("onnxruntime")
    pytest.importorskip("onnxscript")
    from playground.core.export.formats import export_onnx

    trainer = _trained(_blobs_spec())
    model = from_trainer(trainer)
    path = export_onnx(model, tmp_path / "model.onnx")
    rows = np.random.default_rng(0).normal(0, 3, (257, 2)).astype(np.float32)
    session = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    got = session.run(None, {"features": rows})[0]
    expected = model.predict(rows)[0]
    assert got.shape == (257, 3)
    assert np.abs(got - expected).max() < 1e-5
    meta = session.get_modelmeta().custom_metadata_map
    assert json.loads(meta["outputs"]) == ["p_0", "p_1", "p_2"]


def test_weights_are_safetensors_with_the_spec_as_json_beside_them(tmp_path):
    safetensors = pytest.importorskip("safetensors.torch")
    from playground.core.export.formats import export_weights

    trainer = _trained(tiny_spec(epochs=1))
    weights, sidecar = export_weights(from_trainer(trainer), tmp_path / "model.safetensors")
    loaded = safetensors.load_file(weights)
    for name, tensor in trainer.model.state_dict().items():
        assert torch.equal(loaded[name], tensor)
    info = json.loads(sidecar.read_text())
    assert sidecar.name == "model.json"
    assert SessionSpec.from_dict(info["spec"]) == trainer.spec
    assert info["inputs"] == ["x1", "x2"] and info["scaling"]["method"] == "standard"


# --------------------------------------------------------------- share codes

def test_a_share_code_carries_the_spec_and_is_short():
    spec = _sine_spec()
    code = to_code(spec)
    assert code.startswith("pg1.") and len(code) < 1000
    assert from_code(code) == spec
    assert from_code(code[:40] + "\n" + code[40:]) == spec  # broken across lines


@pytest.mark.parametrize("code, words", [
    ("hello", "not a share code"),
    ("pg1.", "damaged"),
    ("pg1.!!!!", "damaged"),
])
def test_a_damaged_code_is_one_sentence(code, words):
    with pytest.raises(PlaygroundError, match=words):
        from_code(code)


def test_a_cut_or_altered_code_is_one_sentence():
    code = to_code(tiny_spec())
    for damaged in (code[:-5], code[:30] + ("A" if code[30] != "A" else "B") + code[31:]):
        with pytest.raises(PlaygroundError) as info:
            from_code(damaged)
        assert "\n" not in str(info.value)


def test_a_code_is_data_never_code():
    import base64
    import zlib

    def pack(raw: bytes) -> str:
        return "pg1." + base64.urlsafe_b64encode(zlib.compress(raw)).decode().rstrip("=")

    with pytest.raises(PlaygroundError, match="more than a spec"):
        from_code(pack(b" " * (3 * 2**20)))  # a deflate bomb stops at the spec limit
    with pytest.raises(PlaygroundError, match="does not hold a spec"):
        from_code(pack(b'"__import__(\'os\').system(\'true\')"'))
    with pytest.raises(PlaygroundError, match="does not work"):
        from_code(pack(json.dumps({"format": "gradient-playground-spec", "version": 2,
                                   "data": {"name": "nope"}}).encode()))


# ------------------------------------------------------------------- script

def _run(command: list[str], cwd) -> subprocess.Popen:
    return subprocess.Popen(command, cwd=cwd, env=ENV, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)


def _result(process: subprocess.Popen) -> dict:
    out, err = process.communicate(timeout=240)
    assert process.returncode == 0, out[-1000:] + err[-3000:]
    line = [row for row in out.splitlines() if row.startswith("RESULT ")][-1]
    return json.loads(line[len("RESULT "):])


def _close(app: dict, script: dict, keys, tolerance: float) -> None:
    for key in keys:
        assert script[key] == pytest.approx(app[key], rel=tolerance, abs=tolerance), key


def test_the_script_repeats_the_apps_run_alone_and_under_torchrun(tmp_path):
    """One process reproduces the app's losses; two under torchrun (gloo, loopback)
    take the same global batches and agree with one."""
    trainer = _trained(tiny_spec(epochs=4))
    path = write_trained_script(tmp_path / "train.py", from_trainer(trainer))
    alone = _run([sys.executable, str(path)], tmp_path)
    distributed = _run([sys.executable, "-m", "torch.distributed.run", "--standalone",
                        "--nproc_per_node", "2", str(path)], tmp_path)  # localhost, free port
    app = {**trainer.history.records[-1], **trainer.evaluate("test")}
    one, two = _result(alone), _result(distributed)
    keys = ("loss", "accuracy", "val_loss", "val_accuracy", "test_loss", "test_accuracy")
    _close(app, one, keys, 1e-4)
    assert two["processes"] == 2
    _close(one, two, ("loss", "val_loss", "test_loss"), 1e-4)


def test_the_script_repeats_a_regression_with_dropout_schedule_and_penalties(tmp_path):
    trainer = _trained(_sine_spec())
    path = write_trained_script(tmp_path / "train.py", from_trainer(trainer))
    app = {**trainer.history.records[-1], **trainer.evaluate("test")}
    _close(app, _result(_run([sys.executable, str(path)], tmp_path)),
           ("loss", "val_loss", "test_loss", "r2", "lr"), 1e-4)


@pytest.mark.parametrize("changes", [
    {"schedule": ScheduleSpec("onecycle")},
    {"schedule": ScheduleSpec("step", {"step_size": 2})},
    {"schedule": ScheduleSpec("multistep", {"milestones": (1.0, 2.0)}, 0.5)},
    {"schedule": ScheduleSpec("exponential")},
    {"schedule": ScheduleSpec("inverse_time")},
    {"data": DataSpec("digits"), "model": ModelSpec((
        LayerSpec("conv2d", {"filters": 4, "kernel": 3, "activation": "relu"}),
        LayerSpec("maxpool2d", {"kernel": 2}), LayerSpec("batchnorm"),
        LayerSpec("flatten"), dense(None, "softmax")))},
    {"data": DataSpec("diabetes", features=(0, 2, 3), scaling="robust")},
    {"data": DataSpec("xor", inputs=("x1x2",)), "train": TrainSpec(loss="hinge", epochs=2)},
    {"data": DataSpec("iris", scaling="normalize"),
     "train": TrainSpec(loss="mse", batch_size=None, epochs=2)},
])
def test_the_script_compiles_for_every_kind_of_part(changes):
    spec = dataclasses.replace(tiny_spec(), **changes)
    trainer = Trainer(spec)  # built, not trained: the script needs the head and shape
    text = script_text(spec, trainer.head, trainer.data.input_shape)
    compile(text, "train.py", "exec")
    assert "import playground" not in text and "from playground" not in text


@pytest.mark.parametrize("changes, words", [
    ({"data": DataSpec("mnist")}, "downloaded set"),
    ({"optimizer": OptimizerSpec("lbfgs", 1.0)}, "L-BFGS"),
    ({"schedule": ScheduleSpec("plateau")}, "reduce-on-plateau"),
    ({"train": TrainSpec(early_stopping=EarlyStoppingSpec(enabled=True))}, "early stopping"),
])
def test_what_the_script_cannot_repeat_is_one_sentence(changes, words):
    with pytest.raises(PlaygroundError, match=words):
        check_scriptable(dataclasses.replace(tiny_spec(), **changes))


# -------------------------------------------------------------- TensorBoard

def _read_events(folder):
    accumulator_module = pytest.importorskip(
        "tensorboard.backend.event_processing.event_accumulator")
    events = accumulator_module.EventAccumulator(
        str(folder), size_guidance={"scalars": 0, "histograms": 0, "tensors": 0})
    events.Reload()
    return events


def test_the_tensorboard_callback_writes_what_tensorboard_reads(tmp_path):
    pytest.importorskip("torch.utils.tensorboard")
    from playground.core.export.tensorboard import TensorBoardLogger

    trainer = Trainer(tiny_spec(epochs=3), callbacks=[TensorBoardLogger(tmp_path / "tb")])
    finished = trainer.fit()
    events = _read_events(tmp_path / "tb")
    tags = events.Tags()
    loss = events.Scalars("loss")
    assert [e.step for e in loss] == [1, 2, 3]
    assert loss[-1].value == pytest.approx(trainer.history.records[-1]["loss"], rel=1e-6)
    assert {"val_loss", "accuracy", "lr"} <= set(tags["scalars"])
    assert "weights/0.weight" in tags["histograms"]
    assert events.Scalars("hparam/test_accuracy")[-1].value == pytest.approx(
        finished.test["test_accuracy"], rel=1e-6)
    assert "_hparams_/experiment" in events.PluginTagToContent("hparams")


def test_a_finished_runs_history_exports_as_tensorboard_logs(tmp_path):
    pytest.importorskip("torch.utils.tensorboard")
    from playground.core.export.tensorboard import write_history

    trainer = _trained(tiny_spec(epochs=2))
    write_history(tmp_path / "logs", trainer.spec, trainer.history.records, trainer.model)
    events = _read_events(tmp_path / "logs")
    assert [e.step for e in events.Scalars("val_loss")] == [1, 2]
    assert "weights/2.weight" in events.Tags()["histograms"]


def test_a_tensorboard_folder_that_cannot_be_made_is_one_sentence(tmp_path):
    from playground.core.export.tensorboard import check_logdir

    (tmp_path / "file").write_text("x")
    with pytest.raises(PlaygroundError, match="is a file"):
        check_logdir(tmp_path / "file")
    with pytest.raises(PlaygroundError, match="does not exist"):
        check_logdir(tmp_path / "no" / "such")
