"""Problem patterns the built-in solver knows, each answered with exact arithmetic or sympy.

A handler reads only the problem text — never the generator, its parameters or its answer —
and either returns an answer (as text in the canonical forms of
:mod:`discolab.environments.efa.answers`) or ``None`` when the text is not its pattern.
Formulas in the text are read by the project's safe parser, never ``sympify``.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from fractions import Fraction

import sympy

Handler = Callable[[str], str | None]

_NUM = r"-?\d+"


def _ints(pattern: str, text: str) -> list[tuple[int, ...]]:
    return [tuple(int(g) for g in m.groups()) for m in re.finditer(pattern, text)]


def _formula(text: str, variables: tuple[str, ...] = ("x",)) -> sympy.Expr:
    from discolab.verifiers.expressions import parse_expression

    cleaned = text.strip().replace("^", "**").replace("·", "*").replace("−", "-")
    cleaned = re.sub(r"(\d)\s*([a-z(])", r"\1*\2", cleaned)  # 3x -> 3*x
    cleaned = re.sub(r"\)\s*\(", ")*(", cleaned)
    return parse_expression(cleaned, variables, max_length=300).expr


def crt(text: str) -> str | None:
    """ "... a remainder of r when divided by m ..." (several): the least positive solution."""
    pairs = _ints(r"remainder of (\d+) when (?:it is )?divided by (\d+)", text)
    if len(pairs) < 2 or "smallest positive" not in text:
        return None
    from sympy.ntheory.modular import crt as sympy_crt

    moduli = [m for _, m in pairs]
    solution = sympy_crt(moduli, [r for r, _ in pairs])
    if solution is None:
        return None
    n, modulus = int(solution[0]), int(solution[1])
    return str(n if n > 0 else modulus)


def power_remainder(text: str) -> str | None:
    """ "remainder when a^b is divided by m" / "a^b mod m" / "last k digits of a^b"."""
    m = re.search(r"remainder when (\d+)\s*\^\s*(\d+) is divided by (\d+)", text)
    if m:
        a, b, mod = (int(g) for g in m.groups())
        return str(pow(a, b, mod))
    m = re.search(r"(\d+)\s*\^\s*(\d+)\s*(?:mod|modulo)\s*(\d+)", text)
    if m:
        a, b, mod = (int(g) for g in m.groups())
        return str(pow(a, b, mod))
    m = re.search(r"last (\w+) digits of (\d+)\s*\^\s*(\d+)", text)
    if m:
        words = {"two": 2, "three": 3, "four": 4, "2": 2, "3": 3, "4": 4}
        k = words.get(m.group(1))
        if k is None:
            return None
        return str(pow(int(m.group(2)), int(m.group(3)), 10**k))
    return None


def definite_integral(text: str) -> str | None:
    """ "the integral of f(x) from x = a to x = b" / "∫_a^b f(x) dx"."""
    m = re.search(r"integral of (.+?) from x ?= ?(\S+?) to x ?= ?(\S+?)[\s.,?]", text + " ")
    if not m:
        m = re.search(r"∫_\{?(\S+?)\}?\^\{?(\S+?)\}? (.+?) dx", text)
        if not m:
            return None
        low, high, body = m.groups()
    else:
        body, low, high = m.groups()
    try:
        f = _formula(body)
        a, b = _formula(low), _formula(high)
    except Exception:  # not this pattern after all
        return None
    xs = [s for s in f.free_symbols if s.name == "x"]
    if len(xs) != 1 or f.free_symbols - set(xs) or a.free_symbols or b.free_symbols:
        return None
    value = sympy.simplify(sympy.integrate(f, (xs[0], a, b)))
    return _exact_text(value)


def _exact_text(value: sympy.Expr) -> str:
    if value.is_Integer:
        return str(int(value))
    if value.is_Rational:
        return str(Fraction(int(value.p), int(value.q)))
    return re.sub(r"\bE\b", "exp(1)", sympy.sstr(value))


def divisor_count(text: str) -> str | None:
    """ "How many positive divisors does N have" (N a number or a product of prime powers)."""
    m = re.search(
        r"(?:how many positive divisors does|number of positive divisors of) ([\d\s^·*×]+)",
        text,
        re.I,
    )
    if not m:
        return None
    expr = m.group(1).strip().replace("×", "*").replace("·", "*").replace("^", "**")
    try:
        n = int(sympy.Integer(_formula(expr, ()))) if expr else None
    except Exception:  # not a product of numbers
        return None
    if not n or n <= 0:
        return None
    if "sum" in text.lower():
        return str(int(sympy.divisor_sigma(n)))
    return str(int(sympy.divisor_count(n)))


def linear_recurrence(text: str) -> str | None:
    """ "a_1 = u, a_2 = v and a_n = p·a_{n-1} + q·a_{n-2}; find a_k"."""
    starts = dict(_ints(r"a_\{?(\d+)\}? ?= ?(" + _NUM + r")\b(?![_{])", text))
    m = re.search(
        r"a_\{?n\}? ?= ?("
        + _NUM
        + r")\s*\*?\s*a_\{?n ?- ?1\}?\s*([+-])\s*(\d+)\s*\*?\s*a_\{?n ?- ?2\}?",
        text,
    )
    target = re.search(r"(?:find|compute|what is) a_\{?(\d+)\}?", text, re.I)
    if not (m and target and len(starts) >= 2):
        return None
    p, sign, q = int(m.group(1)), m.group(2), int(m.group(3))
    q = q if sign == "+" else -q
    first = sorted(starts)[:2]
    i0 = first[0]
    if first[1] != i0 + 1:
        return None
    values = {i0: starts[i0], i0 + 1: starts[i0 + 1]}
    k = int(target.group(1))
    if k > 10_000:
        return None
    for n in range(i0 + 2, k + 1):
        values[n] = p * values[n - 1] + q * values[n - 2]
    return str(values[k]) if k in values else None


def diophantine_count(text: str) -> str | None:
    """ "ordered pairs (x, y) of non-negative integers with ax + by = n"."""
    m = re.search(r"(\d+)\s*\*?\s*x\s*\+\s*(\d+)\s*\*?\s*y\s*=\s*(\d+)", text)
    if not m or "pairs" not in text or "integer" not in text:
        return None
    a, b, n = (int(g) for g in m.groups())
    positive = "positive integers" in text
    lo = 1 if positive else 0
    count = sum(1 for x in range(lo, n // a + 1) if (n - a * x) % b == 0 and (n - a * x) // b >= lo)
    return str(count)


def heron_area(text: str) -> str | None:
    """ "a triangle with side lengths a, b and c ... area"."""
    m = re.search(r"side lengths (\d+), (\d+),? and (\d+)", text)
    if not m or "area" not in text:
        return None
    a, b, c = (sympy.Integer(int(g)) for g in m.groups())
    s = (a + b + c) / 2
    square = s * (s - a) * (s - b) * (s - c)
    if square <= 0:
        return None
    return _exact_text(sympy.sqrt(square))


def gcd_lcm(text: str) -> str | None:
    """ "greatest common divisor of a and b" / "least common multiple of ..."."""
    m = re.search(r"greatest common divisor of (\d+) and (\d+)", text)
    if m:
        return str(math.gcd(int(m.group(1)), int(m.group(2))))
    m = re.search(r"least common multiple of (\d+) and (\d+)", text)
    if m:
        return str(math.lcm(int(m.group(1)), int(m.group(2))))
    return None


HANDLERS: tuple[tuple[str, Handler], ...] = (
    ("chinese remainder theorem", crt),
    ("modular power", power_remainder),
    ("definite integral (sympy.integrate)", definite_integral),
    ("divisor counting (sympy)", divisor_count),
    ("linear recurrence", linear_recurrence),
    ("linear Diophantine count", diophantine_count),
    ("Heron's formula", heron_area),
    ("gcd / lcm", gcd_lcm),
)
"""Every pattern, tried in order; the first that answers wins."""
