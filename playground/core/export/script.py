"""A standalone, readable PyTorch training script that reproduces a session.

The script imports torch, numpy (and scikit-learn or pandas where the data needs
them), never the playground. It builds the data as the app does (the synthetic
generator's own code, scikit-learn's loader, or your file by path), then the same
network from the same seed, the optimizer, the schedule, the loop and the metrics, so
one process repeats the app's run. Under `torchrun --nproc_per_node N` it trains with
DistributedDataParallel (gloo on CPU, nccl on CUDA): each global batch of the app's
size is dealt out across the processes and the gradients averaged, so N processes
take the same steps as one.
"""
from __future__ import annotations

import datetime
import inspect
import math
from pathlib import Path
from typing import Any

from ... import __version__
from ..data import DATASETS, synthetic
from ..layers import LAYERS, _gain
from ..losses import Head, resolve_head
from ..metrics import default_metrics
from ..model import _resolve_units, _starts_with_images, check_model
from ..optim import optimizer_kind
from ..schema import coerce_params
from ..session import atomic_write
from ..spec import SessionSpec
from .trained import ExportError


def check_scriptable(spec: SessionSpec) -> None:
    """ExportError naming the first part of the spec the script does not reproduce."""
    data, train = spec.data, spec.train
    info = DATASETS.get(data.name)
    if info is not None and info.source == "download":
        raise ExportError(f"The script cannot build {data.name} yet (a downloaded set); "
                          "export a session on a generated, scikit-learn or CSV/NPZ set.")
    if data.points:
        raise ExportError("The script cannot rebuild a drawn set yet; save the spec and "
                          "train it with `playground train spec.json`.")
    if data.name == "file" and Path(data.path).suffix.lower() not in (".csv", ".npz"):
        raise ExportError("The script reads CSV and NPZ files; this session's data "
                          f"({Path(data.path).name}) is neither.")
    if spec.optimizer.name == "lbfgs":
        raise ExportError("The script does not write L-BFGS's closure loop yet; export a "
                          "session with a gradient-descent optimizer.")
    if spec.schedule.name == "plateau":
        raise ExportError("The script does not reproduce reduce-on-plateau yet; choose "
                          "another schedule, or none.")
    for enabled, what in ((train.early_stopping.enabled, "early stopping"),
                          (train.convergence_tol > 0, "the convergence stop"),
                          (bool(train.max_steps), "a step limit")):
        if enabled:
            raise ExportError(f"The script trains every epoch and does not reproduce "
                              f"{what} yet; switch it off to export a script.")


def write_script(path: str | Path, spec: SessionSpec, head: Head, input_shape: tuple,
                 data_sha256: str | None = None, title: str = "") -> Path:
    text = script_text(spec, head, input_shape, data_sha256, title)
    atomic_write(Path(path), lambda file: file.write(text.encode("utf-8")))
    return Path(path)


def script_text(spec: SessionSpec, head: Head, input_shape: tuple,
                data_sha256: str | None = None, title: str = "") -> str:
    check_scriptable(spec)
    parts = [_header(spec, title), _constants(spec, head, data_sha256),
             _data_code(spec), _SPLIT_AND_SCALE, _model_code(spec, head, input_shape),
             _loss_code(head), _schedule_code(spec), _metrics_code(spec, head),
             _optimizer_code(spec), _LOOP]
    return "\n\n\n".join(part.strip("\n") for part in parts) + "\n"


def head_for(spec: SessionSpec, task: str, n_classes: int, n_targets: int) -> Head:
    return resolve_head(spec.train.loss, task, n_classes, n_targets, spec.data.name)


# ------------------------------------------------------------------- header

