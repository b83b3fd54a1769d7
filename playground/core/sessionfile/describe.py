"""What a session (or an interim run file) holds, as JSON-able values: `describe` on
the command line."""
from __future__ import annotations

from pathlib import Path
from typing import Any

from ..session import weights_sha256
from .format import FORMAT
from .opening import open_any


def describe_session(path: str | Path) -> dict[str, Any]:
    """What a session (or an interim run file) holds, as JSON-able values."""
    session = open_any(path)
    state, manifest = session.state, session.manifest
    info = {"path": str(path), "format": manifest.get("format", FORMAT),
            **{k: manifest.get(k) for k in ("version", "app_version", "created", "python",
                                             "numpy", "device", "seed", "data_sha256")},
            "torch": manifest.get("torch") or manifest.get("torch_version"),
            "dataset": session.spec.data.name,
        "optimizer": session.spec.optimizer.name, "epochs_planned": session.spec.train.epochs,
        "spec": session.spec.to_dict(),
        "runs": [{"id": r.id, "name": r.name, "epochs": r.epochs, "reason": r.reason,
                  "current": r.id == session.current_run, "parent": r.parent,
                  "branch_epoch": r.branch_epoch,
                  "checkpoints": [c.epoch for c in r.checkpoints]} for r in session.runs]}
    if state is None:
        return {**info, "epoch": 0, "step": 0, "trained": False}
    model = state["model"]
    from ..callbacks import History

    history = History()
    if "history" in state["callbacks"]:
        history.load_state_dict(state["callbacks"]["history"])
    records = history.records
    return {**info, "trained": True, "lr": state["base_lr"], "epoch": state["epoch"],
            "step": state["step"], "batch_in_epoch": state["batch"],
            "parameters": int(sum(t.numel() for k, t in model.items()
                                  if not k.endswith(("running_mean", "running_var",
                                                     "num_batches_tracked")))),
            "tensors": {name: list(t.shape) for name, t in model.items()},
            "history_epochs": len(records), "last_epoch": records[-1] if records else None,
            "weights_sha256": weights_sha256(model)}
