"""The eight health checks. Each reads the run's History (loss, val_loss, the per-layer
gradient-norm columns) and, where it needs them, layer statistics, and returns a Finding
while its condition holds, or None. The diagnosis (diagnosis.py) judges them together,
root cause first; the HealthMonitor decides when a finding is new.

The thresholds are wide on purpose: a rough run that still learns never comes near them,
and the built-in examples trained to the end trigger none (tested).
"""
from __future__ import annotations

import math
from typing import Any

import torch

from ..callbacks import DivergenceGuard, History
from ..optim import optimizer_kind
from ..spec import EarlyStoppingSpec, LayerSpec, ModelSpec, SessionSpec
from .finding import Finding


class Context:
    """What the checks read at the end of an epoch; layer statistics are computed once,
    on first use, from a fixed sample of the training rows."""

    def __init__(self, trainer, event, probe: bool,
                 saturated_before: dict[str, float] | None = None) -> None:
        self.trainer, self.event, self.probe = trainer, event, probe
        # each sigmoid/tanh layer's saturated share in the untrained network, if seen
        self.saturated_before = saturated_before or {}
        # the lowest lr at which this run was found to take too-large steps
        self.too_high_lr = math.inf
        self.epoch = event.epoch
        self.history: History = trainer.history
        self.spec: SessionSpec = trainer.spec
        self._probed: list | None = None

    def column(self, key: str):
        """The History's column itself (no copy: a check runs every epoch, and copying
        whole columns each time would make a long run quadratic); empty if absent."""
        return self.history.columns.get(key, ())

    @property
    def lr(self) -> float:
        return float(self.trainer.current_lr)

    def start_loss(self) -> float:
        """The untrained network's loss (what DivergenceGuard measured), or the first
        epoch's loss."""
        for callback in self.trainer.callbacks:
            if isinstance(callback, DivergenceGuard) and callback.initial is not None:
                return callback.initial
        losses = self.column("loss")
        return losses[0] if losses else math.nan

    def _layer_outputs(self) -> list:
        """(UnitLayer, its output on the probe rows) for each weighted layer, once."""
        if self._probed is None:
            from ..inspect.probe import activations, probe_rows, unit_layers

            layers = unit_layers(self.trainer)
            outs = activations(self.trainer, layers, probe_rows(self.trainer))
            self._probed = list(zip(layers, outs))
        return self._probed

    def dead_fractions(self) -> list[tuple[str, float]]:
        """(label, share of dead units) for each hidden ReLU layer."""
        from ..inspect.probe import per_unit
        from ..inspect.stats import dead_fraction

        shares = [(layer.label, dead_fraction(layer, per_unit(out)))
                  for layer, out in self._layer_outputs()]
        return [(label, share) for label, share in shares if not math.isnan(share)]

    def saturations(self) -> list[tuple[str, str, float]]:
        """(label, activation, share of outputs in the flat tails) for each hidden
        sigmoid or tanh layer."""
        from ..inspect.stats import saturation

        shares = [(layer.label, layer.activation, saturation(layer, out))
                  for layer, out in self._layer_outputs()]
        return [item for item in shares if not math.isnan(item[2])]


class Check:
    name = ""

    def evaluate(self, ctx: Context) -> Finding | None:
        raise NotImplementedError

    def finding(self, ctx: Context, message: str, reason: str, fix: dict[str, Any],
                fix_label: str, detail: str = "") -> Finding:
        return Finding(self.name, ctx.epoch, message, reason, fix, fix_label, detail=detail)


def _lower_lr(ctx: Context, clip: bool = True) -> tuple[dict[str, Any], str]:
    """A tenth of the spec's lr, with gradient clipping where the gradients blew up."""
    lr = ctx.spec.optimizer.lr / 10
    fix: dict[str, Any] = {"optimizer.lr": lr}
    label = f"learning rate {lr:.3g}"
    if clip and not ctx.spec.train.clip_norm:
        fix["train.clip_norm"] = 1.0
        label += ", clip gradients at norm 1"
    return fix, label