def _header(spec: SessionSpec, title: str) -> str:
    name = title or f"{spec.data.name} with {spec.optimizer.name}"
    today = datetime.date.today().isoformat()
    return f'''#!/usr/bin/env python3
"""{name}: a training script exported from Gradient Playground {__version__} ({today}).

It reproduces the session: the data, the network, the optimizer and its schedule, the
training loop and the metrics. It needs torch and numpy (and the loader's package).

    python THIS_FILE                                 one process: the app's run
    torchrun --nproc_per_node 2 THIS_FILE            DistributedDataParallel

Under torchrun every process draws the same order of the training rows and takes its
share of each global batch of BATCH_SIZE rows; the gradients are averaged, so the
processes together take the same steps as one. The backend is gloo on CPU and nccl on
CUDA. The last line printed is RESULT followed by the final metrics as JSON.
"""
import json
import os

import numpy as np
import torch
import torch.distributed as dist
import torch.nn.functional as F
from torch import nn
from torch.nn.parallel import DistributedDataParallel
from torch.utils.data.distributed import DistributedSampler'''


def _constants(spec: SessionSpec, head: Head, data_sha256: str | None) -> str:
    train = spec.train
    metrics = train.metrics or default_metrics(head.task)
    return f'''SEED = {train.seed}                 # initial weights, shuffling, dropout
DATA_SEED = {spec.data.seed}            # data generation and the split
EPOCHS = {train.epochs}
BATCH_SIZE = {train.batch_size!r}        # rows per update in all processes together; None = all
LR = {spec.optimizer.lr!r}
SPLIT = {tuple(spec.data.split)!r}     # train, validation, test
SCALING = {spec.data.scaling!r}
TASK = {head.task!r}
METRICS = {tuple(metrics)!r}
DEVICE = {train.device!r}           # auto: CUDA where there is one
DATA_SHA256 = {data_sha256!r}  # the app's data, to check that this is the same'''


# --------------------------------------------------------------------- data

def _data_code(spec: SessionSpec) -> str:
    data = spec.data
    info = DATASETS[data.name] if data.name in DATASETS else None
    if data.name == "file":
        body = _file_loader(spec)
    elif info is not None and info.source == "synthetic":
        body = _synthetic_loader(spec)
    else:
        body = _sklearn_loader(spec)
    select = ""
    if data.features:
        select = (f"\n    X = X[:, {list(data.features)!r}]  # the columns the session "
                  "kept")
    return f'''# ---------------------------------------------------------------------- data

{body}


def load_data():
    """X (float32, one row per sample), y (class index, or float targets), class names."""
    X, y, class_names = make_dataset(){select}
    return np.ascontiguousarray(X, dtype=np.float32), y, class_names'''


def _synthetic_loader(spec: SessionSpec) -> str:
    data = spec.data
    if data.name in synthetic.MULTICLASS_GENERATORS:
        generator = synthetic.MULTICLASS_GENERATORS[data.name]
        call = f"{data.name}({data.samples}, {data.noise!r}, rng, {data.classes})"
        classes = repr(tuple(str(c) for c in range(data.classes)))
    elif data.name in synthetic.REGRESSION_GENERATORS:
        generator = synthetic.REGRESSION_GENERATORS[data.name]
        call, classes = f"{data.name}({data.samples}, {data.noise!r}, rng)", "()"
    else:
        generator = synthetic.GENERATORS[data.name]
        call, classes = f"{data.name}({data.samples}, {data.noise!r}, rng)", "('0', '1')"
    source = inspect.getsource(generator)
    engineer = ""
    if data.inputs:
        formulas = {"x1": "a", "x2": "b", "x1sq": "a * a", "x2sq": "b * b",
                    "x1x2": "a * b", "sinx1": "np.sin(a)", "sinx2": "np.sin(b)"}
        columns = ", ".join(formulas[name] for name in data.inputs)
        engineer = ("\n    # engineered inputs: " + ", ".join(data.inputs) +
                    "\n    a, b = X[:, 0].astype(np.float64), X[:, 1].astype(np.float64)"
                    f"\n    X = np.stack([{columns}], axis=1).astype(np.float32)")
    return f'''RADIUS = {synthetic.RADIUS!r}


{source.rstrip()}


def make_dataset():
    rng = np.random.default_rng(DATA_SEED)
    X, y = {call}{engineer}
    return X, y, {classes}'''


