"""Callbacks: small objects the trainer calls at fixed points of the run.

A callback may stop the run through `trainer.request_stop(reason, message)`, and in
`on_loop_end` (the loop is over, the outcome not yet made) still change its reason; it keeps
its own state in state_dict()/load_state_dict() so a resumed run behaves identically.
Callbacks see the trainer as a TrainerView, declared here: the trainer imports the
callbacks, so they must not import it back.
"""
from __future__ import annotations

import math
from array import array
from typing import Any, Callable, Protocol

import numpy as np
import torch

from .events import (BatchStepped, EpochEnded, Finished, HyperparametersChanged, Paused,
                     Resumed, TrainBegan)


class TrainerView(Protocol):
    """What a callback may read and change of the run that calls it (the Trainer, or a
    stacked run's view of one of its rows)."""

    model: torch.nn.Module
    data: Any                   # the prepared data (core.data.PreparedData)
    history: "History"
    callbacks: list["Callback"]
    epoch: int                  # epochs completed
    step: int                   # updates made
    batch: int                  # position inside the current epoch
    n_train: int                # training rows
    steps_per_epoch: int
    batch_sizes: list[int]      # the rows of each batch of an epoch, in order
    stop_reason: str | None     # a callback may change it in on_loop_end
    stop_message: str

    @property
    def current_lr(self) -> float: ...
    def evaluate(self, split: str) -> dict[str, float]: ...
    def request_stop(self, reason: str, message: str = "") -> None: ...


class Callback:
    """Base class: every hook does nothing; override what you need."""

    name = "callback"

    def on_train_begin(self, trainer: TrainerView, event: TrainBegan) -> None: ...
    def on_epoch_end(self, trainer: TrainerView, event: EpochEnded) -> None: ...
    def on_paused(self, trainer: TrainerView, event: Paused) -> None: ...
    def on_resumed(self, trainer: TrainerView, event: Resumed) -> None: ...
    def on_batch_stepped(self, trainer: TrainerView, event: BatchStepped) -> None: ...
    def on_hyperparameters_changed(self, trainer: TrainerView,
                                   event: HyperparametersChanged) -> None: ...
    def on_checkpoint(self, trainer: TrainerView) -> None: ...
    def on_loop_end(self, trainer: TrainerView) -> None: ...
    def on_train_end(self, trainer: TrainerView, event: Finished) -> None: ...

    # Called with the trainer after every update, by a callback that sets it to a method:
    # the trainer gathers these once per epoch and calls none when there are none, so a
    # run that nobody watches between epochs pays nothing per batch.
    on_update_end: Callable[[TrainerView], None] | None = None

    def state_dict(self) -> dict[str, Any]:
        return {}

    def load_state_dict(self, state: dict[str, Any]) -> None:
        pass


