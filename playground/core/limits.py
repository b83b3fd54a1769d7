"""The resource budget: how much a spec, a flag, a data file or a session may ask for.

Everything we read is checked against these numbers before anything is allocated, so a
hostile or mistyped input is refused with a sentence instead of exhausting memory. The
numbers are generous for a desktop playground (the largest built-in set, MNIST, is
70,000 x 784) and far below what would stall a laptop.
"""
from __future__ import annotations

import json
from typing import Any

MAX_SAMPLES = 1_000_000          # points of a synthetic data set
MAX_FEATURES = 100_000           # columns of one data set (MNIST has 784)
MAX_DATA_VALUES = 256 * 2**20    # rows x columns of a data set: 1 GiB as float32
MAX_DATA_BYTES = 2**30           # bytes an NPZ or IDX array may unpack to
MAX_LAYERS = 256                 # layers of one network
MAX_PARAMETERS = 20_000_000      # trainable values of one network: 80 MB as float32
MAX_ACTIVATION_BYTES = 2**31     # what one training step keeps for its backward pass
MAX_PATH = 4096                  # characters of a file path (Linux' PATH_MAX)
MAX_JSON_DEPTH = 64              # nesting of any JSON we read
MAX_NUMBER_CHARS = 100           # characters of one number in any JSON we read
MAX_SPEC_BYTES = 2**20           # a spec file
MAX_DRAWN_POINTS = 5000          # of a drawn data set: a full canvas still fits a share code


class LimitError(ValueError):
    """A budget was exceeded; the message says which and why, in one sentence."""


QUOTE_CHARS = 80                 # of a user's input quoted back in a sentence


def quoted(value: Any, limit: int = QUOTE_CHARS) -> str:
    """`value` as a sentence quotes it: its repr, at most `limit` characters (the start
    kept, '...' after), never the whole of a 100 KB input; a huge whole number by its
    size (its digits would not even print: Python limits int to str at 4,300)."""
    import reprlib

    if isinstance(value, int) and not isinstance(value, bool) and value.bit_length() > 200:
        return f"a whole number of about {int(value.bit_length() * 0.30103) + 1:,} digits"
    if isinstance(value, (str, bytes)) and len(value) > 4 * limit:
        value = value[:4 * limit]
    shortener = reprlib.Repr()
    shortener.maxstring = shortener.maxother = shortener.maxlong = limit
    text = shortener.repr(value)
    return text if len(text) <= limit else text[:limit - 3] + "..."


def mb(size: float) -> str:
    """Bytes in words: '1.5 GB', '300 MB'."""
    if size >= 2**30:
        return f"{size / 2**30:,.1f} GB"
    return f"{size / 2**20:,.0f} MB" if size >= 2**20 else f"{size:,.0f} bytes"


# ------------------------------------------------------------------- JSON

def json_depth(value: Any) -> int:
    """The deepest nesting of objects and lists in a parsed JSON value (iterative, so
    it cannot overflow the stack itself)."""
    deepest = 0
    stack = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict):
            item = item.values()
        elif not isinstance(item, list):
            continue
        deepest = max(deepest, depth)
        stack.extend((child, depth + 1) for child in item
                     if isinstance(child, (dict, list)))
    return deepest


def _number(kind: type) -> Any:
    def parse(text: str) -> Any:
        if len(text) > MAX_NUMBER_CHARS:
            raise LimitError(f"a number has {len(text):,} digits (at most "
                             f"{MAX_NUMBER_CHARS} are read)")
        return kind(text)
    return parse


def loads(raw: bytes | str, max_bytes: int) -> Any:
    """json.loads within the budget: at most `max_bytes`, MAX_JSON_DEPTH levels deep
    and numbers of at most MAX_NUMBER_CHARS characters. Raises LimitError (a limit),
    or ValueError (not JSON, not UTF-8), never RecursionError."""
    if isinstance(raw, str):
        raw = raw.encode("utf-8", "surrogatepass")
    if len(raw) > max_bytes:
        raise LimitError(f"it is {mb(len(raw))}, above the {mb(max_bytes)} read at most")
    text = raw.decode("utf-8")  # UnicodeDecodeError is a ValueError
    try:  # the decoder's own limit: deeper than Python's recursion limit is an error
        value = json.loads(text, parse_int=_number(int), parse_float=_number(float))
    except RecursionError:
        raise LimitError(f"it is nested more than {MAX_JSON_DEPTH} levels deep") from None
    depth = json_depth(value)
    if depth > MAX_JSON_DEPTH:
        raise LimitError(f"it is nested {depth:,} levels deep (at most {MAX_JSON_DEPTH} "
                         "are read)")
    return value
