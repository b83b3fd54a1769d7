"""The session file (.pgsession): one zip that reopens a run exactly, and is safe to open.
Opening never executes code: JSON and safetensors only, member names checked, sizes
bounded, every hash verified, and any member we did not write refuses the file.

Its parts, each importing only those above it:
  format.py    name, version, suffix, the members and their budgets, Session
  tensors.py   the safetensors layout, and tensors moved out of a JSON tree and back
  runs.py      runs.json (the session's runs), and format 1's single run
  writing.py   every member's bytes and hashes, written atomically (save_session)
  reading.py   every member checked, verified and parsed (open_session)
  opening.py   a session or an old .pgrun file (open_any), and its data (prepared_data)
  describe.py  what a file holds (describe_session)

This face names what the app, the CLI and the exports use; the parts' other names
are imported from the part.
"""
from ..sessioncheck import restore_state
from .describe import describe_session
from .format import FORMAT, SUFFIX, VERSION, Session
from .opening import open_any, prepared_data
from .reading import open_session
from .writing import save_session

__all__ = ["FORMAT", "SUFFIX", "VERSION", "Session", "describe_session", "open_any",
           "open_session", "prepared_data", "restore_state", "save_session"]