class History(Callback):
    """Every epoch's logs, stored as float64 columns (8 bytes a value, so 100,000 epochs
    of a dozen values take about 10 MB), and every hyperparameter change, in order.
    Each layer's gradient norm is a column too, named GRAD_PREFIX + the layer's label,
    so a saved session carries them and its plots can be redrawn whole; `records`
    leaves them out (they are not logs), `events()` gives them back."""

    name = "history"
    GRAD_PREFIX = "grad_norm/"

    def __init__(self) -> None:
        self.columns: dict[str, array] = {}
        self.length = 0
        self.changes: list[dict[str, Any]] = []

    def on_epoch_end(self, trainer: TrainerView, event: EpochEnded) -> None:
        if event.grad_norms:
            prefix = self.GRAD_PREFIX
            self.append({**event.logs,
                         **{prefix + label: value for label, value in event.grad_norms.items()}})
        else:
            self.append(event.logs)

    def append(self, logs: Any) -> None:
        for key, value in logs.items():
            column = self.columns.get(key)
            if column is None:
                column = self.columns[key] = array("d", [math.nan]) * self.length
            column.append(float(value))
        self.length += 1
        for column in self.columns.values():
            if len(column) < self.length:  # a key this epoch did not log
                column.append(math.nan)

    def on_hyperparameters_changed(self, trainer: TrainerView,
                                   event: HyperparametersChanged) -> None:
        self.changes.append({"epoch": event.epoch, "step": event.step,
                             **dict(event.changes)})

    def column(self, key: str) -> list[float]:
        return list(self.columns.get(key, array("d", [math.nan]) * self.length))

    @property
    def grad_norm_labels(self) -> list[str]:
        """The layers whose gradient norms are stored, input side first."""
        prefix = self.GRAD_PREFIX
        return [key[len(prefix):] for key in self.columns if key.startswith(prefix)]

    @property
    def records(self) -> list[dict[str, float]]:
        """The epochs' logs as dicts (built on demand); 'epoch' and 'step' as whole
        numbers. The gradient-norm columns are not logs and are left out."""
        keys = [key for key in self.columns if not key.startswith(self.GRAD_PREFIX)]
        rows = []
        for index in range(self.length):
            row = {key: self.columns[key][index] for key in keys}
            for key in ("epoch", "step"):
                if key in row and math.isfinite(row[key]):
                    row[key] = int(row[key])
            rows.append(row)
        return rows

    def at_epoch(self, epoch: int) -> dict[str, float] | None:
        """The logs recorded at the end of `epoch` (as `records` gives them), or None."""
        epochs = self.columns.get("epoch", ())
        index = next((i for i in range(len(epochs) - 1, -1, -1) if epochs[i] == epoch), None)
        if index is None:
            return None
        row = {key: column[index] for key, column in self.columns.items()
               if not key.startswith(self.GRAD_PREFIX)}
        return {**row, **{key: int(row[key]) for key in ("epoch", "step")
                          if key in row and math.isfinite(row[key])}}

    def events(self) -> list[EpochEnded]:
        """The epochs as EpochEnded events, gradient norms included (NaN where a layer
        had none), as the trainer sent them: what a reopened session's plots replay.
        (Weight norms are not stored.)"""
        prefix = self.GRAD_PREFIX
        grads = [(label, self.columns[prefix + label]) for label in self.grad_norm_labels]
        return [EpochEnded(logs, {label: column[index] for label, column in grads})
                for index, logs in enumerate(self.records)]

    def state_dict(self) -> dict[str, Any]:
        return {"columns": {k: torch.tensor(v, dtype=torch.float64)
                            for k, v in self.columns.items()},
                "length": self.length, "changes": [dict(c) for c in self.changes]}

    def load_state_dict(self, state: dict[str, Any]) -> None:
        self.columns = {k: array("d", v.tolist()) for k, v in state["columns"].items()}
        self.length = int(state["length"])
        self.changes = [dict(c) for c in state["changes"]]


