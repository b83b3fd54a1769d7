"""TensorBoard event files: the scalars of every epoch, the weights' histograms and the
hyperparameters with the final metrics, written with torch's SummaryWriter and read by
TensorBoard (`tensorboard --logdir DIR`).

TensorBoardLogger follows a run as a callback (`playground train --tensorboard DIR`);
write_history() writes a finished run's history at once (the window's File > Export).
"""
from __future__ import annotations

import math
from pathlib import Path
from typing import Any

from ..callbacks import Callback
from ..session import check_path
from ..spec import SessionSpec
from .extras import require
from .trained import ExportError

# Logs that are bookkeeping, not measurements.
_SKIP = ("epoch", "step")
MAX_HISTOGRAMS = 100  # weight histograms a run: each epoch of a short run, spread on a long one


def check_logdir(path: str | Path, what: str = "--tensorboard") -> Path:
    """A folder event files can go to (made if missing, its parent must exist)."""
    from .paths import check_folder

    require("tensorboard")  # before any work: the folder, the training
    path = check_path(path, what)
    if path.exists() and not path.is_dir():
        raise ExportError(f"{what}: {str(path)[:80]} is a file; give a folder for the "
                          "event files.")
    check_folder(path if path.exists() else (path.parent if str(path.parent) else Path(".")),
                 what)
    return path


def _writer(path: Path) -> Any:
    require("tensorboard")
    from torch.utils.tensorboard import SummaryWriter

    return SummaryWriter(str(path))


def hyperparameters(spec: SessionSpec) -> dict[str, Any]:
    """The spec's main choices as TensorBoard's HPARAMS columns (numbers and text)."""
    layers = ",".join(f"{layer.kind}" + (f":{layer.params.get('units') or 'auto'}"
                                         if layer.kind == "dense" else "")
                      for layer in spec.model.layers)
    train = spec.train
    values = {"dataset": spec.data.name, "optimizer": spec.optimizer.name,
              "lr": spec.optimizer.lr, "batch_size": train.batch_size or 0,
              "epochs": train.epochs, "schedule": spec.schedule.name, "layers": layers,
              "l1": train.l1, "l2": train.l2, "seed": train.seed, "scaling": spec.data.scaling,
              "loss": train.loss}
    values.update({f"opt_{k}": v for k, v in spec.optimizer.params.items()
                   if isinstance(v, (int, float, str, bool))})
    return values


def _scalars(writer: Any, logs: dict[str, float], epoch: int) -> None:
    for key, value in logs.items():
        if key not in _SKIP and isinstance(value, (int, float)) and math.isfinite(value):
            writer.add_scalar(key, float(value), epoch)


def _histograms(writer: Any, model: Any, epoch: int) -> None:
    """A module's weights, or a state dict's (a sweep keeps those)."""
    weights = model.state_dict() if hasattr(model, "state_dict") else (model or {})
    for name, tensor in weights.items():
        if tensor.is_floating_point() and tensor.numel() > 1:
            writer.add_histogram(f"weights/{name}", tensor.detach().cpu(), epoch)


def _hparams(writer: Any, spec: SessionSpec, final: dict[str, float]) -> None:
    metrics = {f"hparam/{k}": float(v) for k, v in final.items()
               if k not in _SKIP and isinstance(v, (int, float)) and math.isfinite(v)}
    writer.add_hparams(hyperparameters(spec), metrics, run_name=".")


class TensorBoardLogger(Callback):
    """Scalars every epoch, weight histograms up to MAX_HISTOGRAMS times a run, and the
    hyperparameters with the final (test) metrics when the run ends."""

    name = "tensorboard"

    def __init__(self, logdir: str | Path) -> None:
        self.path = check_logdir(logdir)
        self.path.mkdir(parents=True, exist_ok=True)
        self.writer = _writer(self.path)
        self.last: dict[str, float] = {}

    def on_epoch_end(self, trainer: Any, event: Any) -> None:
        epoch = int(event.logs["epoch"])
        _scalars(self.writer, event.logs, epoch)
        every = max(1, math.ceil(trainer.spec.train.epochs / MAX_HISTOGRAMS))
        if epoch % every == 0 or epoch == 1:
            _histograms(self.writer, trainer.model, epoch)
        self.last = dict(event.logs)

    def on_train_end(self, trainer: Any, event: Any) -> None:
        _histograms(self.writer, trainer.model, trainer.epoch)
        _hparams(self.writer, trainer.spec, {**self.last, **(event.test or {})})
        self.writer.close()


def write_history(logdir: str | Path, spec: SessionSpec, records: list[dict[str, float]],
                  model: Any, test: dict[str, float] | None = None) -> Path:
    """A run's history (History.records) as event files, the weights (a module or a
    state dict) as they are now."""
    path = check_logdir(logdir, "The TensorBoard folder")
    path.mkdir(parents=True, exist_ok=True)
    writer = _writer(path)
    try:
        for logs in records:
            _scalars(writer, logs, int(logs["epoch"]))
        epoch = int(records[-1]["epoch"]) if records else 0
        _histograms(writer, model, epoch)
        _hparams(writer, spec, {**(records[-1] if records else {}), **(test or {})})
    finally:
        writer.close()
    return path


def write_sweep(logdir: str | Path, result: Any) -> list[Path]:
    """Every run of a sweep in its own folder under `logdir`, so TensorBoard's HPARAMS
    tab compares them; a run not reached is left out."""
    folder = check_logdir(logdir)
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for run in result.results:
        if not run.records:
            continue
        name = "".join(c if c.isalnum() or c in "=.-_," else "_" for c in run.run.name)
        test = run.finished.test if run.finished is not None else None
        written.append(write_history(folder / f"run{run.run.index + 1:02d}_{name}",
                                     run.run.spec, run.records, run.weights, test))
    return written


def write_trial(logdir: str | Path, result: Any) -> Path | None:
    """A finished search trial (core.search's TrialResult) in its own folder: the
    monitored loss of every epoch and its values as hyperparameters, with its objective
    (a trial keeps no weights, so no histograms)."""
    if not result.curve:
        return None
    path = Path(logdir) / f"trial{result.number:04d}"
    path.mkdir(parents=True, exist_ok=True)
    writer = _writer(path)
    try:
        for epoch, value in enumerate(result.curve, start=1):
            if math.isfinite(value):
                writer.add_scalar("objective", float(value), epoch)
        params = {k: v if isinstance(v, (int, float, str, bool)) else str(v)
                  for k, v in result.params.items()}
        metrics = {"hparam/objective": float(result.value)} if result.value is not None \
            and math.isfinite(result.value) else {}
        writer.add_hparams({**params, "state": result.state}, metrics, run_name=".")
    finally:
        writer.close()
    return path
