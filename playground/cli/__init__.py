"""The headless command line: `playground train | inspect | spec | datasets`.

Flags follow Keras' vocabulary and override the spec (from a JSON file, an example, or
a saved run). Bad arguments or values print one sentence on stderr and exit with 2.
Imports the core only, never Qt.
"""
from __future__ import annotations

import argparse
import dataclasses
import importlib
import json
import math
import signal
import sys
from pathlib import Path
from typing import Any, Callable, Sequence

from .. import __version__, logfile
from ..core.callbacks import Callback, Checkpointing
from ..core.data import DATASETS
from ..core.errors import PlaygroundError, SpecError
from ..core.limits import MAX_FEATURES
from ..core.events import EpochEnded, Finished, HyperparametersChanged
from ..core.examples import EXAMPLES
from ..core.layers import ACTIVATIONS, LAYERS
from ..core.optim import OPTIMIZERS, SCHEDULES, optimizer_kind
from ..core.device import describe as describe_device
from ..core.sessionfile import Session, describe_session, open_any, prepared_data, save_session
from ..core.spec import (LOSSES, SCALINGS, EarlyStoppingSpec, LayerSpec, ModelSpec,
                        OptimizerSpec, ScheduleSpec, SessionSpec)

EXIT_OK, EXIT_FAILED, EXIT_USAGE, EXIT_INTERRUPTED = 0, 1, 2, 130

# Commands of their own module in this package: each has register(commands), which adds
# its subparser with set_defaults(func=...). Imported only when the parser is built.
COMMAND_MODULES: tuple[str, ...] = ("lab", "search", "lrfind", "sweep", "lessons",
                                     "landscape", "export")

# Flags that change what is being trained; a resumed run must keep the saved ones.
_STRUCTURAL = ("dataset", "data", "target", "task", "missing", "classes", "inputs",
               "samples", "noise", "features", "split", "scaling", "data_seed",
               "layers", "loss", "optimizer", "opt_params", "batch_size", "schedule",
               "l1", "l2", "clip_norm", "clip_value", "metrics", "seed", "early_stopping",
               "converge")


