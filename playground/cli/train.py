"""`playground train`: train headless, print each epoch (or --jsonl records), save the
session."""
from __future__ import annotations

import argparse
import dataclasses
import json
import signal
import sys
from typing import Any, Callable

from ..core.callbacks import Callback, Checkpointing
from ..core.device import describe as describe_device
from ..core.events import EpochEnded, Finished, HyperparametersChanged
from ..core.optim import optimizer_kind
from ..core.sessionfile import Session, prepared_data, save_session
from .output import _DownloadProgress, _fmt, _json_safe
from .parsing import EXIT_OK, UsageError
from .train_flags import _load_base_spec, _replace, add_train_flags, apply_overrides


def register(commands: Any) -> None:
    train = commands.add_parser("train", help="train headless and print each epoch")
    train.set_defaults(func=cmd_train)
    add_train_flags(train)


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