def _sklearn_loader(spec: SessionSpec) -> str:
    name = spec.data.name
    if name == "diabetes":
        convert = "y = bunch.target.astype(np.float32).reshape(-1, 1)\n    classes = ()"
    else:
        convert = ("y = bunch.target.astype(np.int64)\n"
                   "    classes = tuple(str(c) for c in bunch.target_names)")
    return f'''def make_dataset():
    from sklearn.datasets import load_{name}  # ships inside scikit-learn, no download

    bunch = load_{name}()
    X = np.asarray(bunch.data, dtype=np.float32)
    {convert}
    return X, y, classes'''


def _file_loader(spec: SessionSpec) -> str:
    data = spec.data
    path = str(Path(data.path).resolve())
    if Path(path).suffix.lower() == ".npz":
        read = ('arrays = np.load(DATA_PATH, allow_pickle=False)\n'
                '    X = arrays["X"].reshape(len(arrays["X"]), -1).astype(np.float32)\n'
                '    target = arrays["y"].reshape(-1)')
    else:
        choose = (f"target_name = {data.target!r}\n"
                  "    if target_name not in frame.columns and target_name.isdigit():\n"
                  "        target_name = frame.columns[int(target_name)]\n") if data.target \
            else "target_name = frame.columns[-1]  # the last column\n"
        drop = "    frame = frame.dropna()  # rows with a missing value are dropped\n" \
            if data.missing == "drop" else ""
        read = (f"import pandas as pd\n\n    frame = pd.read_csv(DATA_PATH)\n{drop}"
                f"    {choose}"
                "    X = frame.drop(columns=[target_name]).to_numpy(dtype=np.float32)\n"
                "    target = frame[target_name].to_numpy()")
    return f'''DATA_PATH = {path!r}  # your file, read where it was


def make_dataset():
    """Numeric feature columns; the target as classes (its distinct values, sorted) or,
    for regression, as numbers."""
    {read}
    if TASK == "regression":
        return X, target.astype(np.float32).reshape(-1, 1), ()
    keys = target.astype(str) if target.dtype.kind not in "fiub" else target.astype(np.float64)
    uniques = np.unique(keys)
    names = tuple(str(int(u)) if isinstance(u, float) and u.is_integer() else str(u)
                  for u in uniques)
    return X, np.searchsorted(uniques, keys).astype(np.int64), names'''


