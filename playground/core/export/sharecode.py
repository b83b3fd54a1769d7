"""Share codes: a short text that carries a spec. `pg1.` then the spec's compact JSON,
deflated and in URL-safe base64 (no padding).

A code is data, never code: reading one is a bounded inflate, a bounded JSON parse and
SessionSpec.from_dict, which validates every field. zlib's checksum catches a code that
was cut or mistyped; every failure is one sentence.
"""
from __future__ import annotations

import base64
import binascii
import json
import zlib

from .. import catalog  # noqa: F401 - what SessionSpec.validate() checks against
from ..errors import SpecError
from ..limits import LimitError, MAX_SPEC_BYTES, loads
from ..spec import SessionSpec
from .trained import ExportError

PREFIX = "pg1."
MAX_CODE_CHARS = 64 * 1024  # a spec deflates to a few hundred characters


def to_code(spec: SessionSpec) -> str:
    text = json.dumps(spec.to_dict(), separators=(",", ":"), sort_keys=True)
    packed = zlib.compress(text.encode("utf-8"), 9)
    return PREFIX + base64.urlsafe_b64encode(packed).decode("ascii").rstrip("=")


def from_code(code: str) -> SessionSpec:
    """The spec a code carries; ExportError (one sentence) for anything else."""
    code = "".join(code.split())  # codes pasted from mail or chat break across lines
    if len(code) > MAX_CODE_CHARS:
        raise ExportError(f"The share code is {len(code):,} characters long, far more "
                          "than any spec needs; is it the right text?")
    if not code.startswith(PREFIX):
        raise ExportError(f"This is not a share code: a code starts with {PREFIX!r}.")
    body = code[len(PREFIX):]
    try:
        packed = base64.urlsafe_b64decode(body + "=" * (-len(body) % 4))
        inflater = zlib.decompressobj()
        raw = inflater.decompress(packed, MAX_SPEC_BYTES + 1)
        if len(raw) > MAX_SPEC_BYTES or inflater.unconsumed_tail:
            raise ExportError("The share code unpacks to more than a spec can be; it is "
                              "not one of ours.")
        if not inflater.eof:
            raise zlib.error("truncated")
        data = loads(raw, MAX_SPEC_BYTES)
    except (binascii.Error, ValueError, zlib.error):
        raise ExportError("The share code is damaged (cut short or mistyped); copy it "
                          "again, whole.") from None
    except LimitError as exc:
        raise ExportError(f"The share code's spec cannot be read: {exc}.") from None
    if not isinstance(data, dict):
        raise ExportError("The share code does not hold a spec.")
    try:
        return SessionSpec.from_dict(data).validate()
    except SpecError as exc:
        raise ExportError(f"The share code holds a spec that does not work: {exc}") from None
