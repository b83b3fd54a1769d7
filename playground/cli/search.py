"""`playground search`: a hyperparameter search on Optuna, and `search worker`.

    playground search [SPEC.json] --space "lr=1e-4..1:log,units=4..64" --trials 30
    playground search worker --storage postgresql://... --study NAME

The search takes the train flags (they shape the base spec every trial starts from).
Without --storage the study is an SQLite file beside SPEC.json (without one, in the app's
data folder, said on stderr);
running the same command again resumes it. A worker joins a study someone started and
runs its trials until the study's budget is used up.
"""
from __future__ import annotations

import argparse
import json
import signal
import sys
from pathlib import Path
from typing import Any

from .output import _json_safe
from .parsing import UsageError
from .train_flags import (_load_base_spec, add_train_flags_to, apply_overrides,
                          refuse_run_flags)

WORKER = "worker"
_TRAIN_DEFAULTS: dict[str, Any] = {}  # each train flag's default, to tell one given


def register(commands: Any) -> None:
    parser = commands.add_parser(
        "search", help="search hyperparameters on Optuna (or join a search: search worker)",
        description="Search hyperparameters: each trial trains the spec with the "
        "trial's values. 'playground search worker --storage URL --study NAME' joins a "
        "study started elsewhere.")
    add_train_flags_to(parser, "one JSON object per trial on stdout, then a summary")
    _TRAIN_DEFAULTS.update({action.dest: action.default for action in parser._actions
                            if action.dest not in ("help", "jsonl", "spec")})
    add = parser.add_argument
    add("--space", metavar="SPACE", help="e.g. lr=1e-4..1:log,units=4..64,optimizer=sgd|adam "
        "(also layers, batch_size, momentum, dropout, l2, activation, init)")
    add("--trials", type=int, help="the study's trial budget (default 20)")
    add("--timeout", type=float, metavar="S", help="stop starting trials after S seconds")
    add("--sampler", choices=("tpe", "random", "grid"), help="how values are chosen "
        "(default tpe)")
    add("--pruner", choices=("median", "hyperband", "none"), help="how poor trials are "
        "stopped early (default median)")
    add("--storage", metavar="URL", help="an Optuna storage URL (sqlite:///file.db, "
        "postgresql://user@host/db); default: a file beside the spec, or without one "
        "playground.search.db in the app's data folder")
    add("--study", metavar="NAME", help="the study's name (default 'search')")
    add("--search-seed", type=int, metavar="N", help="seed of the sampler (default 0)")
    add("--batch", type=int, metavar="N", help="ask N trials at once and train those that "
        "differ only in lr, momentum, l2, optimizer or init as one stacked model "
        "(default 1: one trial at a time; fastest with --pruner none, since a pruner "
        "re-reads every running trial from the storage each epoch)")
    parser.set_defaults(func=cmd_search)


def cmd_search(args: argparse.Namespace) -> int:
    from ..core.search import Search, SearchSettings, join_settings, sqlite_url

    refuse_run_flags(args, "search")
    if args.spec == WORKER:
        return _worker(args)
    if not args.space and not args.storage:
        raise UsageError("--space is missing; give the values to search, such as "
                         "--space lr=1e-4..1:log,units=4..64.")
    spec, _ = _load_base_spec(args)
    spec = apply_overrides(spec, args).validate()
    settings = SearchSettings(
        space=args.space or "", trials=args.trials if args.trials is not None else 20,
        timeout=args.timeout or 0.0, sampler=args.sampler or "tpe",
        pruner=args.pruner or "median", seed=0 if args.search_seed is None else
        args.search_seed, study=args.study or "search",
        batch=args.batch if args.batch is not None else 1)
    if settings.space:
        settings.check()  # every value checked before the storage is opened
    path = None if args.storage else _default_study_file(args.spec)
    new_in_data_folder = path is not None and not args.spec and not path.exists()
    url = args.storage or sqlite_url(path)
    base = spec
    if not settings.space:  # resuming by name: the stored spec and space
        base, settings = None, join_settings(settings.study, settings.seed)
        settings = _with_budget(settings, args)
    search = Search(base, settings, url, listener=_listener(args))
    if new_in_data_folder:  # said once the search is accepted, not before a refusal
        print(f"playground search: the study is kept in {path} (with a spec file, beside "
              "it; --storage chooses any place).", file=sys.stderr, flush=True)
    return _run(search, args.jsonl)