class UsageError(PlaygroundError):
    """A command-line argument that cannot be used."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # one sentence, no usage dump
        text = message[0].upper() + message[1:]
        self.exit(EXIT_USAGE, f"{self.prog}: {text.rstrip('.')}; see --help.\n")


# ------------------------------------------------------------------ parsing

def parse_layers(text: str) -> tuple[LayerSpec, ...]:
    """'32:relu,16:tanh,dropout:0.2,batchnorm,1:sigmoid' -> layer specs.

    A leading number (or 'auto') is a Dense layer: units[:activation[:init]]. Any other
    item is a layer kind followed by its positional values, e.g. conv2d:16:3, maxpool2d:2.
    """
    items = [item.strip() for item in text.split(",") if item.strip()]
    if not items:
        raise UsageError("--layers is empty; give layers such as 32:relu,1:sigmoid.")
    return tuple(_parse_layer(item) for item in items)


_ALIASES = {"conv": "conv2d", "maxpool": "maxpool2d", "pool": "maxpool2d", "bn": "batchnorm",
            "leakyrelu": "leaky_relu", "swish": "silu", "identity": "linear"}


def _parse_layer(item: str) -> LayerSpec:
    head, *values = item.split(":")
    head = head.strip().lower()
    if head == "auto" or head.isdigit():
        kind_name, values = "dense", [head, *values]
    else:
        kind_name = _ALIASES.get(head, head)
    kind = LAYERS.get(kind_name)
    if kind is None:
        raise UsageError(f"--layers: unknown layer {head!r}; use a number of units or one "
                         f"of {', '.join(LAYERS)}.")
    if len(values) > len(kind.positional):
        raise UsageError(f"--layers: {item!r} has too many values; {kind.label} takes "
                         f"{':'.join(kind.positional) or 'none'}.")
    params = {name: value for name, value in zip(kind.positional, values)}
    if kind_name == "dense" and "activation" in params:
        params["activation"] = _ALIASES.get(params["activation"].lower(),
                                            params["activation"].lower())
        if params["activation"] not in ACTIVATIONS:
            raise UsageError(f"--layers: unknown activation {params['activation']!r} in "
                             f"{item!r}; choose one of {', '.join(ACTIVATIONS)}.")
    from ..core.schema import coerce_params
    try:
        return LayerSpec(kind_name, coerce_params(kind.params, params, f"--layers {item!r}"))
    except SpecError as exc:
        raise UsageError(str(exc)) from None


def parse_key_values(text: str, flag: str) -> dict[str, str]:
    result = {}
    for part in (p.strip() for p in text.split(",") if p.strip()):
        key, sep, value = part.partition("=")
        if not sep or not key.strip():
            raise UsageError(f"{flag}: {part!r} is not of the form name=value.")
        result[key.strip()] = value.strip()
    return result


def parse_schedule(text: str) -> ScheduleSpec:
    name, _, rest = text.partition(":")
    name = name.strip().lower()
    if name not in SCHEDULES:
        raise UsageError(f"--schedule: unknown schedule {name!r}; choose one of "
                         f"{', '.join(SCHEDULES)}.")
    params: dict[str, Any] = parse_key_values(rest, "--schedule")
    warmup = params.pop("warmup", 0.0)
    try:
        warmup = float(warmup)
    except ValueError:
        raise UsageError(f"--schedule: warmup={warmup!r} is not a number of epochs.") from None
    return ScheduleSpec(name, params, warmup)


def parse_features(text: str) -> tuple[int, ...]:
    """'0-7' or '0,2,5' or '0-3,9' -> column indices (checked against the budget before
    any list is made)."""
    columns: list[int] = []
    for part in (p.strip() for p in text.split(",") if p.strip()):
        low, dash, high = part.partition("-")
        try:
            first = int(low)
            last = int(high) if dash else first
        except ValueError:
            raise UsageError(f"--features: {_short(text)} is not a list of column numbers "
                             "such as 0-7 or 0,2,5.") from None
        if last < first:
            raise UsageError(f"--features: the range {part!r} is empty (it runs backwards); "
                             "write the lower column first, such as 2-5.")
        if last >= MAX_FEATURES or len(columns) + last - first + 1 > MAX_FEATURES:
            raise UsageError(f"--features: {_short(part)} goes beyond the limit of "
                             f"{MAX_FEATURES:,} columns a data set may have.")
        columns.extend(range(first, last + 1))
    if not columns:
        raise UsageError("--features lists no columns; give columns such as 0-7 or 0,2,5.")
    return tuple(columns)


def _short(text: str, limit: int = 40) -> str:
    return repr(text if len(text) <= limit else text[:limit] + "...")


def parse_split(text: str) -> tuple[float, float, float]:
    parts = [p for p in text.replace("/", ",").split(",") if p.strip()]
    try:
        values = [float(p) for p in parts]
    except ValueError:
        values = []
    if len(values) != 3:
        raise UsageError(f"--split: {_short(text)} must be three parts such as 70/15/15.")
    if not all(math.isfinite(v) and v >= 0 for v in values):
        raise UsageError(f"--split: {_short(text)} must be three numbers of 0 or more, "
                         "such as 70/15/15.")
    total = sum(values)
    if not (math.isclose(total, 100, abs_tol=1e-6) or math.isclose(total, 1, abs_tol=1e-9)):
        raise UsageError(f"--split: {_short(text)} adds up to {total:g}; the train, "
                         "validation and test parts must add up to 100, such as 70/15/15.")
    return tuple(v / total for v in values)  # type: ignore[return-value]


def parse_batch_size(text: str) -> int | None:
    if text.strip().lower() == "full":
        return None
    try:
        return int(text)
    except ValueError:
        raise UsageError(f"--batch-size: {text!r} is not a number or 'full'.") from None


# ------------------------------------------------------------ spec overrides

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


# ------------------------------------------------------------------ output

class _EpochPrinter(Callback):
    name = "cli_printer"

    def __init__(self, jsonl: bool, out: Any) -> None:
        self.jsonl, self.out = jsonl, out

    def on_epoch_end(self, trainer: Any, event: EpochEnded) -> None:
        if self.jsonl:
            self._json(event.to_record())
            return
        logs = event.logs
        parts = [f"epoch {event.epoch}/{trainer.spec.train.epochs}"]
        parts += [f"{key} {_fmt(value)}" for key, value in logs.items()
                  if key not in ("epoch", "step", "samples_per_s", "seconds", "lr",
                                 "grad_noise_scale", "update_cosine")]
        parts += [f"lr {logs['lr']:.3g}", f"{logs['seconds']:.2f}s"]
        print("  ".join(parts), file=self.out, flush=True)

    def on_hyperparameters_changed(self, trainer: Any, event: HyperparametersChanged) -> None:
        if self.jsonl:
            self._json({"event": "hyperparameters", "epoch": event.epoch,
                        "step": event.step, **dict(event.changes)})

    def on_train_end(self, trainer: Any, event: Finished) -> None:
        if self.jsonl:
            self._json(event.to_record())
            return
        summary = "  ".join(f"{k} {_fmt(v)}" for k, v in event.test.items())
        print(f"finished ({event.reason}) after {event.epoch} epochs, {event.step} "
              f"updates. {event.message}".rstrip(), file=self.out)
        if summary:
            print(summary, file=self.out, flush=True)

    def on_health(self, finding: Any) -> None:
        """A health finding (core.health): a JSON record, or a line in words."""
        if self.jsonl:
            self._json(finding.to_record())
        else:
            fix = f" Fix: {finding.fix_label}." if finding.fix_label else ""
            print(f"health ({finding.check}) at epoch {finding.epoch}: {finding.message} "
                  f"{finding.reason}{fix}", file=self.out, flush=True)

    def _json(self, record: dict[str, Any]) -> None:
        print(json.dumps(_json_safe(record)), file=self.out, flush=True)


def _fmt(value: float) -> str:
    return f"{value:.4f}" if isinstance(value, float) else str(value)


def _json_safe(value: Any) -> Any:
    """NaN and infinity are not JSON: write them as null, as most parsers expect."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {k: _json_safe(v) for k, v in value.items()}
    return value


