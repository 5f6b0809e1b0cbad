"""Integer polynomials in ``n`` parsed from untrusted text, with hard size caps.

A PCF candidate states ``a_n`` and ``b_n`` as text such as ``34*n**3 + 51*n**2 + 27*n + 5``.
The text is parsed with ``ast.parse(mode="eval")`` only and walked once against a tiny
whitelist (integer literals, the name ``n``, ``+ - *``, unary minus and ``**`` with a small
non-negative integer exponent). The walk builds the coefficient list directly, checking the
degree and the coefficient size after every step, so ``(n+1)**10**9`` or ``9**9**9`` is
refused before anything large is computed. Candidate text never reaches ``eval``,
``sympify`` or ``parse_expr``.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass

from discolab.errors import ExpressionError

Coefficients = tuple[int, ...]
"""Coefficients from the constant term up: ``(5, 27, 51, 34)`` is ``34n³+51n²+27n+5``."""


@dataclass(frozen=True)
class PolynomialLimits:
    """Caps on an accepted polynomial.

    Attributes:
        max_degree: the highest degree accepted (after expansion).
        max_coefficient: the largest absolute coefficient accepted, at every step.
        max_length: the longest text accepted, checked before parsing.
        max_nodes: the most syntax nodes accepted.
    """

    max_degree: int = 12
    max_coefficient: int = 10**12
    max_length: int = 400
    max_nodes: int = 200


class _Walker:
    """Builds coefficient lists from checked syntax nodes, enforcing the caps as it goes."""

    def __init__(self, variable: str, limits: PolynomialLimits) -> None:
        self.variable = variable
        self.limits = limits
        self.nodes = 0

    def walk(self, node: ast.AST) -> list[int]:
        self.nodes += 1
        if self.nodes > self.limits.max_nodes:
            raise ExpressionError(f"polynomial has more than {self.limits.max_nodes} syntax nodes")
        if isinstance(node, ast.Constant):
            return self._literal(node.value)
        if isinstance(node, ast.Name):
            if node.id != self.variable:
                raise ExpressionError(
                    f"unknown name {node.id!r}: a polynomial may use only {self.variable!r}"
                )
            return [0, 1]
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub | ast.UAdd):
            inner = self.walk(node.operand)
            return [-c for c in inner] if isinstance(node.op, ast.USub) else inner
        if isinstance(node, ast.BinOp):
            return self._binop(node)
        if isinstance(node, ast.Call):
            raise ExpressionError("not a polynomial: function calls are not allowed")
        raise ExpressionError(f"not a polynomial: {type(node).__name__} is not allowed")

    def _literal(self, value: object) -> list[int]:
        if isinstance(value, bool) or not isinstance(value, int):
            raise ExpressionError(
                f"coefficients must be integers, got {value!r}"
                + (" (write it without a decimal point)" if isinstance(value, float) else "")
            )
        return self._checked([value])

    def _binop(self, node: ast.BinOp) -> list[int]:
        if isinstance(node.op, ast.Pow):
            return self._power(node)
        if not isinstance(node.op, ast.Add | ast.Sub | ast.Mult):
            name = type(node.op).__name__
            raise ExpressionError(
                f"not a polynomial with integer coefficients: operator {name} is not allowed"
            )
        left, right = self.walk(node.left), self.walk(node.right)
        if isinstance(node.op, ast.Mult):
            return self._checked(_multiply(left, right, self.limits.max_degree))
        sign = 1 if isinstance(node.op, ast.Add) else -1
        size = max(len(left), len(right))
        left, right = left + [0] * (size - len(left)), right + [0] * (size - len(right))
        return self._checked([x + sign * y for x, y in zip(left, right, strict=True)])

    def _power(self, node: ast.BinOp) -> list[int]:
        exponent = node.right
        if isinstance(exponent, ast.UnaryOp) and isinstance(exponent.op, ast.USub):
            raise ExpressionError("not a polynomial: negative exponents are not allowed")
        if not (
            isinstance(exponent, ast.Constant)
            and isinstance(exponent.value, int)
            and not isinstance(exponent.value, bool)
        ):
            raise ExpressionError("exponents must be non-negative integer literals")
        power = exponent.value
        if power < 0:
            raise ExpressionError("not a polynomial: negative exponents are not allowed")
        base = self.walk(node.left)
        if len(base) > 1 and (len(base) - 1) * power > self.limits.max_degree:
            raise ExpressionError(
                f"degree {(len(base) - 1) * power} exceeds the cap {self.limits.max_degree}"
            )
        if len(base) == 1 and power > 64:
            raise ExpressionError(f"exponent {power} on a constant is too large (cap 64)")
        result = [1]
        for _ in range(power):
            result = self._checked(_multiply(result, base, self.limits.max_degree))
        return result

    def _checked(self, coefficients: list[int]) -> list[int]:
        cap = self.limits.max_coefficient
        for c in coefficients:
            if abs(c) > cap:
                raise ExpressionError(f"coefficient {_short(c)} exceeds the cap {cap}")
        return coefficients


def _multiply(left: list[int], right: list[int], max_degree: int) -> list[int]:
    left, right = trim(left), trim(right)
    if (len(left) - 1) + (len(right) - 1) > max_degree:
        raise ExpressionError(
            f"degree {(len(left) - 1) + (len(right) - 1)} exceeds the cap {max_degree}"
        )
    out = [0] * (len(left) + len(right) - 1)
    for i, x in enumerate(left):
        if x:
            for j, y in enumerate(right):
                out[i + j] += x * y
    return out


def _short(value: int) -> str:
    text = str(value)
    return text if len(text) <= 24 else f"{text[:10]}...({len(text)} digits)"


def trim(coefficients: list[int] | Coefficients) -> list[int]:
    """Drop trailing zero coefficients (the zero polynomial stays ``[0]``)."""
    out = list(coefficients)
    while len(out) > 1 and out[-1] == 0:
        out.pop()
    return out


def parse_polynomial(
    text: str, variable: str = "n", limits: PolynomialLimits | None = None
) -> Coefficients:
    """The coefficients of the integer polynomial ``text`` in ``variable``.

    Raises:
        ExpressionError: the text is too long, not Python syntax, not a polynomial with
            integer coefficients, or over a cap; the message names the bad part.
    """
    limits = limits or PolynomialLimits()
    if not isinstance(text, str):
        raise ExpressionError(f"a polynomial must be text, got {type(text).__name__}")
    text = text.strip().replace("^", "**")
    if not text:
        raise ExpressionError("empty polynomial")
    if len(text) > limits.max_length:
        raise ExpressionError(
            f"polynomial text is {len(text)} characters long (cap {limits.max_length})"
        )
    try:
        tree = ast.parse(text, mode="eval")
    except (SyntaxError, ValueError, RecursionError, MemoryError) as exc:
        raise ExpressionError(f"polynomial {text!r} is not valid syntax") from exc
    return tuple(trim(_Walker(variable, limits).walk(tree.body)))


def evaluate(coefficients: Coefficients, n: int) -> int:
    """The polynomial's exact value at the integer ``n`` (Horner's rule)."""
    value = 0
    for c in reversed(coefficients):
        value = value * n + c
    return value


def degree(coefficients: Coefficients) -> int:
    """The degree (``0`` for constants, including the zero polynomial)."""
    return len(trim(coefficients)) - 1


def format_polynomial(coefficients: Coefficients, variable: str = "n") -> str:
    """Python-syntax text, highest degree first: ``34*n**3 + 51*n**2 + 27*n + 5``."""
    terms: list[str] = []
    for power in range(len(coefficients) - 1, -1, -1):
        c = coefficients[power]
        if c == 0:
            continue
        if power == 0:
            body = str(abs(c))
        else:
            mono = variable if power == 1 else f"{variable}**{power}"
            body = mono if abs(c) == 1 else f"{abs(c)}*{mono}"
        sign = "-" if c < 0 else "+"
        terms.append(("-" + body if sign == "-" else body) if not terms else f" {sign} {body}")
    return "".join(terms) or "0"
