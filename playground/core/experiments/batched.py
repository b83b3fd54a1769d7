"""Many small networks trained at once: runs that share data and architecture as one
stacked model.

Every run's parameters are one row of a (runs, P) buffer; a Dense layer is a batched
matrix multiply over the leading run axis, so sixteen 2-16-16-1 networks cost about what
one costs (small networks are bound by per-update overhead, not arithmetic: see
ARCHITECTURE.md). Per-run hyperparameters (learning rate, momentum, betas, weight decay)
are columns over the run axis and the update is ours (batched_optim.py).

The stacked trainer reproduces the Trainer's semantics run by run: each run's weights are
built by build_model under its own seed, each run shuffles with its own generator, the
loss, metrics, L2, schedule, divergence guard and convergence stop are the Trainer's, so
a stacked run matches the same run trained alone up to float rounding (tested to 1e-5
relative over 50 epochs). What it cannot reproduce (dropout, batch norm, convolutions,
early stopping with restored weights, L1, clipping, step limits) is refused by
`refusal()`, and the sweep trains those runs one after another through the Trainer.
"""
from __future__ import annotations

import math
import time
import warnings
from typing import Callable, Sequence

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from .. import catalog  # noqa: F401 - what SessionSpec.validate() checks against
from .. import metrics as metrics_module
from ..callbacks import (Callback, ConvergenceStop, DivergenceGuard, History,
                         judge_test_loss)
from ..control import TrainControl
from ..data import PreparedData, prepare
from ..device import choose_threads, resolve_device
from ..events import EpochEnded, Finished
from ..losses import Head, resolve_head
from ..model import build_model
from ..optim import LRSchedule
from ..spec import SessionSpec
from .batched_optim import BATCHED_OPTIMIZERS, StackedUpdate
from .stackable import refusal, shared_key

# The leaves are strided views into one buffer, so their gradients (views of another)
# cannot follow autograd's preferred layout; it still accumulates into them in place.
warnings.filterwarnings("ignore", message="grad and param do not obey the gradient layout")
_ELEMENTWISE = (nn.ReLU, nn.LeakyReLU, nn.ELU, nn.GELU, nn.SiLU, nn.Sigmoid, nn.Tanh)
EpochHook = Callable[[int, EpochEnded, dict], None]
FinishHook = Callable[[int, Finished], None]


class _RunView:
    """What the Trainer's callbacks read of a trainer, for one row of the stack."""

    def __init__(self, owner: "BatchedTrainer", row: int) -> None:
        self.owner, self.row = owner, row
        self.spec = owner.specs[row]
        self.data = owner.data
        self.stop_reason: str | None = None
        self.stop_message = ""
        self.validated = True
        self.model = self  # DivergenceGuard.on_loop_end asks model.parameters()

    @property
    def step(self) -> int:
        return self.owner.step

    @property
    def epoch(self) -> int:
        return self.owner.epoch

    @property
    def current_lr(self) -> float:
        return self.owner.current_lr[self.row]

    def parameters(self) -> list[torch.Tensor]:
        return [self.owner.param[self.row]]

    def evaluate(self, split: str) -> dict[str, float]:
        return self.owner.evaluate(split)[self.row]

    def request_stop(self, reason: str, message: str = "") -> None:
        if self.stop_reason is None:
            self.stop_reason, self.stop_message = reason, message