# ---------------------------------------------------------------- commands

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


class _DownloadProgress:
    """One line on stderr per downloaded file, updated in place."""

    def __init__(self, out: Any) -> None:
        self.out = out

    def __call__(self, filename: str, done: int, total: int) -> None:
        end = "\n" if done >= total else ""
        print(f"\rdownloading {filename}: {done / 2**20:.1f} of {total / 2**20:.1f} MB",
              end=end, file=self.out, flush=True)


def cmd_train(args: argparse.Namespace) -> int:
    from ..core.data import prepare
    from ..core.sessionfile import restore_state
    from ..core.trainer import Trainer  # torch loads here, not for --help

    spec, session = _load_base_spec(args)
    live = {}
    if args.resume is not None:
        live = {k: v for k, v in (("lr", args.lr),) if v is not None}
        # A step limit ends one invocation; the resumed run is only limited if asked again.
        spec = _replace(spec, train=dataclasses.replace(_replace(
            spec.train, epochs=args.epochs, device=args.device, threads=args.threads,
            checkpoint_every=args.checkpoint_every, validate_every=args.validate_every),
            max_steps=args.max_steps or 0))
    else:
        spec = apply_overrides(spec, args)
    spec.validate()  # every value checked before any data is generated or read
    from ..core.health import HealthMonitor

    printer = _EpochPrinter(args.jsonl, sys.stdout)
    callbacks: list[Callback] = [printer, HealthMonitor(printer.on_health)]
    if getattr(args, "tensorboard", None) is not None:  # flag of cli/export.py
        from ..core.export.tensorboard import TensorBoardLogger

        callbacks.append(TensorBoardLogger(args.tensorboard))  # its folder checked here
    save = _saver(args.save, session) if args.save is not None else None
    if save and spec.train.checkpoint_every:
        callbacks.append(Checkpointing(save, spec.train.checkpoint_every))
    progress = _DownloadProgress(sys.stderr)
    data = prepared_data(session, progress) if session is not None and session.manifest.get(
        "format") == "gradient-playground-session" else prepare(spec.data, progress=progress)
    trainer = Trainer(spec, data=data, callbacks=callbacks)
    if session is not None and session.state is not None:
        restore_state(trainer, session.state, args.resume)
    if live:
        trainer.control.set_hyperparameters(**live)
    if args.momentum is not None and args.resume is not None:
        trainer.control.set_hyperparameters(**_live_momentum(trainer, args.momentum))
    _train_then_save(trainer, save)
    return EXIT_OK


