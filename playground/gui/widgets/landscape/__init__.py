"""The loss landscape view (view.py) and the gradient noise view (noise_view.py)."""
from .noise_view import NoiseView
from .view import LandscapeView

__all__ = ["LandscapeView", "NoiseView"]