class Divergence(Check):
    """The loss is NaN or infinite, or far above where it started; or the validation
    loss is NaN or infinite while the training loss is not."""

    name = "divergence"
    FACTOR = 10.0

    def evaluate(self, ctx: Context) -> Finding | None:
        loss = ctx.column("loss")[-1]
        start = ctx.start_loss()
        val = ctx.event.logs.get("val_loss")  # the History holds NaN where none was taken
        if math.isfinite(loss) and val is not None and not math.isfinite(val):
            return nonfinite_split_finding(ctx.spec, ctx.epoch, "validation", val, loss)
        if math.isfinite(loss) and not (math.isfinite(start) and loss > self.FACTOR * start):
            return None
        what = ("became NaN" if math.isnan(loss) else "became infinite"
                if not math.isfinite(loss) else
                f"is {loss:.3g}, {loss / start:.0f} times its start ({start:.3g})")
        fix, label = _lower_lr(ctx)
        return self.finding(
            ctx, f"The loss diverged at epoch {ctx.epoch}: it {what}.",
            f"With learning rate {ctx.lr:.3g} each step overshoots the valley and lands "
            "higher up the other side, so the loss grows instead of falling.", fix, label,
            f"the loss {what}")


def nonfinite_split_finding(spec: SessionSpec, epoch: int, split: str, value: float,
                            train_loss: float) -> Finding:
    """A divergence finding for a validation or test loss that is NaN or infinite while
    the training loss is finite: the outputs on rows the network did not train on
    overflow, which only weights grown far too large make happen."""
    what = "NaN" if math.isnan(value) else "infinite"
    lr = spec.optimizer.lr / 10
    fix: dict[str, Any] = {"optimizer.lr": lr}
    label = f"learning rate {lr:.3g}"
    if not spec.train.l2:
        fix["train.l2"] = 1e-3
        label += ", L2 0.001"
    return Finding(
        "divergence", epoch,
        f"The {split} loss became {what} at epoch {epoch} while the training loss is "
        f"{train_loss:.4g}.",
        "The network's outputs on rows it did not train on are too large for the loss "
        "to be computed: its weights have grown far too large; a lower learning rate and "
        "L2 keep them small.", fix, label, f"the {split} loss became {what}")


class ExplodingGradients(Check):
    """A layer's gradient norm is infinite, ten times its weights' norm (one step of
    learning rate 0.1 would more than replace the weights), or a thousandfold its first;
    the last two only while the loss is above half its start (a loss that has fallen that
    far is descending fine: behind batch normalisation a layer's gradient is large
    beside its small, scale-free weights without harm)."""

    name = "exploding_gradients"
    GROWTH = 1e3
    RELATIVE = 10.0
    FLOOR = 10.0  # an absolute norm below which nothing is called exploding
    LEARNING = 0.5  # the share of its start below which the loss shows a working descent

    def __init__(self) -> None:
        self.first: dict[str, float] = {}   # each layer's first finite, positive norm

    def evaluate(self, ctx: Context) -> Finding | None:
        worst = None
        weights = ctx.event.weight_norms
        losses = ctx.column("loss")
        descending = bool(losses) and losses[-1] < self.LEARNING * ctx.start_loss()
        for label in ctx.history.grad_norm_labels:
            norms = ctx.column(History.GRAD_PREFIX + label)
            if label not in self.first:
                found = next((n for n in norms if math.isfinite(n) and n > 0), None)
                if found is not None:
                    self.first[label] = found
            first = self.first.get(label)
            now, weight = norms[-1], weights.get(label, math.nan)
            if now == math.inf or (now > self.FLOOR and not descending and (
                    now > self.RELATIVE * weight or now > self.GROWTH * (first or math.inf))):
                worst = (label, now, weight)
                break
        if worst is None:
            return None
        label, now, weight = worst
        grown = "is infinite" if not math.isfinite(now) else \
            f"is {now:.3g} (its weights' norm: {weight:.3g})"
        fix, fix_label = _lower_lr(ctx)
        return self.finding(
            ctx, f"Gradients are exploding: layer {label}'s gradient norm {grown}.",
            "Large gradients times the learning rate make huge steps, which make the "
            "gradients larger still; clipping the gradient norm and a lower learning rate "
            "break the loop.", fix, fix_label,
            f"gradients exploded in layer {label} (norm {now:.3g})")


