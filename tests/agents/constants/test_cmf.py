"""Conservative matrix fields: the exact check, extending a PCF, and the formulas a field gives."""

from __future__ import annotations

import pytest
import sympy
from ramanujantools.cmf import known_cmfs
from sympy.abc import n, x, y

from discolab.agents.constants.cmf import (
    CmfExtension,
    cmf_formulas,
    extend_to_cmf,
    find_cmf,
    is_conservative,
    locate_in_field,
    shifted,
    to_integer_pcf,
    trajectory_pcf,
)
from discolab.environments.constants.pcf import canonical_key, parse_pcf
from discolab.errors import ConfigError


@pytest.mark.parametrize("name", ["e", "pi", "zeta3", "symmetric_pi", "cmf1"])
def test_known_fields_are_conservative(name: str) -> None:
    field = getattr(known_cmfs, name)()
    assert is_conservative(field.M(x), field.M(y))


def test_a_perturbed_pair_is_rejected() -> None:
    field = known_cmfs.e()
    mx, my = sympy.Matrix(field.M(x)), sympy.Matrix(field.M(y))
    assert is_conservative(mx, my)
    broken = my.copy()
    broken[1, 1] = broken[1, 1] + 1
    assert not is_conservative(mx, broken)
    assert not is_conservative(my, mx)  # the axes do not commute this way round
    assert not is_conservative(mx, sympy.eye(3))  # shapes differ


def test_rational_function_entries_are_checked_exactly() -> None:
    # M_X = M_Y = diag(1/(x+y+1), 1): both sides equal 1/((x+y+1)(x+y+2)) in the corner
    m = sympy.Matrix([[1 / (x + y + 1), 0], [0, 1]])
    assert is_conservative(m, m)
    assert not is_conservative(m, sympy.Matrix([[1 / (x + 1), 0], [0, 1]]))


@pytest.fixture(scope="module")
def e_field() -> CmfExtension:
    ext = extend_to_cmf(parse_pcf("PCF(n + 3, -n)"))
    assert ext is not None
    return ext


def test_the_e_formula_extends_to_a_field(e_field: CmfExtension) -> None:
    assert e_field.conservative
    assert e_field.y0 == 1
    assert e_field.x_direction(1) == parse_pcf("PCF(n + 3, -n)")
    # M_X = [[0, b(x)], [1, a(x, y)]] with b = -x and a = x - y + 4
    assert sympy.expand(e_field.mx[0, 1] + x) == 0
    assert sympy.expand(e_field.mx[1, 1] - (x - y + 4)) == 0


def test_the_e_field_gives_verified_formulas(e_field: CmfExtension) -> None:
    formulas = cmf_formulas(e_field, count=4)
    assert len(formulas) == 4
    assert all(f.verified and f.verdict.constant == "e" for f in formulas)
    assert all(f.verdict.digits >= 50 for f in formulas)
    keys = {canonical_key(f.pcf) for f in formulas}
    assert len(keys) == 4 and canonical_key(parse_pcf("PCF(n + 3, -n)")) not in keys
    by_source = {f.source: f.verdict.limit_text for f in formulas}
    assert by_source["x-direction at y = 2"] == "e/(e - 1)"  # PCF(n + 2, -n)


def test_a_ln2_formula_gives_a_family() -> None:
    ext = extend_to_cmf(parse_pcf("PCF(3*n + 2, -2*n**2)"))  # = 1/ln 2
    assert ext is not None and ext.conservative
    formulas = cmf_formulas(ext, count=3, trajectories=())
    assert [f.pcf.text for f in formulas] == [
        "PCF(3*n + 3, -2*n**2)",
        "PCF(3*n + 4, -2*n**2)",
        "PCF(3*n + 5, -2*n**2)",
    ]
    assert {f.verdict.constant for f in formulas} == {"ln2"}


