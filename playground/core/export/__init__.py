"""Taking a trained session out of the playground: an ONNX model, safetensors weights,
a standalone PyTorch training script, predictions on new rows, and share codes.

Qt-free. Every export reads a saved session (or a live trainer) and writes one file
atomically; bad input is an ExportError, one sentence.
"""
from __future__ import annotations

from .trained import ExportError, TrainedModel, from_trainer, load_trained

__all__ = ["ExportError", "TrainedModel", "from_trainer", "load_trained"]
