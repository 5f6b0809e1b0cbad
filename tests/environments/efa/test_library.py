"""The EFA library: conformance of every registered EFA, and answers against brute force.

The conformance tests run over the registry (parametrized by id), so a new library module is
covered without editing this file. Every library EFA reproduces its seed problem text
exactly from ``seed_params`` (asserted below), and every sampled problem states each integer
parameter the answer depends on (0 and 1 excepted: a coefficient 1 or a term 0 is implied by
the usual notation). The brute-force tests recompute answers by a different method —
search, enumeration of outcomes, numeric quadrature — so the library is right, not merely
self-consistent.
"""

from __future__ import annotations

import ast
import itertools
import json
import math
import random
import re
import sys
from fractions import Fraction

import mpmath
import numpy as np
import pytest
import sympy

from discolab.environments.efa.answers import check_answer, to_answer
from discolab.environments.efa.catalog import efa_ids, get_efa
from discolab.errors import ConfigError

FAMILIES = {"algebra", "number theory", "combinatorics", "probability", "geometry", "calculus"}
IDS = efa_ids()


def _ints(value):
    """Every int inside plain JSON ``value`` (bools excluded)."""
    if isinstance(value, bool):
        return []
    if isinstance(value, int):
        return [value]
    if isinstance(value, dict):
        return [i for v in value.values() for i in _ints(v)]
    if isinstance(value, list):
        return [i for v in value for i in _ints(v)]
    return []


def _plain(value) -> bool:
    if isinstance(value, dict):
        return all(isinstance(k, str) and _plain(v) for k, v in value.items())
    if isinstance(value, list):
        return all(_plain(v) for v in value)
    return isinstance(value, str | int | bool) or value is None


def _samples(entry, count, seed=0, **options):
    efa = entry.cls(**options)
    rng = random.Random(seed)
    return efa, [efa.sample(rng) for _ in range(count)]


# --- the library as a whole -------------------------------------------------------------


def test_library_has_fifteen_efas_over_all_six_families():
    assert len(IDS) >= 15
    families = {get_efa(i).family for i in IDS}
    assert families == FAMILIES


@pytest.mark.parametrize("efa_id", IDS)
def test_id_is_versioned_and_metadata_complete(efa_id):
    entry = get_efa(efa_id)
    assert re.fullmatch(r"efa/[a-z0-9]+(-[a-z0-9]+)*-v\d+", efa_id)
    assert entry.family in FAMILIES
    assert entry.title and entry.seed_problem and entry.seed_solution
    assert entry.cls.answer_kind in ("integer", "rational", "expression", "real")


# --- seeds --------------------------------------------------------------------------------


@pytest.mark.parametrize("efa_id", IDS)
def test_seed_answer_is_canonical_solve_of_seed_params(efa_id):
    entry = get_efa(efa_id)
    efa = entry.cls()
    answer = to_answer(efa.solve(dict(entry.cls.seed_params)), entry.cls.answer_kind)
    assert answer.text == entry.seed_answer.text
    assert check_answer(entry.seed_answer, entry.seed_answer.text).correct


@pytest.mark.parametrize("efa_id", IDS)
def test_render_of_seed_params_is_the_seed_problem(efa_id):
    entry = get_efa(efa_id)
    assert entry.cls().render(dict(entry.cls.seed_params)) == entry.seed_problem


# --- sampling -----------------------------------------------------------------------------


@pytest.mark.parametrize("efa_id", IDS)
def test_sample_is_deterministic_per_seed(efa_id):
    entry = get_efa(efa_id)
    _, first = _samples(entry, 10, seed=7)
    _, again = _samples(entry, 10, seed=7)
    state = random.getstate()
    _, other = _samples(entry, 10, seed=8)
    assert random.getstate() == state  # the global RNG is never touched
    assert first == again
    assert first != other


@pytest.mark.parametrize("efa_id", IDS)
def test_samples_vary_and_change_the_answer(efa_id):
    entry = get_efa(efa_id)
    efa, params = _samples(entry, 20, seed=1)
    distinct = {json.dumps(p, sort_keys=True) for p in params}
    assert len(distinct) >= 5
    answers = {to_answer(efa.solve(p), entry.cls.answer_kind).text for p in params}
    assert len(answers) >= 3


@pytest.mark.parametrize("efa_id", IDS)
def test_params_are_plain_json(efa_id):
    entry = get_efa(efa_id)
    _, params = _samples(entry, 30, seed=2)
    for p in [*params, entry.cls.seed_params]:
        assert isinstance(p, dict) and _plain(p)
        assert json.loads(json.dumps(p)) == p