def _hidden_with(model: ModelSpec, **params: Any) -> ModelSpec:
    """The model with `params` set on every Dense layer but the last (the output)."""
    dense = [i for i, layer in enumerate(model.layers) if layer.kind == "dense"]
    layers = list(model.layers)
    for i in dense[:-1]:
        layers[i] = LayerSpec("dense", {**layers[i].params, **params})
    return ModelSpec(tuple(layers))


class VanishingGradients(Check):
    """The layers near the input get under 1/1000 of the largest layer's gradient; when
    a sigmoid or tanh layer has most of its outputs in the flat tails, the finding names
    that saturation as the cause."""

    name = "vanishing_gradients"
    RATIO = 1e-3
    PATIENCE = 3  # epochs in a row
    SATURATED = 0.5  # share of a layer's outputs in the flat tails

    def __init__(self) -> None:
        self.count = 0

    def evaluate(self, ctx: Context) -> Finding | None:
        norms = {label: ctx.column(History.GRAD_PREFIX + label)[-1]
                 for label in ctx.history.grad_norm_labels}
        finite = {k: v for k, v in norms.items() if math.isfinite(v)}
        largest = max(finite.values(), default=0.0)
        weak = [k for k, v in finite.items() if v < self.RATIO * largest] if largest > 0 else []
        self.count = self.count + 1 if weak else 0
        if self.count < self.PATIENCE:
            return None
        strongest = max(finite, key=finite.get)
        where = f"layer{'s' if len(weak) > 1 else ''} {', '.join(weak)}"
        fix = {"model": _hidden_with(ctx.spec.model, activation="relu", init="he_uniform")}
        label = "ReLU hidden layers with He initialisation"
        saturated = [(name, kind, share) for name, kind, share in ctx.saturations()
                     if share >= self.SATURATED]
        if saturated:
            name, kind, share = max(saturated, key=lambda item: item[2])
            return self.finding(
                ctx, f"Gradients vanish in {where}: the {kind} units of layer {name} are "
                     f"saturated ({share:.0%} of their outputs sit in the flat tails).",
                f"A saturated {kind} unit has a slope of almost 0, so it passes almost no "
                "gradient back; large weights or too-large steps push units there, and "
                "ReLU with He initialisation has no flat tail on its positive side.",
                fix, label, f"gradients vanish in {where}: the {kind} units of layer "
                            f"{name} are saturated")
        return self.finding(
            ctx, f"Gradients vanish in {where}: under 1/{1 / self.RATIO:.0f} of layer "
                 f"{strongest}'s.",
            "Each sigmoid or tanh layer multiplies the gradient by its slope (at most 0.25 "
            "for sigmoid) on the way back, so the first layers hardly learn; ReLU with He "
            "initialisation keeps the slope at 1 (batch normalisation helps too).",
            fix, label, f"gradients vanish in {where}")


class DeadUnits(Check):
    """Most of a hidden ReLU layer's units output 0 for every input."""

    name = "dead_units"
    SHARE = 0.6

    def evaluate(self, ctx: Context) -> Finding | None:
        if not ctx.probe:
            return None
        dead = [(label, share) for label, share in ctx.dead_fractions() if share >= self.SHARE]
        if not dead:
            return None
        label, share = max(dead, key=lambda item: item[1])
        return self.finding(
            ctx, f"{share:.0%} of layer {label}'s ReLU units are dead: they output 0 "
                 "for every input.",
            "A ReLU whose input is negative everywhere has slope 0, so no gradient reaches "
            "its weights and it never recovers; Leaky ReLU keeps a small slope, He "
            "initialisation and a lower learning rate keep units alive.",
            {"model": _relu_to_leaky(ctx.spec.model)}, "Leaky ReLU with He initialisation",
            f"{share:.0%} of layer {label}'s ReLU units are dead")