def _train_then_save(trainer: Any, save: Callable[[Any], None] | None) -> None:
    """Ctrl-C (or a polite kill) during training ends the run after the current batch,
    and the session is saved as usual. From the end of training until the file is on
    disk a signal waits, then acts as it would have (exit 130 on Ctrl-C, the file whole):
    a save that has begun finishes. At every moment one of the two handlers is set."""
    from ..core.session import deferred_signals

    with deferred_signals():
        stop = lambda *_: trainer.control.stop()  # noqa: E731
        waiting = {number: signal.signal(number, stop)
                   for number in (signal.SIGINT, signal.SIGTERM)}
        try:
            trainer.fit()
        finally:
            for number, handler in waiting.items():
                signal.signal(number, handler)
        if save:
            save(trainer)


def _live_momentum(trainer: Any, momentum: float) -> dict[str, float]:
    names = {p.name for p in optimizer_kind(trainer.spec.optimizer.name).params}
    key = "momentum" if "momentum" in names else "beta1" if "beta1" in names else None
    if key is None:
        raise UsageError("--momentum: the saved run's optimizer has no momentum term.")
    return {key: momentum}


def _saver(path: str, session: Session | None = None) -> Callable[[Any], None]:
    """Saves the trainer; a resumed session's runs (the GUI's) and plots go along."""
    from ..core.session import check_output

    check_output(path, "--save")  # refused before training, not after
    runs = session.runs if session is not None and len(session.runs) else None
    current = session.current_run if session is not None else None

    def save(trainer: Any) -> None:
        nonlocal current
        if runs is not None and current is None:  # the runs had no trainer: this is one
            current = runs.add(trainer.spec).id
        save_session(path, trainer.spec, trainer.state_dict(), trainer.data,
                     session.view if session is not None else None,
                     describe_device(trainer.device), runs, current)
    return save


def cmd_inspect(args: argparse.Namespace) -> int:
    info = describe_session(args.file)
    if not info.get("trained", True):
        info = {**info, "parameters": 0, "tensors": {}, "history_epochs": 0,
                "last_epoch": None, "weights_sha256": None, "lr": info["spec"]["optimizer"]["lr"],
                "batch_in_epoch": 0}
    if args.json:
        print(json.dumps(_json_safe(info), indent=2))
        return EXIT_OK
    print(f"{info['path']}: {info['format']} v{info['version']} "
          f"(Gradient Playground {info['app_version']}, torch {info['torch']})")
    print(f"data set      {info['dataset']}")
    print(f"optimizer     {info['optimizer']} (lr {info['lr']:g})")
    print(f"position      epoch {info['epoch']} of {info['epochs_planned']}, update "
          f"{info['step']}, batch {info['batch_in_epoch']} of the current epoch")
    print(f"parameters    {info['parameters']:,}")
    for name, shape in info["tensors"].items():
        print(f"  {name:<28} {'x'.join(map(str, shape)) or 'scalar'}")
    print(f"history       {info['history_epochs']} epochs")
    if info["last_epoch"]:
        last = info["last_epoch"]
        print("last epoch    " + "  ".join(f"{k} {_fmt(v)}" for k, v in last.items()))
    print(f"weights sha256 {info['weights_sha256']}")
    if info["runs"]:
        print(f"runs          {len(info['runs'])}: " + ", ".join(
            f"{r['name']} ({r['epochs']} epochs{', current' if r['current'] else ''})"
            for r in info["runs"]))
    return EXIT_OK


def cmd_spec(args: argparse.Namespace) -> int:
    if args.code or args.from_code is not None or args.file:
        from .export import cmd_spec_code  # share codes: export.py

        return cmd_spec_code(args)
    if not args.example:
        for name, make in EXAMPLES.items():
            spec = make()
            print(f"{name:<14} {spec.data.name}, {len(spec.model.layers)} layers, "
                  f"{spec.optimizer.name}")
        return EXIT_OK
    print(_example(args.example).to_json())
    return EXIT_OK


