"""Presets: the comparisons every introduction to gradient descent prints as a table of
made-up numbers, each one sweep on real data that prints the real table.

Each preset is a base spec, the variable(s) to sweep, a target loss for "epochs and
seconds to reach it", and the columns that answer its question. What a textbook
predicts is in `expect`, in words; tests/core/test_presets.py checks the directions that
are robust (zeros leave hidden units identical; a learning rate 10x too high ends above
the tuned one; standardised features converge faster than raw ones).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable

from ..errors import SpecError
from ..spec import DataSpec, LayerSpec, ModelSpec, OptimizerSpec, SessionSpec, TrainSpec


def _dense(units: int | None, activation: str = "linear", init: str = "default") -> LayerSpec:
    return LayerSpec("dense", {"units": units, "activation": activation, "init": init})


def _spec(data: DataSpec, hidden: tuple[int, ...], activation: str, optimizer: OptimizerSpec,
          epochs: int, batch_size: int | None = 32, **train: Any) -> SessionSpec:
    layers = tuple(_dense(units, activation) for units in hidden) + (_dense(None),)
    return SessionSpec(data=data, model=ModelSpec(layers), optimizer=optimizer,
                       train=TrainSpec(batch_size=batch_size, epochs=epochs, **train))


_SPIRAL = DataSpec("spiral", samples=400, noise=0.1)


@dataclass(frozen=True)
class Preset:
    name: str
    title: str        # the table's name, as the introductions print it
    question: str
    expect: str       # what a textbook predicts
    base: Callable[[], SessionSpec]
    vary: tuple[tuple[str, tuple[Any, ...]], ...]
    columns: tuple[str, ...]   # the columns that answer the question
    target_loss: float | None = None
    keep_lr: bool = False

    def plan(self, base: SessionSpec | None = None, vary: Any = None) -> Any:
        """The sweep: on the preset's base spec (or one given, say with fewer epochs)."""
        from .sweep import plan_sweep
        return plan_sweep(base or self.base(), vary or self.vary, self.target_loss,
                          self.keep_lr)


PRESETS: dict[str, Preset] = {p.name: p for p in (
    Preset("optimizers", "Optimizer vs accuracy",
           "Which update rule learns the spiral best in the same number of epochs?",
           "Adaptive methods (Adam, RMSprop) and momentum reach a high accuracy sooner than "
           "plain gradient descent at its default rate.",
           lambda: _spec(_SPIRAL, (16, 16), "tanh", OptimizerSpec("adam", 0.001), 300),
           (("optimizer", ("sgd", "momentum", "nesterov", "adagrad", "rmsprop", "adam",
                           "adamw")),),
           ("accuracy", "val_accuracy", "test_accuracy", "epoch_to_target"), 0.35),
    Preset("init", "Initialisation vs final cost",
           "How much does the starting point matter?",
           "Zeros leave every hidden unit identical (symmetry never breaks) and the cost "
           "stays high; He suits ReLU, Xavier suits tanh.",
           lambda: _spec(_SPIRAL, (16, 16), "relu", OptimizerSpec("adam", 0.01), 100),
           (("init", ("zeros", "normal", "uniform", "xavier_uniform", "he_normal",
                      "orthogonal", "default")),),
           ("loss", "val_loss", "test_loss", "test_accuracy")),
    Preset("batch_size", "Batch size vs time",
           "Stochastic, mini-batch or full batch: which reaches a low loss soonest in "
           "seconds, and in epochs?",
           "Small batches make many cheap, noisy updates per epoch (few epochs, many "
           "seconds each); full batch makes one exact update per epoch (cheap epochs, "
           "many of them).",
           lambda: _spec(DataSpec("breast_cancer"), (16,), "relu",
                         OptimizerSpec("sgd", 0.05), 40),
           (("batch_size", (1, 8, 32, 128, None)),),
           ("seconds", "seconds_to_target", "epoch_to_target", "loss"), 0.15),
    Preset("lr", "Learning rate vs convergence",
           "How does the step size change the descent?",
           "Too small crawls, a tuned rate converges, 10x too high overshoots and diverges.",
           lambda: _spec(DataSpec("diabetes"), (16,), "tanh", OptimizerSpec("sgd", 0.1), 60),
           (("lr", (0.001, 0.01, 0.1, 1.0)),),
           ("loss", "epoch_to_target", "val_loss", "reason"), 0.45),
    Preset("momentum", "Momentum vs update size",
           "How far does each epoch move the weights, with more momentum?",
           "Momentum m scales the steady step by about 1 / (1 - m): bigger moves, faster "
           "along valleys, overshoot when too high.",
           lambda: _spec(_SPIRAL, (16, 16), "tanh", OptimizerSpec("sgd", 0.02), 80),
           (("momentum", (0.0, 0.5, 0.9, 0.99)),),
           ("update_norm", "loss", "epoch_to_target"), 0.4),
    Preset("activation", "Activation vs accuracy",
           "Which non-linearity suits the spiral?",
           "Without a non-linearity (linear) the network is a straight line and stays near "
           "chance; ReLU-like and tanh units bend the boundary; sigmoid learns slowest.",
           lambda: _spec(_SPIRAL, (16, 16), "relu", OptimizerSpec("adam", 0.01), 100),
           (("activation", ("linear", "sigmoid", "tanh", "relu", "leaky_relu", "elu")),),
           ("accuracy", "test_accuracy", "loss")),
    Preset("regularisation", "Regularisation vs test accuracy",
           "Does L2 or dropout help a large network on few examples?",
           "Some regularisation narrows the gap between training and test accuracy; too "
           "much underfits.",
           lambda: _spec(DataSpec("digits", split=(0.25, 0.15, 0.6)), (64,), "relu",
                         OptimizerSpec("adam", 0.01), 60),
           (("l2", (0.0, 0.001, 0.01)), ("dropout", (0.0, 0.2, 0.5))),
           ("accuracy", "test_accuracy", "test_loss")),
    Preset("scaling", "Feature scaling vs convergence",
           "Does it matter that breast_cancer's features range from 0.001 to 4,000?",
           "Standardised features give the loss surface round contours: gradient descent "
           "converges much faster than on raw features.",
           lambda: _spec(DataSpec("breast_cancer"), (16,), "tanh", OptimizerSpec("sgd", 0.01),
                         30),
           (("scaling", ("none", "minmax", "standard")),),
           ("loss", "epoch_to_target", "test_accuracy"), 0.2),
)}


def preset(name: str) -> Preset:
    try:
        return PRESETS[name.strip().lower()]
    except KeyError:
        raise SpecError(f"Unknown preset {name!r}; choose one of {', '.join(PRESETS)}.") \
            from None