class BatchedTrainer:
    """Trains runs (specs) that share everything but seed, L2, optimizer and
    initialisation as one stacked model. Rows are grouped by optimizer family; `index`
    in the hooks is the run's position in `specs`."""

    def __init__(self, specs: Sequence[SessionSpec], *, data: PreparedData | None = None,
                 control: TrainControl | None = None, on_epoch: EpochHook | None = None,
                 on_finished: FinishHook | None = None, interactive: bool = False) -> None:
        for spec in specs:
            spec.validate()
            reason = refusal(spec)
            if reason:
                raise ValueError(f"cannot stack this run: {reason}")
        if len({shared_key(spec) for spec in specs}) != 1:
            raise ValueError("stacked runs must share data, architecture and training")
        # Rows ordered by optimizer family, so each family's rows are one slice.
        self.order = sorted(range(len(specs)),
                            key=lambda i: BATCHED_OPTIMIZERS.index(specs[i].optimizer.name))
        self.specs = [specs[i] for i in self.order]
        self.runs = len(self.specs)
        first = self.specs[0]
        self.device = resolve_device(first.train.device)
        self.data = data or prepare(first.data)
        dataset = self.data.dataset
        self.head: Head = resolve_head(first.train.loss, dataset.task, dataset.n_classes,
                                       self.data.n_targets, dataset.info.name)
        allowed = metrics_module.default_metrics(self.head.task)
        self.metric_names = tuple(first.train.metrics or allowed)
        self._build_stack()
        self._place_data()
        self.control = control or TrainControl()
        self.on_epoch, self.on_finished = on_epoch, on_finished
        self.views = [_RunView(self, row) for row in range(self.runs)]
        self.callbacks = [self._run_callbacks(spec) for spec in self.specs]
        self.schedules = [LRSchedule(s.schedule.name, dict(s.schedule.params),
                                     s.schedule.warmup_epochs, s.train.epochs,
                                     self.steps_per_epoch) for s in self.specs]
        self.base_lr = [s.optimizer.lr for s in self.specs]
        self.current_lr = [lr * sch.factor(0) for lr, sch in zip(self.base_lr, self.schedules)]
        self.active = [True] * self.runs
        self.finished: list[Finished | None] = [None] * self.runs
        self.updates = self._build_updates()
        self.epoch = self.step = 0
        self.threads = choose_threads(first.train.threads, self.work_per_update(), interactive)
        self._eval_cache: dict[tuple[str, int], list[dict[str, float]]] = {}

    # ------------------------------------------------------------------ set-up
    def _build_stack(self) -> None:
        from ..trainer import _seed_everything  # the Trainer's own seeding, same order

        rows, self.built = [], []
        with torch.random.fork_rng(devices=[]):
            for spec in self.specs:
                _seed_everything(spec.train.seed)
                built = build_model(spec.model, self.data.input_shape, self.head)
                self.built.append(built)
                rows.append(torch.cat([p.detach().reshape(-1)
                                       for p in built.module.parameters()]))
        module = self.built[0].module
        self.labels, self.segments, offset = [], [], 0
        for name, p in module.named_parameters():
            self.labels.append(self.built[0].layer_of_parameter[name])
            self.segments.append((offset, offset + p.numel()))
            offset += p.numel()
        self.size = offset
        self.ops = self._program(module)
        # One (runs, P) buffer of values and one of gradients; each layer's weight and
        # bias are leaf views into them, so autograd accumulates straight into the
        # gradient buffer and the update is a few operations on whole buffers.
        self.param = torch.stack(rows).to(self.device)
        self.grad = torch.zeros_like(self.param)
        self.leaves = []
        for kind, weight, bias in self.ops:
            if kind != "linear":
                continue
            for part in (weight, bias):
                if part is None:
                    continue
                start, end = (part[0], part[0] + part[1] * part[2]) if len(part) == 3 else part
                view = (lambda t, part=part, start=start, end=end:
                        t[:, start:end].view(self.runs, part[1], part[2]).transpose(1, 2)
                        if len(part) == 3 else t[:, start:end].unsqueeze(1))
                leaf = view(self.param).requires_grad_(True)
                leaf.grad = view(self.grad)
                self.leaves.append(leaf)
        self._previous = self.param.clone()  # for each epoch's distance moved

    def _program(self, module: nn.Sequential) -> list[tuple]:
        ops, offset = [], 0
        for layer in module:
            if isinstance(layer, nn.Linear):
                weight = (offset, layer.out_features, layer.in_features)
                offset += layer.weight.numel()
                bias = None
                if layer.bias is not None:
                    bias = (offset, offset + layer.out_features)
                    offset += layer.out_features
                ops.append(("linear", weight, bias))
            elif isinstance(layer, nn.Softmax):
                ops.append(("fn", lambda h: torch.softmax(h, dim=-1), None))
            elif isinstance(layer, _ELEMENTWISE):
                ops.append(("fn", layer, None))
            elif not isinstance(layer, (nn.Flatten, nn.Dropout)):
                raise ValueError(f"cannot stack a {type(layer).__name__} layer")
        return ops

    def _place_data(self) -> None:
        d, head, device = self.data, self.head, self.device
        self.x = {name: torch.from_numpy(np.ascontiguousarray(x)).to(device).flatten(1)
                  for name, x in (("train", d.x_train), ("val", d.x_val), ("test", d.x_test))}
        self.y = {name: head.targets(y).to(device)
                  for name, y in (("train", d.y_train), ("val", d.y_val), ("test", d.y_test))}
        self.codes = {name: metrics_module.target_codes(head, y) for name, y in self.y.items()}
        self.n_train = len(d.x_train)
        size = self.specs[0].train.batch_size
        self.batch_size = self.n_train if size is None else min(size, self.n_train)
        bounds = [(s, min(s + self.batch_size, self.n_train))
                  for s in range(0, self.n_train, self.batch_size)]
        self.batch_sizes = [end - start for start, end in bounds]
        self.steps_per_epoch = len(bounds)
        self._sizes = torch.tensor(self.batch_sizes, dtype=torch.float32, device=device)
        seeds = [spec.train.seed for spec in self.specs]
        self.seed_rows = {seed: [r for r, s in enumerate(seeds) if s == seed] for seed in seeds}
        self.generators = {seed: torch.Generator().manual_seed(seed) for seed in self.seed_rows}

    def _run_callbacks(self, spec: SessionSpec) -> list[Callback]:
        callbacks: list[Callback] = [History(), DivergenceGuard()]
        if spec.train.convergence_tol > 0:
            callbacks.append(ConvergenceStop(spec.train.convergence_tol,
                                             spec.train.convergence_patience))
        return callbacks

    def _build_updates(self) -> list[tuple[slice, StackedUpdate]]:
        updates, start = [], 0
        for name in BATCHED_OPTIMIZERS:
            rows = [s for s in self.specs if s.optimizer.name == name]
            if rows:
                block = slice(start, start + len(rows))
                updates.append((block, StackedUpdate(
                    name, [s.optimizer.params for s in rows], [s.train.l2 for s in rows],
                    self.size).to(self.device)))
                start += len(rows)
        return updates

    def work_per_update(self) -> int:
        per_sample = sum(w[1] * w[2] for kind, w, *_ in self.ops if kind == "linear")
        return per_sample * self.batch_size * self.runs

    @property
    def histories(self) -> list[History]:
        """Each run's History, in the order of the specs given."""
        return [self.callbacks[self.order.index(i)][0] for i in range(self.runs)]

    # ---------------------------------------------------------------- forward
    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Outputs (runs, batch, outputs) for inputs shared (batch, features) or per
        run (runs, batch, features)."""
        h, leaves = x, iter(self.leaves)
        if h.dim() == 2:  # shared inputs: a view, no copy (and no broadcast to undo)
            h = h.expand(self.runs, *h.shape)
        for kind, fn, bias in self.ops:
            if kind == "fn":
                h = fn(h)
            elif bias is not None:
                weight = next(leaves)
                h = torch.baddbmm(next(leaves), h, weight)
            else:
                h = torch.bmm(h, next(leaves))
        return h

    def losses(self, out: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
        """Each run's mean loss (runs,), as the Trainer's criterion computes it alone."""
        runs, loss = out.shape[0], self.head.loss
        if loss in ("cce",) or (loss == "hinge" and out.shape[-1] > 1):
            target = y.expand(runs, *y.shape[-1:]).reshape(-1)
            fn = F.cross_entropy if loss == "cce" else F.multi_margin_loss
            return fn(out.flatten(0, 1), target, reduction="none").view(runs, -1).mean(1)
        target = y.expand_as(out)
        if loss == "hinge":
            each = torch.clamp(1.0 - target * out, min=0.0)
        else:
            fn = {"mse": F.mse_loss, "mae": F.l1_loss, "huber": F.huber_loss,
                  "bce": F.binary_cross_entropy_with_logits}[loss]
            each = fn(out, target, reduction="none")
        return each.flatten(1).mean(1)

    # ------------------------------------------------------------------ the run
    def fit(self) -> list[Finished]:
        """Train every run to its end; returns each run's Finished, in spec order."""
        torch.set_num_threads(self.threads)
        for row, view in enumerate(self.views):
            for callback in self.callbacks[row]:
                if isinstance(callback, DivergenceGuard):
                    callback.on_train_begin(view, None)  # the untrained loss, as alone
        epochs = self.specs[0].train.epochs
        while self.epoch < epochs and any(self.active):
            if not self._run_epoch():
                for row in range(self.runs):
                    if self.active[row]:
                        self.views[row].request_stop("stopped", "Stopped on request.")
                        self._finish(row)
                break
            self._end_epoch()
        for row in range(self.runs):
            if self.active[row]:
                self._finish(row)
        return [self.finished[self.order.index(i)] for i in range(self.runs)]

    def _lr_column(self) -> torch.Tensor:
        values = [lr if on else 0.0 for lr, on in zip(self.current_lr, self.active)]
        return torch.tensor(values, dtype=torch.float32, device=self.device).unsqueeze(1)

    def _orders(self) -> tuple[torch.Tensor | None, bool]:
        """This epoch's order for each run: (index (n,) shared or (runs, n), shared)."""
        if self.steps_per_epoch == 1:
            return None, True
        perms = {seed: torch.randperm(self.n_train, generator=gen)
                 for seed, gen in self.generators.items()}
        if len(perms) == 1:
            return next(iter(perms.values())).to(self.device), True
        rows = [None] * self.runs
        for seed, members in self.seed_rows.items():
            for row in members:
                rows[row] = perms[seed]
        return torch.stack(rows).to(self.device), False

    def _run_epoch(self) -> bool:
        """One epoch of every run; False if a stop was requested part-way."""
        started = time.perf_counter()
        order, shared = self._orders()
        x, y = self.x["train"], self.y["train"]
        if order is None:
            batches, yp = [x], y
        elif shared:
            batches = [x.index_select(0, i) for i in order.split(self.batch_sizes)]
            yp = y.index_select(0, order)
        else:
            n_features = x.shape[1]
            batches = [x.index_select(0, i.reshape(-1)).view(self.runs, -1, n_features)
                       for i in order.split(self.batch_sizes, dim=1)]
            yp = y[order]
        targets = yp.split(self.batch_sizes, dim=0 if shared else 1)
        outputs, losses = [], []
        within = any(s.within_epoch for s in self.schedules)
        lr = self._lr_column()
        param, grad, control = self.param, self.grad, self.control
        for xb, yb in zip(batches, targets):
            if control.pending and control.stop_requested:
                return False
            grad.zero_()  # the leaves' gradients are views of it: accumulated in place
            out = self.forward(xb)
            loss = self.losses(out, yb)
            loss.sum().backward()
            with torch.no_grad():
                for block, update in self.updates:
                    update.step(param[block], grad[block], lr[block])
            outputs.append(out.detach())
            losses.append(loss.detach())
            self.step += 1
            if within:
                self.current_lr = [base * s.factor(self.step)
                                   for base, s in zip(self.base_lr, self.schedules)]
                lr = self._lr_column()
        self._epoch = (outputs, losses, yp, shared, order, time.perf_counter() - started)
        return True

    def _end_epoch(self) -> None:
        outputs, losses, yp, shared, order, seconds = self._epoch
        self.epoch += 1
        ended = time.perf_counter()
        with torch.no_grad():
            out = torch.cat(outputs, dim=1) if len(outputs) > 1 else outputs[0]
            epoch_loss = (self._sizes @ torch.stack(losses) / self.n_train).tolist()
            codes = self.codes["train"]
            if codes is not None and order is not None:
                codes = codes.index_select(0, order) if shared else codes[order]
        every = self.specs[0].train.validate_every
        validated = every == 1 or self.epoch % every == 0 or \
            self.epoch >= self.specs[0].train.epochs
        train_metrics = self.metrics(out, yp, codes)
        val = self.evaluate("val") if validated else [{}] * self.runs
        grads, weights = self._norms()
        updates = self._update_norms()
        seconds += time.perf_counter() - ended
        for row in range(self.runs):
            if not self.active[row]:
                continue
            logs: dict[str, float] = {"epoch": self.epoch, "step": self.step,
                                      "loss": epoch_loss[row]}
            logs.update(train_metrics[row])
            logs.update(val[row])
            logs["lr"] = self.current_lr[row]
            logs["seconds"] = seconds
            logs["samples_per_s"] = self.n_train / seconds if seconds > 0 else math.inf
            self._end_run_epoch(row, logs, grads[row], weights[row], validated,
                                {"update_norm": updates[row]})

    def _end_run_epoch(self, row: int, logs: dict[str, float], grads: dict, weights: dict,
                       validated: bool, extra: dict) -> None:
        view, schedule = self.views[row], self.schedules[row]
        view.validated = validated
        monitored = logs.get("val_loss") if len(self.x["val"]) else logs["loss"]
        if monitored is not None:
            schedule.on_epoch_end(monitored)
        self.current_lr[row] = self.base_lr[row] * schedule.factor(self.step)
        event = EpochEnded(logs, grads, weights)
        for callback in self.callbacks[row]:
            callback.on_epoch_end(view, event)
        if self.on_epoch is not None:
            self.on_epoch(self.order[row], event, extra)
        if view.stop_reason is not None or self.epoch >= self.specs[row].train.epochs:
            self._finish(row)

    def _finish(self, row: int) -> None:
        view = self.views[row]
        self.active[row] = False
        for callback in self.callbacks[row]:
            callback.on_loop_end(view)
        test = self.evaluate("test")[row]
        judge_test_loss(view, test)
        finished = Finished(view.stop_reason or "completed", view.stop_message,
                            self.epoch, self.step, test)
        for callback in self.callbacks[row]:
            callback.on_train_end(view, finished)
        self.finished[row] = finished
        if self.on_finished is not None:
            self.on_finished(self.order[row], finished)

    def _norms(self) -> tuple[list[dict], list[dict]]:
        """Per run, per layer: the last update's gradient norm and the weight norm."""
        sums = []
        for tensor in (self.grad, self.param):
            squares = torch.stack([tensor[:, a:b].square().sum(1) for a, b in self.segments])
            sums.append(squares.t().tolist())  # (runs, segments)
        grads, weights = ([_by_label(self.labels, row) for row in part] for part in sums)
        return grads, weights

    def _update_norms(self) -> list[float]:
        """Each run's distance moved in weight space over the epoch."""
        moved = (self.param - self._previous).norm(dim=1).tolist()
        self._previous = self.param.clone()
        return moved

    def evaluate(self, split: str) -> list[dict[str, float]]:
        """Loss and metrics on a split for every run, prefixed as the Trainer's."""
        key = (split, self.step)
        cached = self._eval_cache.get(key)
        if cached is not None:
            return cached
        x, y = self.x[split], self.y[split]
        if len(x) == 0:
            return [{}] * self.runs
        prefix = "" if split == "train" else f"{split}_"
        with torch.inference_mode():
            out = self.forward(x)
            losses = self.losses(out, y).tolist()
            result = []
            for row, values in enumerate(self.metrics(out, y, self.codes[split])):
                values = {"loss": losses[row], **values}
                result.append({prefix + k: v for k, v in values.items()})
        self._eval_cache = {key: result}
        return result

    def metrics(self, out: torch.Tensor, y: torch.Tensor,
                codes: torch.Tensor | None) -> list[dict[str, float]]:
        """Each run's metrics on outputs (runs, n, outputs), as metrics.compute gives
        them alone, for targets shared (n, ...) or per run (runs, n, ...), codes alike.
        Classification: every run's confusion matrix from one bincount."""
        head, names = self.head, self.metric_names
        if not head.is_classification:
            per_run = y.dim() == out.dim()
            return [metrics_module.compute(head, names, out[row], y[row] if per_run else y)
                    for row in range(self.runs)]
        k = max(head.n_classes, 2)
        runs, n = out.shape[0], out.shape[1]
        predicted = head.predicted(out.flatten(0, 1)).view(runs, n).long()
        offsets = torch.arange(runs, device=out.device).unsqueeze(1) * (k * k)
        cells = (codes + predicted + offsets).reshape(-1)
        counts = torch.bincount(cells, minlength=runs * k * k).view(runs, k * k).tolist()
        return [metrics_module.from_counts(row, k, names) for row in counts]

    # ------------------------------------------------------------------ results
    def module(self, index: int) -> nn.Sequential:
        """Run `index` (its position in specs) as a normal network, with its weights."""
        row = self.order.index(index)
        module = self.built[row].module
        torch.nn.utils.vector_to_parameters(self.param[row].detach().clone().cpu(),
                                            module.parameters())
        return module


def _by_label(labels: list[str], squares: list[float]) -> dict[str, float]:
    totals: dict[str, float] = {}
    for label, square in zip(labels, squares):
        totals[label] = totals.get(label, 0.0) + square
    return {label: math.sqrt(total) for label, total in totals.items()}
