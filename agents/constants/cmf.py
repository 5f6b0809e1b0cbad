"""Conservative matrix fields: one PCF as a slice of a 2-D family, and the formulas it gives.

A conservative matrix field (Elimelech, David, De la Cruz Mengual, Kalisch, Berndt, Shalyt,
Silberstein, Hadad, Kaminer, "From Euler to AI: unifying formulas for mathematical
constants", 2024) is a pair ``M_X(x, y)``, ``M_Y(x, y)`` with
``M_X(x, y)·M_Y(x+1, y) = M_Y(x, y)·M_X(x, y+1)``: walking from one point to another gives
the same matrix product along every path. So the PCFs along the lines ``y = const`` (and
along other trajectories) all converge to Möbius transforms of one constant, and a single
known formula, once embedded in a field, yields a family of new ones.

``ramanujantools`` does the algebra: :class:`ramanujantools.cmf.CMF` checks conservation
exactly, ``FFbarSolver.from_pcf`` searches the ``f, f̄`` construction (``M_X =
[[0, b(x)], [1, a(x, y)]]`` with ``a = f(x, y) − f̄(x+1, y)``, ``b = f f̄(x, 0) − f f̄(0, 0)``)
whose ``y = 1`` line is a given PCF, and ``trajectory_matrix`` reduces any direction to one
matrix in ``n``. This module keeps the search bounded (degree caps, parameter-free fields,
trajectories without free symbols), turns every slice into an integer :class:`Pcf`, and
has each one checked by :func:`discolab.verifiers.constants.verify_pcf`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import sympy
from sympy.abc import n, x, y

from discolab.environments.constants.pcf import Pcf, canonical, canonical_key
from discolab.environments.constants.polynomials import PolynomialLimits
from discolab.errors import ConfigError
from discolab.verifiers.constants import PcfSettings, PcfVerdict, verify_pcf

MAX_FIELD_DEGREE = 4
"""The highest ``f, f̄`` degree :func:`find_cmf` will ask sympy to solve for."""
MAX_STEP = 3
"""The longest trajectory step (in each axis) :func:`cmf_formulas` reduces."""


def is_conservative(mx: Any, my: Any) -> bool:
    """Whether ``M_X(x, y)·M_Y(x+1, y) = M_Y(x, y)·M_X(x, y+1)`` holds identically.

    ``mx``, ``my``: square sympy matrices of the same size in the symbols ``x`` and ``y``
    (``sympy.abc``; other symbols are treated as parameters). The check is exact:
    ``ramanujantools``' CMF validation, or sympy's ``cancel`` on the difference for entries
    its polynomial backend does not take.
    """
    from ramanujantools import Matrix
    from ramanujantools.cmf import CMF

    mx, my = sympy.Matrix(mx), sympy.Matrix(my)
    if mx.shape != my.shape or mx.rows != mx.cols:
        return False
    try:
        CMF({x: Matrix(mx), y: Matrix(my)}, validate=True)
        return True
    except ValueError:
        return False
    except (TypeError, NotImplementedError, ZeroDivisionError):
        difference = mx * my.subs(x, x + 1) - my * mx.subs(y, y + 1)
        return all(sympy.cancel(entry) == 0 for entry in difference)


@dataclass(frozen=True)
class CmfExtension:
    """A conservative field with a known point of its ``x``-direction family.

    Attributes:
        cmf: the ``ramanujantools`` field (axes ``x`` and ``y``, no free parameters).
        y0: the line ``y = y0`` whose ``x``-direction is :attr:`pcf`.
        pcf: the formula the field was built from (``None`` for a field taken as given).
        f, fbar: the ``f, f̄`` pair when the field comes from that construction.
    """

    cmf: Any
    y0: int
    pcf: Pcf | None = None
    f: sympy.Expr | None = None
    fbar: sympy.Expr | None = None

    @property
    def mx(self) -> sympy.Matrix:
        """``M_X(x, y)``."""
        return sympy.Matrix(self.cmf.M(x))

    @property
    def my(self) -> sympy.Matrix:
        """``M_Y(x, y)``."""
        return sympy.Matrix(self.cmf.M(y))

    @property
    def conservative(self) -> bool:
        """:func:`is_conservative` on the two matrices (always true for a found field)."""
        return is_conservative(self.mx, self.my)

    def x_direction(self, y_value: int) -> Pcf | None:
        """The PCF along ``y = y_value`` when ``M_X = [[0, b], [1, a]]``, else ``None``."""
        mx = self.mx
        if mx.shape != (2, 2) or mx[0, 0] != 0 or mx[1, 0] != 1:
            return None
        return to_integer_pcf(mx[1, 1].subs({y: y_value, x: n}), mx[0, 1].subs({y: y_value, x: n}))


@dataclass(frozen=True)
class CmfAttempt:
    """The outcome of :func:`find_cmf`: an extension, or the reason there is none."""

    extension: CmfExtension | None
    reason: str | None = None


def to_integer_pcf(a_n: sympy.Expr, b_n: sympy.Expr) -> Pcf | None:
    """``PCF(a_n, b_n)`` with integer coefficients, or ``None``.

    Rational-function coefficients are cleared by inflating by their denominators
    (``ramanujantools``), rational constants by inflating by a constant ``c`` (``a → c·a``,
    ``b → c²·b``); the result is deflated to its canonical form. Each step changes the limit
    by a Möbius transform only.
    """
    from ramanujantools.pcf import PCF

    try:
        a_n, b_n = sympy.cancel(sympy.sympify(a_n)), sympy.cancel(sympy.sympify(b_n))
        if (a_n.free_symbols | b_n.free_symbols) - {n} or b_n == 0:
            return None
        den = sympy.lcm(sympy.fraction(a_n)[1], sympy.fraction(b_n)[1])
        rt = PCF(a_n, b_n)
        if den.free_symbols:
            rt = rt.inflate(den)
        polys = [sympy.Poly(sympy.cancel(e), n) for e in (rt.a_n, rt.b_n)]
        coeffs = [p.all_coeffs()[::-1] for p in polys]
        if not all(c.is_rational for cs in coeffs for c in cs):
            return None
        scale = sympy.ilcm(*(sympy.Rational(c).q for cs in coeffs for c in cs))
        a = tuple(int(c * scale) for c in coeffs[0])
        b = tuple(int(c * scale**2) for c in coeffs[1])
    except (ValueError, TypeError, ZeroDivisionError, sympy.PolynomialError):
        return None
    if all(c == 0 for c in b):
        return None
    return canonical(Pcf(a, b))


def _usable(field: Any) -> tuple[sympy.Expr, sympy.Expr] | None:
    """``(f, f̄)`` of a solver answer with its free parameters set to 0, if rational."""
    params = (field.f.free_symbols | field.fbar.free_symbols) - {x, y}
    f, fbar = (sympy.expand(e.subs({p: 0 for p in params})) for e in (field.f, field.fbar))
    for expr in (f, fbar):
        if not all(c.is_rational for c in sympy.Poly(expr, x, y).coeffs()):
            return None
    return f, fbar


def _preference(field: Any) -> tuple[bool, bool]:
    """Parameter-free fields first, then fields whose ``x``-lines depend on ``y``."""
    params = (field.f.free_symbols | field.fbar.free_symbols) - {x, y}
    a = sympy.expand(field.f - field.fbar.subs(x, x + 1))
    return bool(params), y not in a.free_symbols


def find_cmf(pcf: Pcf, max_degree: int = 3) -> CmfAttempt:
    """Search an ``f, f̄`` field of degree ``≤ max_degree`` whose ``y = 1`` line is ``pcf``.

    ``pcf`` and its canonical form (equal up to inflation) are both tried. Solutions with
    free parameters are specialised at 0; solutions with irrational coefficients (such as
    the ``√2`` ones of ``PCF(2n+1, n²)``) are refused, since their other lines would not be
    integer PCFs. A found field is re-checked by :func:`is_conservative`.

    Raises:
        ConfigError: ``max_degree`` outside ``[1, 4]``.
    """
    from ramanujantools.cmf import FFbar
    from ramanujantools.solvers.ffbar_solver import FFbarSolver

    if not isinstance(max_degree, int) or not 1 <= max_degree <= MAX_FIELD_DEGREE:
        raise ConfigError(f"max_degree must be in [1, {MAX_FIELD_DEGREE}], got {max_degree!r}")
    deg_a, deg_b = pcf.degrees
    needed = max(deg_a, (deg_b + 1) // 2, 1)
    if needed > max_degree:
        return CmfAttempt(None, f"needs f, f̄ of degree {needed} > max_degree {max_degree}")
    irrational = False
    for form in dict.fromkeys((pcf, canonical(pcf))):
        try:
            fields = FFbarSolver.from_pcf(form.to_ramanujantools()) or []
        except (ValueError, TypeError, NotImplementedError, ZeroDivisionError):
            continue
        for field in sorted(fields, key=_preference):
            pair = _usable(field)
            if pair is None:
                irrational = True
                continue
            try:
                made = FFbar(*pair)
            except ValueError:
                continue
            ext = CmfExtension(cmf=made, y0=1, pcf=form, f=pair[0], fbar=pair[1])
            if ext.conservative and ext.x_direction(1) is not None:
                return CmfAttempt(ext)
    if irrational:
        return CmfAttempt(None, "the only f, f̄ fields have irrational coefficients")
    return CmfAttempt(None, f"no f, f̄ field of degree {needed} has {pcf.text} as its y = 1 line")


def extend_to_cmf(pcf: Pcf, max_degree: int = 3) -> CmfExtension | None:
    """The field :func:`find_cmf` finds for ``pcf``, or ``None`` (see its ``reason``)."""
    return find_cmf(pcf, max_degree).extension


def trajectory_pcf(cmf: Any, trajectory: tuple[int, int], start: tuple[int, int]) -> Pcf | None:
    """The PCF of the walk along ``trajectory`` (steps in ``x``, ``y``) from ``start``.

    ``ramanujantools`` reduces the walk to one matrix in ``n`` and to its companion PCF;
    ``None`` when the field has free parameters, the steps are out of range, or the result
    is not a PCF with integer coefficients.
    """
    from ramanujantools.pcf import PCF

    steps = dict(zip((x, y), trajectory, strict=True))
    if cmf.parameters() or not all(isinstance(s, int) and 0 <= s <= MAX_STEP for s in trajectory):
        return None
    if not any(trajectory):
        return None
    try:
        matrix = cmf.trajectory_matrix(steps, dict(zip((x, y), start, strict=True)))
        rt = PCF(matrix)
        a_n, b_n = rt.a_n, rt.b_n
    except (ValueError, TypeError, IndexError, ZeroDivisionError, sympy.PolynomialError):
        return None  # IndexError: the walk's recurrence has order < 2 (no PCF)
    return to_integer_pcf(a_n, b_n)


@dataclass(frozen=True)
class CmfFormula:
    """A formula generated from a field, with the verifier's verdict.

    Attributes:
        pcf: the formula (canonical form).
        source: where it lies in the field, e.g. ``x-direction at y = 3``.
        verdict: :func:`verify_pcf`'s verdict on it.
    """

    pcf: Pcf
    source: str
    verdict: PcfVerdict

    @property
    def verified(self) -> bool:
        """The verifier identified its limit."""
        return self.verdict.verified


def _candidates(
    ext: CmfExtension, y_steps: int, trajectories: Sequence[tuple[int, int]]
) -> list[tuple[str, Any]]:
    """Lazy candidate slices, nearest to the known line first."""
    out: list[tuple[str, Any]] = []
    for d in range(1, y_steps + 1):
        for y_value in (ext.y0 + d, ext.y0 - d):
            out.append((f"x-direction at y = {y_value}", lambda v=y_value: ext.x_direction(v)))
    for start_y in (ext.y0, ext.y0 + 1):
        for t in trajectories:
            out.append(
                (
                    f"trajectory {t} from (1, {start_y})",
                    lambda t=t, s=start_y: trajectory_pcf(ext.cmf, t, (1, s)),
                )
            )
    return out


def cmf_formulas(
    ext: CmfExtension,
    count: int = 4,
    y_steps: int = 4,
    trajectories: Sequence[tuple[int, int]] = ((1, 1), (1, 2), (2, 1)),
    settings: PcfSettings | None = None,
) -> list[CmfFormula]:
    """Up to ``count`` verified formulas from other slices of ``ext``'s field.

    Tried in order: the ``x``-direction on the lines ``y0 ± 1, ..., y0 ± y_steps``, then the
    ``trajectories`` from ``(1, y0)`` and ``(1, y0 + 1)``. Each slice becomes an integer PCF
    in canonical form; the known formula and repeats are skipped, slices over the
    polynomial caps are dropped before verification, and only verified ones are returned.
    ``settings`` defaults to any library constant with Möbius height ≤ 60, since the
    transforms grow with the distance from the known line.

    Raises:
        ConfigError: ``count`` outside ``[1, 50]`` or ``y_steps`` outside ``[0, 20]``.
    """
    if not isinstance(count, int) or not 1 <= count <= 50:
        raise ConfigError(f"count must be an integer in [1, 50], got {count!r}")
    if not isinstance(y_steps, int) or not 0 <= y_steps <= 20:
        raise ConfigError(f"y_steps must be an integer in [0, 20], got {y_steps!r}")
    settings = settings or PcfSettings(max_height=60)
    limits: PolynomialLimits = settings.limits
    seen = {canonical_key(ext.pcf)} if ext.pcf is not None else set()
    found: list[CmfFormula] = []
    for source, make in _candidates(ext, y_steps, trajectories):
        if len(found) >= count:
            break
        pcf = make()
        if pcf is None or canonical_key(pcf) in seen:
            continue
        seen.add(canonical_key(pcf))
        if max(pcf.degrees) > limits.max_degree or pcf.max_coefficient > limits.max_coefficient:
            continue
        verdict = verify_pcf(pcf, settings)
        if verdict.verified:
            found.append(CmfFormula(pcf, source, verdict))
    return found


def shifted(pcf: Pcf, shift: int) -> Pcf:
    """``PCF(a(n + shift), b(n + shift))``: for ``shift ≥ 0`` the tail of ``pcf`` after
    ``shift`` steps, whose limit is a Möbius transform of the original's."""
    a = sympy.expand(sum(c * (n + shift) ** k for k, c in enumerate(pcf.a)))
    b = sympy.expand(sum(c * (n + shift) ** k for k, c in enumerate(pcf.b)))
    a_coeffs = sympy.Poly(a, n).all_coeffs()[::-1]
    b_coeffs = sympy.Poly(b, n).all_coeffs()[::-1]
    return Pcf(tuple(int(c) for c in a_coeffs), tuple(int(c) for c in b_coeffs))