def test_the_zeta3_field_gives_an_apery_fraction() -> None:
    # the y = 1 line converges slowly; the diagonal converges exponentially (Apéry)
    ext = extend_to_cmf(parse_pcf("PCF(2*n**3 + 3*n**2 + 3*n + 1, -n**6)"))
    assert ext is not None and ext.conservative
    assert trajectory_pcf(ext.cmf, (1, 1), (1, 2)) == parse_pcf(
        "PCF(34*n**3 + 153*n**2 + 231*n + 117, -(n + 1)**6)"
    )
    (apery,) = cmf_formulas(ext, count=1, y_steps=0, trajectories=((1, 1),))
    assert apery.verdict.constant == "zeta3"
    assert apery.verdict.rate is not None and apery.verdict.rate > 2.5


def test_a_field_taken_as_given_gives_pi_formulas() -> None:
    ext = CmfExtension(known_cmfs.pi(), y0=1)
    assert ext.x_direction(1) is None  # M_X is not in companion form: trajectories only
    formulas = cmf_formulas(ext, count=3, y_steps=0, trajectories=((1, 0), (0, 1)))
    assert len(formulas) == 3
    assert all(f.verdict.constant == "pi" for f in formulas)
    assert len({canonical_key(f.pcf) for f in formulas}) == 3


def test_formulas_without_an_integer_field_give_a_reason() -> None:
    four_over_pi = find_cmf(parse_pcf("PCF(2*n + 1, n**2)"))
    assert four_over_pi.extension is None
    assert "irrational" in (four_over_pi.reason or "")
    euler = find_cmf(parse_pcf("PCF(4*n + 2, 1)"))
    assert euler.extension is None and "no f, f̄ field" in (euler.reason or "")
    too_big = find_cmf(parse_pcf("PCF(n**4 + 1, -n**8)"), max_degree=3)
    assert too_big.extension is None and "degree 4" in (too_big.reason or "")


def test_slices_become_integer_pcfs() -> None:
    assert to_integer_pcf(n / 2 + 1, -n / 4) == parse_pcf("PCF(n + 2, -n)")
    assert to_integer_pcf(n + 1, sympy.Integer(0)) is None
    assert to_integer_pcf(n + y, -n) is None  # a free symbol left over
    assert trajectory_pcf(known_cmfs.e(), (0, 0), (1, 1)) is None
    assert trajectory_pcf(known_cmfs.cmf1(), (1, 1), (1, 1)) is None  # free parameters


def test_bad_options_are_config_errors(e_field: CmfExtension) -> None:
    with pytest.raises(ConfigError, match="max_degree"):
        find_cmf(parse_pcf("PCF(n + 3, -n)"), max_degree=9)
    with pytest.raises(ConfigError, match="count"):
        cmf_formulas(e_field, count=0)
    with pytest.raises(ConfigError, match="y_steps"):
        cmf_formulas(e_field, y_steps=-1)


def test_an_esma_formula_lies_on_a_diagonal_of_the_e_field() -> None:
    from discolab.agents.constants.esma import esma_search

    found = esma_search("e", terms=30, variants=("regular",), verify=False)
    euler = next(c.pcf for c in found if c.limit_text == "(e + 1)/(e - 1)")
    assert locate_in_field(euler, known_cmfs.e()) == ("trajectory (1, 1) from (1, 1)", 2)
    assert trajectory_pcf(known_cmfs.e(), (1, 1), (1, 1)) == shifted(euler, 2)


def test_apery_is_a_tail_of_the_zeta3_diagonal() -> None:
    apery = parse_pcf("PCF(34*n**3 + 51*n**2 + 27*n + 5, -n**6)")
    where = locate_in_field(apery, known_cmfs.zeta3(), trajectories=((1, 1),), starts=((1, 1),))
    assert where == ("trajectory (1, 1) from (1, 1)", 1)
    assert locate_in_field(parse_pcf("PCF(2*n + 1, n**2)"), known_cmfs.e(), max_shift=1) is None
    with pytest.raises(ConfigError, match="max_shift"):
        locate_in_field(apery, known_cmfs.zeta3(), max_shift=-1)


def test_a_shift_is_the_tail() -> None:
    assert shifted(parse_pcf("PCF(4*n + 2, 1)"), 2) == parse_pcf("PCF(4*n + 10, 1)")
    assert shifted(parse_pcf("PCF(n + 3, -n)"), -1) == parse_pcf("PCF(n + 2, 1 - n)")
