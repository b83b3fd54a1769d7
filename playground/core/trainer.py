"""Trainer.fit(): the training loop, Qt-free and cooperative.

The loop reads top to bottom: epochs from where the run stands, batches from the
current position inside the epoch, the TrainControl polled between batches, callbacks
at fixed points. The per-batch path is kept to what a hand-written loop does plus one
buffer copy (the batch's outputs, from which the epoch's loss and metrics are computed
in a single vectorised pass), so the trainer costs almost nothing over a plain loop.
"""
from __future__ import annotations

import math
import random
import time
from dataclasses import replace
from typing import Any, Iterable

import numpy as np
import torch

from . import catalog  # noqa: F401 - what SessionSpec.validate() checks against
from . import metrics as metrics_module
from .callbacks import (Callback, ConvergenceStop, DivergenceGuard, EarlyStopping,
                        GradientNoise, History, judge_test_loss)
from .control import TrainControl
from .data import PreparedData, prepare
from .device import choose_threads, describe, forward_work, resolve_device
from .eager_optim import eager_step, install as _defer_dynamo, zero_grad
from .errors import SpecError
from .events import (BatchStepped, EpochEnded, Finished, HyperparametersChanged, Paused,
                     Resumed, TrainBegan)
from .landscape.trajectory import WeightTrajectory
from .losses import Head, resolve_head
from .model import BuiltModel, build_model
from .optim import (LRSchedule, apply_hyperparameters, build_optimizer, optimizer_kind)
from .schema import coerce_params
from .spec import SessionSpec
from .trainstate import ExactState

_defer_dynamo()  # torch.optim's first call would import torch._dynamo: 1.45 s
_EVAL_CHUNK = 8192
# Layers that behave differently in training and evaluation mode.
_MODE_DEPENDENT = (torch.nn.Dropout, torch.nn.Dropout2d, torch.nn.modules.batchnorm._BatchNorm)