_SPLIT_AND_SCALE = '''
def split_indices(y, fractions, seed, stratify):
    """Train, validation and test rows: shuffled, and stratified for classes."""
    rng = np.random.default_rng(seed)
    groups = [np.flatnonzero(y == c) for c in np.unique(y)] if stratify else [
        np.arange(len(y))]
    parts = [[], [], []]
    for group in groups:
        shuffled = rng.permutation(group)
        n_val = int(round(len(shuffled) * fractions[1]))
        n_test = int(round(len(shuffled) * fractions[2]))
        n_train = len(shuffled) - n_val - n_test
        for part, chunk in zip(parts, np.split(shuffled, [n_train, n_train + n_val])):
            part.append(chunk)
    return tuple(rng.permutation(np.concatenate(part)) for part in parts)


def fit_scaling(X, method):
    """Offset and scale fitted on the training rows only (float64, then float32)."""
    X = X.astype(np.float64)
    if method == "standard":
        offset, scale = X.mean(axis=0), X.std(axis=0)
    elif method == "minmax":
        offset, scale = X.min(axis=0), X.max(axis=0) - X.min(axis=0)
    elif method == "robust":
        q1, median, q3 = np.percentile(X, [25, 50, 75], axis=0)
        offset, scale = median, q3 - q1
    else:
        return None
    scale = np.where(scale > 1e-12, scale, 1.0)  # a constant column stays centred
    return offset.astype(np.float32), scale.astype(np.float32)


def scale(X, method, fitted):
    if method == "normalize":  # each row to unit length
        norms = np.linalg.norm(X, axis=1, keepdims=True)
        return (X / np.where(norms > 0, norms, 1.0)).astype(np.float32)
    if fitted is None:
        return X.astype(np.float32)
    offset, spread = fitted
    return ((X - offset) / spread).astype(np.float32)


def prepared_data():
    X, y, class_names = load_data()
    if DATA_SHA256 is not None and sha256_of(X, y) != DATA_SHA256:
        print("note: this data differs from the app's (another library version?), so "
              "the numbers will differ a little.")
    train, val, test = split_indices(y, SPLIT, DATA_SEED, stratify=TASK != "regression")
    fitted = fit_scaling(X[train], SCALING)
    xs = [scale(X[rows], SCALING, fitted) for rows in (train, val, test)]
    ys = [y[rows] for rows in (train, val, test)]
    if TASK == "regression" and SCALE_TARGET:  # the loss sees standardised targets
        target = fit_scaling(ys[0], "standard")
        ys = [scale(part, "standard", target) for part in ys]
    return xs, ys, class_names


def sha256_of(X, y):
    import hashlib

    digest = hashlib.sha256()
    for array in (X, y):
        array = np.ascontiguousarray(array)
        digest.update(f"{array.dtype}|{array.shape}|".encode())
        digest.update(memoryview(array).cast("B") if array.size else b"")
    return digest.hexdigest()'''


# -------------------------------------------------------------------- model

_ACTIVATIONS = {"relu": "nn.ReLU()", "gelu": "nn.GELU()", "silu": "nn.SiLU()",
                "sigmoid": "nn.Sigmoid()", "tanh": "nn.Tanh()", "softmax": "nn.Softmax(dim=1)"}


def _model_code(spec: SessionSpec, head: Head, input_shape: tuple) -> str:
    params = _resolve_units(spec.model, head)
    shape = tuple(input_shape)
    lines: list[str] = []
    if len(shape) == 3:
        if _starts_with_images(spec.model):
            lines.append(f"layers.append(nn.Unflatten(1, {shape!r}))  # rows to images")
        else:
            shape = (math.prod(shape),)
    for layer, p in zip(spec.model.layers, params):
        new_lines, shape = _layer_lines(layer.kind, p, shape)
        lines.extend(new_lines)
    folded = check_model(spec.model, tuple(input_shape), head).folded
    if folded:
        lines.append(f"layers.pop()  # the final {folded} is computed inside the loss "
                     "(the stable form)")
    body = "\n    ".join(lines)
    return f'''# -------------------------------------------------------------------- model

SCALE_TARGET = {spec.data.scale_target!r}


def build_model():
    """The network, built in the app's order from the same seed: the same weights."""
    torch.manual_seed(SEED)
    layers = []
    {body}
    return nn.Sequential(*layers)'''


def _layer_lines(kind: str, p: dict[str, Any], shape: tuple) -> tuple[list[str], tuple]:
    built, out_shape = LAYERS[kind].build(p, shape)  # shapes only; its weights unused
    if kind == "dense":
        made = f"nn.Linear({shape[0]}, {p['units']}, bias={p['bias']})"
        lines = _made_lines(made, _init_lines(p["init"], p["activation"], p["bias"]))
        return lines + _activation_lines(p["activation"]), out_shape
    if kind == "conv2d":
        made = (f"nn.Conv2d({shape[0]}, {p['filters']}, {p['kernel']}, "
                f"stride={p['stride']}, padding={p['padding']})")
        lines = _made_lines(made, _init_lines(p["init"], p["activation"], True))
        return lines + _activation_lines(p["activation"]), out_shape
    module = built[0] if built else None
    if kind == "maxpool2d":
        text = f"nn.MaxPool2d({p['kernel']}, stride={p['stride'] or p['kernel']})"
    elif kind == "flatten":
        text = "nn.Flatten()"
    elif kind == "dropout":
        text = f"nn.{type(module).__name__}({p['rate']!r})"
    elif kind == "batchnorm":
        text = f"nn.{type(module).__name__}({shape[0]}, momentum={p['momentum']!r})"
    elif kind == "leaky_relu":
        text = f"nn.LeakyReLU({p['negative_slope']!r})"
    elif kind == "elu":
        text = f"nn.ELU({p['alpha']!r})"
    elif kind == "linear":
        return [], out_shape
    else:
        text = _ACTIVATIONS[kind]
    return [f"layers.append({text})"], out_shape


