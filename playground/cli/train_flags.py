"""The train flags, shared by every command that trains (train, sweep, search, lr-find).

They follow Keras' vocabulary and override the spec: a spec file, an example or a saved
run. A spec error is told in the words of the flag that set the value.
"""
from __future__ import annotations

import argparse
import dataclasses
import re
from pathlib import Path
from typing import Any

from ..core.data import DATASETS
from ..core.examples import EXAMPLES
from ..core.optim import OPTIMIZERS, SCHEDULES, optimizer_kind
from ..core.sessionfile import Session, open_any
from ..core.spec import (LOSSES, SCALINGS, EarlyStoppingSpec, ModelSpec, OptimizerSpec,
                        SessionSpec)
from .parsing import (UsageError, parse_batch_size, parse_features, parse_key_values,
                      parse_layers, parse_schedule, parse_split)

# Flags that change what is being trained; a resumed run must keep the saved ones.
_STRUCTURAL = ("dataset", "data", "target", "task", "missing", "classes", "inputs",
               "samples", "noise", "features", "split", "scaling", "data_seed",
               "layers", "loss", "optimizer", "opt_params", "batch_size", "schedule",
               "l1", "l2", "clip_norm", "clip_value", "metrics", "seed", "early_stopping",
               "converge")

# Flags for one training run only; other commands hide and refuse them.
_RUN_ONLY = ("save", "resume", "checkpoint_every")


def add_train_flags(parser: argparse.ArgumentParser, sessions: bool = True) -> None:
    """The train command's flags, for any command that trains (sweep, say). Without
    `sessions`, the flags that save or resume one session (--save, --resume,
    --checkpoint-every) are left out and read as not given."""
    add = parser.add_argument
    add("spec", nargs="?", metavar="SPEC.json", help="a spec file (see 'playground spec')")
    add("--example", metavar="NAME", help="start from a ready example")
    add("--dataset", choices=list(DATASETS), metavar="NAME",
        help=f"one of {', '.join(DATASETS)}")
    add("--data", metavar="FILE", help="your own CSV, NPZ (X and y) or IDX file")
    add("--target", metavar="COLUMN", help="CSV: the target column, by name or number "
        "(default: the last); IDX: the labels file")
    add("--task", choices=("auto", "binary", "multiclass", "regression"),
        help="override the task inferred from the target")
    add("--missing", choices=("fail", "drop"),
        help="a missing value: fail with its line and column (default), or drop its row")
    add("--classes", type=int, help="classes of blobs and spirals, 2 to 8")
    add("--inputs", metavar="x1,x2,x1sq,x2sq,x1x2,sinx1,sinx2",
        help="engineered inputs for 2-D data sets")
    add("--samples", type=int, help="points in a synthetic data set")
    add("--noise", type=float, help="noise of a synthetic data set, 0 to 0.5")
    add("--features", help="columns to use, e.g. 0-7 or 0,2,5")
    add("--split", help="train/validation/test percentages adding up to 100, e.g. 70/15/15")
    add("--scaling", choices=SCALINGS)
    add("--data-seed", type=int, help="seed of data generation and the split")
    add("--layers", help="e.g. 32:relu,16:tanh,dropout:0.2,batchnorm,1:sigmoid")
    add("--loss", choices=LOSSES)
    add("--metrics", help="comma list, e.g. accuracy,f1")
    add("--optimizer", metavar="NAME", help=f"one of {', '.join(OPTIMIZERS)}")
    add("--opt-param", dest="opt_params", metavar="K=V,...",
        help="optimizer parameters, e.g. beta2=0.99,amsgrad=true")
    add("--lr", type=float, help="learning rate")
    add("--momentum", type=float, help="momentum (beta1 for the Adam family)")
    add("--batch-size", metavar="N|full", help="1 = stochastic, full = full batch")
    add("--epochs", type=int, help="the run's total epochs (a resumed run trains the rest)")
    add("--max-steps", type=int, help="stop after this many updates in all, even mid-epoch (a resumed run "
        "keeps no limit unless given again)")
    add("--schedule", metavar="NAME[:k=v,...]",
        help=f"one of {', '.join(SCHEDULES)}; warmup=EPOCHS adds a linear warm-up")
    add("--l1", type=float, help="L1 penalty strength")
    add("--l2", type=float, help="L2 penalty (weight decay)")
    add("--clip-norm", type=float, help="clip the gradient's total norm to this")
    add("--clip-value", type=float, help="clip each gradient value to +-this")
    add("--early-stopping", type=int, metavar="PATIENCE",
        help="stop when val_loss has not improved for PATIENCE epochs")
    add("--converge", type=float, metavar="TOL",
        help="stop when the loss changes by less than TOL for 5 epochs")
    add("--seed", type=int, help="seed of initialisation, shuffling and dropout")
    add("--device", choices=("cpu", "cuda", "auto"))
    add("--threads", type=int, help="CPU threads for torch (0 = automatic)")
    if sessions:
        add("--checkpoint-every", type=int, metavar="N", help="save to --save every N epochs")
    add("--validate-every", type=int, metavar="N",
        help="evaluate the validation split every N epochs (and at the last); default 1")
    if sessions:
        add("--save", metavar="FILE", help="save the session here when the run ends "
            "(a .pgsession file: weights, optimizer, history, data recipe)")
        add("--resume", metavar="FILE", help="continue a saved session exactly")
    else:
        parser.set_defaults(checkpoint_every=None, save=None, resume=None)
    add("--jsonl", action="store_true", help="one JSON object per epoch on stdout")