class DivergenceGuard(Callback):
    """Stops a run that diverged, with a sentence and a suggestion: the loss became NaN
    or infinite; or exploded to EXPLOSION times its starting value; or stayed above
    FACTOR times its starting value for PATIENCE epochs while the task's metric was no
    better than chance (accuracy within CHANCE_MARGIN of always guessing the commonest
    class; R² at or below 0). The starting value is the untrained network's loss on the
    training rows (the first epoch's loss for runs saved before it was recorded). The
    margins are wide on purpose: a rough run that still learns never comes near them."""

    name = "divergence_guard"
    EXPLOSION = 1e4   # times the starting loss: stop at once
    FACTOR = 10.0     # times the starting loss, sustained ...
    PATIENCE = 3      # ... for this many epochs, with the metric at chance
    CHANCE_MARGIN = 0.05

    def __init__(self) -> None:
        self.reference: float | None = None   # the first epoch's loss
        self.initial: float | None = None     # the untrained network's loss
        self.above = 0                        # epochs in a row far above the start
        self._chance: float | None = None

    def on_train_begin(self, trainer: TrainerView, event: TrainBegan) -> None:
        if self.initial is None and trainer.step == 0:
            loss = trainer.evaluate("train").get("loss", math.nan)  # no randomness used
            if math.isfinite(loss):
                self.initial = max(loss, 1e-12)

    def on_epoch_end(self, trainer: TrainerView, event: EpochEnded) -> None:
        logs = event.logs
        loss, lr = logs["loss"], logs["lr"]
        if not math.isfinite(loss):
            self._stop(trainer, event.epoch, f"the loss became "
                       f"{'NaN' if math.isnan(loss) else 'infinite'}", lr)
            return
        val = logs.get("val_loss")
        if val is not None and not math.isfinite(val):
            trainer.request_stop("diverged", nonfinite_split_message(
                event.epoch, "validation", val, loss, lr))
            return
        if self.reference is None:
            self.reference = max(loss, 1e-12)
        start = self.initial if self.initial is not None else self.reference
        if loss > self.EXPLOSION * start and loss > 1e3:
            self._stop(trainer, event.epoch, f"the loss exploded to {loss:.3g} from "
                       f"{start:.3g}", lr)
            return
        chance = self._at_chance(trainer, logs)
        self.above = self.above + 1 if (loss > self.FACTOR * start and chance) else 0
        if self.above >= self.PATIENCE:
            self._stop(trainer, event.epoch, f"the loss has stayed above "
                       f"{self.FACTOR:g}x its starting value ({start:.3g}, now "
                       f"{loss:.3g}) for {self.above} epochs, with {chance}", lr)

    def on_loop_end(self, trainer: TrainerView) -> None:
        """A run cut short (a step limit, Stop) between epochs is checked too: NaN
        weights make every metric NaN, and the outcome says so instead of 'stopped'."""
        if trainer.stop_reason == "diverged" or not any(
                not bool(torch.isfinite(p).all()) for p in trainer.model.parameters()):
            return
        lr = trainer.current_lr
        ended = trainer.stop_message.rstrip(".") if trainer.stop_message else \
            f"Ended after {trainer.step} updates"
        trainer.stop_reason = "diverged"
        trainer.stop_message = (
            f"{ended}, but training had diverged: the weights hold NaN or infinite values "
            f"(learning rate {lr:.3g}), so the updates are too large; try a learning rate "
            f"10x lower ({lr / 10:.3g}) or turn on gradient clipping.")

    def _at_chance(self, trainer: TrainerView, logs: Any) -> str:
        """Words for 'the metric is at chance' (truthy), or '' when it is not."""
        if "accuracy" in logs:
            if self._chance is None:
                y = np.asarray(trainer.data.y_train).reshape(-1)
                counts = np.unique(y, return_counts=True)[1] if len(y) else np.array([1])
                self._chance = float(counts.max() / max(len(y), 1))
            accuracy = logs["accuracy"]
            return (f"the accuracy at chance ({accuracy:.2f})"
                    if accuracy <= self._chance + self.CHANCE_MARGIN else "")
        if "r2" in logs:
            return f"R\u00b2 at or below 0 ({logs['r2']:.3g})" if not logs["r2"] > 0 else ""
        return "the metrics unimproved"

    @staticmethod
    def _stop(trainer: TrainerView, epoch: int, what: str, lr: float) -> None:
        trainer.request_stop(
            "diverged",
            f"Training diverged at epoch {epoch}: {what}, with learning rate {lr:.3g}, so "
            f"the updates are too large; try a learning rate 10x lower ({lr / 10:.3g}) or "
            f"turn on gradient clipping.",
        )

    def state_dict(self) -> dict[str, Any]:
        return {"reference": self.reference, "initial": self.initial,
                "above": self.above}

    def load_state_dict(self, state: dict[str, Any]) -> None:
        self.reference = state.get("reference")
        self.initial = state.get("initial")  # absent from sessions saved before it
        self.above = int(state.get("above", 0))


def nonfinite_split_message(epoch: int, split: str, value: float, train_loss: float,
                            lr: float) -> str:
    """The stop sentence for a validation or test loss that is NaN or infinite while
    the training loss is finite."""
    what = "NaN" if math.isnan(value) else "infinite"
    train = f" while the training loss is {train_loss:.4g}" if math.isfinite(train_loss) else ""
    return (f"The {split} loss became {what} at epoch {epoch}{train}: the network's "
            f"outputs on rows it did not train on overflow, so its weights have grown far "
            f"too large (learning rate {lr:.3g}); try a learning rate 10x lower "
            f"({lr / 10:.3g}) or L2.")


def judge_test_loss(trainer: Any, test: dict[str, float]) -> None:
    """A run whose test loss is NaN or infinite ends "diverged", whatever ended it, with
    a sentence after the one it had (its weights are finite: NaN weights were judged
    already)."""
    loss = test.get("test_loss")
    if loss is None or math.isfinite(loss) or trainer.stop_reason == "diverged":
        return
    history = getattr(trainer, "history", None)  # a stacked run's view has none
    losses = history.columns.get("loss", ()) if history is not None else ()
    said = nonfinite_split_message(trainer.epoch, "test", loss,
                                   losses[-1] if losses else math.nan, trainer.current_lr)
    trainer.stop_reason = "diverged"
    trainer.stop_message = f"{trainer.stop_message} {said}".strip()


