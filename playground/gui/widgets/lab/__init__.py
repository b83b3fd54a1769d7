"""The optimizer lab's views (core.lab is their model)."""
from .window import OptimizerLabWindow

__all__ = ["OptimizerLabWindow"]