def add_train_flags_to(parser: argparse.ArgumentParser, jsonl_help: str) -> None:
    """The train flags on `parser`, those for one run (--save, --resume,
    --checkpoint-every) hidden (refuse_run_flags refuses them); --jsonl described as
    `jsonl_help` says."""
    add_train_flags(parser)
    for action in parser._actions:  # argparse has no public way to hide or reword a flag
        if action.dest in _RUN_ONLY:
            action.help = argparse.SUPPRESS
        elif action.dest == "jsonl":
            action.help = jsonl_help


def refuse_run_flags(args: argparse.Namespace, command: str) -> None:
    for name in _RUN_ONLY:
        if getattr(args, name, None) is not None:
            raise UsageError(f"--{name.replace('_', '-')} belongs to `playground train`; "
                             f"`playground {command}` does not save a run.")


# ------------------------------------------------------------ the spec they give

def _load_base_spec(args: argparse.Namespace) -> tuple[SessionSpec, Session | None]:
    if args.resume is not None:
        if args.spec or args.example:
            raise UsageError("--resume continues a saved run; do not also give a spec file "
                             "or --example.")
        changed = [flag for flag in _STRUCTURAL if getattr(args, flag) is not None]
        if changed:
            raise UsageError(f"--{changed[0].replace('_', '-')} cannot change when resuming "
                             "a run; start a new run to train something different.")
        session = open_any(args.resume)
        return session.spec, session
    if args.spec and args.example:
        raise UsageError("Give either a spec file or --example, not both.")
    if args.example:
        return _example(args.example), None
    if args.spec:
        return _read_spec_file(Path(args.spec)), None
    return SessionSpec(), None


def _example(name: str) -> SessionSpec:
    if name not in EXAMPLES:
        raise UsageError(f"Unknown example {name!r}; choose one of {', '.join(EXAMPLES)}.")
    return EXAMPLES[name]()


def _read_spec_file(path: Path) -> SessionSpec:
    from ..core.export.specfile import read_spec  # the window reads spec files too

    return read_spec(path)


def _replace(obj: Any, **changes: Any) -> Any:
    changes = {k: v for k, v in changes.items() if v is not None}
    return dataclasses.replace(obj, **changes) if changes else obj


def apply_overrides(spec: SessionSpec, args: argparse.Namespace) -> SessionSpec:
    if args.data and args.dataset and args.dataset != "file":
        raise UsageError("Give either --dataset or --data FILE, not both.")
    data = _replace(
        spec.data, name="file" if args.data else args.dataset, path=args.data,
        target=args.target, task=args.task, missing=args.missing, classes=args.classes,
        inputs=tuple(i.strip() for i in args.inputs.split(",") if i.strip())
        if args.inputs is not None else None,
        samples=args.samples, noise=args.noise,
        features=parse_features(args.features) if args.features is not None else None,
        split=parse_split(args.split) if args.split else None,
        scaling=args.scaling, seed=args.data_seed)
    if data.name != spec.data.name:  # choices made for another data set do not carry over
        data = dataclasses.replace(
            data, features=data.features if args.features is not None else (),
            inputs=data.inputs if args.inputs is not None else ())
    model = ModelSpec(parse_layers(args.layers)) if args.layers else spec.model
    optimizer = _optimizer_overrides(spec.optimizer, args)
    schedule = parse_schedule(args.schedule) if args.schedule else spec.schedule
    train = _replace(
        spec.train, loss=args.loss, epochs=args.epochs, max_steps=args.max_steps,
        l1=args.l1, l2=args.l2, clip_norm=args.clip_norm, clip_value=args.clip_value,
        seed=args.seed, device=args.device, threads=args.threads,
        checkpoint_every=args.checkpoint_every, validate_every=args.validate_every,
        metrics=tuple(m.strip() for m in args.metrics.split(",") if m.strip())
        if args.metrics else None)
    if args.batch_size is not None:
        train = dataclasses.replace(train, batch_size=parse_batch_size(args.batch_size))
    if args.early_stopping is not None:
        train = dataclasses.replace(train, early_stopping=EarlyStoppingSpec(
            enabled=args.early_stopping > 0, patience=max(args.early_stopping, 0)))
    if args.converge is not None:
        train = dataclasses.replace(train, convergence_tol=args.converge)
    return SessionSpec(data, model, optimizer, schedule, train)


