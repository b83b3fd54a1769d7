"""Safe expressions: a typed function of x (and y) parsed into an allow-listed tree and
evaluated with torch, so autograd gives its gradient.

Nothing typed is ever executed by Python: the text goes through `ast.parse` only (which
builds a tree and runs nothing), every node is checked against a small allow-list, and
evaluation walks the checked tree calling a fixed table of torch functions. Limits on
length, depth, constants and exponents are checked before anything is computed, so a
hostile text costs a parse and a sentence, never time or memory.
"""
from __future__ import annotations

import ast
import functools
import math
from dataclasses import dataclass
from typing import Callable

import numpy as np
import torch

from ..errors import PlaygroundError

MAX_LENGTH = 400          # characters of typed text
MAX_DEPTH = 30            # nesting of operations
MAX_NODES = 200           # operations and leaves in all
MAX_CONSTANT = 1e6        # largest number written
MAX_EXPONENT = 64         # largest constant exponent

FUNCTIONS: dict[str, Callable[[torch.Tensor], torch.Tensor]] = {
    "sin": torch.sin, "cos": torch.cos, "tan": torch.tan, "atan": torch.atan,
    "exp": torch.exp, "log": torch.log, "sqrt": torch.sqrt, "abs": torch.abs,
    "tanh": torch.tanh, "sinh": torch.sinh, "cosh": torch.cosh,
    "sigmoid": torch.sigmoid,
}
CONSTANTS = {"pi": math.pi, "e": math.e}
_BINARY = {ast.Add: torch.add, ast.Sub: torch.sub, ast.Mult: torch.mul,
           ast.Div: torch.div, ast.Pow: torch.pow}
_SYMBOL = {ast.Add: "+", ast.Sub: "-", ast.Mult: "*", ast.Div: "/", ast.Pow: "**"}


class ExpressionError(PlaygroundError, ValueError):
    """A typed function that cannot be used; the message says what and why."""


@dataclass(frozen=True, eq=False)
class Expression:
    """A checked expression tree over `variables`; call it with tensors."""
    text: str
    variables: tuple[str, ...]
    tree: ast.expr

    def __call__(self, *values: torch.Tensor) -> torch.Tensor:
        env = dict(zip(self.variables, values))
        return _evaluate(self.tree, env)

    def values(self, *arrays) -> np.ndarray:
        """f over numpy arrays of equal shape (a curve or a grid), as a float64 array;
        for the views, which do not touch torch."""
        tensors = [torch.as_tensor(np.asarray(a, dtype=np.float64)) for a in arrays]
        with torch.no_grad():
            result = self(*tensors)
        return np.broadcast_to(result.numpy(), tensors[0].shape).copy()

    def value(self, *numbers: float) -> float:
        """f at a point, as a plain float (float64 arithmetic)."""
        tensors = [torch.tensor(float(n), dtype=torch.float64) for n in numbers]
        return float(self(*tensors))


def parse_expression(text: str, variables: tuple[str, ...] = ("x",)) -> Expression:
    """Check `text` and return its Expression, or raise ExpressionError (one sentence)."""
    if not isinstance(text, str) or not text.strip():
        raise ExpressionError("The function is empty; type one such as x**2 + 3*sin(x).")
    if len(text) > MAX_LENGTH:
        raise ExpressionError(f"The function is {len(text):,} characters long; at most "
                              f"{MAX_LENGTH} are allowed.")
    source = text.strip().replace("^", "**")  # x^2 is what most people type for a power
    try:
        tree = ast.parse(source, mode="eval").body
    except SyntaxError:
        raise ExpressionError(f"{_short(text)} is not a formula; write one such as "
                              "x**2 - 3*x + 1.") from None
    except (ValueError, RecursionError, MemoryError):
        raise ExpressionError(f"{_short(text)} cannot be read as a formula.") from None
    _Checker(variables).check(tree)
    return Expression(text.strip(), tuple(variables), tree)


def _short(text: str, limit: int = 40) -> str:
    return repr(text if len(text) <= limit else text[:limit] + "...")


