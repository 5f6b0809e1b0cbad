"""The safe expression parser: hostile formulas are refused, correct ones parse and evaluate."""

from __future__ import annotations

import ast
import builtins
import time

import numpy as np
import pytest
import sympy
import sympy.parsing.sympy_parser
from numpy.testing import assert_allclose, assert_array_equal

from discolab.errors import ExpressionError, VerificationError
from discolab.verifiers.expressions import ParsedExpression, parse_expression

VARS = ("m1", "m2", "r")


def _forbid(name: str):
    def stub(*args: object, **kwargs: object) -> None:
        raise AssertionError(f"{name} was called with {args!r}")

    return stub


@pytest.fixture
def no_execution(monkeypatch: pytest.MonkeyPatch) -> None:
    """Fail the test if anything runs text: eval, exec, compile to code, sympify, parse_expr."""
    # Import every module the parser may load lazily, so the import machinery (which runs
    # module code through exec) is done before the guards go up.
    warm = parse_expression("exp(log(sqrt(abs(sin(cos(tan(asin(acos(atan(r))))))))))*C", VARS)
    warm.evaluate({"r": np.ones(2)}, {"C": 1.0})
    warm.to_latex()
    real_compile = builtins.compile

    def ast_only_compile(source, filename, mode, flags=0, *args, **kwargs):
        if not flags & ast.PyCF_ONLY_AST:
            raise AssertionError(f"compile() to code was called on {source!r}")
        return real_compile(source, filename, mode, flags, *args, **kwargs)

    monkeypatch.setattr(builtins, "eval", _forbid("eval"))
    monkeypatch.setattr(builtins, "exec", _forbid("exec"))
    monkeypatch.setattr(builtins, "compile", ast_only_compile)
    monkeypatch.setattr(builtins, "__import__", _guarded_import(builtins.__import__))
    monkeypatch.setattr(sympy, "sympify", _forbid("sympy.sympify"))
    monkeypatch.setattr(sympy, "parse_expr", _forbid("sympy.parse_expr"))
    monkeypatch.setattr(sympy.parsing.sympy_parser, "parse_expr", _forbid("parse_expr"))
    monkeypatch.setattr(sympy, "lambdify", _forbid("sympy.lambdify"))


def _guarded_import(real_import):
    def guarded(name, *args, **kwargs):
        if name in {"os", "subprocess", "shutil"}:
            raise AssertionError(f"import of {name!r} attempted during parsing")
        return real_import(name, *args, **kwargs)

    return guarded


HOSTILE = [
    ("__import__('os').system('id')", "attribute access '.system' is not allowed"),
    ("__import__('os')", "function '__import__' is not allowed"),
    ("().__class__.__bases__", "attribute access '.__bases__' is not allowed"),
    ("lambda: 0", "lambda is not allowed"),
    ("r.real", "attribute access '.real' is not allowed"),
    ("os", "unknown name 'os'; allowed: m1, m2, r, free parameters C, C1"),
    ("r[0]", "indexing"),
    ("[x for x in r]", "comprehensions are not allowed"),
    ("(x for x in r)", "generator expressions are not allowed"),
    ("f'{r}'", "f-strings are not allowed"),
    ("'abc'", "string literal"),
    ("b'abc'", "string literal"),
    ("exp(r, base=2)", "keyword arguments are not allowed"),
    ("exec('x')", "function 'exec' is not allowed"),
    ("eval('1')", "function 'eval' is not allowed"),
    ("(x := 1)", "assignment ':=' is not allowed"),
    ("True", "True is not a number"),
    ("r * False", "False is not a number"),
    ("r^2", "'^' is not a power in Python syntax; use **"),
    ("np.exp(r)", "without the module prefix"),
    ("math.sqrt(r)", "attribute access '.sqrt'"),
    ("pow(r, 2)", "use ** for powers"),
    ("sin(r, r)", "exactly one argument"),
    ("exp(*r)", "unpacking is not allowed"),
    ("1j * r", "complex literal"),
    ("r if m1 else m2", "conditional expressions"),
    ("r < m1", "comparisons are not allowed"),
    ("r and m1", "'and' / 'or' are not allowed"),
    ("r // 2", "'//'"),
    ("r % 2", "'%'"),
    ("~r", "unary '~' is not allowed"),
    ("(r, m1)", "tuples are not allowed"),
    ("{r: 1}", "dicts are not allowed"),
    ("None", "literal"),
    ("...", "literal"),
    ("e * r", "exp(1)"),
    ("exp", "is a function; call it as exp(...)"),
    ("m_1 * r", "unknown name 'm_1' (did you mean 'm1'?)"),
    ("F = C*m1*m2/r**2", "give only the right-hand side"),
    ("import os", "not a valid Python expression"),
    ("r +", "not a valid Python expression"),
    ("", "empty"),
    ("r\x00", "cannot"),
    ("1e999 * r", "not a finite number"),
    ("1e301 * r", "larger than"),
    ("log(0) * r", "constant 'log(0)' is not a real number"),
    ("(-8)**(1/3) * r", "is not a real number"),
    ("r * (1 / (1 - 1))", "divides by zero"),
    ("exp(1000) * r", "overflows"),
    ("10**400", "constant exponent 400 is too large"),
    ("r**11", "constant exponent 11 is too large"),
    ("getattr(r, 'real')", "function 'getattr' is not allowed"),
    ("r.__class__.__subclasses__()", "attribute access"),
]


