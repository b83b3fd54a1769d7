"""Which device and how many threads: decided once, explained in words."""
from __future__ import annotations

import os

import torch

from .errors import DeviceError


def cuda_status() -> tuple[bool, str]:
    """(usable, a sentence): the GPU's name, or why CUDA cannot be used here."""
    if torch.version.cuda is None:
        return False, ("CUDA is not available: this PyTorch is a CPU-only build; install "
                       "a CUDA build of PyTorch to train on an NVIDIA GPU.")
    if not torch.cuda.is_available():
        return False, ("CUDA is not available: PyTorch finds no usable NVIDIA GPU or "
                       "driver on this machine.")
    return True, f"CUDA: {torch.cuda.get_device_name(0)}"


def resolve_device(requested: str) -> torch.device:
    if requested == "cpu":
        return torch.device("cpu")
    usable, reason = cuda_status()
    if requested == "cuda" and not usable:
        raise DeviceError(f"{reason} Use the CPU instead (--device cpu or auto).")
    return torch.device("cuda" if usable else "cpu")


def describe(device: torch.device) -> str:
    if device.type == "cuda":
        return f"CUDA ({torch.cuda.get_device_name(device)})"
    return "CPU"


def resolve_threads(requested: int, interactive: bool) -> int:
    """Threads for torch's CPU kernels.

    With an interface on screen we leave it a core: measured on 2 cores, two torch
    threads next to a busy GUI thread made epochs about 6x slower, one thread lost little.
    """
    if requested > 0:
        return requested
    cores = os.cpu_count() or 1
    return max(1, cores - 1) if interactive else cores