def locate_in_field(
    pcf: Pcf,
    cmf: Any,
    trajectories: Sequence[tuple[int, int]] = ((1, 0), (0, 1), (1, 1)),
    starts: Sequence[tuple[int, int]] = ((1, 1), (1, 2)),
    max_shift: int = 4,
) -> tuple[str, int] | None:
    """Where ``pcf`` lies in a given field, up to inflation and a shift of its index.

    Returns ``(source, shift)`` when the slice along a trajectory from a start equals
    ``shifted(pcf, shift)`` in canonical form (``shift > 0``: the slice is a tail of
    ``pcf``; ``shift < 0``: ``pcf`` is a tail of the slice); ``None`` when no tried slice
    matches within ``max_shift`` steps either way. This links a formula found
    elsewhere (by ESMA, say) to a known field, such as ``PCF(4n + 2, 1)`` to a diagonal of
    ``ramanujantools``' ``e`` field.

    Raises:
        ConfigError: ``max_shift`` outside ``[0, 20]``.
    """
    if not isinstance(max_shift, int) or not 0 <= max_shift <= 20:
        raise ConfigError(f"max_shift must be an integer in [0, 20], got {max_shift!r}")
    ours = {canonical_key(shifted(pcf, s)): s for s in range(max_shift + 1)}
    for start in starts:
        for t in trajectories:
            slice_pcf = trajectory_pcf(cmf, t, start)
            if slice_pcf is None:
                continue
            source = f"trajectory {t} from {start}"
            for s in range(max_shift + 1):
                key = canonical_key(shifted(slice_pcf, s))
                if key in ours:
                    return source, ours[key] - s
    return None
