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

from discolab.environments.efa.answers import to_answer

Handler = Callable[[str], str | None]

_NUM = r"-?\d+"


def _ints(pattern: str, text: str) -> list[tuple[int, ...]]:
    return [tuple(int(g) for g in m.groups()) for m in re.finditer(pattern, text)]


def _formula(text: str, variables: tuple[str, ...] = ("x",)) -> sympy.Expr:
    from discolab.verifiers.expressions import parse_expression

    cleaned = text.strip().replace("·", "*").replace("−", "-")
    cleaned = re.sub(r"\be\^\(([^()]*)\)", r"exp(\1)", cleaned)  # e^(3x) -> exp(3x)
    cleaned = re.sub(r"\be\^([a-z0-9]+)", r"exp(\1)", cleaned)
    cleaned = cleaned.replace("^", "**")
    cleaned = re.sub(r"(\d)\s*([a-z(])", r"\1*\2", cleaned)  # 3x -> 3*x
    cleaned = re.sub(r"\b([a-z])\s*\(", r"\1*(", cleaned)  # n(n + 2) -> n*(n + 2)
    cleaned = re.sub(r"([a-z0-9)])\s+(?=[a-z(])(?!(?:and|or)\b)", r"\1*", cleaned)  # x e -> x*e
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
    m = re.search(
        r"integral of (.+?) (?:with respect to x )?from x ?= ?(\S+?) to x ?= ?(\S+?)[\s.,?]",
        text + " ",
    )
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
    """An exact sympy result in the canonical answer form (integers, p/q, expressions)."""
    return to_answer(value, "expression").text


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
        r"a_\{?n\}? ?= ?(-?\d*)\s*\*?\s*a_\{?n ?- ?1\}?\s*([+-])\s*(\d*)\s*\*?\s*a_\{?n ?- ?2\}?",
        text,
    )
    target = re.search(r"(?:find|compute|what is) a_\{?(\d+)\}?", text, re.I)
    if not (m and target and len(starts) >= 2):
        return None
    coefficient = {"": 1, "-": -1}.get(m.group(1))
    p = int(m.group(1)) if coefficient is None else coefficient
    q = int(m.group(3) or 1) * (1 if m.group(2) == "+" else -1)
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
    """A triangle with side lengths a, b and c: its area, inradius or circumradius."""
    m = re.search(r"side lengths (\d+), (\d+),? and (\d+)", text)
    if not m:
        return None
    a, b, c = (sympy.Integer(int(g)) for g in m.groups())
    s = (a + b + c) / 2
    square = s * (s - a) * (s - b) * (s - c)
    if square <= 0:
        return None
    area = sympy.sqrt(square)
    if "inscribed circle" in text or "inradius" in text:
        return _exact_text(sympy.radsimp(area / s))
    if "circumscribed circle" in text or "circumradius" in text:
        return _exact_text(sympy.radsimp(a * b * c / (4 * area)))
    if "area" in text:
        return _exact_text(area)
    return None


def gcd_lcm(text: str) -> str | None:
    """ "greatest common divisor of a and b" / "least common multiple of ..."."""
    m = re.search(r"greatest common divisor of (\d+) and (\d+)", text)
    if m:
        return str(math.gcd(int(m.group(1)), int(m.group(2))))
    m = re.search(r"least common multiple of (\d+) and (\d+)", text)
    if m:
        return str(math.lcm(int(m.group(1)), int(m.group(2))))
    return None


def linear_system(text: str) -> str | None:
    """Two linear equations in x and y, then "Find <expression in x and y>" (sympy.solve)."""
    equations = re.findall(r"(?:satisfy|and|:|,)\s+(-?[\dxy+*\s-]+?)\s*=\s*(-?\d+)", text)
    target = re.search(r"Find ([^.?]+)[.?]?\s*$", text.strip())
    if len(equations) != 2 or not target:
        return None
    try:
        x, y = sympy.symbols("x y")
        parsed = []
        for left, right in equations:
            lhs = _formula(left, ("x", "y"))
            rename = {s: {"x": x, "y": y}[s.name] for s in lhs.free_symbols}
            parsed.append(sympy.Eq(lhs.xreplace(rename), int(right)))
        goal = _formula(target.group(1), ("x", "y"))
        goal = goal.xreplace({s: {"x": x, "y": y}[s.name] for s in goal.free_symbols})
    except Exception:  # not this pattern
        return None
    solution = sympy.solve(parsed, [x, y], dict=True)
    if len(solution) != 1:
        return None
    return _exact_text(sympy.simplify(goal.subs(solution[0])))