def _made_lines(made: str, init: list[str]) -> list[str]:
    """A trainable layer: appended at once, or named first when it is initialised."""
    if not init:
        return [f"layers.append({made})"]
    return [f"layer = {made}", *init, "layers.append(layer)"]


def _activation_lines(name: str) -> list[str]:
    if name == "linear":
        return []
    text = {"leaky_relu": "nn.LeakyReLU(0.01)", "elu": "nn.ELU(1.0)"}.get(name) or \
        _ACTIVATIONS[name]
    return [f"layers.append({text})"]


def _init_lines(scheme: str, activation: str, bias: bool) -> list[str]:
    if scheme == "default":
        return []
    nonlinearity = "leaky_relu" if activation == "leaky_relu" else "relu"
    gain = _gain(activation)
    call = {
        "zeros": "nn.init.zeros_(layer.weight)",
        "uniform": "nn.init.uniform_(layer.weight, -0.05, 0.05)",
        "normal": "nn.init.normal_(layer.weight, 0.0, 0.05)",
        "xavier_uniform": f"nn.init.xavier_uniform_(layer.weight, gain={gain!r})",
        "xavier_normal": f"nn.init.xavier_normal_(layer.weight, gain={gain!r})",
        "he_uniform": f"nn.init.kaiming_uniform_(layer.weight, nonlinearity={nonlinearity!r})",
        "he_normal": f"nn.init.kaiming_normal_(layer.weight, nonlinearity={nonlinearity!r})",
        "orthogonal": f"nn.init.orthogonal_(layer.weight, gain={gain!r})",
    }[scheme]
    return [call] + (["nn.init.zeros_(layer.bias)"] if bias else [])


# --------------------------------------------------------------------- loss

def _loss_code(head: Head) -> str:
    regression = not head.is_classification
    if head.loss == "cce":
        loss, targets = "F.cross_entropy(out, y)", "torch.as_tensor(y).long()"
    elif head.loss == "hinge" and head.n_outputs > 1:
        loss, targets = "F.multi_margin_loss(out, y)", "torch.as_tensor(y).long()"
    elif head.loss == "hinge":
        loss = "torch.clamp(1.0 - y * out, min=0.0).mean()"
        targets = "torch.as_tensor(y).float().unsqueeze(1) * 2.0 - 1.0  # -1 and +1"
    else:
        loss = {"bce": "F.binary_cross_entropy_with_logits(out, y)", "mse": "F.mse_loss(out, y)",
                "mae": "F.l1_loss(out, y)", "huber": "F.huber_loss(out, y)"}[head.loss]
        if regression:
            targets = "torch.as_tensor(y).float()"
        elif head.n_outputs == 1:
            targets = "torch.as_tensor(y).float().unsqueeze(1)"
        else:
            targets = f"F.one_hot(torch.as_tensor(y).long(), {head.n_outputs}).float()"
    if head.n_outputs > 1:
        predicted = "out.argmax(dim=1)"
    else:
        threshold = 0.5 if head.loss in ("mse", "mae", "huber") else 0.0
        predicted = f"(out > {threshold}).view(-1).long()"
    classes = max(head.n_classes, 2)
    return f'''# --------------------------------------------------------------------- loss

def loss_fn(out, y):
    return {loss}


def targets(y):
    """The targets in the form the loss wants."""
    return {targets}


N_CLASSES = {classes if head.is_classification else 0}


def predicted_classes(out):
    return {predicted}


def true_classes(y):
    if y.ndim == 1:
        return y
    return y.argmax(dim=1) if y.shape[1] > 1 else (y[:, 0] > 0).long()'''


