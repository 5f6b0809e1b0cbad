"""The generic grammar of candidate law structures, over the law's declared inputs only.

Every form is a parametric family written over normalised inputs ``u = x / ref`` (``ref`` is
the geometric middle of a positive range), so that the scale parameter of every family starts
near the law's typical magnitude whatever the units. Parameter vector ``theta``:

* ``theta[0]`` is the log of the scale (``C' = exp(theta[0])``, times a fixed sign);
* the slots listed in :attr:`Form.exponents` are powers that become fixed literals in the
  rendered formula (the verifier fits constants, never powers), snapped to simple values;
* every other slot is a constant that stays a free parameter of the rendered formula.

Families: a monomial ``C·Π x^p``; a monomial times ``exp(C1·x_j^b)``; a monomial times
``sin(x_j)^q`` or ``cos(x_j)^q`` for an angle input; an outer ``asin``, ``atan`` or ``exp``
of a monomial; and the sum of two monomials. Nothing here knows a domain or a hidden law.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction

import numpy as np

from discolab.agents.search.expr import Node, binary, func, name_params, param, power, product, var
from discolab.types import Variable

Columns = Mapping[str, np.ndarray]


@dataclass(frozen=True)
class Form:
    """One family of candidate laws.

    Attributes:
        name: short label for metadata and logs (``power``, ``power*exp(r)``, ...).
        size: length of the parameter vector.
        exponents: indices of ``theta`` that render as fixed exponent literals.
        value: ``(theta, columns) -> law values``, vectorised; may return NaN or inf.
        node: ``theta -> expression tree`` with named free parameters.
    """

    name: str
    size: int
    exponents: tuple[int, ...]
    value: Callable[[np.ndarray, Columns], np.ndarray]
    node: Callable[[np.ndarray], Node]


def reference(v: Variable) -> float:
    """The normalising value of an input: the geometric middle of a positive range, else the
    largest magnitude of its ends (1 for a degenerate range)."""
    lo, hi = float(v.low), float(v.high)
    if lo > 0 and math.isfinite(hi) and hi > 0:
        return math.sqrt(lo * hi)
    big = max(abs(lo), abs(hi) if math.isfinite(hi) else 0.0)
    return big or 1.0


def is_angle(v: Variable) -> bool:
    """Whether an input is an angle in radians (its declared unit), where trig factors fit."""
    return v.unit.strip().lower() in ("rad", "radian", "radians")


class Grammar:
    """The families over one task's law inputs.

    Args:
        inputs: the law's declared input variables.
        sign: +1 or -1, the sign of the scale (the law's output sign).
    """

    def __init__(self, inputs: Sequence[Variable], sign: float = 1.0) -> None:
        self.inputs = tuple(inputs)
        self.names = tuple(v.name for v in self.inputs)
        self.refs = np.array([reference(v) for v in self.inputs])
        self.sign = float(sign)
        self.d = len(self.inputs)

    # -- shared pieces -----------------------------------------------------------------------

    def _zeros(self, columns: Columns) -> np.ndarray:
        """Zeros shaped like the input columns, so a constant law is still one value per
        sample (simulators index its result)."""
        shape = np.broadcast_shapes(*(np.shape(columns[n]) for n in self.names))
        return np.zeros(shape)

    def _log_monomial(self, p: np.ndarray, columns: Columns) -> np.ndarray:
        out = self._zeros(columns)
        for i, name in enumerate(self.names):
            if p[i] != 0:
                out = out + p[i] * np.log(np.asarray(columns[name], dtype=float) / self.refs[i])
        return np.asarray(out, dtype=float)

    def _monomial(self, p: np.ndarray, columns: Columns) -> np.ndarray:
        out = self._zeros(columns) + 1.0
        for i, name in enumerate(self.names):
            if p[i] != 0:
                out = out * np.power(np.asarray(columns[name], dtype=float) / self.refs[i], p[i])
        return np.asarray(out, dtype=float)

    def _scale(self, log_scale: float, p: np.ndarray) -> float:
        """The scale of the monomial in raw inputs: ``sign·exp(log_scale)/Π ref^p``."""
        return self.sign * math.exp(log_scale - float(np.sum(p * np.log(self.refs))))

    def _factors(self, p: np.ndarray) -> list[Node]:
        return [power(var(n), clean(p[i])) for i, n in enumerate(self.names) if clean(p[i]) != 0]

    # -- families ----------------------------------------------------------------------------

    def power(self) -> Form:
        """``C·Π x_i^p_i``: theta = [log C', p_1..p_d]."""
        d = self.d

        def value(theta: np.ndarray, columns: Columns) -> np.ndarray:
            return self.sign * np.exp(theta[0] + self._log_monomial(theta[1 : d + 1], columns))

        def node(theta: np.ndarray) -> Node:
            p = theta[1 : d + 1]
            return name_params(product([param(self._scale(theta[0], p)), *self._factors(p)]))

        return Form("power", d + 1, tuple(range(1, d + 1)), value, node)

    def power_exp(self, j: int) -> Form:
        """``C·Π x^p·exp(C1·x_j^b)``: theta = [log C', p..., a, b], ``C1 = a/ref_j^b``."""
        d, name, ref = self.d, self.names[j], float(self.refs[j])

        def value(theta: np.ndarray, columns: Columns) -> np.ndarray:
            u = np.asarray(columns[name], dtype=float) / ref
            inner = theta[d + 1] * np.power(u, theta[d + 2])
            return self.sign * np.exp(
                theta[0] + self._log_monomial(theta[1 : d + 1], columns) + inner
            )

        def node(theta: np.ndarray) -> Node:
            p, a, b = theta[1 : d + 1], float(theta[d + 1]), float(theta[d + 2])
            inner = binary("mul", param(a / ref**b), power(var(name), clean(b)))
            factors = [param(self._scale(theta[0], p)), *self._factors(p), func("exp", inner)]
            return name_params(product(factors))

        return Form(f"power*exp({name})", d + 3, (*range(1, d + 1), d + 2), value, node)

    def power_trig(self, j: int, fn: str) -> Form:
        """``C·Π x^p·fn(x_j)^q`` for an angle ``x_j``: theta = [log C', p..., q]."""
        d, name = self.d, self.names[j]
        ufunc = {"sin": np.sin, "cos": np.cos}[fn]

        def value(theta: np.ndarray, columns: Columns) -> np.ndarray:
            g = ufunc(np.asarray(columns[name], dtype=float))
            mono = np.exp(theta[0] + self._log_monomial(theta[1 : d + 1], columns))
            return self.sign * mono * np.power(g, theta[d + 1])

        def node(theta: np.ndarray) -> Node:
            p, q = theta[1 : d + 1], float(theta[d + 1])
            factors = [param(self._scale(theta[0], p)), *self._factors(p)]
            if clean(q) != 0:
                factors.append(power(func(fn, var(name)), clean(q)))
            return name_params(product(factors))

        return Form(f"power*{fn}({name})", d + 2, tuple(range(1, d + 2)), value, node)

    def outer(self, fn: str) -> Form:
        """``fn(C·Π x^p)`` for ``fn`` in asin, atan, exp: theta = [log C', p...]."""
        d = self.d
        ufunc = {"asin": np.arcsin, "atan": np.arctan, "exp": np.exp}[fn]

        def value(theta: np.ndarray, columns: Columns) -> np.ndarray:
            inner = self.sign * np.exp(theta[0] + self._log_monomial(theta[1 : d + 1], columns))
            return ufunc(inner)

        def node(theta: np.ndarray) -> Node:
            p = theta[1 : d + 1]
            inner = product([param(self._scale(theta[0], p)), *self._factors(p)])
            return name_params(func(fn, inner))

        return Form(f"{fn}(power)", d + 1, tuple(range(1, d + 1)), value, node)

    def outer_trig(self, fn: str, j: int, trig: str) -> Form:
        """``fn(C·Π x^p·trig(x_j)^q)``: an outer function of a monomial with a trig factor."""
        inner_form = self.power_trig(j, trig)
        ufunc = {"asin": np.arcsin, "atan": np.arctan, "exp": np.exp}[fn]

        def value(theta: np.ndarray, columns: Columns) -> np.ndarray:
            return ufunc(inner_form.value(theta, columns))

        def node(theta: np.ndarray) -> Node:
            return func(fn, inner_form.node(theta))

        return Form(f"{fn}({inner_form.name})", inner_form.size, inner_form.exponents, value, node)

    def two_terms(self) -> Form:
        """``C·Π x^p + C1·Π x^q``: theta = [log C', p..., c, q...] with the second term
        ``c`` times the first's scale at the reference point."""
        d = self.d

        def value(theta: np.ndarray, columns: Columns) -> np.ndarray:
            p, c, q = theta[1 : d + 1], theta[d + 1], theta[d + 2 :]
            both = self._monomial(p, columns) + c * self._monomial(q, columns)
            return self.sign * math.exp(theta[0]) * both

        def node(theta: np.ndarray) -> Node:
            p, c, q = theta[1 : d + 1], float(theta[d + 1]), theta[d + 2 :]
            first = product([param(self._scale(theta[0], p)), *self._factors(p)])
            second_scale = c * self._scale(theta[0], q)
            second = product([param(second_scale), *self._factors(q)])
            return name_params(binary("add", first, second))

        exps = (*range(1, d + 1), *range(d + 2, 2 * d + 2))
        return Form("power+power", 2 * d + 2, exps, value, node)


def clean(exponent: float) -> float:
    """An exponent within 1e-9 of a fraction with denominator at most 12 becomes that
    fraction exactly, so a fit that converged to ``-1.0000000000000002`` renders ``-1``."""
    frac = Fraction(float(exponent)).limit_denominator(12)
    return float(frac) if abs(float(frac) - exponent) < 1e-9 else float(exponent)


def law_function(form: Form, theta: np.ndarray) -> Callable[[Columns], np.ndarray]:
    """The candidate law of ``form`` at ``theta``, as the apparatus simulators take it."""
    fixed = np.array(theta, dtype=float)

    def law(columns: Columns) -> np.ndarray:
        with np.errstate(all="ignore"):
            return np.asarray(form.value(fixed, columns), dtype=float)

    return law
