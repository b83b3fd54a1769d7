"""`playground lr-find [SPEC.json] [train flags]`: the learning-rate range test.

Sweeps the learning rate exponentially on the spec's network and data and prints the
suggested lr (fastai's valley rule) and the steepest-descent one, both read only from
where the smoothed loss falls below its start; without a clear valley it says so and
suggests nothing ("suggestion", "valley" and "steepest" are null, "clear" false and
"note" says why). --jsonl adds the curve.
Nothing is trained for keeps: the sweep runs on a copy of the network.
"""
from __future__ import annotations

import argparse
import json
from typing import Any

from .output import _DownloadProgress, _json_safe
from .train_flags import (_load_base_spec, add_train_flags_to, apply_overrides,
                          refuse_run_flags)


def register(commands: Any) -> None:
    parser = commands.add_parser(
        "lr-find", help="find a learning rate by an exponential sweep (prints it)",
        description="Leslie Smith's learning-rate range test: the lr grows from --start "
        "to --end over --updates mini-batch updates; the suggestion is fastai's valley, "
        "read only where the smoothed loss falls below its start. Without such a fall "
        "it prints 'no clear valley' and why, and suggests nothing.")
    add_train_flags_to(parser, "one JSON object: the suggestions and the whole curve")
    add = parser.add_argument
    add("--start", type=float, default=1e-7, help="first learning rate (default 1e-7)")
    add("--end", type=float, default=10.0, help="last learning rate (default 10)")
    add("--updates", type=int, default=100, help="updates in the sweep (default 100)")
    parser.set_defaults(func=cmd_lr_find)


def cmd_lr_find(args: argparse.Namespace) -> int:
    import sys

    from ..core.data import prepare
    from ..core.search import find_lr
    from ..core.trainer import Trainer

    refuse_run_flags(args, "lr-find")
    spec, _ = _load_base_spec(args)
    spec = apply_overrides(spec, args).validate()
    from ..core.search.lr_finder import check_sweep

    check_sweep(args.start, args.end, args.updates)  # before any data is made
    trainer = Trainer(spec, data=prepare(spec.data, progress=_DownloadProgress(sys.stderr)))
    found = find_lr(trainer, start=args.start, end=args.end, updates=args.updates)
    if args.jsonl:
        print(json.dumps(_json_safe({
            "event": "lr_find", "suggestion": found.suggestion, "valley": found.valley,
            "steepest": found.steepest, "reason": found.reason, "lrs": list(found.lrs),
            "losses": list(found.losses), "clear": found.clear, "note": found.note,
            "start_loss": found.start_loss,
            "descent": list(found.descent) if found.descent else None})), flush=True)
        return 0
    ended = f"{len(found.lrs)} updates, the sweep {found.reason}."
    if not found.clear:
        print(f"no clear valley: {found.note[0].lower()}{found.note[1:]} ({ended})", flush=True)
        return 0
    print(f"suggested lr {found.suggestion:.3g} (valley); steepest {found.steepest:.3g}; "
          f"{ended}", flush=True)
    return 0