class _Checker:
    """Walks the parsed tree once, refusing anything outside the allow-list."""

    def __init__(self, variables: tuple[str, ...]) -> None:
        self.variables = variables
        self.nodes = 0

    def check(self, node: ast.AST, depth: int = 0) -> None:
        self.nodes += 1
        if depth > MAX_DEPTH:
            raise ExpressionError(f"The function nests more than {MAX_DEPTH} levels deep; "
                                  "write it more simply.")
        if self.nodes > MAX_NODES:
            raise ExpressionError(f"The function has more than {MAX_NODES} parts; write "
                                  "it more simply.")
        if isinstance(node, ast.Constant):
            self._check_constant(node.value)
        elif isinstance(node, ast.Name):
            self._check_name(node.id)
        elif isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)):
            self.check(node.operand, depth + 1)
        elif isinstance(node, ast.BinOp) and type(node.op) in _BINARY:
            self.check(node.left, depth + 1)
            self.check(node.right, depth + 1)
            if isinstance(node.op, ast.Pow):
                self._check_exponent(node.right)
        elif isinstance(node, ast.Call):
            self._check_call(node, depth)
        else:
            raise ExpressionError(_refusal(node))

    def _check_constant(self, value: object) -> None:
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise ExpressionError(f"{value!r} is not a number; a function may use only "
                                  "numbers, x, y, + - * / ** and "
                                  f"{', '.join(FUNCTIONS)}.")
        if isinstance(value, int):  # exact: a literal of 400 digits is no float
            too_large = abs(value) > MAX_CONSTANT
            shown = _number(float(value) if value.bit_length() <= 1000 else math.inf)
        else:
            too_large = not math.isfinite(value) or abs(value) > MAX_CONSTANT
            shown = _number(value)
        if too_large:
            raise ExpressionError(f"The number {shown} is too large; numbers up "
                                  f"to {MAX_CONSTANT:g} are allowed.")

    def _check_name(self, name: str) -> None:
        if name in self.variables or name in CONSTANTS:
            return
        if name in FUNCTIONS:
            raise ExpressionError(f"{name} is a function; call it with one argument, "
                                  f"such as {name}(x).")
        allowed = ", ".join((*self.variables, *CONSTANTS))
        raise ExpressionError(f"Unknown name {name!r}; a function may use only {allowed}.")

    def _check_exponent(self, exponent: ast.expr) -> None:
        """A constant exponent must be small: 9**9**9 is refused, not computed."""
        value = _constant_value(exponent)
        if value is not None and abs(value) > MAX_EXPONENT:
            raise ExpressionError(f"The exponent {_number(value)} is too large; constant "
                                  f"exponents up to {MAX_EXPONENT} are allowed.")

    def _check_call(self, node: ast.Call, depth: int) -> None:
        if not isinstance(node.func, ast.Name) or node.func.id not in FUNCTIONS:
            what = node.func.id if isinstance(node.func, ast.Name) else "that"
            raise ExpressionError(f"Calling {what!r} is not allowed; the functions are "
                                  f"{', '.join(FUNCTIONS)}.")
        if node.keywords or len(node.args) != 1 or isinstance(node.args[0], ast.Starred):
            raise ExpressionError(f"{node.func.id} takes exactly one argument, such as "
                                  f"{node.func.id}(x).")
        self.check(node.args[0], depth + 1)


def _constant_value(node: ast.expr) -> float | None:
    """The value of a subtree without names (numbers and operators only), else None.

    Safe: every power inside was already checked (|exponent| <= MAX_EXPONENT, numbers
    <= MAX_CONSTANT), so this is a handful of float operations; an overflow is refused.
    """
    if isinstance(node, ast.Constant):
        return float(node.value)
    if isinstance(node, ast.UnaryOp):
        inner = _constant_value(node.operand)
        return None if inner is None else (-inner if isinstance(node.op, ast.USub) else inner)
    if isinstance(node, ast.BinOp):
        left, right = _constant_value(node.left), _constant_value(node.right)
        if left is None or right is None:
            return None
        try:
            return {ast.Add: left + right, ast.Sub: left - right, ast.Mult: left * right,
                    ast.Div: left / right if right else math.inf,
                    }.get(type(node.op)) if not isinstance(node.op, ast.Pow) \
                else float(abs(left) ** right)
        except (OverflowError, ZeroDivisionError):
            return math.inf
    return None


def _number(value: float) -> str:
    return f"{value:.6g}" if math.isfinite(value) else "(beyond floating point)"


_NAMES = {ast.Attribute: "attribute access (a.b)", ast.Subscript: "indexing (a[i])",
          ast.Lambda: "lambda", ast.ListComp: "comprehensions", ast.GeneratorExp:
          "comprehensions", ast.SetComp: "comprehensions", ast.DictComp: "comprehensions",
          ast.Compare: "comparisons", ast.BoolOp: "and/or", ast.IfExp: "if/else",
          ast.NamedExpr: "assignment (:=)", ast.JoinedStr: "strings", ast.List: "lists",
          ast.Tuple: "tuples", ast.Dict: "dictionaries", ast.Set: "sets",
          ast.Starred: "starred arguments"}


_OPERATORS = {ast.Mod: "%", ast.FloorDiv: "//", ast.LShift: "<<", ast.RShift: ">>",
              ast.BitOr: "|", ast.BitAnd: "&", ast.MatMult: "@", ast.Invert: "~",
              ast.Not: "not"}


def _refusal(node: ast.AST) -> str:
    if isinstance(node, (ast.BinOp, ast.UnaryOp)):
        what = f"the operator {_OPERATORS.get(type(node.op), type(node.op).__name__)}"
    else:
        what = _NAMES.get(type(node), type(node).__name__)
    return (f"{what[0].upper()}{what[1:]} is not allowed in a function; use numbers, "
            f"x, y, + - * / ** and {', '.join(FUNCTIONS)}.")


def _evaluate(node: ast.expr, env: dict[str, torch.Tensor]) -> torch.Tensor:
    """Walk a checked tree: only the node types the checker lets through occur here."""
    if isinstance(node, ast.BinOp):
        return _BINARY[type(node.op)](_evaluate(node.left, env), _evaluate(node.right, env))
    if isinstance(node, ast.Name):
        if node.id in env:
            return env[node.id]
        return _like(env, CONSTANTS[node.id])
    if isinstance(node, ast.Constant):
        return _like(env, float(node.value))
    if isinstance(node, ast.UnaryOp):
        inner = _evaluate(node.operand, env)
        return -inner if isinstance(node.op, ast.USub) else inner
    assert isinstance(node, ast.Call)  # the checker allows nothing else
    return FUNCTIONS[node.func.id](_evaluate(node.args[0], env))


def _like(env: dict[str, torch.Tensor], value: float) -> torch.Tensor:
    first = next(iter(env.values()), None)
    return _constant(value, first.dtype if first is not None else torch.float64)


@functools.lru_cache(maxsize=4096)
def _constant(value: float, dtype: torch.dtype) -> torch.Tensor:
    """One 0-d tensor per number: a race evaluates the same formula thousands of times.
    Shared safely: nothing writes into them (every operation makes a new tensor)."""
    return torch.tensor(value, dtype=dtype)
