"""`playground sweep`: train every combination of one or two variables and compare.

    playground sweep [SPEC.json] --vary lr=0.001,0.01,0.1 --vary optimizer=sgd,adam
                     [--preset NAME] [--seeds N] [--target-loss X] [--jsonl] [--csv FILE]
                     [train flags]
    playground sweep --list-presets
    playground sweep --preset NAME --markdown   # the preset's verdict table, for the README
    playground sweep ... --storage URL --study NAME   # a grid study that
                     `playground search worker --storage URL --study NAME` processes share

A preset ends with its verdict: whether the table agrees with the preset's claim, with
the numbers (--jsonl: a last {"event": "verdict", ...} record).
"""
from __future__ import annotations

import argparse
import json
import signal
from typing import Any

from ..core.experiments.presets import DEFAULT_SEEDS
from .output import _fmt, _json_safe
from .parsing import EXIT_OK, UsageError
from .train_flags import _load_base_spec, add_train_flags, apply_overrides


def register(commands: Any) -> None:
    sweep = commands.add_parser(
        "sweep", help="train every combination of one or two variables and compare",
        description="Train every combination of one or two variables and compare. With "
        "--storage URL --study NAME the sweep is a grid study on an Optuna storage: "
        "`playground search worker --storage URL --study NAME` processes (on this or other "
        "machines) train its points with this command until each point is trained once, "
        "and this command prints the whole table when the grid is done. A grid study "
        "trains trial by trial, one run per trial (no stacked training); a preset's seeds "
        "and its tuned lrs are axes of the grid, so each seed and each lr of a variant is "
        "a trial of its own.")
    sweep.set_defaults(func=cmd_sweep)
    add = sweep.add_argument
    add("--vary", action="append", default=[], metavar="NAME=V1,V2,...",
        help="a variable and its values (once or twice): optimizer, lr, momentum, "
        "batch_size, init, activation, scaling, l2, l1, batchnorm, dropout, seed")
    add("--preset", metavar="NAME", help="a ready comparison (see --list-presets); "
        "train flags and --vary change it")
    add("--list-presets", action="store_true", help="list the presets and exit")
    add("--target-loss", type=float, metavar="X",
        help="report the epoch and seconds at which each run's loss first fell to X")
    add("--seeds", type=int, metavar="N", help="train every combination from N seeds "
        "(the spec's seed and the next ones); the table gives the mean and spread "
        f"(default: {DEFAULT_SEEDS} for a preset, 1 otherwise)")
    add("--csv", metavar="FILE", help="write the results table (one row per run) to this "
        "CSV file; its folder must exist")
    add("--markdown", action="store_true", help="print the summary table and the "
        "verdict as Markdown (as the README shows them)")
    add("--storage", metavar="URL", help="run the sweep as a grid study in this Optuna "
        "storage (sqlite:///file.db, postgresql://user@host/db), so `playground search "
        "worker` processes share it; trial by trial, no stacked training; running the "
        "same command again resumes it")
    add("--study", metavar="NAME", help="the grid study's name (with --storage; default "
        "'sweep')")
    add_train_flags(sweep, sessions=False)


def cmd_sweep(args: argparse.Namespace) -> int:
    from ..core.experiments.presets import PRESETS, preset
    from ..core.experiments.sweep import plan_sweep

    if args.list_presets:
        for item in PRESETS.values():
            varied = " x ".join(name for name, _ in item.vary)
            print(f"{item.name:<15} {item.title} ({varied}): {item.question}")
        return EXIT_OK
    _check_study_flags(args)  # before any work: the URL and the study's name
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
    seeds = args.seeds if args.seeds is not None else (DEFAULT_SEEDS if chosen else 1)
    if args.csv is not None:  # refused before training, not after
        check_output(args.csv, "--csv")
    if chosen and not args.vary:  # the preset's own comparison, with its lr grid
        plan = chosen.plan(base, seeds=seeds, keep_lr=args.lr is not None, target_loss=target)
    else:
        plan = plan_sweep(base, vary, target, keep_lr=args.lr is not None or
                          bool(chosen and chosen.keep_lr), seeds=seeds)
    if getattr(args, "tensorboard", None) is not None:  # the flag is cli/export.py's
        from ..core.export.tensorboard import check_logdir
        check_logdir(args.tensorboard)
    if args.storage is not None:
        result = _train_in_study(plan, args)
    else:
        result = _train_here(plan, args)
    rows = result.table()
    shown = result.summary() if plan.repeated else rows
    verdict = chosen.verdict(result.summary()) if chosen and not args.vary else None
    extra = chosen.columns if chosen else ()
    if args.jsonl:
        for row in rows:
            print(json.dumps(_json_safe({"event": "result", **row})), flush=True)
        if plan.repeated:
            for row in shown:
                print(json.dumps(_json_safe({"event": "summary", **row})), flush=True)
        if verdict is not None:
            print(json.dumps(_json_safe(verdict.to_record())), flush=True)
    elif args.markdown:
        print(markdown(shown, plan, extra, chosen, verdict))
    else:
        _print_table(shown, plan.names, extra)
        if result.stopped:
            print("The sweep was stopped; runs not reached are marked 'not run'.")
        if verdict is not None:
            print(f"Claim: {verdict.claim}")
            print(f"Verdict: {verdict.sentence()}")
    if args.csv is not None:
        result.to_csv(args.csv)
    if args.storage is not None and not args.jsonl and not args.markdown:
        _print_origins(result)
    if getattr(args, "tensorboard", None) is not None:
        from ..core.export.tensorboard import write_sweep
        write_sweep(args.tensorboard, result)
    return EXIT_OK


