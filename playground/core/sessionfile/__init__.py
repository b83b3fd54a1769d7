"""The session file (.pgsession), a package: this step only moves the module into it
(reading.py, for its history); the next splits it by responsibility."""
from .reading import *  # noqa: F401,F403 - moved, not yet split
from .reading import (MEMBER_BUDGET, MEMBERS, TENSOR_BUDGET,  # noqa: F401
                      _prepare_members, _read_bounded)