def geometric_sum(text: str) -> str | None:
    """ "first term ... a ... common ratio ... r ... sum of its first n terms"."""
    first = re.search(r"first term[^.]*? is (-?\d+(?:/\d+)?)", text)
    ratio = re.search(r"common ratio is (-?\d+(?:/\d+)?)", text)
    count = re.search(r"sum of (?:its |the )?first (\d+) terms", text)
    if not (first and ratio and count):
        return None
    a, r, n = Fraction(first.group(1)), Fraction(ratio.group(1)), int(count.group(1))
    if n > 10_000:
        return None
    total = a * n if r == 1 else a * (1 - r**n) / (1 - r)
    return str(total)


def symmetric_roots(text: str) -> str | None:
    """ "Let r, s and t be the roots of P(x) = 0. Find <symmetric expression>" (Vieta via
    sympy's symmetric reduction)."""
    m = re.search(r"roots\b.*? of (.+?) = 0\. Find (.+?)\.?$", text.strip())
    names = re.search(r"Let ((?:[a-z], )*[a-z]) and ([a-z]) be the roots", text)
    if not (m and names):
        return None
    roots = [v.strip() for v in names.group(1).split(",")] + [names.group(2)]
    try:
        x = sympy.Symbol("x")
        poly_expr = _formula(m.group(1), ("x",))
        poly_expr = poly_expr.xreplace({s: x for s in poly_expr.free_symbols})
        poly = sympy.Poly(poly_expr, x)
        goal = _formula(m.group(2), tuple(roots))
    except Exception:  # not this pattern
        return None
    if poly.degree() != len(roots):
        return None
    symbols = {s.name: s for s in goal.free_symbols}
    ordered = [symbols.get(r, sympy.Symbol(r)) for r in roots]
    numerator, denominator = sympy.fraction(sympy.together(goal))
    coeffs = poly.all_coeffs()
    lead = coeffs[0]
    # elementary symmetric values from Vieta: e_k = (-1)^k a_{n-k} / a_n
    elementary = [sympy.Integer(-1) ** k * coeffs[k] / lead for k in range(1, len(coeffs))]

    def reduce(expr: sympy.Expr) -> sympy.Expr | None:
        from sympy.polys.polyfuncs import symmetrize

        sym, rest, defs = symmetrize(sympy.expand(expr), *ordered, formal=True)
        if rest != 0:
            return None
        values = {name: elementary[i] for i, (name, _) in enumerate(defs)}
        return sym.subs(values)

    top, bottom = reduce(numerator), reduce(denominator)
    if top is None or bottom is None or bottom == 0:
        return None
    return _exact_text(sympy.simplify(top / bottom))


def finite_sum(text: str) -> str | None:
    """The sum of f(n) over n from a to b, or over all positive integers (sympy.summation)."""
    m = re.search(
        r"sum of (.+?) (?:over|for) (?:the integers |all integers )?n from (-?\d+) to (-?\d+)", text
    )
    infinite = re.search(r"sum of (.+?) over all positive integers n\b", text)
    if m is not None:
        body, low, high = m.group(1), sympy.Integer(int(m.group(2))), sympy.Integer(int(m.group(3)))
        if high - low > 100_000:
            return None
    elif infinite is not None:
        body, low, high = infinite.group(1), sympy.Integer(1), sympy.oo
    else:
        return None
    try:
        f = _formula(body, ("n",))
    except Exception:  # not this pattern
        return None
    ns = [s for s in f.free_symbols if s.name == "n"]
    if len(ns) != 1 or f.free_symbols - set(ns):
        return None
    return _exact_text(sympy.simplify(sympy.summation(f, (ns[0], low, high))))


def polygon_area(text: str) -> str | None:
    """ "the area of the polygon with vertices (x1, y1), ..." (sympy's Polygon)."""
    if "area" not in text or "vertices" not in text:
        return None
    points = _ints(r"\((-?\d+), (-?\d+)\)", text.split("vertices", 1)[1])
    if len(points) < 3:
        return None
    polygon = sympy.Polygon(*[sympy.Point(x, y) for x, y in points])
    if not isinstance(polygon, sympy.Polygon):
        return None
    return _exact_text(abs(polygon.area))


HANDLERS: tuple[tuple[str, Handler], ...] = (
    ("chinese remainder theorem", crt),
    ("modular power", power_remainder),
    ("definite integral (sympy.integrate)", definite_integral),
    ("divisor counting (sympy)", divisor_count),
    ("linear recurrence", linear_recurrence),
    ("linear Diophantine count", diophantine_count),
    ("Heron's formula", heron_area),
    ("gcd / lcm", gcd_lcm),
    ("two linear equations (sympy.solve)", linear_system),
    ("geometric series", geometric_sum),
    ("symmetric functions of roots (Vieta)", symmetric_roots),
    ("finite sum (sympy.summation)", finite_sum),
    ("polygon area (sympy.Polygon)", polygon_area),
)
"""Every pattern, tried in order; the first that answers wins."""
