"""`playground sweep`: train every combination of one or two variables and compare.

    playground sweep [SPEC.json] --vary lr=0.001,0.01,0.1 --vary optimizer=sgd,adam
                     [--preset NAME] [--target-loss X] [--jsonl] [--csv FILE] [train flags]
    playground sweep --list-presets
"""
from __future__ import annotations

import argparse
import json
import signal
from typing import Any

from . import (EXIT_OK, UsageError, _fmt, _json_safe, _load_base_spec, add_train_flags,
               apply_overrides)


def register(commands: Any) -> None:
    sweep = commands.add_parser(
        "sweep", help="train every combination of one or two variables and compare")
    sweep.set_defaults(func=cmd_sweep)
    add = sweep.add_argument
    add("--vary", action="append", default=[], metavar="NAME=V1,V2,...",
        help="a variable and its values (once or twice): optimizer, lr, momentum, "
        "batch_size, init, activation, scaling, l2, dropout, seed")
    add("--preset", metavar="NAME", help="a ready comparison (see --list-presets); "
        "train flags and --vary change it")
    add("--list-presets", action="store_true", help="list the presets and exit")
    add("--target-loss", type=float, metavar="X",
        help="report the epoch and seconds at which each run's loss first fell to X")
    add("--csv", metavar="FILE", help="write the results table to this CSV file")
    add_train_flags(sweep, sessions=False)


def cmd_sweep(args: argparse.Namespace) -> int:
    from ..core.control import TrainControl
    from ..core.experiments.presets import PRESETS, preset
    from ..core.experiments.sweep import plan_sweep, run_sweep

    if args.list_presets:
        for item in PRESETS.values():
            varied = " x ".join(name for name, _ in item.vary)
            print(f"{item.name:<15} {item.title} ({varied}): {item.question}")
        return EXIT_OK
    chosen = preset(args.preset) if args.preset else None
    if chosen and (args.spec or args.example):
        raise UsageError("--preset brings its own spec; give either a preset or a spec "
                         "(file or --example), not both.")
    base = chosen.base() if chosen else _load_base_spec(args)[0]
    base = apply_overrides(base, args)
    vary = [_parse_vary(text) for text in args.vary] or list(chosen.vary if chosen else [])
    if not vary:
        raise UsageError("Say what to vary: --vary lr=0.001,0.01,0.1 (or a --preset; see "
                         "--list-presets).")
    target = args.target_loss if args.target_loss is not None else (
        chosen.target_loss if chosen else None)
    plan = plan_sweep(base, vary, target, keep_lr=args.lr is not None or
                      bool(chosen and chosen.keep_lr))
    if args.csv is not None:
        from ..core.session import check_path
        check_path(args.csv, "--csv")  # refused before training, not after
    if getattr(args, "tensorboard", None) is not None:  # the flag is cli/export.py's
        from ..core.export.tensorboard import check_logdir
        check_logdir(args.tensorboard)
    control = TrainControl()
    stop = lambda *_: control.stop()  # noqa: E731 - Ctrl-C ends the sweep after a batch
    previous = {number: signal.signal(number, stop)
                for number in (signal.SIGINT, signal.SIGTERM)}
    total = len(plan.runs)
    try:
        if args.jsonl:
            result = run_sweep(plan, control=control, on_record=lambda i, record: print(
                json.dumps(_json_safe(record)), flush=True))
        else:
            print(f"sweep of {total} runs: {', '.join(name for name, _ in plan.variables)}",
                  flush=True)
            result = run_sweep(plan, control=control, on_finished=lambda r: _progress(r, total))
    finally:
        for number, handler in previous.items():
            signal.signal(number, handler if handler is not None else signal.SIG_DFL)
    rows = result.table()
    if args.jsonl:
        for row in rows:
            print(json.dumps(_json_safe({"event": "result", **row})), flush=True)
    else:
        _print_table(rows, plan.names, chosen.columns if chosen else ())
        if result.stopped:
            print("The sweep was stopped; runs not reached are marked 'not run'.")
    if args.csv is not None:
        result.to_csv(args.csv)
    if getattr(args, "tensorboard", None) is not None:
        from ..core.export.tensorboard import write_sweep
        write_sweep(args.tensorboard, result)
    return EXIT_OK


def _parse_vary(text: str) -> tuple[str, tuple[Any, ...]]:
    from ..core.experiments.sweep import parse_values

    name, sep, values = text.partition("=")
    if not sep or not name.strip():
        raise UsageError(f"--vary: {text!r} is not of the form name=value1,value2.")
    return name.strip().lower(), parse_values(name, values)


def _progress(result: Any, total: int) -> None:
    end = result.finished
    last = result.records[-1] if result.records else {}
    shown = "  ".join(f"{k} {_fmt(v)}" for k, v in last.items()
                      if k in ("loss", "accuracy", "r2", "val_loss"))
    print(f"run {result.run.index + 1}/{total} {result.run.name}: {end.reason}, "
          f"{end.epoch} epochs  {shown}", flush=True)


def _print_table(rows: list[dict], varied: tuple[str, ...], extra: tuple[str, ...]) -> None:
    if not rows:
        return
    from ..core.experiments.sweep import table_columns

    columns = table_columns(rows, varied, extra)
    cells = [[_cell(row.get(c)) for c in columns] for row in rows]
    widths = [max(len(c), *(len(line[i]) for line in cells)) for i, c in enumerate(columns)]
    print("  ".join(c.ljust(w) for c, w in zip(columns, widths)))
    for line in cells:
        print("  ".join(v.ljust(w) for v, w in zip(line, widths)))


def _cell(value: Any) -> str:
    return "-" if value is None else f"{value:.4g}" if isinstance(value, float) else str(value)
