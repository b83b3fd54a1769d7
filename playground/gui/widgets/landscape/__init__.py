"""The loss landscape view (see view.py)."""
from .view import LandscapeView

__all__ = ["LandscapeView"]