class EarlyStopping(Callback):
    """Stops when the monitored loss has not improved by min_delta for `patience` epochs;
    optionally puts back the weights of the best epoch."""

    name = "early_stopping"

    def __init__(self, monitor: str = "val_loss", patience: int = 10,
                 min_delta: float = 0.0, restore_best: bool = True) -> None:
        self.monitor, self.patience = monitor, patience
        self.min_delta, self.restore_best = min_delta, restore_best
        self.best = math.inf
        self.best_epoch = 0
        self.wait = 0
        self.best_weights: dict[str, torch.Tensor] | None = None
        self.restored_epoch = 0  # the epoch whose weights the model holds again (0: none)

    def on_epoch_end(self, trainer: TrainerView, event: EpochEnded) -> None:
        self.restored_epoch = 0  # an epoch trained after a restore moved the weights on
        if self.monitor not in event.logs and not getattr(trainer, "validated", True):
            return  # an epoch without validation (train.validate_every): nothing to judge
        value = event.logs.get(self.monitor, math.nan)
        if math.isfinite(value) and value < self.best - self.min_delta:
            self.best, self.best_epoch, self.wait = value, event.epoch, 0
            if self.restore_best:
                self.best_weights = {k: v.detach().clone()
                                     for k, v in trainer.model.state_dict().items()}
            return
        self.wait += 1
        if self.wait >= self.patience:
            message = (f"Stopped early: {self.monitor} has not improved for "
                       f"{self.patience} epochs (best {self.best:.4g} at epoch "
                       f"{self.best_epoch}).")
            if self.restore_best and self.best_weights is not None:
                trainer.model.load_state_dict(self.best_weights)
                self.restored_epoch = self.best_epoch
                message += " The weights of that epoch were restored."
            trainer.request_stop("early_stopping", message)

    def state_dict(self) -> dict[str, Any]:
        return {"best": self.best, "best_epoch": self.best_epoch, "wait": self.wait,
                "best_weights": self.best_weights, "restored_epoch": self.restored_epoch}

    def load_state_dict(self, state: dict[str, Any]) -> None:
        self.best, self.best_epoch = float(state["best"]), int(state["best_epoch"])
        self.wait, self.best_weights = int(state["wait"]), state["best_weights"]
        self.restored_epoch = int(state.get("restored_epoch", 0))  # older files: none


def restored_figures(trainer: TrainerView) -> tuple[int, dict[str, float]] | None:
    """When early stopping has put back an earlier epoch's weights (and nothing trained
    since): that epoch and its logs, which are then the model's figures; else None."""
    for callback in trainer.callbacks:
        epoch = getattr(callback, "restored_epoch", 0)
        if isinstance(callback, EarlyStopping) and epoch:
            logs = trainer.history.at_epoch(epoch)
            return (epoch, logs) if logs is not None else None
    return None


class ConvergenceStop(Callback):
    """Stops once the training loss changes by less than `tolerance` for `patience`
    epochs in a row: the descent has converged."""

    name = "convergence"

    def __init__(self, tolerance: float, patience: int) -> None:
        self.tolerance, self.patience = tolerance, patience
        self.previous: float | None = None
        self.count = 0

    def on_epoch_end(self, trainer: TrainerView, event: EpochEnded) -> None:
        loss = event.logs["loss"]
        if self.previous is not None and abs(loss - self.previous) < self.tolerance:
            self.count += 1
        else:
            self.count = 0
        self.previous = loss
        if self.count >= self.patience:
            trainer.request_stop(
                "converged", f"Converged: the loss changed by less than "
                f"{self.tolerance:g} for {self.patience} epochs in a row.")

    def state_dict(self) -> dict[str, Any]:
        return {"previous": self.previous, "count": self.count}

    def load_state_dict(self, state: dict[str, Any]) -> None:
        self.previous, self.count = state["previous"], int(state["count"])


class Checkpointing(Callback):
    """Calls `save(trainer)` (the trainer itself: a save reads all its state) every
    `every` epochs and whenever a checkpoint is requested."""

    name = "checkpointing"

    def __init__(self, save: Callable[[Any], None], every: int) -> None:
        self.save, self.every = save, every

    def on_epoch_end(self, trainer: TrainerView, event: EpochEnded) -> None:
        if self.every and event.epoch % self.every == 0:
            self.save(trainer)

    def on_checkpoint(self, trainer: TrainerView) -> None:
        self.save(trainer)