def _default_study_file(spec_file: str | None) -> Path:
    """Beside the spec file; without one, in the app's data folder (its folder made
    here; cmd_search says where on stderr once the search is accepted, so that the
    records on stdout stay JSON)."""
    from ..core.search import default_path

    path = default_path(spec_file)
    if not spec_file and not path.exists():
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise UsageError(f"The study's folder {path.parent} cannot be made "
                             f"({exc.strerror or exc}); give --storage sqlite:///FILE.db."
                             ) from None
    return path


def _listener(args: argparse.Namespace) -> Any:
    if getattr(args, "tensorboard", None) is None:  # the flag is cli/export.py's
        return _Printer(args.jsonl)
    from .export import with_tensorboard

    return with_tensorboard(_Printer(args.jsonl), args.tensorboard)


def _worker(args: argparse.Namespace) -> int:
    from ..core.search import Search, join_settings

    if not args.storage or not args.study:
        raise UsageError("A worker joins a study: give --storage URL and --study NAME.")
    if args.space:
        raise UsageError("A worker takes the study's own space; leave --space out.")
    given = [name for name, default in _TRAIN_DEFAULTS.items()
             if getattr(args, name, default) != default]
    if given:  # the study's stored spec is what every trial trains
        flags = ", ".join(f"--{name.replace('_', '-')}" for name in given[:3])
        raise UsageError(f"A worker trains the study's own spec; leave out {flags}"
                         f"{' and the rest' if len(given) > 3 else ''}.")
    from ..core.search.stored import SweepInStudy

    settings = _with_budget(join_settings(args.study, args.search_seed), args)
    try:
        search = Search(None, settings, args.storage, listener=_listener(args))
    except SweepInStudy:  # a sweep's grid: its worker trains the sweep's points
        from .sweep import sweep_worker

        return sweep_worker(args)
    return _run(search, args.jsonl)


def _with_budget(settings: Any, args: argparse.Namespace) -> Any:
    import dataclasses

    return dataclasses.replace(settings, trials=args.trials or 0,
                               timeout=args.timeout or 0.0, sampler=args.sampler or "",
                               pruner=args.pruner or "",
                               batch=args.batch if args.batch is not None else 1)


def _run(search: Any, jsonl: bool) -> int:
    """Run until the budget; Ctrl-C or a polite kill stops after the current epoch (the
    unfinished trial is tried again on resume)."""
    stop = lambda *_: search.stop()  # noqa: E731
    previous = {number: signal.signal(number, stop)
                for number in (signal.SIGINT, signal.SIGTERM)}
    try:
        summary = search.run()
    finally:
        for number, handler in previous.items():
            signal.signal(number, handler if handler is not None else signal.SIG_DFL)
    _print_summary(search, summary, jsonl)
    return 0


def _print_summary(search: Any, summary: Any, jsonl: bool) -> None:
    from ..core.search.storage import shown

    results = search.results()
    done = [r for r in results if r.state == "complete"]
    best = min(done, key=lambda r: r.value) if done else None
    if jsonl:
        print(json.dumps(_json_safe({
            "event": "search_end", "reason": summary.reason, "ran": len(summary.ran),
            "trials": len(results), "best": None if best is None else {
                "number": best.number, "value": best.value, "params": best.params},
            "study": search.settings.study, "storage": shown(search.url, None)})),
            flush=True)
        return
    print(f"search ended ({summary.reason}): this process ran {len(summary.ran)} trials; "
          f"the study holds {len(results)} ({len(done)} complete).")
    if best is not None:
        print(f"best trial {best.number}: value {best.value:.4g}  {_params(best.params)}")
    print(f"study {search.settings.study!r} in {shown(search.url, None)}", flush=True)


def _params(params: dict[str, Any]) -> str:
    return " ".join(f"{k}={v:.4g}" if isinstance(v, float) else f"{k}={v}"
                    for k, v in params.items())


class _Printer:
    """One line (or one JSON object) per finished trial."""

    def __init__(self, jsonl: bool) -> None:
        self.jsonl = jsonl

    def trial_began(self, number: int, params: dict[str, Any]) -> None:
        pass

    def epoch_ended(self, number: int, epoch: int, value: float) -> None:
        pass

    def trial_ended(self, result: Any) -> None:
        if self.jsonl:
            print(json.dumps(_json_safe({
                "event": "trial", "number": result.number, "state": result.state,
                "value": result.value, "params": result.params, "epochs": result.epochs,
                "seconds": round(result.seconds, 3)})), flush=True)
            return
        value = "" if result.value is None else f"value {result.value:.4g}  "
        print(f"trial {result.number:<4} {result.state:<9} {value}{_params(result.params)}"
              f"  ({result.epochs} epochs, {result.seconds:.1f}s)", file=sys.stdout,
              flush=True)