@pytest.mark.parametrize("efa_id", IDS)
def test_render_states_every_integer_parameter(efa_id):
    entry = get_efa(efa_id)
    efa, params = _samples(entry, 40, seed=3)
    texts = {}
    for p in [*params, entry.cls.seed_params]:
        text = efa.render(p)
        stated = {int(t) for t in re.findall(r"\d+", text)}
        missing = {abs(i) for i in _ints(p)} - stated - {0, 1}
        assert not missing, f"{text!r} does not state {sorted(missing)}"
        texts.setdefault(text, json.dumps(p, sort_keys=True))
        # different parameters (also differing only in words) give different problems
        assert texts[text] == json.dumps(p, sort_keys=True)


# notation slips a renderer can make: "+ -3", "1x", "x^1", "0x", "(n + 0)"
SLIPS = re.compile(r"\+ -|- -|(?<![\d_.])1x|\^1(?!\d)|(?<![\d.])0x|\^0(?!\d)|\+ 0\)")


@pytest.mark.parametrize("efa_id", IDS)
def test_rendered_notation_is_clean(efa_id):
    entry = get_efa(efa_id)
    efa, params = _samples(entry, 60, seed=6)
    for p in params:
        text = efa.render(p)
        assert not SLIPS.search(text), text


def _bound(cls, name, valid, invalid):
    """The last accepted value of option ``name`` between ``valid`` and ``invalid``."""
    while abs(invalid - valid) > 1:
        middle = (valid + invalid) // 2
        try:
            cls(**{name: middle})
            valid = middle
        except ValueError:
            invalid = middle
    return valid


@pytest.mark.parametrize("efa_id", IDS)
@pytest.mark.parametrize("end", ["smallest", "largest"])
def test_sampling_works_with_every_option_at_its_bound(efa_id, end):
    entry = get_efa(efa_id)
    far = -1 if end == "smallest" else 10**30
    options = {
        name: _bound(entry.cls, name, default, far) for name, default in entry.options.items()
    }
    efa = entry.cls(**options)
    rng = random.Random(9)
    for _ in range(10):
        params = efa.sample(rng)
        to_answer(efa.solve(params), entry.cls.answer_kind)
        assert efa.render(params)


@pytest.mark.parametrize("efa_id", IDS)
def test_answers_are_exact_and_of_the_declared_kind(efa_id):
    entry = get_efa(efa_id)
    kind = entry.cls.answer_kind
    efa, params = _samples(entry, 30, seed=4)
    for p in params:
        value = efa.solve(p)
        assert not isinstance(value, bool | float)
        if kind == "integer":
            assert isinstance(value, int)
        elif kind == "rational":
            assert isinstance(value, int | Fraction)
        elif kind == "expression":
            assert isinstance(value, sympy.Basic)
            assert not value.atoms(sympy.Float)
            assert value.is_real is not False
        to_answer(value, kind)
    for p in params[:4]:  # the canonical text reads back (expressions via the safe parser)
        answer = to_answer(efa.solve(p), kind)
        assert check_answer(answer, answer.text).correct, answer.text


@pytest.mark.parametrize("efa_id", IDS)
def test_bad_options_raise_value_error_naming_the_value(efa_id):
    entry = get_efa(efa_id)
    for name in entry.options:
        for bad in (-1, 10**30):
            with pytest.raises(ValueError, match=re.escape(str(bad))):
                entry.cls(**{name: bad})
        with pytest.raises(ConfigError):
            entry.make(**{name: -1})
    with pytest.raises(ConfigError, match="unknown option"):
        entry.make(no_such_option=3)
    entry.make(**entry.options)  # the documented defaults are valid