def _relu_to_leaky(model: ModelSpec) -> ModelSpec:
    layers = []
    for layer in model.layers:
        if layer.kind == "dense" and layer.params.get("activation") == "relu":
            layer = LayerSpec("dense", {**layer.params, "activation": "leaky_relu",
                                        "init": "he_uniform"})
        elif layer.kind == "relu":
            layer = LayerSpec("leaky_relu", {})
        layers.append(layer)
    return ModelSpec(tuple(layers))


class Symmetry(Check):
    """Every unit of a hidden layer has the same weights: they compute the same thing."""

    name = "symmetry"

    def evaluate(self, ctx: Context) -> Finding | None:
        if not ctx.probe:
            return None
        linears = [m for m in ctx.trainer.model if isinstance(m, torch.nn.Linear)]
        labels = ctx.trainer.built.layer_of_parameter
        positions = {id(m): i for i, m in enumerate(ctx.trainer.model)}
        for module in linears[:-1]:
            if module.out_features > 1 and _identical_rows(module):
                label = labels.get(f"{positions[id(module)]}.weight", "?")
                return self.finding(
                    ctx, f"All {module.out_features} units of layer {label} are identical: "
                         "they have the same weights.",
                    "Units that start equal get equal gradients and stay equal forever, "
                    "so the layer acts as one unit; random initialisation breaks the tie.",
                    {"model": _random_init(ctx.spec.model)},
                    "random (Xavier/He) initialisation",
                    f"the {module.out_features} units of layer {label} are identical")
        return None


def _identical_rows(module: torch.nn.Linear) -> bool:
    weight = module.weight.detach()
    rows = weight if module.bias is None else torch.cat([weight, module.bias.detach()[:, None]], 1)
    spread = (rows - rows[:1]).abs().max()
    return bool(spread <= 1e-6 * (1.0 + rows.abs().max()))


def _random_init(model: ModelSpec) -> ModelSpec:
    layers = []
    for layer in model.layers:
        if layer.kind in ("dense", "conv2d") and layer.params.get("init") in ("zeros", None):
            relu_like = layer.params.get("activation", "linear") in ("relu", "leaky_relu",
                                                                     "elu", "gelu", "silu")
            layer = LayerSpec(layer.kind, {**layer.params, "init": "he_uniform" if relu_like
                                           else "xavier_uniform"})
        layers.append(layer)
    return ModelSpec(tuple(layers))


