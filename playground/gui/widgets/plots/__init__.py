"""The live plots of the main window: the LivePlots widget and its parts.

  live_plots.py  the widget: controls, what it is told, building and drawing the curves
  recording.py   what was recorded: each logged key's series, layers, single updates
  ranges.py      where the axes go, and which plots follow their data
  markers.py     lines for changes, the end, the best epoch, a loss gone non-finite;
                 the stop message
  titles.py      each plot's title, its one-line key and its tooltip
  readout.py     the summary line and the hover readout
  text.py        small formatting helpers

Each part imports only parts listed below it, never this face.
"""
from .live_plots import LivePlots

__all__ = ["LivePlots"]
