"""The error types the core raises for anything a user can get wrong.

Every message is one sentence a person can act on; the GUI and the CLI show it as is.
"""


class PlaygroundError(Exception):
    """Base of every error the core raises on purpose."""


class SpecError(PlaygroundError, ValueError):
    """A spec field holds a value that cannot work; the message names field and range."""


class DataError(PlaygroundError, ValueError):
    """A data set cannot be built or read."""


class NoDrawnPointsError(DataError):
    """The drawn set has no point yet: the window and the command line each say, in
    their own words, how to give it some."""


class SessionFileError(PlaygroundError):
    """A saved file is unreadable, damaged, or not ours."""


class DeviceError(PlaygroundError, RuntimeError):
    """The requested device is not available on this machine."""