def _train_here(plan: Any, args: argparse.Namespace) -> Any:
    """Train the plan in this process (stacked where runs stack)."""
    from ..core.control import TrainControl
    from ..core.experiments.sweep import run_sweep

    control = TrainControl()
    total = len(plan.runs)
    with _stopped_by_signals(control.stop):
        if args.jsonl:
            return run_sweep(plan, control=control, on_record=lambda i, record: print(
                json.dumps(_json_safe(record)), flush=True))
        if not args.markdown:
            print(f"sweep of {total} runs: {_describe(plan)}", flush=True)
        return run_sweep(plan, control=control, on_finished=None if args.markdown
                         else lambda r: _progress(r, total))


def _train_in_study(plan: Any, args: argparse.Namespace) -> Any:
    """Train the plan as a grid study: this process takes points until none is left,
    then waits for those that workers still train; the result is the whole study's."""
    import time

    from ..core.search.storage import shown
    from ..core.search.sweep_study import SweepStudy

    started = time.perf_counter()
    study = SweepStudy(plan, args.study or "sweep", args.storage)
    total = len(study.plan.runs)
    if not args.jsonl and not args.markdown:
        print(f"sweep of {total} runs: {_describe(plan)}; a grid study {study.name!r} in "
              f"{shown(args.storage, None)}, trial by trial (`playground search worker "
              f"--storage URL --study {study.name}` joins it)", flush=True)
    on_record = None
    if args.jsonl:
        on_record = lambda trial, i, record: print(  # noqa: E731
            json.dumps(_json_safe({**record, "trial": trial})), flush=True)
    on_done = None if args.jsonl or args.markdown else \
        lambda done: _progress(done.result, total)
    with _stopped_by_signals(study.stop):
        study.run(wait=True, on_record=on_record, on_done=on_done)
    return study.result(time.perf_counter() - started)


def sweep_worker(args: argparse.Namespace) -> int:
    """`playground search worker` on a sweep's grid study: train its points until none
    is left to take (or --timeout), one line (or JSON object) per point."""
    import time

    from ..core.search.storage import shown
    from ..core.search.sweep_study import SweepStudy

    if getattr(args, "tensorboard", None) is not None:  # the flag is cli/export.py's
        raise UsageError("A sweep's worker writes no TensorBoard logs: the sweep command's "
                         "--tensorboard writes every point's, whoever trained it.")
    study = SweepStudy(None, args.study, args.storage)
    total = len(study.plan.runs)

    def done(point: Any) -> None:
        result = point.result
        if not args.jsonl:
            print(f"trial {point.trial}: ", end="")
            _progress(result, total)
            return
        end, last = result.finished, result.records[-1] if result.records else {}
        print(json.dumps(_json_safe({
            "event": "trial", "number": point.trial, "state": "complete",
            "value": last.get("val_loss", last.get("loss")), "params": dict(
                result.run.values, **result.run.trial), "epochs": end.epoch,
            "seconds": round(result.seconds, 3), "run": result.run.index + 1,
            "name": result.run.name, "reason": end.reason})), flush=True)

    started = time.monotonic()
    with _stopped_by_signals(study.stop):
        ran = study.run(wait=False, timeout=args.timeout or 0.0, on_done=done)
    finished = len(study.census().done)
    reason = "stopped" if study.stopped else "grid" if finished == total or not (
        args.timeout and time.monotonic() - started >= args.timeout) else "timeout"
    if args.jsonl:
        print(json.dumps({"event": "search_end", "reason": reason, "ran": len(ran),
                          "points": total, "done": finished, "study": study.name,
                          "storage": shown(study.url, None)}), flush=True)
    else:
        print(f"sweep worker ended ({reason}): this process trained {len(ran)} points; "
              f"the grid study {study.name!r} has {finished} of {total} done.", flush=True)
    return EXIT_OK


