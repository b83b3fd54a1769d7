"""The Lessons pane: the list of guided experiments and the one being read."""
from .pane import LessonsPane

__all__ = ["LessonsPane"]
