"""Parameter schemas: the one description of a tunable value.

Layers, optimizers and schedules declare their parameters with `Param`; the same
declaration validates specs, parses CLI arguments and will render the GUI's controls.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Mapping

from .errors import SpecError
from .limits import quoted


def _number(value: Any) -> str:
    """A number for a sentence: %g, or its size for a whole number too big for a float."""
    if isinstance(value, int) and value.bit_length() > 1000:
        return quoted(value)
    return f"{value:g}"


@dataclass(frozen=True)
class Param:
    name: str
    kind: str  # "int", "float", "bool", "choice", "floats" (a list of numbers)
    default: Any
    help: str
    low: float | None = None
    high: float | None = None
    choices: tuple[str, ...] = ()
    log_scale: bool = False
    optional: bool = False  # None (or "auto") is allowed and means "inferred"

    def coerce(self, value: Any, where: str) -> Any:
        """Return `value` as this parameter's type, or raise SpecError naming `where`."""
        if value is None or (self.optional and value == "auto"):
            if self.optional:
                return None
            raise SpecError(f"{where}: a value is required.")
        try:
            converted = self._convert(value)
        except (TypeError, ValueError):
            raise SpecError(
                f"{where}: {quoted(value)} is not a valid {self._type_word()}."
            ) from None
        self._check_range(converted, where)
        return converted

    def _type_word(self) -> str:
        return {
            "int": "whole number",
            "float": "number",
            "bool": "true/false value",
            "choice": "choice (" + ", ".join(self.choices) + ")",
            "floats": "list of numbers",
        }[self.kind]

    def _convert(self, value: Any) -> Any:
        if self.kind == "int":
            if isinstance(value, bool):
                raise TypeError
            if isinstance(value, float) and not value.is_integer():
                raise ValueError
            return int(value)
        if self.kind == "float":
            if isinstance(value, bool):
                raise TypeError
            number = float(value)
            if not math.isfinite(number):
                raise ValueError
            return number
        if self.kind == "bool":
            if isinstance(value, str):
                lowered = value.strip().lower()
                if lowered in ("1", "true", "yes", "on"):
                    return True
                if lowered in ("0", "false", "no", "off"):
                    return False
                raise ValueError
            if not isinstance(value, (bool, int)):
                raise TypeError
            return bool(value)
        if self.kind == "choice":
            text = str(value).strip().lower()
            if text not in self.choices:
                raise ValueError
            return text
        if self.kind == "floats":
            if isinstance(value, str):
                value = [part for part in value.replace(";", " ").split() if part]
            items = tuple(float(item) for item in value)
            if not all(math.isfinite(item) for item in items):
                raise ValueError
            return items
        raise AssertionError(f"unknown parameter kind {self.kind}")

    def _check_range(self, value: Any, where: str) -> None:
        items = value if self.kind == "floats" else (value,)
        if self.kind not in ("int", "float", "floats"):
            return
        for item in items:
            if (self.low is not None and item < self.low) or (
                self.high is not None and item > self.high
            ):
                raise SpecError(
                    f"{where}: {_number(item)} is out of range; allowed {self.range_text()}."
                )

    def range_text(self) -> str:
        low = "-inf" if self.low is None else f"{self.low:g}"
        high = "inf" if self.high is None else f"{self.high:g}"
        return f"{low} to {high}"


def coerce_params(
    schema: tuple[Param, ...], given: Mapping[str, Any], where: str
) -> dict[str, Any]:
    """Validate `given` against `schema`; fill defaults. Unknown names are an error."""
    by_name = {param.name: param for param in schema}
    unknown = sorted(set(given) - set(by_name))
    if unknown:
        allowed = ", ".join(by_name) or "none"
        raise SpecError(
            f"{where}: unknown parameter {quoted(unknown[0])}; allowed parameters: {allowed}."
        )
    result = {}
    for param in schema:
        value = given.get(param.name, param.default)
        result[param.name] = param.coerce(value, f"{where}.{param.name}")
    return result
