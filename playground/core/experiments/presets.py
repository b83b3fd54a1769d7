"""Presets: the comparisons every introduction to gradient descent prints as a table of
made-up numbers, each one sweep on real data that prints the real table and says
whether it agrees with the textbook.

Each preset is a base spec (a setting where the effect can show, which its caption
names), the variable(s) to sweep, a target loss for "epochs and seconds to reach it",
the columns that answer its question, and a claim: a direction the table can confirm
or refute. judge() reads the summary (one row per variant, means over the seeds) and
gives a Verdict: agrees or not, with the numbers, and when not the likely reason in one
sentence. The judges are pure functions of the rows (tests/core/test_presets.py feeds
them crafted tables). Fairness: 3 seeds by default, and where a preset compares
optimizers, activations, initialisations or scalings each variant trains at its own
lr, the best of a small grid on the validation loss (sweep.LR_FACTORS); a preset that
varies the lr or studies the step size at one lr keeps it.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, replace
from typing import Any, Callable, Sequence

from ..errors import SpecError
from ..spec import DataSpec, LayerSpec, ModelSpec, OptimizerSpec, SessionSpec, TrainSpec

DEFAULT_SEEDS = 3
Rows = Sequence[dict[str, Any]]


def _dense(units: int | None, activation: str = "linear", init: str = "default") -> LayerSpec:
    return LayerSpec("dense", {"units": units, "activation": activation, "init": init})


def _spec(data: DataSpec, hidden: tuple[int, ...], activation: str, optimizer: OptimizerSpec,
          epochs: int, batch_size: int | None = 32, **train: Any) -> SessionSpec:
    layers = tuple(_dense(units, activation) for units in hidden) + (_dense(None),)
    return SessionSpec(data=data, model=ModelSpec(layers), optimizer=optimizer,
                       train=TrainSpec(batch_size=batch_size, epochs=epochs, **train))


_SPIRAL = DataSpec("spiral", samples=400, noise=0.1)
# Batch sizes from 1 to full want lrs a hundredfold apart: a wider grid (0.005 to 1.5).
_BATCH_LRS = (0.1, 0.3, 1.0, 3.0, 10.0, 30.0)


@dataclass(frozen=True)
class Verdict:
    preset: str
    claim: str
    agrees: bool
    evidence: str          # the numbers that decided it
    reason: str = ""       # when it does not agree: the likely reason, one sentence

    def to_record(self) -> dict[str, Any]:
        return {"event": "verdict", "preset": self.preset, "claim": self.claim,
                "agrees": self.agrees, "evidence": self.evidence, "reason": self.reason}

    def sentence(self) -> str:
        head = "Agrees" if self.agrees else "Does not agree"
        return f"{head}: {self.evidence}" + ("" if self.agrees else f" {self.reason}")


Judge = Callable[[Rows], tuple[bool, str, str]]   # rows -> (agrees, evidence, reason)


@dataclass(frozen=True)
class Preset:
    name: str
    title: str        # the table's name, as the introductions print it
    question: str
    setting: str      # where it runs, and why there: the caption's first words
    claim: str        # the direction the table confirms or refutes
    base: Callable[[], SessionSpec]
    vary: tuple[tuple[str, tuple[Any, ...]], ...]
    columns: tuple[str, ...]   # the columns that answer the question
    judge: Judge
    target_loss: float | None = None
    keep_lr: bool = False      # the lr is what is studied: every variant at the same one
    tune_lr: bool = False      # each variant at its own tuned lr: the best of lr_grid
    lr_grid: tuple[float, ...] = ()   # multiples of each variant's lr (default
    # sweep.LR_FACTORS), or the lrs themselves with lr_absolute
    lr_absolute: bool = False
    with_validation: bool = False   # its curves: each run's validation twin beside it
    x_axis: str = "epoch"           # its curves against epoch, updates or seconds

    @property
    def expect(self) -> str:  # the older name of the claim
        return self.claim

    def grid_words(self) -> str:
        """The lrs each variant tries, in words: '1e-06 to 1', '0.005 to 1.5', or
        '0.1x to 10x its default' (when the optimizer, and so its default, varies)."""
        from .sweep import LR_FACTORS
        grid = self.lr_grid or LR_FACTORS
        if self.lr_absolute:
            return f"{min(grid):g} to {max(grid):g}"
        if "optimizer" in dict(self.vary):
            return f"{min(grid):g}x to {max(grid):g}x its default"
        lr = self.base().optimizer.lr
        return f"{lr * min(grid):.3g} to {lr * max(grid):.3g}"

    def caption(self) -> str:
        lr = (f"Each variant trains at its own lr, the best of {self.grid_words()} on "
              "the validation loss." if self.tune_lr else
              "Every run at the same lr." if self.keep_lr else "")
        return f"{self.question} {self.setting} {lr} Claim: {self.claim}".replace("  ", " ")

    def plan(self, base: SessionSpec | None = None, vary: Any = None,
             seeds: int = DEFAULT_SEEDS, keep_lr: bool = False,
             target_loss: Any = "preset") -> Any:
        """The sweep: on the preset's base spec (or one given, say with fewer epochs),
        each variant from `seeds` seeds, at its tuned lr unless keep_lr; the preset's
        target loss unless another (or None) is given."""
        from .sweep import plan_sweep
        tune = (self.lr_grid or True) if self.tune_lr else False
        target = self.target_loss if target_loss == "preset" else target_loss
        return plan_sweep(base or self.base(), vary or self.vary, target,
                          self.keep_lr or keep_lr, seeds=seeds, tune_lr=tune,
                          absolute=self.lr_absolute)

    def verdict(self, rows: Rows) -> Verdict:
        """The claim judged on the summary rows (SweepResult.summary())."""
        try:
            agrees, evidence, reason = self.judge(rows)
        except _Missing as missing:
            agrees, evidence = False, f"the table has no {missing} to judge by."
            reason = ("The sweep was changed or stopped before every variant the claim "
                      "compares had finished.")
        return Verdict(self.name, self.claim, agrees, evidence, "" if agrees else reason)


# ----------------------------------------------------------------- judging helpers
class _Missing(KeyError):
    def __str__(self) -> str:
        return str(self.args[0])


def _row(rows: Rows, name: str, value: Any) -> dict[str, Any]:
    for row in rows:
        if row.get(name) == value:
            return row
    raise _Missing(f"{name}={'full' if value is None else value} row")


def _num(row: dict[str, Any], key: str) -> float:
    """A figure for comparing: a diverged or missing one counts as the worst (inf)."""
    value = row.get(key)
    if not isinstance(value, (int, float)) or row.get("diverged"):
        return math.inf
    return float(value) if math.isfinite(value) else math.inf


def _reached(row: dict[str, Any], key: str) -> float:
    """epoch_to_target and the like: inf unless every seed reached the target."""
    value = row.get(key)
    if value is None or row.get(f"{key}_reached", row.get("seeds", 1)) < row.get("seeds", 1):
        return math.inf
    return float(value)


def _show(row: dict[str, Any], key: str) -> str:
    from .sweep import spread_text  # here, as in plan(): importing presets loads no torch

    if row.get("diverged"):
        return f"diverged ({row['diverged']}/{row.get('seeds', 1)} seeds)"
    value = row.get(key)
    if not isinstance(value, (int, float)) or not math.isfinite(value):
        return "not reached" if key.endswith("_to_target") else "-"
    spread = row.get(f"{key}_sd")
    text = f"{value:.3g}"
    shared = key.startswith("seconds") and row.get("trained_together", 1) > 1
    if row.get("seeds", 1) > 1 and isinstance(spread, float) and math.isfinite(spread) \
            and not shared:  # seeds trained together share one time: no spread to tell
        text += f" \u00b1 {spread_text(value, spread)}"
    reached = row.get(f"{key}_reached")
    if reached is not None and reached < row.get("seeds", 1):
        text += f" (reached by {reached} of {row['seeds']} seeds)"
    return text


def _count(row: dict[str, Any], key: str, unit: str) -> str:
    """'12 epochs', '12 \u00b1 2 epochs', or 'not reached'."""
    text = _show(row, key)
    return text if text.startswith(("not reached", "diverged")) else f"{text} {unit}"


def _by_batch(rows: Rows) -> list[dict[str, Any]]:
    """Rows by batch size, smallest first, full batch last."""
    return sorted(rows, key=lambda row: math.inf if row["batch_size"] in (None, "full")
                  else row["batch_size"])


def _listing(title: str, parts: Any) -> str:
    """'title: a; b; c.'"""
    return f"{title}: " + "; ".join(parts) + "."


def _per_batch(title: str, ordered: Rows, *figures: tuple[str, str]) -> str:
    """'title: batch 1 794 updates, 2 epochs; batch full ...' for (key, unit) figures."""
    return _listing(title, (f"batch {_label(row['batch_size'])} " + ", ".join(
        _count(row, key, unit) for key, unit in figures) for row in ordered))


def _label(value: Any) -> str:
    return "full" if value is None or value == "full" else \
        f"{value:g}" if isinstance(value, float) else str(value)


# --------------------------------------------------------------------- the judges
def _judge_optimizers(rows: Rows) -> tuple[bool, str, str]:
    sgd = _row(rows, "optimizer", "sgd")
    others = [_row(rows, "optimizer", name) for name in ("momentum", "rmsprop", "adam")]
    agrees = all(_num(row, "loss") < _num(sgd, "loss") for row in others)
    evidence = ("final training loss, each at its tuned lr: gradient descent "
                f"{_show(sgd, 'loss')} (lr {_label(sgd['lr'])}); " +
                "; ".join(f"{row['optimizer']} {_show(row, 'loss')} (lr {_label(row['lr'])})"
                          for row in others) + ".")
    return agrees, evidence, ("Plain gradient descent at its tuned lr got as far in these "
                              "epochs: on a problem this well conditioned (or this long a "
                              "run) their advantage does not show.")


def _judge_init(rows: Rows) -> tuple[bool, str, str]:
    zeros, he, small = (_row(rows, "init", name) for name in ("zeros", "he_normal", "default"))
    # Stuck is stuck: zeros may tie with another scheme that never started either.
    highest = all(_num(zeros, "loss") >= _num(row, "loss") - 0.01 * abs(_num(row, "loss"))
                  for row in rows)
    better = _num(he, "loss") < _num(small, "loss")
    evidence = (f"final training loss: zeros {_show(zeros, 'loss')}, He "
                f"{_show(he, 'loss')}, PyTorch's default {_show(small, 'loss')}.")
    reason = ("Zeros ended below another scheme: the output layer alone can still fit a "
              "little, so the others must have failed too (too few epochs?)." if not highest
              else "He did not beat the smaller default scale: the network is not deep "
              "enough (or the lr search compensated) for the shrinking signal to matter.")
    return highest and better, evidence, reason


def _judge_batch_time(rows: Rows) -> tuple[bool, str, str]:
    ordered = _by_batch(rows)
    stochastic, full = ordered[0], ordered[-1]
    slowest = all(_num(stochastic, "seconds") > _num(row, "seconds") for row in ordered[1:])
    most = all(_reached(full, "epoch_to_target") > _reached(row, "epoch_to_target")
               for row in ordered[:-1])
    evidence = _per_batch("seconds of training (each run's share) and epochs to the "
                          "target loss", ordered, ("seconds", "s"),
                          ("epoch_to_target", "epochs"))
    reason = ("Stochastic descent was not the slowest per epoch: on this machine a batch's "
              "fixed cost is small next to its arithmetic." if not slowest else
              "Full batch reached the target in no more epochs than a smaller batch: at its "
              "tuned lr one exact step an epoch was enough here.")
    return slowest and most, evidence, reason


def _judge_lr(rows: Rows) -> tuple[bool, str, str]:
    loss = {row["lr"]: _num(row, "loss") for row in rows}
    best = min(loss, key=loss.get)
    far = [lr for lr in loss if lr >= 10 * best * 0.999 or lr <= best / 10 * 1.001]
    above = [lr for lr in far if lr > best]
    agrees = bool(above) and all(loss[lr] > loss[best] for lr in far)
    evidence = (f"the lowest final loss is at lr {_label(best)} "
                f"({_show(_row(rows, 'lr', best), 'loss')}); " + "; ".join(
                    f"lr {_label(lr)}: {_show(_row(rows, 'lr', lr), 'loss')}"
                    for lr in sorted(far)) + ".")
    reason = ("No lr in the sweep is 10x above the best one, so the table cannot show "
              "what too large a step does; add a larger lr." if not above else
              "An lr 10x from the best ended as low: the loss surface is flat enough here "
              "that the step size matters little.")
    return agrees, evidence, reason


def _judge_momentum(rows: Rows) -> tuple[bool, str, str]:
    ordered = sorted(rows, key=lambda row: row["momentum"])
    moves = [_num(row, "update_norm") for row in ordered]
    agrees = all(a < b for a, b in zip(moves, moves[1:]))
    evidence = _listing("distance the weights move per epoch", (
        f"momentum {_label(row['momentum'])} {_show(row, 'update_norm')}"
        for row in ordered))
    return agrees, evidence, ("A higher momentum moved less: its steps overshot and turned "
                              "back within an epoch, so the distance moved cancelled out.")


def _judge_activation(rows: Rows) -> tuple[bool, str, str]:
    linear = _row(rows, "activation", "linear")
    bent = [row for row in rows if row["activation"] != "linear"]
    agrees = bool(bent) and all(_num(row, "loss") < _num(linear, "loss") for row in bent)
    evidence = (f"final training loss, each at its tuned lr: linear {_show(linear, 'loss')}; "
                + "; ".join(f"{row['activation']} {_show(row, 'loss')}" for row in bent) + ".")
    return agrees, evidence, ("A non-linear network ended no better than the straight "
                              "line: it is too small or too short a run to bend its "
                              "boundary round the spiral.")


def _gap(row: dict[str, Any]) -> float:
    return _num(row, "accuracy") - _num(row, "test_accuracy")


def _gap_text(row: dict[str, Any]) -> str:
    gap = _gap(row)
    return f"{0.0 if abs(gap) < 5e-4 else gap:.3f}"  # never "-0.000"


def _judge_regularisation(rows: Rows) -> tuple[bool, str, str]:
    none = _row(rows, "l2", 0.0) if all("dropout" not in r for r in rows) else next(
        (row for row in rows if row.get("l2") == 0.0 and row.get("dropout") == 0.0), None)
    if none is None:
        raise _Missing("unregularised (l2=0, dropout=0) row")
    strongest = max(rows, key=lambda row: (row.get("l2", 0.0), row.get("dropout", 0.0)))
    agrees = _gap(strongest) < _gap(none)
    evidence = (f"training minus test accuracy: none {_gap_text(none)} (train "
                f"{_show(none, 'accuracy')}, test {_show(none, 'test_accuracy')}); "
                f"{strongest['name']} {_gap_text(strongest)} (train "
                f"{_show(strongest, 'accuracy')}, test {_show(strongest, 'test_accuracy')}).")
    return agrees, evidence, ("The unregularised network did not overfit here (its "
                              "training and test accuracy were already close), so there "
                              "was no gap to narrow.")


def _judge_scaling(rows: Rows) -> tuple[bool, str, str]:
    raw, standard = _row(rows, "scaling", "none"), _row(rows, "scaling", "standard")
    faster = _reached(standard, "epoch_to_target") < _reached(raw, "epoch_to_target")
    lower = _num(standard, "loss") < _num(raw, "loss")
    evidence = ("epochs to the target loss and final loss, each at its tuned lr: "
                + "; ".join(f"{row['scaling']} {_count(row, 'epoch_to_target', 'epochs')}, "
                            f"loss {_show(row, 'loss')}" for row in rows) + ".")
    return faster and lower, evidence, ("Raw features kept up: their ranges here are "
                                        "close enough that the lr search could fit one "
                                        "step size to all of them.")


def _judge_iterations(rows: Rows) -> tuple[bool, str, str]:
    ordered = _by_batch(rows)
    small, full = ordered[0], ordered[-1]
    fewer_updates = _reached(full, "updates_to_target") < _reached(small, "updates_to_target")
    fewer_epochs = _reached(small, "epoch_to_target") < _reached(full, "epoch_to_target")
    evidence = _per_batch("updates and epochs to the target loss", ordered,
                          ("updates_to_target", "updates"), ("epoch_to_target", "epochs"))
    evidence += " (A small batch is measured at the end of an epoch: its updates are an " \
        "upper bound.)"
    reason = ("Full batch needed as many updates as the smallest batch: at their tuned lrs "
              "the noise of small batches cost nothing here." if not fewer_updates else
              "The smallest batch needed as many epochs as full batch: its tuned lr was too "
              "small to use its many updates.")
    return fewer_updates and fewer_epochs, evidence, reason


def _judge_epochs(rows: Rows) -> tuple[bool, str, str]:
    none = min(rows, key=lambda row: row.get("l2", 0.0))
    best, epochs = _num(none, "best_val_epoch"), none.get("epochs", 0)
    rise = _num(none, "val_loss") - _num(none, "val_loss_min")
    early = best <= 0.8 * epochs
    agrees = early and rise > 0.1 * _num(none, "val_loss_min")
    evidence = (f"without regularisation the validation loss was lowest at epoch "
                f"{_show(none, 'best_val_epoch')} of {epochs} ({_show(none, 'val_loss_min')}) "
                f"and ended at {_show(none, 'val_loss')}, while the training loss fell to "
                f"{_show(none, 'loss')}.")
    return agrees, evidence, ("The network did not overfit in these epochs: it is small "
                              "enough, or the data plentiful enough, that validation kept "
                              "improving.")


PRESETS: dict[str, Preset] = {p.name: p for p in (
    Preset("optimizers", "Optimizer vs accuracy",
           "Which update rule learns best in the same number of epochs?",
           "On breast_cancer with each row scaled to length 1 ('normalize': the area "
           "features dominate every row and the others shrink to about 1e-4, an "
           "ill-conditioned problem), logistic regression (a linear model), full batch, "
           "100 epochs.",
           "At their tuned lrs, momentum, RMSprop and Adam each end with a lower training "
           "loss than plain gradient descent at its tuned lr.",
           lambda: _spec(DataSpec("breast_cancer", scaling="normalize"), (), "linear",
                         OptimizerSpec("adam", 0.001), 100, batch_size=None),
           (("optimizer", ("sgd", "momentum", "adagrad", "rmsprop", "adam")),),
           ("loss", "accuracy", "test_accuracy", "epoch_to_target"), _judge_optimizers,
           0.3, tune_lr=True, lr_grid=(1e-4, 1e-3, 0.01, 0.1, 1.0, 10.0, 100.0),
           lr_absolute=True),
    Preset("init", "Initialisation vs final cost",
           "How much does the starting point matter?",
           "On spiral with a deep ReLU stack (6 hidden layers of 16), plain gradient "
           "descent, 60 epochs. (The playground's Xavier uses the activation's gain, "
           "\u221a2 for ReLU, which on equal widths is He's scale.)",
           "Zeros leave every hidden unit identical, so the loss stays the highest; He "
           "trains further than PyTorch's default, whose smaller scale shrinks the signal "
           "layer by layer.",
           lambda: _spec(_SPIRAL, (16,) * 6, "relu", OptimizerSpec("sgd", 0.1), 60),
           (("init", ("zeros", "normal", "default", "xavier_normal", "he_normal")),),
           ("loss", "val_loss", "test_loss", "test_accuracy"), _judge_init, tune_lr=True,
           lr_grid=(0.1, 0.3, 1.0, 3.0, 10.0, 30.0)),
    Preset("batch_size", "Batch size vs time",
           "Stochastic, mini-batch or full batch: which costs the most seconds, and which "
           "the most epochs?",
           "On breast_cancer, standardised, a 30-16-1 ReLU network, gradient descent, 20 "
           "epochs; seconds are each run's share of the time its stacked model took.",
           "Stochastic descent (batch 1) takes the longest to train, one small update per "
           "sample; full batch needs the most epochs to reach the target loss, one update "
           "per epoch: what a batch size saves in time per epoch it pays in epochs.",
           lambda: _spec(DataSpec("breast_cancer"), (16,), "relu",
                         OptimizerSpec("sgd", 0.05), 20),
           (("batch_size", (1, 8, 32, 128, None)),),
           ("seconds", "epoch_to_target", "seconds_to_target", "loss"), _judge_batch_time,
           0.15, tune_lr=True, lr_grid=_BATCH_LRS),
    Preset("iterations", "Iterations vs error",
           "Batch, mini-batch or stochastic gradient descent: how far does each get per "
           "update, and per epoch?",
           "On breast_cancer, standardised, a 30-16-1 ReLU network, gradient descent, 20 "
           "epochs; the curves are drawn against updates (or seconds).",
           "Per update, full batch lowers the loss most (each step uses every sample); per "
           "epoch, stochastic descent does (it makes one step per sample).",
           lambda: _spec(DataSpec("breast_cancer"), (16,), "relu",
                         OptimizerSpec("sgd", 0.05), 20),
           (("batch_size", (1, 32, None)),),
           ("updates_to_target", "epoch_to_target", "seconds_to_target", "loss"),
           _judge_iterations, 0.15, tune_lr=True, lr_grid=_BATCH_LRS, x_axis="updates"),
    Preset("lr", "Learning rate vs convergence",
           "How does the step size change the descent?",
           "On diabetes (regression), a 10-16-1 tanh network, gradient descent, 60 epochs.",
           "Too small crawls and too large overshoots: an lr 10x or more below or above the "
           "best one ends with a higher loss, or diverges.",
           lambda: _spec(DataSpec("diabetes"), (16,), "tanh", OptimizerSpec("sgd", 0.1), 60),
           (("lr", (0.001, 0.01, 0.1, 1.0)),),
           ("loss", "epoch_to_target", "val_loss", "reason"), _judge_lr, 0.45),
    Preset("momentum", "Momentum vs update size",
           "How far does each epoch move the weights, with more momentum?",
           "On spiral, a 2-16-16-1 tanh network, gradient descent at lr 0.02, 80 epochs.",
           "At one lr, each epoch moves the weights further the higher the momentum (the "
           "steady step grows about 1 / (1 - m) times).",
           lambda: _spec(_SPIRAL, (16, 16), "tanh", OptimizerSpec("sgd", 0.02), 80),
           (("momentum", (0.0, 0.5, 0.9, 0.99)),),
           ("update_norm", "loss", "epoch_to_target"), _judge_momentum, 0.4, keep_lr=True),
    Preset("activation", "Activation vs accuracy",
           "Which non-linearity suits the spiral?",
           "On spiral, a 2-16-16-1 network, Adam, 100 epochs.",
           "Without a non-linearity (linear) the network draws a straight line and stays "
           "near chance; every non-linear activation ends with a lower loss.",
           lambda: _spec(_SPIRAL, (16, 16), "relu", OptimizerSpec("adam", 0.01), 100),
           (("activation", ("linear", "sigmoid", "tanh", "relu", "leaky_relu", "elu")),),
           ("accuracy", "test_accuracy", "loss"), _judge_activation, tune_lr=True),
    Preset("regularisation", "Regularisation vs test accuracy",
           "Does L2 or dropout help a large network on few examples?",
           "On digits with 25% of the rows for training, a 64-64-10 ReLU network, Adam, 60 "
           "epochs.",
           "Regularisation narrows the gap between training and test accuracy: the "
           "strongest setting has a smaller gap than none.",
           lambda: _spec(DataSpec("digits", split=(0.25, 0.15, 0.6)), (64,), "relu",
                         OptimizerSpec("adam", 0.01), 60),
           (("l2", (0.0, 0.001, 0.01)), ("dropout", (0.0, 0.2, 0.5))),
           ("accuracy", "test_accuracy", "test_loss"), _judge_regularisation),
    Preset("scaling", "Feature scaling vs convergence",
           "Does it matter that breast_cancer's features range from 0.001 to 4,000?",
           "On breast_cancer, a 30-16-1 tanh network, gradient descent, 30 epochs.",
           "Standardised features give the loss surface round contours: at their tuned "
           "lrs they reach the target in fewer epochs than raw features and end lower.",
           lambda: _spec(DataSpec("breast_cancer"), (16,), "tanh", OptimizerSpec("sgd", 0.03),
                         30),
           (("scaling", ("none", "minmax", "standard", "robust", "normalize")),),
           ("loss", "epoch_to_target", "test_accuracy"), _judge_scaling, 0.2, tune_lr=True,
           lr_grid=(0.03, 0.1, 0.3, 1.0, 3.0, 10.0, 30.0)),
    Preset("epochs", "Epochs vs accuracy",
           "Does training longer always help?",
           "On moons with few, noisy samples (200, noise 0.35), a 2-64-64-1 ReLU network, "
           "Adam at lr 0.01, 100 epochs; the curves show training (solid) against validation "
           "(dashed).",
           "Without regularisation the validation loss reaches its lowest well before the "
           "last epoch and then rises while the training loss keeps falling: overfitting.",
           lambda: _spec(DataSpec("moons", samples=200, noise=0.35), (64, 64), "relu",
                         OptimizerSpec("adam", 0.01), 100),
           (("l2", (0.0, 0.001, 0.01)),),
           ("loss", "val_loss", "best_val_epoch", "val_loss_min", "test_accuracy"),
           _judge_epochs, keep_lr=True, with_validation=True),
)}


def preset(name: str) -> Preset:
    try:
        return PRESETS[name.strip().lower()]
    except KeyError:
        raise SpecError(f"Unknown preset {name!r}; choose one of {', '.join(PRESETS)}.") \
            from None


def with_epochs(spec: SessionSpec, epochs: int) -> SessionSpec:
    return replace(spec, train=replace(spec.train, epochs=epochs))
