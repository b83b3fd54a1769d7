"""The live plots of the main window: the LivePlots widget and its parts."""
from .live_plots import LivePlots

__all__ = ["LivePlots"]