class LrTooHigh(Check):
    """A finite loss that has risen above its start and stays there, or that swings up
    and down over a window without descending; or tanh/sigmoid units that the first
    epochs' steps pushed into their flat tails: the steps are too large. (Far above its
    start, NaN or infinite, it is a divergence.)"""

    name = "lr_too_high"
    RISE = 0.1       # above (1 + RISE) times the start ...
    RISEN = 3        # ... for this many epochs in a row
    WINDOW = 8       # epochs judged for a swing
    SWING = 0.2      # the window's spread, as a share of its mean ...
    TURNS = 4        # ... turning up or down at least this often ...
    NEAR = 0.8       # ... with its lowest above this share of the start ...
    NEW_LOW = 0.01   # ... and not this share below the lowest of the epochs before
    EARLY = 10       # epochs within which ...
    SATURATED = 0.5  # ... this share of a sigmoid/tanh layer's outputs saturated ...
    SATURATED_BEFORE = 0.1  # ... that were at most this share saturated untrained

    def evaluate(self, ctx: Context) -> Finding | None:
        losses, start = ctx.column("loss"), ctx.start_loss()
        if not losses or not math.isfinite(start) or not math.isfinite(losses[-1]):
            return None
        recent = list(losses[-self.RISEN:])
        lr = ctx.spec.optimizer.lr
        why = (f"With learning rate {lr:.3g} each step jumps over the valley the gradient "
               "points into and lands higher up its other side, so the loss rises or "
               "bounces instead of falling; smaller steps follow the slope down.")
        pushed = self._saturated_by_steps(ctx)
        if len(recent) == self.RISEN and min(recent) > (1 + self.RISE) * start:
            what = f"the loss rose from {start:.4g} to {losses[-1]:.4g}"
        elif pushed:
            what = pushed
            why = (f"With learning rate {lr:.3g} each step moves the weights so far that "
                   "the units' inputs land on the flat tails of their curve, where the "
                   "slope is almost 0 and little gradient flows back; smaller steps keep "
                   "them on the slope.")
        else:
            swing = self._swing(losses, start)
            if swing is None:
                return None
            what = (f"the loss swings between {swing[0]:.4g} and {swing[1]:.4g} over "
                    f"the last {self.WINDOW} epochs without descending (it started at "
                    f"{start:.4g})")
        lower = lr / 10
        return self.finding(
            ctx, f"The learning rate is too high: {what}.", why,
            {"optimizer.lr": lower}, f"learning rate {lower:.3g}", what)

    def _saturated_by_steps(self, ctx: Context) -> str:
        """Words for tanh or sigmoid units that the first few epochs' steps pushed from
        their slope into their flat tails, or ''. Healthy steps change weights by a few
        per cent an epoch; only steps far too large saturate half a layer so soon."""
        if not ctx.saturated_before or ctx.epoch > self.EARLY:
            return ""
        for label, kind, share in ctx.saturations():
            before = ctx.saturated_before.get(label, math.nan)
            if share >= self.SATURATED and before <= self.SATURATED_BEFORE:
                return (f"in {ctx.epoch} epoch{'s' if ctx.epoch > 1 else ''} the steps "
                        f"pushed {share:.0%} of layer {label}'s {kind} outputs into the "
                        f"flat tails ({before:.0%} before training)")
        return ""

    def _swing(self, losses, start: float) -> tuple[float, float] | None:
        """(lowest, highest) of the last WINDOW epochs when they swing up and down and
        set no new low below the epochs before them, else None."""
        if len(losses) < 2 * self.WINDOW:
            return None
        window, before = list(losses[-self.WINDOW:]), list(losses[:-self.WINDOW])
        if not all(math.isfinite(v) for v in window):
            return None
        low, high = min(window), max(window)
        best_before = min((v for v in before if math.isfinite(v)), default=math.inf)
        steps = [b - a for a, b in zip(window, window[1:])]
        turns = sum(1 for a, b in zip(steps, steps[1:]) if a * b < 0)
        if (high - low > self.SWING * sum(window) / len(window) and turns >= self.TURNS
                and low > self.NEAR * start and low >= (1 - self.NEW_LOW) * best_before):
            return low, high
        return None