@pytest.mark.parametrize(("text", "message"), HOSTILE)
def test_hostile_formulas_are_rejected_with_a_clear_message(
    text: str, message: str, no_execution: None
) -> None:
    with pytest.raises(ExpressionError) as info:
        parse_expression(text, VARS)
    assert message in str(info.value)


def test_power_tower_is_rejected_instantly_without_computing(no_execution: None) -> None:
    start = time.thread_time()  # CPU time of this thread, not the load of the machine
    with pytest.raises(ExpressionError, match=r"constant exponent .* is too large"):
        parse_expression("9**9**9**9", VARS)
    assert time.thread_time() - start < 1.0


def test_negative_power_tower_is_rejected_too() -> None:
    with pytest.raises(ExpressionError, match="too large"):
        parse_expression("r**(-(9**9))", VARS)


def test_ten_thousand_deep_nesting_is_refused_by_length_before_parsing(
    no_execution: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    text = "(" * 10000 + "r" + ")" * 10000
    parsed: list[str] = []
    real_parse = ast.parse
    monkeypatch.setattr(
        ast, "parse", lambda source, *a, **k: parsed.append(source) or real_parse(source, *a, **k)
    )
    start = time.thread_time()  # CPU time of this thread, not the load of the machine
    with pytest.raises(ExpressionError, match="characters long; the limit is 400"):
        parse_expression(text, VARS)
    assert time.thread_time() - start < 1.0
    assert parsed == []  # refused before the parser saw it


@pytest.mark.parametrize("text", ["exp(" * 30 + "r" + ")" * 30, "-" * 100 + "r", "r**" * 30 + "r"])
def test_nesting_within_length_cap_but_beyond_depth_is_refused(text: str) -> None:
    assert len(text) <= 400
    with pytest.raises(ExpressionError, match="nested more than 25 levels"):
        parse_expression(text, VARS)


def test_redundant_parentheses_do_not_count_as_depth() -> None:
    assert parse_expression("(" * 100 + "r" + ")" * 100, VARS).complexity == 1


def test_long_flat_sums_are_not_deep_but_count_nodes() -> None:
    parsed = parse_expression("+".join(["r"] * 60), VARS)
    assert parsed.complexity == 119
    with pytest.raises(ExpressionError, match="more than 150 terms"):
        parse_expression("+".join(["r"] * 80), VARS)


def test_limits_are_configurable() -> None:
    with pytest.raises(ExpressionError, match="limit is 5"):
        parse_expression("m1*m2*r", VARS, max_length=5)
    assert parse_expression("r**12", VARS, max_exponent=12).complexity == 3


def test_non_string_input_is_rejected() -> None:
    with pytest.raises(ExpressionError, match="is a string"):
        parse_expression(42, VARS)  # type: ignore[arg-type]


def test_parse_and_evaluate_never_execute_text(no_execution: None) -> None:
    parsed = parse_expression("C*m1*m2/r**2 + sqrt(abs(sin(r))) * pi - exp(-r)", VARS)
    cols = {"m1": np.array([1.0, 2.0]), "m2": np.array([3.0, 4.0]), "r": np.array([1.0, 2.0])}
    out = parsed.evaluate(cols, {"C": 2.0})
    expected = 2 * cols["m1"] * cols["m2"] / cols["r"] ** 2
    expected += np.sqrt(np.abs(np.sin(cols["r"]))) * np.pi - np.exp(-cols["r"])
    assert_allclose(out, expected, rtol=1e-14)


def test_gravity_parse_has_expected_parts() -> None:
    parsed = parse_expression("  C*m1*m2/r**2 ", VARS)
    assert isinstance(parsed, ParsedExpression)
    assert parsed.source == "C*m1*m2/r**2"
    assert parsed.variables == ("m1", "m2", "r")
    assert parsed.parameters == ("C",)
    assert parsed.complexity == 9  # 5 leaves + 4 operators
    assert parsed.exponent_parameters == ()
    m1, m2, r, c = (sympy.Symbol(n, real=True) for n in ("m1", "m2", "r", "C"))
    assert parsed.expr == c * m1 * m2 / r**2


def test_equivalent_spellings_give_the_same_sympy_expression() -> None:
    a = parse_expression("C*m1*m2/r**2", VARS).expr
    b = parse_expression("m1*m2*C/(r*r)", VARS).expr
    assert sympy.simplify(a - b) == 0


def test_variables_follow_task_order_and_parameters_sort_numerically() -> None:
    parsed = parse_expression("C10*r + C2*m1 + C*C1", VARS)
    assert parsed.variables == ("m1", "r")
    assert parsed.parameters == ("C", "C1", "C2", "C10")


def test_parameters_in_exponents_are_recorded() -> None:
    assert parse_expression("C1*r**C2", VARS).exponent_parameters == ("C2",)


def test_constant_exponents_fold_and_evaluate() -> None:
    parsed = parse_expression("r**(1/2) * r**-2 * r**(2+1) * 2**10", VARS)
    r = np.array([1.0, 4.0])
    assert_allclose(parsed.evaluate({"r": r}), 1024 * r**1.5)


def test_a_task_input_named_like_a_parameter_is_an_input() -> None:
    parsed = parse_expression("C*x", ("C", "x"))
    assert parsed.variables == ("C", "x")
    assert parsed.parameters == ()


def test_constant_formula_broadcasts_to_input_length() -> None:
    parsed = parse_expression("2*pi", VARS)
    out = parsed.evaluate({"r": np.ones(7), "m1": np.ones(7)})
    assert out.shape == (7,)
    assert out.dtype == np.float64
    assert_allclose(out, 2 * np.pi)


def test_parameter_only_formula_broadcasts() -> None:
    out = parse_expression("C", VARS).evaluate({"r": np.ones(3)}, {"C": 5})
    assert_array_equal(out, [5.0, 5.0, 5.0])


def test_floating_point_problems_give_nan_or_inf_not_exceptions() -> None:
    parsed = parse_expression("log(r) + 1/(r - 1) + exp(m1)", VARS)
    out = parsed.evaluate({"r": np.array([-1.0, 1.0, 2.0]), "m1": np.array([0.0, 0.0, 1e4])})
    assert np.isnan(out[0])
    assert np.isinf(out[1]) and np.isinf(out[2])


def test_missing_column_or_parameter_is_a_verification_error() -> None:
    parsed = parse_expression("C*r", VARS)
    with pytest.raises(VerificationError, match="no input column 'r'"):
        parsed.evaluate({"m1": np.ones(2)}, {"C": 1.0})
    with pytest.raises(VerificationError, match="'C' has no value"):
        parsed.evaluate({"r": np.ones(2)})
    with pytest.raises(VerificationError, match="cannot be evaluated"):
        parsed.evaluate({"r": np.ones(2), "m1": np.ones(3)}, {"C": 1.0})


def test_latex_export() -> None:
    latex = parse_expression("C*m1*m2/r**2", VARS).to_latex()
    assert latex == r"\frac{C m_{1} m_{2}}{r^{2}}"


def test_substitute_inlines_values_and_reparses_to_the_same_function() -> None:
    parsed = parse_expression("C1*m1*m2/r**C2 - C3*exp(-C1*r)", VARS)
    params = {"C1": 6.674e-11, "C2": 2.0, "C3": -0.5}
    text = parsed.substitute(params)
    assert "C1" not in text and "--" not in text
    inlined = parse_expression(text, VARS)
    assert inlined.parameters == ()
    cols = {n: np.array([0.5, 3.0]) for n in VARS}
    assert_allclose(inlined.evaluate(cols), parsed.evaluate(cols, params), rtol=1e-15)


def test_substitute_refuses_non_finite_values() -> None:
    with pytest.raises(VerificationError, match="not finite"):
        parse_expression("C*r", VARS).substitute({"C": float("nan")})
