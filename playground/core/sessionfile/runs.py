"""runs.json: the session's runs (each one's spec, history, final figures and kept
checkpoints, as core/experiments/runfile.py writes them) with their tensors moved into
the tensors members; and the migration from format 1, whose file holds one run."""
from __future__ import annotations

from pathlib import Path
from typing import Any

import torch

from ..errors import SessionFileError
from ..experiments.runfile import runs_tree, store_from_state, store_from_tree
from ..experiments.runs import RunStore
from ..spec import SessionSpec
from .format import first_line, limits_loads
from .tensors import join_tensors, split_tensors


def runs_member(runs: RunStore, current_run: int | None,
                tensors: dict[str, torch.Tensor]) -> Any:
    """runs.json's tree, its tensors moved into `tensors` (as the state's are)."""
    return split_tensors(runs_tree(runs, current_run), tensors, "r")


def read_runs(path: Path, members: dict[str, bytearray], manifest: dict[str, Any],
              spec: SessionSpec, state: dict[str, Any] | None,
              tensors: dict[str, torch.Tensor]) -> tuple[RunStore, int | None]:
    """The session's runs; a file without runs.json (format 1, or saved by the CLI)
    holds one run, the trainer's (the migration from format 1)."""
    if "runs.json" not in members:
        return store_from_state(spec, state)
    if manifest["version"] < 2:
        raise SessionFileError(f"{path} was refused: a format {manifest['version']} session "
                               "never holds runs.json.")
    try:
        tree = join_tensors(limits_loads(path, members["runs.json"], "runs.json"), tensors)
    except SessionFileError:
        raise
    except Exception as exc:  # noqa: BLE001 - any failure to parse is damage
        raise SessionFileError(f"{path}: the runs are damaged ({first_line(exc)}).") from None
    return store_from_tree(path, tree, state)
