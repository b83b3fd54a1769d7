"""The optional packages some exports need (the `export` extra: onnx, onnxscript,
safetensors, tensorboard), looked for without importing them: a missing one is one sentence that
names what to install, said before any work (the CLI) or in the window's action."""
from __future__ import annotations

import importlib.util
import sys

from .trained import ExportError

_NEEDS = {
    "onnx": (("onnx", "onnxscript"), "ONNX export needs the optional packages onnx and "
             "onnxscript"),
    "tensorboard": (("tensorboard",), "TensorBoard logs need the optional package "
                    "tensorboard"),
    "weights": (("safetensors",), "Weights export needs the optional package safetensors"),
}
INSTALL = "pip install 'gradient-playground[export]'"


def missing(kind: str) -> str | None:
    """The sentence for `kind` ('onnx', 'tensorboard' or 'weights') when a package it needs is not
    installed, else None."""
    names, need = _NEEDS[kind]
    absent = [name for name in names if not _importable(name)]
    if not absent:
        return None
    if getattr(sys, "frozen", False):  # the packaged app: pip cannot add to it
        return (f"{need}, which this packaged app does not include ({', '.join(absent)}); "
                f"use the app installed with {INSTALL}.")
    return f"{need} ({', '.join(absent)} not installed): {INSTALL}."


def require(kind: str) -> None:
    """ExportError with missing(kind)'s sentence when a package is not installed."""
    sentence = missing(kind)
    if sentence is not None:
        raise ExportError(sentence)


def _importable(name: str) -> bool:
    try:
        return importlib.util.find_spec(name) is not None
    except (ImportError, ValueError):  # a broken install, or a module without a spec
        return False