class GradientNoise(Callback):
    """Per epoch, from mini-batch gradients the run computes anyway: the simple gradient
    noise scale B_simple = tr(Σ) / |G|² (McCandlish et al. 2018, "An Empirical Model of
    Large-Batch Training"), about the batch size beyond which a larger batch buys little
    speed; and the mean cosine between successive updates (near 1: the steps agree; near
    0 or below: they zigzag, as noisy small-batch steps do).

    Each epoch copies the gradients of some updates into the rows of one buffer (one
    _foreach_copy_ per update read, about 4 µs; the sums are taken once, at the epoch's
    end): every update's where the buffer holds them all (`budget` numbers: every epoch
    of a small network), else pairs of successive updates, evenly spread, as many as it
    holds (at least `samples` rows). Reading every update costs a small network 4-8%
    more time than reading four did (tests/bench/bench_noise.py); a ring of two rows
    with the products summed per update cost more (three calls per update). The weights
    are read around one pair of successive updates. An epoch's batches are disjoint rows
    drawn without replacement, so a batch of b rows has E|g_b|² = |G|² + tr(Σ) c(b),
    c(b) = (N - b) / (b (N - 1)), and two batches of the epoch E[g_j·g_k] = |G|² - tr(Σ)
    / (N - 1): the squared norms and the products of successive batches' gradients give
    an unbiased estimate of both, from gradients one update apart. (Four batches' mean,
    the estimate before, left |G|² a small difference of noisy numbers: negative every
    epoch on the spiral, batch 10. The whole epoch's mean gradient has no sampling noise
    but turns with the weights: on the spiral its |G|² was about a seventh of the
    successive batches'.) As in the paper, the two are averaged over epochs before they
    are divided (exponentially, `decay` per epoch): B_simple = tr(Σ)-average /
    |G|²-average. NaN with fewer than two batches per epoch (full-batch training has no
    batch noise), or while the |G|² average is not positive (the batches cannot tell the
    gradient from its noise)."""

    name = "gradient_noise"
    samples = 4        # gradients read per epoch at least (when it has that many updates)
    budget = 1 << 22   # numbers the epoch's gradient rows may hold (16 MB in float32)
    decay = 0.95       # weight of the previous epochs' estimates (1: the whole run alike)

    def __init__(self) -> None:
        self.on_update_end = self._after_update
        self._params: list[torch.Tensor] = []
        self._rows = torch.zeros(0, 0)
        self._row_views: list[list[torch.Tensor]] = []
        self._updates = 0
        self._trace_sum = self._square_sum = 0.0
        self._sizes: list[int] = []
        self._n = 0
        self._plan(0)

    def on_train_begin(self, trainer: TrainerView, event: TrainBegan) -> None:
        params = [p for p in trainer.model.parameters() if p.requires_grad]
        if len(params) != len(self._params) or any(a is not b for a, b in
                                                    zip(params, self._params)):
            size, device = sum(p.numel() for p in params), \
                (params[0].device if params else torch.device("cpu"))
            self._params = params
            self._rows = torch.zeros(0, size, device=device)
            self._weights = torch.zeros(3, size, device=device)  # a ring of 3 snapshots
            self._taken = [-10, -10, -10]  # the update each snapshot followed
        self._sizes, self._n = trainer.batch_sizes, trainer.n_train
        self._plan(trainer.steps_per_epoch)
        if params and trainer.batch in self._weights_at:  # where the next update starts
            torch.cat([p.detach().reshape(-1) for p in params],
                      out=self._weights[(self._updates - 1) % 3])
            self._taken[(self._updates - 1) % 3] = self._updates - 1

    def _plan(self, steps: int) -> None:
        """Which of the epoch's updates are read: the gradients of all (where the buffer
        holds them) or of pairs of successive ones, evenly spread; the weights after
        three successive updates in its middle (after every update, when it has three
        or fewer)."""
        size = self._rows.shape[1]
        fits = self.budget // size if size else steps
        count = min(steps, max(self.samples, fits)) if steps >= 2 else 0
        if count == steps:
            positions = list(range(steps))
        else:  # pairs of successive updates, evenly spread
            pairs = count // 2
            starts = {min(int((i + 0.5) * steps / pairs), steps - 2) for i in range(pairs)}
            positions = sorted({j + k for j in starts for k in (0, 1)})
            count = len(positions)
        self._grads_at = {j: row for row, j in enumerate(positions)}
        if len(self._rows) != count:
            self._rows = self._rows.new_zeros(count, size)
            # Each row as the parameters' shapes, made once, so one _foreach_copy_ fills
            # it (half the time of a torch.cat of the gradients, and no indexing).
            self._row_views = [list(torch.split(row, [p.numel() for p in self._params]))
                               for row in self._rows.unbind(0)]
            for views in self._row_views:
                views[:] = [v.view_as(p) for v, p in zip(views, self._params)]
        if steps <= 3:
            self._weights_at = set(range(steps))
        else:
            middle = steps // 2
            self._weights_at = {middle - 1, middle, middle + 1}
        self._read = set(self._grads_at) | self._weights_at if self._params else set()
        self._positions: list[int] = []  # the updates whose gradients the rows hold
        self._cosines: list[float] = []

    def _after_update(self, trainer: TrainerView) -> None:
        j = trainer.batch - 1
        self._updates += 1
        if j not in self._read:  # most updates of a large epoch: nothing but this test
            return
        params = self._params
        row = self._grads_at.get(j)
        if row is not None:
            grads = [p.grad for p in params]
            if all(g is not None for g in grads):  # (`None in` would call Tensor.__eq__)
                torch._foreach_copy_(self._row_views[row], grads)  # one call for all
                self._positions.append(j)
        if j in self._weights_at:
            self._snapshot(params, self._updates - 1)

    def _snapshot(self, params: list[torch.Tensor], u: int) -> None:
        ring, taken = self._weights, self._taken
        torch.cat([p.detach().reshape(-1) for p in params], out=ring[u % 3])
        taken[u % 3] = u
        if taken[(u - 1) % 3] == u - 1 and taken[(u - 2) % 3] == u - 2:
            now = ring[u % 3] - ring[(u - 1) % 3]
            before = ring[(u - 1) % 3] - ring[(u - 2) % 3]
            norms = float(now.norm() * before.norm())
            if norms > 0:
                self._cosines.append(float(now.dot(before)) / norms)

    def take_epoch(self) -> dict[str, float]:
        """The epoch's two figures (NaN where they cannot be estimated); opens the next."""
        self._estimate()
        figures = {"grad_noise_scale": self._trace_sum / self._square_sum
                   if self._square_sum > 0 else math.nan,
                   "update_cosine": sum(self._cosines) / len(self._cosines)
                   if self._cosines else math.nan}
        self._plan(len(self._sizes) if self._params else 0)
        return figures

    def state_dict(self) -> dict[str, Any]:
        """The decaying sums, so a resumed run's noise scale goes on from them."""
        return {"trace_sum": self._trace_sum, "square_sum": self._square_sum}

    def load_state_dict(self, state: dict[str, Any]) -> None:
        self._trace_sum = float(state.get("trace_sum", 0.0))
        self._square_sum = float(state.get("square_sum", 0.0))

    def _dots(self, rows: list[int], others: list[int]) -> float:
        """The sum of the dot products of the buffer's rows with the others' (row by
        row): one dot over the block where both are runs of rows (the whole epoch read,
        the common case), else one per pair; no copy of the buffer either way."""
        if rows == list(range(rows[0], rows[0] + len(rows))) and \
                others == list(range(others[0], others[0] + len(others))):
            block = self._rows[rows[0]:rows[0] + len(rows)].reshape(-1)
            other = self._rows[others[0]:others[0] + len(others)].reshape(-1)
            return float(block.dot(other))
        table = self._rows
        return sum(float(table[i].dot(table[j])) for i, j in zip(rows, others))

    def _estimate(self) -> None:
        """This epoch's unbiased tr(Σ) and |G|², added to the decaying sums."""
        n, at = self._n, self._positions
        sizes, filled = [self._sizes[j] for j in at], [self._grads_at[j] for j in at]
        successive = [k for k in range(len(at) - 1) if at[k + 1] == at[k] + 1]
        if not successive or max(sizes) >= n:
            return
        squares = self._dots(filled, filled) / len(sizes)  # |G|² + tr(Σ) each
        firsts = [filled[k] for k in successive]
        products = self._dots(firsts, [filled[k + 1] for k in successive]) / len(successive)
        each = sum((n - b) / (b * (n - 1)) for b in sizes) / len(sizes)
        trace = (squares - products) / (each + 1 / (n - 1))
        square = products + trace / (n - 1)
        self._trace_sum = self.decay * self._trace_sum + trace
        self._square_sum = self.decay * self._square_sum + square