# ----------------------------------------------------------------- schedule

def _schedule_code(spec: SessionSpec) -> str:
    from ..optim import schedule_kind

    schedule = spec.schedule
    kind = schedule_kind(schedule.name)
    p = coerce_params(kind.params, dict(schedule.params), "schedule")
    name = kind.name
    body = {
        "constant": lambda: "factor = 1.0",
        "step": lambda: f"factor = {p.get('gamma')!r} ** ((step // steps_per_epoch) // "
                f"{p.get('step_size')!r})",
        "multistep": lambda: f"epoch = step // steps_per_epoch\n    factor = {p.get('gamma')!r} ** "
                     f"sum(1 for m in {tuple(p.get('milestones') or ())!r} if epoch >= m)",
        "exponential": lambda: f"factor = {p.get('gamma')!r} ** (step // steps_per_epoch)",
        "inverse_time": lambda: f"factor = 1.0 / (1.0 + {p.get('decay')!r} * step)",
        "cosine": lambda: _COSINE.format(**{k: repr(v) for k, v in p.items()}),
        "onecycle": lambda: _ONECYCLE.format(**{k: repr(v) for k, v in p.items()}),
    }[name]()
    return f'''# ----------------------------------------------------------------- schedule

WARMUP_EPOCHS = {schedule.warmup_epochs!r}


def lr_factor(step, steps_per_epoch):
    """{kind.label}: the multiplier on LR after `step` updates."""
    total_steps = max(1, EPOCHS * steps_per_epoch)
    {body}
    warmup_steps = WARMUP_EPOCHS * steps_per_epoch
    if step < warmup_steps:  # a linear warm-up from near zero
        factor *= (step + 1) / (warmup_steps + 1)
    return factor'''


_COSINE = """period = {period} * steps_per_epoch if {period} > 0 else total_steps
    position = float(step)
    while position >= period and {period} > 0:  # warm restarts
        position -= period
        period *= {period_mult}
    cos = 0.5 * (1.0 + np.cos(np.pi * min(1.0, position / period)))
    factor = {min_factor} + (1.0 - {min_factor}) * cos"""

_ONECYCLE = """start = 1.0 / {div_factor}
    end = start / {final_div_factor}
    rise = max(1.0, {pct_start} * total_steps)

    def between(a, b, fraction):
        return b + (a - b) * 0.5 * (1.0 + np.cos(np.pi * fraction))

    if step < rise:
        factor = between(start, 1.0, step / rise)
    else:
        factor = between(1.0, end, min(1.0, (step - rise) / max(1.0, total_steps - rise)))"""


# ------------------------------------------------------------------ metrics

def _metrics_code(spec: SessionSpec, head: Head) -> str:
    return '''# ------------------------------------------------------------------ metrics

def metrics_from_sums(sums):
    """The metrics from sums (added up across processes): a confusion matrix for
    classes, error and target sums for regression."""
    if TASK != "regression":
        k = max(N_CLASSES, 2)
        confusion = sums.view(k, k).tolist()  # row: true class, column: predicted
        hits = [confusion[c][c] for c in range(k)]
        predicted = [sum(row[c] for row in confusion) for c in range(k)]
        actual = [sum(row) for row in confusion]
        precision = [h / p if p else 0.0 for h, p in zip(hits, predicted)]
        recall = [h / a if a else 0.0 for h, a in zip(hits, actual)]
        f1 = [2 * p * r / (p + r) if p + r else 0.0 for p, r in zip(precision, recall)]
        summary = (lambda v: v[1]) if k == 2 else (lambda v: sum(v) / k)
        values = {"accuracy": sum(hits) / sum(actual), "precision": summary(precision),
                  "recall": summary(recall), "f1": summary(f1)}
    else:
        count, absolute, squared, total, total_sq = sums.tolist()
        variance = total_sq - total * total / max(count, 1)
        values = {"mae": absolute / count, "mse": squared / count,
                  "r2": 1.0 - squared / variance if variance > 0 else 0.0}
    return {name: float(values[name]) for name in METRICS}


def metric_sums(out, y):
    if TASK != "regression":
        k = max(N_CLASSES, 2)
        codes = true_classes(y) * k + predicted_classes(out)
        return torch.bincount(codes, minlength=k * k).double()
    error = (out - y).double()
    yd = y.double()
    return torch.stack([torch.tensor(float(error.numel()), dtype=torch.float64),
                        error.abs().sum(), (error ** 2).sum(), yd.sum(), (yd ** 2).sum()])'''


