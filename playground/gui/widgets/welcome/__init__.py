"""The welcome view: what the app is for, the examples (one click each) and the recent
sessions. Shown on the first start and from Help > Welcome (see gui/welcome_feature.py)."""
from .summary import example_title, summarize
from .view import WelcomeView

__all__ = ["WelcomeView", "example_title", "summarize"]