@pytest.mark.parametrize("efa_id", IDS)
def test_module_imports_only_stdlib_and_sympy(efa_id):
    tree = ast.parse(get_efa(efa_id).source)
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            roots = [alias.name.split(".")[0] for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            assert node.level == 0, "relative imports do not run in the sandbox"
            roots = [node.module.split(".")[0]]
        else:
            continue
        for root in roots:
            assert root == "sympy" or root in sys.stdlib_module_names, root


@pytest.mark.parametrize("efa_id", IDS)
def test_source_runs_standalone_and_solves_its_seed(efa_id):
    """The module text alone (as the sandbox runs it) defines a working ``EFA``."""
    entry = get_efa(efa_id)
    namespace: dict = {"__name__": "efa_standalone"}
    exec(compile(entry.source, f"<{efa_id}>", "exec"), namespace)
    efa = namespace["EFA"]()
    seed = dict(namespace["EFA"].seed_params)
    assert efa.render(seed) == entry.seed_problem
    assert to_answer(efa.solve(seed), entry.cls.answer_kind).text == entry.seed_answer.text


@pytest.mark.parametrize("efa_id", IDS)
def test_generates_200_instances(efa_id):
    """Generation throughput smoke test (deliberately not timed: the machine is shared)."""
    host = get_efa(efa_id).make()
    rng = random.Random(11)
    instances = [host.instance(rng) for _ in range(200)]
    assert all(i.text and i.answer.text for i in instances)


# --- answers against brute force ----------------------------------------------------------


def _brute(efa_id, count=25, seed=5, **options):
    return _samples(get_efa(efa_id), count, seed=seed, **options)


def test_crt_by_search():
    efa, params = _brute("efa/crt-v1", congruences=3, max_modulus=15)
    for p in params:
        pairs = list(zip(p["moduli"], p["remainders"], strict=True))
        n = next(n for n in itertools.count(1) if all(n % m == r for m, r in pairs))
        assert efa.solve(p) == n


def test_power_mod_by_repeated_multiplication():
    efa, params = _brute("efa/power-mod-v1", max_exponent=3000)
    for p in params:
        value = 1
        for _ in range(p["exponent"]):
            value = value * p["base"] % p["modulus"]
        assert efa.solve(p) == value


def test_diophantine_count_by_enumeration():
    efa, params = _brute("efa/diophantine-count-v1", count=60)
    for p in params:
        a, b, n = p["a"], p["b"], p["n"]
        assert efa.solve(p) == sum((n - a * x) % b == 0 for x in range(n // a + 1))
    assert efa.solve({"a": 4, "b": 6, "n": 23}) == 0  # gcd 2 does not divide 23


def test_divisors_by_enumeration():
    efa, params = _brute("efa/divisors-v1", count=30, max_n=50000)
    for p in params:
        n = p["n"]
        divisors = [d for d in range(1, n + 1) if n % d == 0]
        want = {
            "count": len(divisors),
            "sum": sum(divisors),
            "square": sum(math.isqrt(d) ** 2 == d for d in divisors),
        }[p["question"]]
        assert efa.solve(p) == want


def test_linear_recurrence_by_matrix_power():
    efa, params = _brute("efa/linear-recurrence-v1")
    for p in params:
        m = sympy.Matrix([[p["p"], p["q"]], [1, 0]]) ** (p["index"] - 2)
        assert efa.solve(p) == m[0, 0] * p["a2"] + m[0, 1] * p["a1"]
    for n in range(3, 20):  # the seed's closed form a_n = 2^n − 1
        assert efa.solve({**efa.seed_params, "index": n}) == 2**n - 1


def test_vieta_against_numeric_roots():
    efa, params = _brute("efa/vieta-cubic-v1", count=40)
    for p in params:
        roots = np.roots(p["coefficients"])
        power = {"squares": 2, "reciprocals": -1, "cubes": 3}[p["target"]]
        numeric = complex(np.sum(roots.astype(complex) ** power))
        want = float(efa.solve(p))
        assert abs(numeric.imag) < 1e-6
        assert abs(numeric.real - want) < 1e-6 * max(1.0, abs(want))


def test_geometric_series_by_adding_terms():
    efa, params = _brute("efa/geometric-series-v1")
    for p in params:
        r = Fraction(p["ratio_numerator"], p["ratio_denominator"])
        assert efa.solve(p) == sum(p["first"] * r**i for i in range(p["terms"]))


def test_linear_system_by_sympy_solve():
    efa, params = _brute("efa/linear-system-v1", count=10)
    x, y = sympy.symbols("x y")
    for p in params:
        solution = sympy.solve(
            [p["a"] * x + p["b"] * y - p["e"], p["c"] * x + p["d"] * y - p["f"]], [x, y]
        )
        assert sympy.Rational(efa.solve(p)) == solution[x] + solution[y]


def test_lattice_paths_by_dynamic_programming():
    efa, params = _brute("efa/lattice-paths-v1", count=40, max_blocked=4)
    for p in params:
        blocked = {tuple(b) for b in p["blocked"]}
        ways = {}
        for i in range(p["width"] + 1):
            for j in range(p["height"] + 1):
                if (i, j) in blocked:
                    ways[i, j] = 0
                elif i == j == 0:
                    ways[i, j] = 1
                else:
                    ways[i, j] = ways.get((i - 1, j), 0) + ways.get((i, j - 1), 0)
        assert efa.solve(p) == ways[p["width"], p["height"]]


def test_bounded_sums_by_enumeration():
    efa, params = _brute("efa/bounded-sums-v1", max_variables=4, max_upper=7)
    for p in params:
        values = range(p["lower"], p["upper"] + 1)
        tuples = itertools.product(values, repeat=p["variables"])
        assert efa.solve(p) == sum(sum(t) == p["total"] for t in tuples)


def test_derangements_by_enumerating_permutations():
    efa, params = _brute("efa/derangements-v1", count=15, max_letters=7)
    for p in params:
        n = p["letters"]
        fixed = (sum(s[i] == i for i in range(n)) for s in itertools.permutations(range(n)))
        assert efa.solve(p) == sum(f == p["correct"] for f in fixed)


def test_dice_sum_by_enumerating_outcomes():
    efa, params = _brute("efa/dice-sum-v1", max_dice=4, max_faces=6)
    for p in params:
        rolls = list(itertools.product(range(1, p["faces"] + 1), repeat=p["dice"]))
        if p["comparison"] == "exactly":
            good = sum(sum(r) == p["target"] for r in rolls)
        else:
            good = sum(sum(r) >= p["target"] for r in rolls)
        assert efa.solve(p) == Fraction(good, len(rolls))


def test_urn_by_enumerating_draws():
    efa, params = _brute("efa/urn-draws-v1", max_balls=7)
    for p in params:
        balls = ["r"] * p["red"] + ["b"] * p["blue"]
        draws = list(itertools.combinations(range(len(balls)), p["drawn"]))
        reds = [sum(balls[i] == "r" for i in d) for d in draws]
        if p["comparison"] == "exactly":
            good = sum(r == p["red_drawn"] for r in reds)
        else:
            good = sum(r >= p["red_drawn"] for r in reds)
        assert efa.solve(p) == Fraction(good, len(draws))


def test_dice_extreme_by_enumerating_outcomes():
    efa, params = _brute("efa/dice-extreme-v1", max_rolls=4, max_faces=8)
    for p in params:
        rolls = list(itertools.product(range(1, p["faces"] + 1), repeat=p["rolls"]))
        pick = max if p["statistic"] == "largest" else min
        assert efa.solve(p) == Fraction(sum(pick(r) for r in rolls), len(rolls))


def test_heron_by_the_law_of_cosines():
    efa, params = _brute("efa/heron-triangle-v1", count=30)
    for p in params:
        a, b, c = p["sides"]
        cos_c = Fraction(a * a + b * b - c * c, 2 * a * b)
        area_squared = Fraction(a * b, 2) ** 2 * (1 - cos_c**2)  # (ab sin C / 2)^2
        s = Fraction(a + b + c, 2)
        want = {
            "area": area_squared,
            "inradius": area_squared / s**2,
            "circumradius": Fraction(a * b * c) ** 2 / (16 * area_squared),
        }[p["quantity"]]
        value = efa.solve(p)
        assert value.is_positive
        assert sympy.nsimplify(value**2) == sympy.Rational(want.numerator, want.denominator)


def test_shoelace_by_picks_theorem():
    efa, params = _brute("efa/shoelace-area-v1", count=20, max_coordinate=6, max_vertices=6)
    for p in params:
        v = [tuple(x) for x in p["vertices"]]
        edges = list(zip(v, v[1:] + v[:1], strict=True))
        interior = boundary = 0
        xs, ys = [x for x, _ in v], [y for _, y in v]
        for x in range(min(xs), max(xs) + 1):
            for y in range(min(ys), max(ys) + 1):
                sides = [(b[0] - a[0]) * (y - a[1]) - (b[1] - a[1]) * (x - a[0]) for a, b in edges]
                if all(s > 0 for s in sides) or all(s < 0 for s in sides):
                    interior += 1
                elif all(s >= 0 for s in sides) or all(s <= 0 for s in sides):
                    boundary += 1
        assert efa.solve(p) == interior + Fraction(boundary, 2) - 1


def test_circle_lengths_by_coordinates():
    efa, params = _brute("efa/circle-lengths-v1", count=60)
    for p in params:
        d, radii = p["distance"], p["radii"]
        if p["kind"] == "chord":  # the chord on the line y = d cuts x^2 + y^2 = r^2
            length = 2 * math.sqrt(radii[0] ** 2 - d * d)
        elif p["kind"] == "tangent":  # P = (d, 0); the tangency point T has OT ⟂ PT
            t = (radii[0] ** 2 / d, radii[0] * math.sqrt(1 - (radii[0] / d) ** 2))
            length = math.dist((d, 0), t)
        else:  # centres c1 = (0, 0), c2 = (d, 0); the line n·z = −r1 with unit normal n
            r1, r2 = radii  # has n·c1 + r1 = r1 and needs n·c2 + r1 = ±r2 (+: external)
            sign = 1 if p["kind"] == "external" else -1
            nx = (sign * r2 - r1) / d
            n = (nx, math.sqrt(1 - nx * nx))
            t1 = (-r1 * n[0], -r1 * n[1])  # the feet of the perpendiculars from the centres
            t2 = (d - sign * r2 * n[0], -sign * r2 * n[1])
            for t in (t1, t2):
                assert math.isclose(t[0] * n[0] + t[1] * n[1], -r1, abs_tol=1e-9)
            length = math.dist(t1, t2)
        assert math.isclose(float(efa.solve(p)), length, rel_tol=1e-9)


def test_polynomial_integral_by_sympy():
    efa, params = _brute("efa/polynomial-integral-v1", count=10)
    x = sympy.Symbol("x")
    for p in params:
        poly = sympy.Poly(p["coefficients"], x).as_expr()
        want = sympy.integrate(poly, (x, p["lower"], p["upper"]))
        assert sympy.Rational(efa.solve(p)) == want


def test_exp_integral_by_quadrature():
    efa, params = _brute("efa/exp-integral-v1", count=20)
    for p in params:
        k, a = p["power"], p["rate"]
        with mpmath.workdps(30):
            numeric = mpmath.quad(lambda t, k=k, a=a: t**k * mpmath.exp(a * t), [0, p["upper"]])
        want = float(efa.solve(p))
        assert math.isclose(float(numeric), want, rel_tol=1e-12)


def test_telescoping_by_direct_summation():
    efa, params = _brute("efa/telescoping-sum-v1", count=40, max_terms=60)
    for p in params:
        s, k = p["first"], p["second"] - p["first"]
        if p["terms"]:
            terms = range(1, p["terms"] + 1)
            assert efa.solve(p) == sum(Fraction(1, (n + s) * (n + s + k)) for n in terms)
        else:
            numeric = mpmath.nsum(lambda n, s=s, k=k: 1 / ((n + s) * (n + s + k)), [1, mpmath.inf])
            assert math.isclose(float(numeric), float(efa.solve(p)), rel_tol=1e-9)
    assert any(p["terms"] == 0 for p in params)


def test_word_arrangements_by_enumerating_permutations():
    efa, params = _brute("efa/word-arrangements-v1", count=30, max_length=7)
    for p in params:
        words = set(itertools.permutations(p["word"]))
        if p["condition"] == "separated":
            words = {w for w in words if all(a != b for a, b in itertools.pairwise(w))}
        assert efa.solve(p) == len(words)
    assert efa.solve({"word": "AAB", "condition": "separated"}) == 1  # ABA
    assert efa.solve({"word": "AAAB", "condition": "separated"}) == 0


def test_expected_draws_by_enumerating_orders():
    efa, params = _brute("efa/expected-draws-v1", count=20, max_balls=6)
    for p in params:
        n = p["red"] + p["blue"]
        orders = list(itertools.combinations(range(1, n + 1), p["red"]))  # red positions
        pick = min if p["until"] == "first" else max
        assert efa.solve(p) == Fraction(sum(pick(o) for o in orders), len(orders))


def test_trig_integral_by_quadrature():
    efa, params = _brute("efa/trig-integral-v1", count=30)
    for p in params:
        f = mpmath.sin if p["function"] == "sin" else mpmath.cos
        k, a = p["power"], p["rate"]
        with mpmath.workdps(30):
            end = mpmath.pi / p["divisor"]
            numeric = mpmath.quad(lambda t, k=k, a=a, f=f: t**k * f(a * t), [0, end])
        assert math.isclose(float(numeric), float(efa.solve(p)), rel_tol=1e-12, abs_tol=1e-20)


def test_circle_lattice_points_by_enumeration():
    efa, params = _brute("efa/circle-lattice-points-v1", count=30, max_n=400)
    for p in params:
        n = p["n"]
        points = [(x, y) for x in range(-25, 26) for y in range(-25, 26)]
        if p["where"] == "inside":
            want = sum(x * x + y * y <= n for x, y in points)
        else:
            want = sum(x * x + y * y == n for x, y in points)
        assert efa.solve(p) == want
    assert efa.solve({"n": 25, "where": "on"}) == 12  # (±5, 0), (0, ±5), (±3, ±4), (±4, ±3)