def cmd_datasets(args: argparse.Namespace) -> int:
    from ..core.data.downloads import is_downloaded

    rows = []
    for info in DATASETS.values():
        source = info.source
        if source == "download":
            source += "ed" if is_downloaded(info.name) else " (not yet)"
        rows.append({"name": info.name, "task": info.task, "size": info.size,
                     "source": source, "description": info.description})
    if args.json:
        print(json.dumps(rows, indent=2))
        return EXIT_OK
    for row in rows:
        print(f"{row['name']:<14} {row['task']:<11} {row['size']:<12} {row['source']:<19} "
              f"{row['description']}")
    return EXIT_OK


# ------------------------------------------------------------------ parser

def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="playground", description="Gradient Playground: train neural "
                     "networks by gradient descent and watch them learn.")
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    commands = parser.add_subparsers(dest="command", parser_class=_Parser)
    _add_train(commands)
    inspect = commands.add_parser("inspect", help="show what a saved run holds")
    inspect.add_argument("file")
    inspect.add_argument("--json", action="store_true", help="print JSON")
    inspect.set_defaults(func=cmd_inspect)
    spec = commands.add_parser("spec", help="print a ready spec as JSON")
    spec.add_argument("--example", metavar="NAME", help=f"one of {', '.join(EXAMPLES)}; "
                      "without it, list the examples")
    importlib.import_module(f"{__name__}.export").add_code_flags(spec)
    spec.set_defaults(func=cmd_spec)
    datasets = commands.add_parser("datasets", help="list the data sets")
    datasets.add_argument("--json", action="store_true", help="print JSON")
    datasets.set_defaults(func=cmd_datasets)
    for name in COMMAND_MODULES:
        importlib.import_module(f"{__name__}.{name}").register(commands)
    return parser


def _add_train(commands: Any) -> None:
    train = commands.add_parser("train", help="train headless and print each epoch")
    train.set_defaults(func=cmd_train)
    add_train_flags(train)


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


def main(argv: Sequence[str] | None = None) -> int:
    """Run one command. A PlaygroundError is one sentence on stderr and exit 2; any
    other exception is a bug: one sentence, the traceback in the log file, exit 1."""
    logfile.setup()
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return EXIT_USAGE
    try:
        _refuse_empty(args)
        return args.func(args)
    except PlaygroundError as exc:
        from .train_flags import in_flag_words

        message = in_flag_words(str(exc), args) if isinstance(exc, SpecError) else str(exc)
        print(f"playground {args.command}: {message}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        print(f"playground {args.command}: interrupted.", file=sys.stderr)
        return EXIT_INTERRUPTED
    except BrokenPipeError:  # e.g. piped into `head`
        return EXIT_OK
    except MemoryError:
        logfile.log.exception("out of memory")
        print(f"playground {args.command}: the computer ran out of memory; use fewer "
              "samples, a smaller network or a smaller batch.", file=sys.stderr)
        return EXIT_FAILED
    except Exception as exc:  # noqa: BLE001 - a bug: a sentence here, details in the log
        logfile.log.exception("playground %s failed", args.command)
        first = (str(exc).splitlines() or [""])[0][:160]
        print(f"playground {args.command}: an unexpected error stopped the command "
              f"({type(exc).__name__}{': ' + first if first else ''}); this is a bug, and "
              f"the details are in {logfile.where()}.", file=sys.stderr)
        return EXIT_FAILED


def _refuse_empty(args: argparse.Namespace) -> None:
    """An empty value is never meant: `--save ""` would train and save nothing."""
    for name, value in vars(args).items():
        if isinstance(value, str) and not value.strip() and name != "command":
            flag = f"--{name.replace('_', '-')}" if name not in ("spec", "file") else \
                f"the {name} argument"
            if name == "opt_params":
                flag = "--opt-param"
            raise UsageError(f"{flag} is empty; give a value, or leave it out.")


if __name__ == "__main__":
    sys.exit(main())
