"""The Sweep window: pick one or two variables (or a preset), train every combination,
watch the curves overlaid, compare the results in a table and, for two, a heat map."""
from .sweep_window import SweepWindow

__all__ = ["SweepWindow"]
