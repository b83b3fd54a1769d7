"""Reading the command line's values: --layers, --schedule, --split, --features,
--batch-size and name=value lists; a value that cannot be used is a UsageError (stderr,
exit 2)."""
from __future__ import annotations

import math
from typing import Any

from ..core.errors import PlaygroundError, SpecError
from ..core.layers import ACTIVATIONS, LAYERS
from ..core.limits import MAX_FEATURES
from ..core.optim import SCHEDULES
from ..core.spec import LayerSpec, ScheduleSpec

EXIT_OK, EXIT_FAILED, EXIT_USAGE, EXIT_INTERRUPTED = 0, 1, 2, 130


class UsageError(PlaygroundError):
    """A command-line argument that cannot be used."""


def parse_layers(text: str) -> tuple[LayerSpec, ...]:
    """'32:relu,16:tanh,dropout:0.2,batchnorm,1:sigmoid' -> layer specs.

    A leading number (or 'auto') is a Dense layer: units[:activation[:init]]. Any other
    item is a layer kind followed by its positional values, e.g. conv2d:16:3, maxpool2d:2.
    """
    items = [item.strip() for item in text.split(",") if item.strip()]
    if not items:
        raise UsageError("--layers is empty; give layers such as 32:relu,1:sigmoid.")
    return tuple(_parse_layer(item) for item in items)


_ALIASES = {"conv": "conv2d", "maxpool": "maxpool2d", "pool": "maxpool2d", "bn": "batchnorm",
            "leakyrelu": "leaky_relu", "swish": "silu", "identity": "linear"}


def _parse_layer(item: str) -> LayerSpec:
    head, *values = item.split(":")
    head = head.strip().lower()
    if head == "auto" or head.isdigit():
        kind_name, values = "dense", [head, *values]
    else:
        kind_name = _ALIASES.get(head, head)
    kind = LAYERS.get(kind_name)
    if kind is None:
        raise UsageError(f"--layers: unknown layer {head!r}; use a number of units or one "
                         f"of {', '.join(LAYERS)}.")
    if len(values) > len(kind.positional):
        raise UsageError(f"--layers: {item!r} has too many values; {kind.label} takes "
                         f"{':'.join(kind.positional) or 'none'}.")
    params = {name: value for name, value in zip(kind.positional, values)}
    if kind_name == "dense" and "activation" in params:
        params["activation"] = _ALIASES.get(params["activation"].lower(),
                                            params["activation"].lower())
        if params["activation"] not in ACTIVATIONS:
            raise UsageError(f"--layers: unknown activation {params['activation']!r} in "
                             f"{item!r}; choose one of {', '.join(ACTIVATIONS)}.")
    from ..core.schema import coerce_params
    try:
        return LayerSpec(kind_name, coerce_params(kind.params, params, f"--layers {item!r}"))
    except SpecError as exc:
        raise UsageError(str(exc)) from None


def parse_key_values(text: str, flag: str) -> dict[str, str]:
    result = {}
    for part in (p.strip() for p in text.split(",") if p.strip()):
        key, sep, value = part.partition("=")
        if not sep or not key.strip():
            raise UsageError(f"{flag}: {part!r} is not of the form name=value.")
        result[key.strip()] = value.strip()
    return result


def parse_schedule(text: str) -> ScheduleSpec:
    name, _, rest = text.partition(":")
    name = name.strip().lower()
    if name not in SCHEDULES:
        raise UsageError(f"--schedule: unknown schedule {name!r}; choose one of "
                         f"{', '.join(SCHEDULES)}.")
    params: dict[str, Any] = parse_key_values(rest, "--schedule")
    warmup = params.pop("warmup", 0.0)
    try:
        warmup = float(warmup)
    except ValueError:
        raise UsageError(f"--schedule: warmup={warmup!r} is not a number of epochs.") from None
    return ScheduleSpec(name, params, warmup)


def parse_features(text: str) -> tuple[int, ...]:
    """'0-7' or '0,2,5' or '0-3,9' -> column indices (checked against the budget before
    any list is made)."""
    columns: list[int] = []
    for part in (p.strip() for p in text.split(",") if p.strip()):
        low, dash, high = part.partition("-")
        try:
            first = int(low)
            last = int(high) if dash else first
        except ValueError:
            raise UsageError(f"--features: {_short(text)} is not a list of column numbers "
                             "such as 0-7 or 0,2,5.") from None
        if last < first:
            raise UsageError(f"--features: the range {part!r} is empty (it runs backwards); "
                             "write the lower column first, such as 2-5.")
        if last >= MAX_FEATURES or len(columns) + last - first + 1 > MAX_FEATURES:
            raise UsageError(f"--features: {_short(part)} goes beyond the limit of "
                             f"{MAX_FEATURES:,} columns a data set may have.")
        columns.extend(range(first, last + 1))
    if not columns:
        raise UsageError("--features lists no columns; give columns such as 0-7 or 0,2,5.")
    return tuple(columns)


def _short(text: str, limit: int = 40) -> str:
    return repr(text if len(text) <= limit else text[:limit] + "...")


def parse_split(text: str) -> tuple[float, float, float]:
    parts = [p for p in text.replace("/", ",").split(",") if p.strip()]
    try:
        values = [float(p) for p in parts]
    except ValueError:
        values = []
    if len(values) != 3:
        raise UsageError(f"--split: {_short(text)} must be three parts such as 70/15/15.")
    if not all(math.isfinite(v) and v >= 0 for v in values):
        raise UsageError(f"--split: {_short(text)} must be three numbers of 0 or more, "
                         "such as 70/15/15.")
    total = sum(values)
    if not (math.isclose(total, 100, abs_tol=1e-6) or math.isclose(total, 1, abs_tol=1e-9)):
        raise UsageError(f"--split: {_short(text)} adds up to {total:g}; the train, "
                         "validation and test parts must add up to 100, such as 70/15/15.")
    return tuple(v / total for v in values)  # type: ignore[return-value]


def parse_batch_size(text: str) -> int | None:
    if text.strip().lower() == "full":
        return None
    try:
        return int(text)
    except ValueError:
        raise UsageError(f"--batch-size: {text!r} is not a number or 'full'.") from None