# ---------------------------------------------------------------- optimizer

def _optimizer_code(spec: SessionSpec) -> str:
    kind = optimizer_kind(spec.optimizer.name)
    kwargs = kind.torch_kwargs(coerce_params(kind.params, dict(spec.optimizer.params),
                                             "optimizer"))
    kwargs["weight_decay"] = spec.train.l2
    arguments = "".join(f", {key}={value!r}" for key, value in kwargs.items())
    train = spec.train
    extra = []
    if train.l1 > 0:
        extra += [f"for weight in [p for name, p in net.named_parameters() "
                  "if name.endswith('weight') and p.ndim > 1]:",
                  f"    weight.grad.add_(torch.sign(weight.detach()), alpha={train.l1!r})"
                  "  # L1"]
    if train.clip_value:
        extra.append(f"torch.nn.utils.clip_grad_value_(model.parameters(), {train.clip_value!r})")
    if train.clip_norm:
        extra.append(f"torch.nn.utils.clip_grad_norm_(model.parameters(), {train.clip_norm!r})")
    after = "\n    ".join(extra) if extra else "pass"
    return f'''# ---------------------------------------------------------------- optimizer

def make_optimizer(model):
    """{kind.label}; the L2 penalty is its weight decay."""
    return torch.{kind.torch_class.__module__.split(".")[1]}.{kind.torch_class.__name__}(
        model.parameters(), lr=LR{arguments})


def after_backward(model, net):
    """What happens to the gradients between backward() and the update."""
    {after}'''