class Stalled(Check):
    """After EPOCHS epochs the loss is below its start but not even 1% below, while the
    optimizer's steps move the weights by under SMALL of their norm per update. What
    else makes a loss flat (identical units, vanishing gradients, dead units, an lr too
    high) is its own finding, and the diagnosis folds this one into it."""

    name = "stalled"
    EPOCHS = 10
    DROP = 0.01
    SMALL = 1e-4

    def __init__(self) -> None:
        self.best, self.seen = math.inf, 0   # the lowest loss in the first `seen` epochs
        self.last: tuple[torch.Tensor, int] | None = None   # the weights, and their step

    def evaluate(self, ctx: Context) -> Finding | None:
        losses = ctx.column("loss")
        self.best = min([self.best, *(v for v in losses[self.seen:] if math.isfinite(v))])
        self.seen = len(losses)
        start, best = ctx.start_loss(), self.best
        if ctx.epoch < self.EPOCHS - 1 or not math.isfinite(best) or not math.isfinite(start):
            return None
        step_size = self._step_size(ctx.trainer)
        if ctx.epoch < self.EPOCHS or best < (1 - self.DROP) * start:
            return None
        if not (losses[-1] <= start and step_size < self.SMALL):
            return None
        lr = ctx.spec.optimizer.lr
        typical = optimizer_kind(ctx.spec.optimizer.name).default_lr
        suggested = min(100.0, lr * 10 if lr >= typical else max(lr * 10, typical))
        if suggested >= ctx.too_high_lr:  # never back up to where this run's steps were
            suggested = math.sqrt(lr * ctx.too_high_lr)  # too large: halfway, on a log scale
        return self.finding(
            ctx, f"The loss has stalled: after {ctx.epoch} epochs it is {losses[-1]:.4g}, "
                 f"less than 1% below where it started ({start:.4g}).",
            f"With learning rate {lr:.3g} each step moves the weights by about "
            f"{step_size:.1e} of their size, too little to get anywhere; raise it (or run "
            "the LR finder to pick one).",
            {"optimizer.lr": suggested}, f"learning rate {suggested:.3g}",
            f"the loss is flat at {losses[-1]:.4g}")

    def _step_size(self, trainer) -> float:
        """How far the weights moved per update since the last look, relative to their
        norm (infinite at the first look: unknown is never called small)."""
        flat = torch.cat([p.detach().reshape(-1) for p in trainer.model.parameters()])
        last, self.last = self.last, (flat.clone(), trainer.step)
        if last is None or last[1] >= trainer.step or last[0].shape != flat.shape:
            return math.inf
        moved = float((flat - last[0]).norm()) / max(float(flat.norm()), 1e-12)
        return moved / (trainer.step - last[1])


class Overfitting(Check):
    """The validation loss has risen well above its best while the training loss fell
    towards zero: the network memorises the training rows."""

    name = "overfitting"
    RISE = 1.5       # times the best validation loss
    DROP = 0.9       # the training loss at most this share of its value at the best epoch
    GAP = 50.0       # the validation loss at least this many times the training loss
    PATIENCE = 10    # epochs since the best

    def __init__(self) -> None:
        self.best, self.best_index, self.seen = math.inf, -1, 0
        self.last_index = -1   # the last epoch with a validation loss

    def evaluate(self, ctx: Context) -> Finding | None:
        val = ctx.column("val_loss")
        for i in range(self.seen, len(val)):  # only the epochs not seen yet
            if math.isfinite(val[i]):
                self.last_index = i
                if val[i] < self.best:
                    self.best, self.best_index = val[i], i
        self.seen = len(val)
        if self.best_index < 0 or self.last_index == self.best_index:
            return None
        best_index, best = self.best_index, self.best
        now_index, now = self.last_index, val[self.last_index]
        train = ctx.column("loss")
        if (now_index - best_index < self.PATIENCE or now <= self.RISE * best
                or not train[now_index] <= self.DROP * train[best_index]
                or not now >= self.GAP * train[now_index]):
            return None
        best_epoch = best_index + 1
        stop = EarlyStoppingSpec(True, "val_loss", self.PATIENCE, 0.0, True)
        l2 = min(10.0, ctx.spec.train.l2 * 10) if ctx.spec.train.l2 else 1e-3
        return self.finding(
            ctx, f"The network is overfitting: the validation loss rose from {best:.4g} "
                 f"(epoch {best_epoch}) to {now:.4g} while the training loss kept falling.",
            "It is memorising the training rows, noise included, instead of the pattern "
            "that carries over to new data; regularisation and stopping at the best "
            "validation epoch both help.",
            {"train.early_stopping": stop, "train.l2": l2}, f"early stopping (patience {self.PATIENCE}), L2 {l2:g}")


def all_checks() -> list[Check]:
    return [Divergence(), ExplodingGradients(), VanishingGradients(), DeadUnits(),
            Symmetry(), Stalled(), Overfitting(), LrTooHigh()]