class Trainer(ExactState):
    def __init__(self, spec: SessionSpec, *, data: PreparedData | None = None,
                 callbacks: Iterable[Callback] = (), control: TrainControl | None = None,
                 interactive: bool = False) -> None:
        spec.validate()
        self.spec = spec
        self.device = resolve_device(spec.train.device)
        self.data = data or prepare(spec.data)
        self.head = self._resolve_head()
        self.metric_names = self._resolve_metrics()
        _seed_everything(spec.train.seed)
        self.built: BuiltModel = build_model(spec.model, self.data.input_shape, self.head)
        self.model = self.built.module.to(self.device)
        self._labelled_parameters = [(self.built.layer_of_parameter[name], p)
                                     for name, p in self.model.named_parameters()]
        self._mode_matters = any(isinstance(m, _MODE_DEPENDENT) for m in self.model.modules())
        self._place_data()
        self.interactive = interactive
        self.threads = choose_threads(spec.train.threads, self.work_per_update(), interactive)
        self.loss_fn = self.head.criterion()
        self.optimizer = build_optimizer(spec.optimizer.name, spec.optimizer.lr,
                                         dict(spec.optimizer.params), spec.train.l2,
                                         self.model.parameters())
        self.is_lbfgs = optimizer_kind(spec.optimizer.name).full_batch_only
        self.base_lr = spec.optimizer.lr
        self.schedule = LRSchedule(spec.schedule.name, dict(spec.schedule.params),
                                   spec.schedule.warmup_epochs, spec.train.epochs,
                                   self.steps_per_epoch)
        self.shuffle_generator = torch.Generator().manual_seed(spec.train.seed)
        self.control = control or TrainControl()
        self.control.validator = self.validate_hyperparameters
        self.history = History()
        self.noise = GradientNoise()
        self.callbacks: list[Callback] = [self.history, DivergenceGuard(), WeightTrajectory(),
                                          self.noise,
                                          *self._spec_callbacks(), *callbacks]
        self.epoch = 0          # epochs completed
        self.step = 0           # updates made
        self.batch = 0          # position inside the current epoch
        self.stop_reason: str | None = None
        self.stop_message = ""
        self.validated = True   # whether the last epoch evaluated the validation split
        self._perm: torch.Tensor | None = None
        self._epoch_open = False  # the current epoch's order is drawn
        self._batch_index: list[torch.Tensor] | None = None
        self._yp = self._outputs = None
        # The shuffle generator's state before this epoch's permutation was drawn: what a
        # state saved before the epoch's first update must hold (see state_dict()).
        self._shuffle_before_epoch: torch.Tensor | None = None
        self._epoch_seconds = 0.0
        self._set_lr(self.base_lr * self.schedule.factor(0))

    # ------------------------------------------------------------------ set-up
    def _resolve_head(self) -> Head:
        dataset = self.data.dataset
        return resolve_head(self.spec.train.loss, dataset.task, dataset.n_classes,
                            self.data.n_targets, dataset.info.name)

    def _resolve_metrics(self) -> tuple[str, ...]:
        allowed = metrics_module.default_metrics(self.head.task)
        names = self.spec.train.metrics or allowed
        wrong = [name for name in names if name not in allowed]
        if wrong:
            raise SpecError(f"train.metrics: {wrong[0]} does not apply to a "
                            f"{self.head.task} task; choose from {', '.join(allowed)}.")
        return tuple(names)

    def _place_data(self) -> None:
        d, head, device = self.data, self.head, self.device
        self.x = {name: torch.from_numpy(np.ascontiguousarray(x)).to(device)
                  for name, x in (("train", d.x_train), ("val", d.x_val), ("test", d.x_test))}
        self.y = {name: head.targets(y).to(device)
                  for name, y in (("train", d.y_train), ("val", d.y_val), ("test", d.y_test))}
        self.codes = {name: metrics_module.target_codes(head, y) for name, y in self.y.items()}
        self.n_train = len(d.x_train)
        size = self.spec.train.batch_size
        self.batch_size = self.n_train if size is None else min(size, self.n_train)
        self._bounds = self._batch_bounds()
        self.steps_per_epoch = len(self._bounds)
        self.batch_sizes = [end - start for start, end in self._bounds]
        self._sizes_tensor: torch.Tensor | None = None

    def work_per_update(self) -> int:
        """Multiply-adds of one batch's forward pass through the dense and convolution
        layers (see forward_work)."""
        return forward_work(self.model, self.x["train"][:1]) * self.batch_size

    def _batch_bounds(self) -> list[tuple[int, int]]:
        """(start, end) of each batch. BatchNorm cannot normalise a batch of one sample,
        so with BatchNorm a lone last sample joins the batch before it."""
        n, size = self.n_train, self.batch_size
        bounds = [(start, min(start + size, n)) for start in range(0, n, size)]
        has_batchnorm = any(layer.kind == "batchnorm" for layer in self.spec.model.layers)
        if has_batchnorm and size == 1:
            raise SpecError("train.batch_size: BatchNorm needs at least 2 samples per "
                            "batch; use mini-batches, or remove the BatchNorm layer for "
                            "stochastic updates.")
        if has_batchnorm and len(bounds) > 1 and bounds[-1][1] - bounds[-1][0] == 1:
            bounds[-2:] = [(bounds[-2][0], n)]
        return bounds

    def _spec_callbacks(self) -> list[Callback]:
        train = self.spec.train
        extra: list[Callback] = []
        stop = train.early_stopping
        if stop.enabled:
            extra.append(EarlyStopping(stop.monitor, stop.patience, stop.min_delta,
                                       stop.restore_best))
        if train.convergence_tol > 0:
            extra.append(ConvergenceStop(train.convergence_tol, train.convergence_patience))
        return extra

    # ------------------------------------------------------------- the run
    def fit(self) -> Finished:
        """Train until the epochs are done or something stops the run."""
        self._apply_requests()  # changes made while no run was going (more epochs, say)
        torch.set_num_threads(self.threads)
        self.stop_reason, self.stop_message = None, ""
        self._fire("on_train_begin", TrainBegan(
            self.epoch, self.step, self.spec.train.epochs, self.steps_per_epoch,
            describe(self.device), self.threads))
        try:
            self._check_step_limit()
            while self.epoch < self.spec.train.epochs and self.stop_reason is None:
                if self._run_epoch():
                    self._end_epoch()
                self._check_step_limit()
            self._fire("on_loop_end")  # callbacks may still judge the outcome (NaN weights)
        except Exception as exc:
            self._fire("on_train_end", Finished("failed", f"Training failed: {exc}",
                                                self.epoch, self.step))
            raise
        test = self.evaluate("test")
        judge_test_loss(self, test)
        finished = Finished(self.stop_reason or "completed", self.stop_message,
                            self.epoch, self.step, test)
        self._fire("on_train_end", finished)
        return finished

    def request_stop(self, reason: str, message: str = "") -> None:
        """Ask the run to end after the current epoch (callbacks use this)."""
        if self.stop_reason is None:
            self.stop_reason, self.stop_message = reason, message

    def _check_step_limit(self) -> None:
        limit = self.spec.train.max_steps
        if limit and self.step >= limit:
            self.request_stop("max_steps", f"Stopped after {self.step} updates "
                                           f"(the limit is {limit}).")

    def _begin_epoch(self) -> None:
        self._shuffle_before_epoch = self.shuffle_generator.get_state()
        perm = None
        if self.steps_per_epoch > 1:  # full batch: the order of the rows changes nothing
            perm = torch.randperm(self.n_train, generator=self.shuffle_generator)
        self._set_order(perm)
        self._outputs, self._losses = [], []
        self._epoch_seconds = 0.0

    def _set_order(self, perm: torch.Tensor | None) -> None:
        """The epoch's order. The inputs are never copied in that order: each batch is
        gathered by index from the resident data (a whole permuted copy cost 57-290 ms
        and 188 MB per epoch on 60,000 x 784). The targets and metric codes, a column
        or a few, are permuted once, since the epoch's metrics need them in this order."""
        y, codes = self.y["train"], self.codes["train"]
        self._perm, self._epoch_open = perm, True
        if perm is None:
            self._batch_index, self._yp, self._codes = None, y, codes
            return
        index = perm.to(self.device)
        self._batch_index = list(index.split(self.batch_sizes))
        self._yp = y.index_select(0, index)
        self._codes = None if codes is None else codes.index_select(0, index)

    def _run_epoch(self) -> bool:
        """Run the remaining batches of the current epoch; True if it completed."""
        if not self._epoch_open:  # a new epoch (one begun and stopped before its first
            self._begin_epoch()   # update keeps the permutation it drew)
        if self._mode_matters or not self.model.training:
            self.model.train()
        started = time.perf_counter()
        control, limit = self.control, self.spec.train.max_steps
        spe = self.steps_per_epoch
        x, index, gather = self.x["train"], self._batch_index, torch.index_select
        targets = self._yp.split(self.batch_sizes) if index is not None else [self._yp]
        keep_output, keep_loss = self._outputs.append, self._losses.append
        update = self._update_lbfgs if self.is_lbfgs else self._make_update()
        per_update_lr = self.schedule.within_epoch
        watchers = [c.on_update_end for c in self.callbacks if c.on_update_end is not None]
        for k in range(self.batch, spe):
            stepped = False
            if control.pending:
                gate = self._gate()
                if gate is None:
                    self.request_stop("stopped", "Stopped on request.")
                    break
                stepped = gate == "step"
            out, loss = update(x if index is None else gather(x, 0, index[k]), targets[k])
            keep_output(out.detach())  # the epoch's metrics come from these, in one pass
            keep_loss(loss.detach())
            self.step += 1
            self.batch = k + 1
            if per_update_lr:
                self._set_lr(self.base_lr * self.schedule.factor(self.step))
            if stepped:
                self._fire("on_batch_stepped", BatchStepped(
                    self.epoch, self.step, self.batch, float(loss.detach())))
            if watchers:
                for watcher in watchers:
                    watcher(self)
            if limit and self.step >= limit:
                break
        self._epoch_seconds += time.perf_counter() - started
        return self.batch == spe

    def _make_update(self):
        """The per-batch update, with only the optional steps the spec switches on."""
        model, loss_fn, optimizer = self.model, self.loss_fn, self.optimizer
        train = self.spec.train
        params = [p for p in model.parameters() if p.requires_grad]
        l1_weights = self._l1_weights() if train.l1 > 0 else []
        l1, clip_norm, clip_value = train.l1, train.clip_norm, train.clip_value
        step = eager_step(optimizer)

        def update(xb: torch.Tensor, yb: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
            zero_grad(params)
            out = model(xb)
            loss = loss_fn(out, yb)
            loss.backward()
            if l1_weights:
                _add_l1_gradient(l1_weights, l1)
            if clip_value:
                torch.nn.utils.clip_grad_value_(params, clip_value, foreach=True)
            if clip_norm:
                torch.nn.utils.clip_grad_norm_(params, clip_norm, foreach=True)
            step()
            return out, loss

        return update

    def _update_lbfgs(self, xb: torch.Tensor, yb: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        train = self.spec.train
        params = [p for p in self.model.parameters() if p.requires_grad]
        l1_weights = self._l1_weights() if train.l1 > 0 else []
        first: list[torch.Tensor] = []

        def closure() -> torch.Tensor:
            zero_grad(params)
            out = self.model(xb)
            loss = self.loss_fn(out, yb)
            if train.l2:  # L-BFGS has no weight_decay: the same penalty, in the loss
                loss = loss + 0.5 * train.l2 * sum((p * p).sum() for p in params)
            loss.backward()
            if l1_weights:
                _add_l1_gradient(l1_weights, train.l1)
            if train.clip_value:
                torch.nn.utils.clip_grad_value_(params, train.clip_value)
            if train.clip_norm:
                torch.nn.utils.clip_grad_norm_(params, train.clip_norm)
            if not first:
                first.extend((out, loss))
            return loss

        self.optimizer.step(closure)
        return first[0], first[1]

    def _l1_weights(self) -> list[torch.Tensor]:
        return [p for name, p in self.model.named_parameters()
                if name.endswith("weight") and p.ndim > 1]

    def _gate(self) -> str | None:
        """Serve the control between batches: 'run', 'step', or None to stop."""
        reported_pause = False
        waited_from = time.perf_counter()
        try:
            while True:
                self._apply_requests()
                if self.control.stop_requested:
                    return None
                verdict = self.control.admit_batch()
                if verdict is not None:
                    if reported_pause and verdict == "run":
                        self._fire("on_resumed", Resumed(self.epoch, self.step))
                    return verdict
                if not reported_pause:
                    self._fire("on_paused", Paused(self.epoch, self.step, self.batch))
                    reported_pause = True
                self.control.wait_for_change()
        finally:
            if reported_pause:  # time spent paused is not training time
                self._epoch_seconds -= time.perf_counter() - waited_from

    def _apply_requests(self) -> None:
        changes, checkpoint = self.control.take_requests()
        if changes:
            self._apply_hyperparameters(changes)
        if checkpoint:
            self._fire("on_checkpoint")

    # ------------------------------------------------------ end of an epoch
    def _end_epoch(self) -> None:
        self.epoch += 1
        self.batch = 0
        ended = time.perf_counter()
        logs: dict[str, float] = {"epoch": self.epoch, "step": self.step}
        with torch.no_grad():
            outputs = torch.cat(self._outputs) if len(self._outputs) > 1 else self._outputs[0]
            logs["loss"] = self._epoch_loss()
            logs.update(metrics_module.compute(self.head, self.metric_names, outputs,
                                               self._yp, self._codes))
        every = self.spec.train.validate_every
        self.validated = (every == 1 or self.epoch % every == 0
                          or self.epoch >= self.spec.train.epochs)
        if self.validated:
            logs.update(self.evaluate("val"))
        logs.update(self.noise.take_epoch())
        logs["lr"] = self.current_lr
        seconds = self._epoch_seconds + (time.perf_counter() - ended)
        logs["seconds"] = seconds
        logs["samples_per_s"] = self.n_train / seconds if seconds > 0 else math.inf
        event = EpochEnded(logs, *self._norms())
        self._yp = self._outputs = self._losses = self._batch_index = None
        self._epoch_open, self._shuffle_before_epoch = False, None
        self.control.end_of_epoch()
        # Reduce-on-plateau watches the validation loss where there is a validation split,
        # so an epoch that skipped validation gives it nothing to judge.
        monitored = logs.get("val_loss") if len(self.x["val"]) else logs["loss"]
        if monitored is not None:
            self.schedule.on_epoch_end(monitored)
        self._set_lr(self.base_lr * self.schedule.factor(self.step))
        self._fire("on_epoch_end", event)

    def _epoch_loss(self) -> float:
        """The mean loss over the epoch's samples, from the batch losses already computed
        (recomputing it over all outputs costs more: log_softmax over a (n, 10) tensor
        was measured at 80-165 us here)."""
        if self._sizes_tensor is None:
            self._sizes_tensor = torch.tensor(self.batch_sizes, dtype=torch.float32,
                                              device=self.device)
        return torch.dot(torch.stack(self._losses), self._sizes_tensor).item() / self.n_train

    def _norms(self) -> tuple[dict[str, float], dict[str, float]]:
        """Per-layer L2 norms of the last update's gradients and of the weights, from
        one fused norm call over both lists."""
        named = self._labelled_parameters
        grads = [(label, p.grad) for label, p in named if p.grad is not None]
        weights = [(label, p.detach()) for label, p in named]
        tensors = [t for _, t in grads] + [t for _, t in weights]
        if not tensors:
            return {}, {}
        squares = [norm.item() ** 2 for norm in torch._foreach_norm(tensors)]
        return (_sum_by_label(grads, squares[:len(grads)]),
                _sum_by_label(weights, squares[len(grads):]))

    def evaluate(self, split: str) -> dict[str, float]:
        """Loss and metrics on 'train', 'val' or 'test', prefixed (val_loss, ...)."""
        x, y = self.x[split], self.y[split]
        if len(x) == 0:
            return {}
        prefix = "" if split == "train" else f"{split}_"
        with torch.inference_mode():
            out = self._forward_eval(x)
            result = {"loss": float(self.loss_fn(out, y))}
            result.update(metrics_module.compute(self.head, self.metric_names, out, y,
                                                 self.codes[split]))
        return {prefix + key: value for key, value in result.items()}

    def predict_raw(self, x: torch.Tensor) -> torch.Tensor:
        """The network's raw outputs in evaluation mode (dropout off, running BN stats)."""
        with torch.inference_mode():
            out = self._forward_eval(x)
        return out.clone()  # a normal tensor, usable outside inference mode

    def _forward_eval(self, x: torch.Tensor) -> torch.Tensor:
        was_training = self.model.training
        if self._mode_matters:  # switching modes walks every module: skip when moot
            self.model.eval()
        try:
            if len(x) <= _EVAL_CHUNK:
                return self.model(x)
            return torch.cat([self.model(x[i:i + _EVAL_CHUNK])
                              for i in range(0, len(x), _EVAL_CHUNK)])
        finally:
            if self._mode_matters:
                self.model.train(was_training)

    # ------------------------------------------------------- hyperparameters
    @property
    def current_lr(self) -> float:
        return float(self.optimizer.param_groups[0]["lr"])

    def _set_lr(self, lr: float) -> None:
        for group in self.optimizer.param_groups:
            group["lr"] = lr

    def validate_hyperparameters(self, changes: dict[str, Any]) -> dict[str, Any]:
        """Check live changes (lr and the optimizer's own parameters); raise SpecError."""
        changes = dict(changes)
        result: dict[str, Any] = {}
        for name, low, high in (("epochs", 1, 10_000_000), ("validate_every", 1, 10_000_000),
                                ("threads", 0, 1024)):  # whole numbers read between epochs
            if name in changes:
                value = changes.pop(name)
                if isinstance(value, bool) or not isinstance(value, int) or \
                        not low <= value <= high:
                    raise SpecError(f"{name}: {value!r} is out of range; allowed {low} to "
                                    f"{high}.")
                result[name] = value
        if "lr" in changes:
            lr = changes.pop("lr")
            if not isinstance(lr, (int, float)) or not (1e-8 <= lr <= 100):
                raise SpecError(f"lr: {lr!r} is out of range; allowed 1e-08 to 100.")
            result["lr"] = float(lr)
        if changes:
            kind = optimizer_kind(self.spec.optimizer.name)
            schema = tuple(p for p in kind.params if p.name in changes)
            unknown = sorted(set(changes) - {p.name for p in schema})
            if unknown:
                raise SpecError(f"{unknown[0]}: {kind.label} has no such hyperparameter; "
                                f"it has lr{''.join(', ' + p.name for p in kind.params)}.")
            result.update(coerce_params(schema, changes, "optimizer"))
        return result

    def change_hyperparameters(self, **changes: Any) -> dict[str, Any]:
        """Apply live changes now, outside a run (nothing else may touch the trainer);
        during a run, go through the TrainControl instead. Raises SpecError if bad."""
        changes = self.validate_hyperparameters(changes)
        if changes:
            self._apply_hyperparameters(changes, in_run=False)
        return changes

    def _apply_hyperparameters(self, changes: dict[str, Any], in_run: bool = True) -> None:
        params = {k: v for k, v in changes.items() if k not in ("lr", "epochs",
                                                                 "validate_every", "threads")}
        for name in ("validate_every", "threads"):
            if name in changes:
                self.spec = replace(self.spec, train=replace(self.spec.train,
                                                             **{name: changes[name]}))
        if "threads" in changes:  # takes effect now in a run, else when the next one starts
            self.threads = choose_threads(changes["threads"], self.work_per_update(),
                                          self.interactive)
            if in_run:
                torch.set_num_threads(self.threads)
        if "epochs" in changes:  # the run and its schedule are re-planned
            self.spec = replace(self.spec, train=replace(self.spec.train,
                                                         epochs=changes["epochs"]))
            self.schedule.replan(changes["epochs"])
            self._set_lr(self.base_lr * self.schedule.factor(self.step))
        optimizer_spec = self.spec.optimizer
        if "lr" in changes:
            self.base_lr = changes["lr"]
            self._set_lr(self.base_lr * self.schedule.factor(self.step))
            optimizer_spec = replace(optimizer_spec, lr=self.base_lr)
        if params:
            apply_hyperparameters(self.optimizer, optimizer_spec.name, params)
            optimizer_spec = replace(optimizer_spec,
                                     params={**optimizer_spec.params, **params})
        self.spec = replace(self.spec, optimizer=optimizer_spec)
        self._fire("on_hyperparameters_changed",
                   HyperparametersChanged(self.epoch, self.step, changes))

    # ------------------------------------------------------------ callbacks
    def _fire(self, hook: str, *event: Any) -> None:
        for callback in self.callbacks:
            getattr(callback, hook)(self, *event)


# ------------------------------------------------------------------- helpers

def _add_l1_gradient(weights: list[torch.Tensor], strength: float) -> None:
    """The L1 penalty strength * sum|w|, applied through its (sub)gradient."""
    grads = [w.grad for w in weights if w.grad is not None]
    if grads:
        torch._foreach_add_(grads, torch._foreach_sign([w.detach() for w in weights
                                                        if w.grad is not None]),
                            alpha=strength)


def _sum_by_label(named: list[tuple[str, torch.Tensor]],
                  squares: list[float]) -> dict[str, float]:
    totals: dict[str, float] = {}
    for (label, _), square in zip(named, squares):
        totals[label] = totals.get(label, 0.0) + square
    return {label: math.sqrt(total) for label, total in totals.items()}


def _seed_everything(seed: int) -> None:
    random.seed(seed)
    np.random.seed(seed % 2**32)
    torch.manual_seed(seed)