_LOOP = '''# --------------------------------------------------------------------- loop

def batch_bounds(n, size, has_batchnorm):
    """(start, end) of each global batch; BatchNorm cannot take a lone last row."""
    bounds = [(start, min(start + size, n)) for start in range(0, n, size)]
    if has_batchnorm and len(bounds) > 1 and bounds[-1][1] - bounds[-1][0] == 1:
        bounds[-2:] = [(bounds[-2][0], n)]
    return bounds


class GlobalBatchSampler(DistributedSampler):
    """A DistributedSampler that keeps the app's order: one permutation of the training
    rows per epoch, from a generator seeded once with SEED (so one process repeats the
    app's run), and each global batch dealt out across the processes, every process
    taking rows rank, rank + N, ... of it."""

    def __init__(self, n_rows, bounds, world, rank):
        super().__init__(range(n_rows), num_replicas=world, rank=rank, shuffle=True,
                         seed=SEED)
        self.n_rows, self.bounds = n_rows, bounds
        self.generator = torch.Generator().manual_seed(SEED)

    def __iter__(self):
        if len(self.bounds) > 1:  # a full batch needs no order
            order = torch.randperm(self.n_rows, generator=self.generator)
        else:
            order = torch.arange(self.n_rows)
        for start, end in self.bounds:
            yield order[start:end][self.rank::self.num_replicas], end - start

    def __len__(self):
        return len(self.bounds)


def start_processes():
    """(rank, world size, device); a process group when torchrun started several."""
    world = int(os.environ.get("WORLD_SIZE", "1"))
    cuda = torch.cuda.is_available() and DEVICE != "cpu"
    if world == 1:
        return 0, 1, torch.device("cuda" if cuda else "cpu")
    dist.init_process_group("nccl" if cuda else "gloo")
    if cuda:
        local = int(os.environ.get("LOCAL_RANK", "0"))
        torch.cuda.set_device(local)
        return dist.get_rank(), world, torch.device("cuda", local)
    return dist.get_rank(), world, torch.device("cpu")


def add_up(tensor, world):
    if world > 1:
        dist.all_reduce(tensor)
    return tensor


def evaluate(net, x, y):
    """Loss and metrics of a whole split, in evaluation mode (dropout off)."""
    if len(x) == 0:
        return {}
    net.eval()
    with torch.no_grad():
        out = net(x)
        result = {"loss": float(loss_fn(out, y)), **metrics_from_sums(metric_sums(out, y))}
    net.train()
    return result


def main():
    rank, world, device = start_processes()
    (x_train, x_val, x_test), (y_train, y_val, y_test), class_names = prepared_data()
    x = {name: torch.from_numpy(part).to(device)
         for name, part in (("train", x_train), ("val", x_val), ("test", x_test))}
    y = {name: targets(part).to(device)
         for name, part in (("train", y_train), ("val", y_val), ("test", y_test))}
    net = build_model().to(device)
    model = DistributedDataParallel(net) if world > 1 else net
    optimizer = make_optimizer(model)
    n = len(x_train)
    size = n if BATCH_SIZE is None else min(BATCH_SIZE, n)
    has_batchnorm = any(isinstance(m, nn.modules.batchnorm._BatchNorm) for m in net.modules())
    sampler = GlobalBatchSampler(n, batch_bounds(n, size, has_batchnorm), world, rank)
    steps_per_epoch, step = len(sampler), 0
    logs = {}
    for epoch in range(1, EPOCHS + 1):
        sampler.set_epoch(epoch)
        model.train()
        loss_sum = torch.zeros(1, dtype=torch.float64, device=device)
        sums = None
        for rows, global_size in sampler:
            rows = rows.to(device)
            for group in optimizer.param_groups:
                group["lr"] = LR * lr_factor(step, steps_per_epoch)
            optimizer.zero_grad(set_to_none=True)
            xb, yb = x["train"][rows], y["train"][rows]
            out = model(xb)
            # This process's share of the global batch's mean loss; DDP averages the
            # gradients over the processes, hence the factor `world`.
            share = len(rows) / global_size
            loss = loss_fn(out, yb) * (share * world) if len(rows) else out.sum() * 0.0
            loss.backward()
            after_backward(model, net)
            optimizer.step()
            step += 1
            loss_sum += loss.detach().double() * global_size / world
            batch_sums = metric_sums(out.detach(), yb)
            sums = batch_sums if sums is None else sums + batch_sums
        loss_sum, sums = add_up(loss_sum, world), add_up(sums, world)
        logs = {"epoch": epoch, "loss": float(loss_sum) / n, **metrics_from_sums(sums)}
        logs.update({f"val_{k}": v for k, v in evaluate(net, x["val"], y["val"]).items()})
        logs["lr"] = LR * lr_factor(step, steps_per_epoch)
        if rank == 0:
            print("  ".join(f"{k} {v:.4f}" if isinstance(v, float) else f"{k} {v}"
                            for k, v in logs.items()), flush=True)
    logs.update({f"test_{k}": v for k, v in evaluate(net, x["test"], y["test"]).items()})
    if rank == 0:
        print("RESULT " + json.dumps({**logs, "processes": world}), flush=True)
    if world > 1:
        dist.barrier()  # no process tears the group down while another still uses it
        dist.destroy_process_group()


if __name__ == "__main__":
    main()'''


def write_trained_script(path: str | Path, trained: Any) -> Path:
    """The script for a TrainedModel (from a session or a live trainer)."""
    return write_script(path, trained.spec, trained.head, trained.input_shape,
                        trained.data_sha256)
