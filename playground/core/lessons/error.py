"""The lessons' one error type (its own module, so that the lesson format and the checks
both raise it without importing each other)."""
from ..errors import PlaygroundError


class LessonError(PlaygroundError):
    """A lesson file that cannot be used, or a lesson that does not exist."""
