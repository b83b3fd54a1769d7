"""`playground export SESSION` and `playground predict SESSION`: taking a trained
session out of the playground.

    playground export SESSION [--onnx FILE] [--weights FILE] [--script FILE]
    playground predict SESSION --input CSV [--output CSV]

Every output path is checked, and the session read, before anything is written; bad
input is one sentence and exit 2.
"""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path
from typing import Any

from .parsing import EXIT_OK, UsageError
from .train_flags import _example, _read_spec_file


def register(commands: Any) -> None:
    export = commands.add_parser(
        "export", help="export a trained session: ONNX, safetensors weights, a script",
        description="Write the trained model as ONNX (the fitted scaling inside: raw "
        "feature columns in, what `playground predict` prints out), its weights as "
        "safetensors with the spec as JSON beside them, or a standalone PyTorch script "
        "that reproduces the training (python FILE, or torchrun --nproc_per_node N FILE).")
    add = export.add_argument
    add("session", metavar="SESSION", help="a saved session (.pgsession)")
    add("--onnx", metavar="FILE", help="write the model as ONNX")
    add("--weights", metavar="FILE", help="write the weights as safetensors, and the "
        "spec, scaling and column names as JSON beside them (FILE with .json)")
    add("--script", metavar="FILE", help="write a standalone PyTorch training script")
    export.set_defaults(func=cmd_export)

    predict = commands.add_parser(
        "predict", help="predict the rows of a CSV file with a trained session",
        description="Apply the session's scaling and network to the rows of a CSV file "
        "whose columns include the model's feature columns (by name). The output has "
        "the input's columns, `prediction` and, for classes, one p_<class> column each.")
    add = predict.add_argument
    add("session", metavar="SESSION", help="a saved session (.pgsession)")
    add("--input", metavar="CSV", required=True, help="the rows to predict")
    add("--output", metavar="CSV", help="write here instead of printing")
    predict.set_defaults(func=cmd_predict)

    for name, where in (("train", ""), ("sweep", " (a folder per run)"),
                        ("search", " (a folder per trial: its loss and values)")):
        parser = commands.choices.get(name)  # their own flags are in their modules
        if parser is not None:
            parser.add_argument("--tensorboard", metavar="DIR", help="write TensorBoard "
                                f"event files here{where}: each epoch's scalars, weight "
                                "histograms, the hyperparameters with the final metrics")


def cmd_export(args: argparse.Namespace) -> int:
    from ..core.export import load_trained
    from ..core.export.extras import require
    from ..core.export.formats import export_onnx, export_weights, spec_path_for
    from ..core.export.paths import check_output
    from ..core.export.script import check_scriptable, write_trained_script

    wanted = [(flag, getattr(args, flag)) for flag in ("onnx", "weights", "script")
              if getattr(args, flag) is not None]
    if not wanted:
        raise UsageError("Say what to export: --onnx FILE, --weights FILE or --script FILE.")
    for flag, _ in wanted:  # an optional package missing: said before any work
        if flag != "script":
            require(flag)
    for flag, path in wanted:
        check_output(path, f"--{flag}")
    if args.weights is not None:
        check_output(spec_path_for(args.weights), "--weights' JSON")
    _refuse_same_paths(args)
    trained = load_trained(args.session)
    if args.script is not None:
        check_scriptable(trained.spec)  # before the other files are written
    writers = {"onnx": lambda path: [export_onnx(trained, path)],
               "weights": lambda path: list(export_weights(trained, path)),
               "script": lambda path: [write_trained_script(path, trained)]}
    for flag, path in wanted:
        started = time.perf_counter()
        written = writers[flag](path)
        seconds = time.perf_counter() - started
        for file in written:
            print(f"wrote {file} ({_size(file)}, {seconds:.2f}s)", flush=True)
    return EXIT_OK


def with_tensorboard(listener: Any, logdir: str) -> Any:
    """The search listener, plus each finished trial written as TensorBoard logs (the
    folder checked now, before the study is opened)."""
    from ..core.export.tensorboard import check_logdir

    return _TrialLogs(listener, check_logdir(logdir))


class _TrialLogs:
    """Passes every call on to the listener; a finished trial also goes to TensorBoard."""

    def __init__(self, listener: Any, folder: Path) -> None:
        self.listener, self.folder = listener, folder

    def __getattr__(self, name: str) -> Any:
        return getattr(self.listener, name)

    def trial_ended(self, result: Any) -> None:
        from ..core.export.tensorboard import write_trial

        self.listener.trial_ended(result)
        write_trial(self.folder, result)


def _refuse_same_paths(args: argparse.Namespace) -> None:
    from ..core.export.formats import spec_path_for

    paths = [Path(p).resolve() for p in (args.onnx, args.script, args.weights) if p]
    if args.weights:
        paths.append(spec_path_for(args.weights).resolve())
    if len(set(paths)) != len(paths):
        raise UsageError("Two exports would write the same file; give each its own name.")


def _size(path: Path) -> str:
    size = Path(path).stat().st_size
    return f"{size / 1024:.1f} KB" if size < 2**20 else f"{size / 2**20:.1f} MB"


def cmd_predict(args: argparse.Namespace) -> int:
    from ..core.export import load_trained
    from ..core.export.paths import check_output
    from ..core.export.predict import prediction_table, read_rows, write_csv

    if args.output is not None:
        check_output(args.output, "--output")
        if Path(args.output).resolve() == Path(args.input).resolve():
            raise UsageError("--output would overwrite --input; give another file.")
    trained = load_trained(args.session)
    frame, X = read_rows(args.input, trained)
    header, rows = prediction_table(frame, trained, X)
    text = write_csv(args.output, header, rows)
    if args.output is None:
        sys.stdout.write(text)
    else:
        print(f"wrote {len(rows):,} predictions to {args.output}", file=sys.stderr)
    return EXIT_OK


# ------------------------------------------------------- share codes (spec command)

def add_code_flags(spec: argparse.ArgumentParser) -> None:
    """`playground spec [--example NAME | FILE] --code` and `--from-code CODE`."""
    spec.add_argument("file", nargs="?", metavar="FILE",
                      help="a spec file (JSON), for --code")
    spec.add_argument("--code", action="store_true",
                      help="print the spec's share code instead of its JSON")
    spec.add_argument("--from-code", metavar="CODE",
                      help="print the JSON of the spec a share code carries")


def cmd_spec_code(args: argparse.Namespace) -> int:
    from ..core.export.sharecode import from_code, to_code

    if args.from_code is not None:
        if args.code or args.example or args.file:
            raise UsageError("--from-code reads a code; give no spec file, --example or "
                             "--code with it.")
        print(from_code(args.from_code).to_json())
        return EXIT_OK
    if args.example and args.file:
        raise UsageError("Give either a spec file or --example, not both.")
    if not (args.example or args.file):
        raise UsageError("--code needs a spec: --example NAME or a spec file.")
    spec = _example(args.example) if args.example else _read_spec_file(Path(args.file))
    if not args.code:
        print(spec.to_json())
        return EXIT_OK
    print(to_code(spec.validate()))
    return EXIT_OK