class _stopped_by_signals:  # noqa: N801 - a context manager, named for what it does
    """Ctrl-C or a polite kill calls `stop` (the sweep ends after a batch)."""

    def __init__(self, stop: Any) -> None:
        self.stop = stop

    def __enter__(self) -> None:
        handler = lambda *_: self.stop()  # noqa: E731
        self.previous = {number: signal.signal(number, handler)
                         for number in (signal.SIGINT, signal.SIGTERM)}

    def __exit__(self, *exc: Any) -> None:
        for number, handler in self.previous.items():
            signal.signal(number, handler if handler is not None else signal.SIG_DFL)


def _check_study_flags(args: argparse.Namespace) -> None:
    """--storage and --study, checked before any work (the URL's form and the study's
    name; the database itself is opened once the sweep is planned)."""
    from ..core.search import SearchSettings
    from ..core.search.storage import check_url

    if args.study is not None and args.storage is None:
        raise UsageError("--study names a grid study in a storage; give --storage URL too.")
    if args.storage is None:
        return
    check_url(args.storage)
    SearchSettings(space="", study=args.study or "sweep").check_own()


def _print_origins(result: Any) -> None:
    """Who trained the grid's points: this process and each worker, by count."""
    import os
    from collections import Counter

    from ..core.search.sweep_study import origin

    here = origin(0, os.getpid())["worker"]
    counts = Counter(r.origin.get("worker") for r in result.results if r.origin)
    mine = counts.pop(here, 0)
    others = ", ".join(f"{count} by {worker}" for worker, count in sorted(counts.items()))
    print(f"grid study: {sum(counts.values()) + mine} of {len(result.results)} points "
          f"done, {mine} trained here" + (f", {others}" if others else "") + ".")


def check_output(path: str, flag: str) -> None:
    """An output file the sweep will write, checked now, not after the training (the
    core's check: an existing, writable folder, not a folder itself), said with the flag."""
    from ..core.errors import SessionFileError
    from ..core.session import check_output as check

    try:
        check(path, flag)
    except SessionFileError as exc:
        text = str(exc)
        raise UsageError(f"{flag}: {text[:1].lower()}{text[1:]}") from None


def _describe(plan: Any) -> str:
    text = ", ".join(name for name, _ in plan.variables)
    if plan.seeds:
        text += f"; {len(plan.seeds)} seeds each"
    if plan.lr_factors:
        text += f"; each at its own lr, tuned over {len(plan.lr_factors)} values"
    return text


def markdown(rows: list[dict], plan: Any, extra: tuple[str, ...], chosen: Any,
             verdict: Any) -> str:
    """The summary table and the verdict as Markdown: what the README shows."""
    from ..core.experiments.sweep import cell_text, table_columns

    # What answers the question, compactly: the values, each one's lr when tuned, how
    # a run ended when not every seed completed, and the preset's own columns.
    columns = [*plan.names, *(["lr"] if plan.lr_factors else [])]
    if any(not str(row.get("reason", "")).startswith("completed") or "," in
           str(row.get("reason", "")) for row in rows):
        columns.append("reason")
    columns += [c for c in (extra or table_columns(rows, plan.names)) if c not in columns
                and any(c in row for row in rows)]
    lines = []
    if chosen is not None:
        lines += [f"**{chosen.title}** ({chosen.name}). {chosen.setting} "
                  f"{len(plan.seeds) or 1} seeds" + (", each variant at its own tuned lr."
                                                     if plan.lr_factors else "."), ""]
    lines.append("| " + " | ".join(columns) + " |")
    lines.append("|" + "---|" * len(columns))
    for row in rows:
        lines.append("| " + " | ".join(cell_text(row, c).replace("|", "/")
                                       for c in columns) + " |")
    if verdict is not None:
        lines += ["", f"Claim: {verdict.claim}", "",
                  f"Verdict: **{'agrees' if verdict.agrees else 'does not agree'}**: "
                  f"{verdict.evidence}" + ("" if verdict.agrees else f" {verdict.reason}")]
    return "\n".join(lines)


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
    from ..core.experiments.sweep import cell_text, table_columns

    columns = table_columns(rows, varied, extra)
    cells = [[cell_text(row, c) for c in columns] for row in rows]
    widths = [max(len(c), *(len(line[i]) for line in cells)) for i, c in enumerate(columns)]
    print("  ".join(c.ljust(w) for c, w in zip(columns, widths)))
    for line in cells:
        print("  ".join(v.ljust(w) for v, w in zip(line, widths)))