def _optimizer_overrides(current: OptimizerSpec, args: argparse.Namespace) -> OptimizerSpec:
    name = (args.optimizer or current.name).lower()
    if args.optimizer and args.optimizer.lower() not in OPTIMIZERS:
        raise UsageError(f"--optimizer: unknown optimizer {args.optimizer!r}; choose one "
                         f"of {', '.join(OPTIMIZERS)}.")
    params = dict(current.params) if name == current.name else {}
    if args.opt_params:
        params.update(parse_key_values(args.opt_params, "--opt-param"))
    if args.momentum is not None:
        name, params = _with_momentum(name, params, args.momentum)
    lr = args.lr if args.lr is not None else (
        current.lr if name == current.name else optimizer_kind(name).default_lr)
    return OptimizerSpec(name, lr, params)


def _with_momentum(name: str, params: dict[str, Any], momentum: float) -> tuple[str, dict]:
    """--momentum sets whatever plays the momentum role in the chosen optimizer."""
    if name == "sgd":  # Keras' SGD(momentum=0.9) is SGD with momentum
        return ("momentum", params) if momentum > 0 else (name, {})
    names = {p.name for p in optimizer_kind(name).params}
    if "momentum" in names:
        return name, {**params, "momentum": momentum}
    if "beta1" in names:
        return name, {**params, "beta1": momentum}
    raise UsageError(f"--momentum: {optimizer_kind(name).label} has no momentum term.")


# ------------------------------------------------------- errors in their words

# Where a spec path's value comes from when the user typed a flag: the flag's dest.
_FLAG_OF = {
    "data.name": "dataset", "data.path": "data", "data.target": "target",
    "data.task": "task", "data.missing": "missing", "data.classes": "classes",
    "data.inputs": "inputs", "data.samples": "samples", "data.noise": "noise",
    "data.features": "features", "data.split": "split", "data.scaling": "scaling",
    "data.seed": "data_seed", "model": "layers", "optimizer.name": "optimizer",
    "optimizer.lr": "lr", "schedule.name": "schedule", "train.loss": "loss",
    "train.metrics": "metrics", "train.batch_size": "batch_size", "train.epochs": "epochs",
    "train.max_steps": "max_steps", "train.l1": "l1", "train.l2": "l2",
    "train.clip_norm": "clip_norm", "train.clip_value": "clip_value",
    "train.early_stopping": "early_stopping", "train.convergence_tol": "converge",
    "train.seed": "seed", "train.device": "device", "train.threads": "threads",
    "train.checkpoint_every": "checkpoint_every", "train.validate_every": "validate_every",
}
_MOMENTUM_ROLES = ("momentum", "beta1")
_PATH = re.compile(r"^(model\.layers\[(\d+)\](?:\.(\w+))?|[a-z_]+(?:\.[a-z_0-9]+)*)(?=[:. (])")
_OWN_SETTINGS = {"optimizer": "opt_params", "schedule": "schedule"}


def in_flag_words(message: str, args: argparse.Namespace) -> str:
    """A spec error as the user typed it: "train.batch_size: 0 is out of range" is
    "--batch-size: 0 is out of range" when --batch-size was given (a value from a spec
    file keeps its spec path: that is where it was written)."""
    found = _PATH.match(message)
    if found is None:
        return message
    path, rest = found.group(1), message[found.end():]
    flag = _flag_for(path, args)
    if flag is None:
        return message
    if found.group(2) is not None:  # model.layers[3].units -> --layers, layer 4's units
        field = f"'s {found.group(3)}" if found.group(3) else ""
        return f"--layers, layer {int(found.group(2)) + 1}{field}{rest}"
    return flag + rest


def _flag_for(path: str, args: argparse.Namespace) -> str | None:
    given = lambda dest: getattr(args, dest, None) is not None  # noqa: E731
    part, _, name = path.partition(".")
    if part in _OWN_SETTINGS and path not in _FLAG_OF:  # an optimizer's or schedule's own
        if part == "optimizer" and name in _MOMENTUM_ROLES and given("momentum"):
            return "--momentum"
        flag = "--opt-param" if part == "optimizer" else "--schedule"
        name = "warmup" if name == "warmup_epochs" else name.removeprefix("params.")
        return f"{flag} {name}" if given(_OWN_SETTINGS[part]) else None
    for prefix in sorted(_FLAG_OF, key=len, reverse=True):
        if path == prefix or path.startswith(prefix + ".") or path.startswith(prefix + "["):
            dest = _FLAG_OF[prefix]
            return f"--{dest.replace('_', '-')}" if given(dest) else None
    return None

