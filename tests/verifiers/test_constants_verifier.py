"""The PCF verifier: known formulas verified, perturbed copies and degenerate or hostile
fractions refused with a named status and reason."""

from __future__ import annotations

import pytest

from discolab.environments.constants.pcf import Pcf, parse_pcf
from discolab.errors import ConfigError
from discolab.verifiers.constants import PcfSettings, evaluation_of, verify_pcf

KNOWN = [
    # text, constant, limit text, rough rate (digits/term), δ near
    ("PCF(34*n**3 + 51*n**2 + 27*n + 5, -n**6)", "zeta3", "6/ζ(3)", 3.06, 0.08),
    ("PCF(2*n + 1, n**2)", "pi", "4/π", 0.77, None),
    ("PCF(n + 3, -n)", "e", "e", None, None),
    ("PCF(3*n + 2, -2*n**2)", "ln2", "1/ln 2", 0.30, None),
]


@pytest.mark.parametrize(("text", "constant", "limit", "rate", "delta"), KNOWN)
def test_known_formulas_are_verified(text, constant, limit, rate, delta):
    verdict = verify_pcf(text, PcfSettings(target=constant))
    assert verdict.status == "verified", verdict.reason
    assert verdict.constant == constant
    assert verdict.limit_text == limit
    assert verdict.digits >= 50
    assert verdict.predicted_delta is None or -1.5 < verdict.predicted_delta < 1.5
    if rate is not None:
        assert verdict.rate == pytest.approx(rate, abs=0.05)
    if delta is not None:
        assert verdict.delta == pytest.approx(delta, abs=0.01)


def test_apery_delta_and_prediction():
    verdict = verify_pcf(KNOWN[0][0])
    assert verdict.delta == pytest.approx(0.079, abs=0.005)
    assert verdict.predicted_delta == pytest.approx(0.125, abs=0.01)


PERTURBED = [
    ("PCF(34*n**3 + 51*n**2 + 27*n + 6, -n**6)", "zeta3", "unidentified"),
    ("PCF(34*n**3 + 52*n**2 + 27*n + 5, -n**6)", "zeta3", "unidentified"),
    ("PCF(35*n**3 + 51*n**2 + 27*n + 5, -n**6)", "zeta3", "unidentified"),
    ("PCF(34*n**3 + 51*n**2 + 27*n + 5, -n**6 - 1)", "zeta3", "unidentified"),
    ("PCF(34*n**3 + 51*n**2 + 27*n + 5, -n**6 + 1)", "zeta3", "zero_b"),
    ("PCF(2*n + 2, n**2)", "pi", "unidentified"),
    ("PCF(2*n + 1, n**2 + 1)", "pi", "unidentified"),
    ("PCF(2*n + 1, n**2 - 1)", "pi", "zero_b"),
    ("PCF(n + 3, -2*n)", "e", "wrong_constant"),
    ("PCF(3*n + 2, -2*n**2 + n)", "ln2", "wrong_constant"),
    ("PCF(3*n + 2, -2*n**2 - n)", "ln2", "rational"),
    ("PCF(3*n + 1, -2*n**2)", "ln2", "rational"),
    ("PCF(3*n + 2, -n**2)", "ln2", "unidentified"),
]


@pytest.mark.parametrize(("text", "target", "status"), PERTURBED)
def test_perturbed_copies_fail_with_a_reason(text, target, status):
    verdict = verify_pcf(text, PcfSettings(target=target))
    assert verdict.status == status
    assert not verdict.verified
    assert verdict.reason
    evaluation = evaluation_of(verdict)
    assert evaluation.score == 0.0 and not evaluation.passed
    assert status in (evaluation.error or "")


def test_genuine_relatives_are_verified_not_rejected():
    """A one-coefficient change can land on another true formula; it must verify as such."""
    verdict = verify_pcf("PCF(n + 4, -n)", PcfSettings(target="e", digits=200, depth=400))
    assert verdict.status == "verified"
    assert verdict.limit_text == "e/(e - 2)"
    assert verdict.digits >= 200


def test_near_miss_fails_and_names_the_relation_it_almost_satisfies():
    """e's fraction for 11 terms, then a tail of huge a_n: agrees with e to ~12 digits."""
    tail = "*".join(f"(n - {k})" for k in range(1, 12))
    verdict = verify_pcf(f"PCF(n + 3 + n*{tail}, -n)", PcfSettings(target="e"))
    assert verdict.status == "unidentified"
    assert "the nearest relation, e, holds to 12" in verdict.reason


@pytest.mark.parametrize(
    ("text", "status", "fragment"),
    [
        ("PCF(n, n**2 - 4)", "zero_b", "n = 2"),
        ("PCF(5, 0)", "zero_b", "n = 1"),
        ("PCF(0, 1)", "zero_denominator", "a_n ≡ 0"),
        ("PCF(1, -n**2)", "divergent", "do not settle"),
        ("PCF(2, -2)", "divergent", "do not settle"),  # convergents cycle with period 4
        ("PCF(3, -2)", "rational", "rational 2"),
        ("PCF(1, 1)", "verified", "φ"),
    ],
)
def test_degenerate_fractions_are_named(text, status, fragment):
    verdict = verify_pcf(text)
    assert verdict.status == status
    assert fragment in (verdict.reason or verdict.limit_text or "")


def test_too_slow_is_not_verified():
    verdict = verify_pcf("PCF(3*n + 2, -2*n**2)", PcfSettings(depth=64))
    assert verdict.status == "too_slow"
    assert "needs 50" in verdict.reason


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("PCF(n**40, 1)", "degree"),
        ("PCF((n + 1)**100000, 1)", "degree"),
        ("PCF(9**9**9, 1)", "exponent"),
        ("PCF(10**30*n, 1)", "coefficient"),
        ("PCF(n/2, 1)", "Div"),
        ("PCF(0.5*n, 1)", "integers"),
        ("PCF(n**0.5, 1)", "exponent"),
        ("PCF(sin(n), 1)", "function calls"),
        ("PCF(2**n, 1)", "exponent"),
        ("PCF(n**-1, 1)", "negative"),
        ("PCF(m, 1)", "unknown name"),
        ('__import__("os").system("true")', "expected PCF"),
        ("PCF(n, 1, 2)", "expected PCF"),
        ("PCF(n, 1" + " + n" * 500 + ")", "characters"),
        ("PCF(True, 1)", "integers"),
        ("PCF(nan, 1)", "unknown name"),
        ("PCF(1j, 1)", "integers"),
        ("PCF(n, [1])", "not allowed"),
    ],
)
def test_hostile_candidates_are_refused(text, fragment):
    verdict = verify_pcf(text)
    assert verdict.status == "refused"
    assert fragment in verdict.reason


def test_depth_bomb_is_refused_before_any_arithmetic():
    pcf = Pcf((0,) * 12 + (10**12,), (0,) * 12 + (10**12,))
    verdict = verify_pcf(pcf, PcfSettings(depth=100_000))
    assert verdict.status == "refused"
    assert "depth bomb" in verdict.reason


def test_candidate_cannot_state_its_own_limit():
    """Only the polynomials are read; the verdict is recomputed from them."""
    assert parse_pcf("PCF(2*n + 1, n**2)") == Pcf((1, 2), (0, 0, 1))
    with_claim = verify_pcf("PCF(2*n + 2, n**2)  # limit: 4/pi, digits: 1000")
    assert with_claim.status == "unidentified"


@pytest.mark.parametrize(
    "kwargs",
    [{"digits": 49}, {"digits": 1001}, {"depth": 10}, {"depth": 10**7}, {"target": "tau"}],
)
def test_bad_settings_name_the_value(kwargs):
    with pytest.raises(ConfigError) as err:
        PcfSettings(**kwargs)
    assert str(next(iter(kwargs.values()))) in str(err.value)


def test_thousand_digit_verification():
    verdict = verify_pcf("PCF(n + 3, -n)", PcfSettings(digits=1000, depth=1000))
    assert verdict.status == "verified"
    assert verdict.digits >= 1000


@pytest.mark.parametrize(
    ("held", "settled", "digits", "ok"),
    [
        (80, 80, 50, True),
        (60, 80, 50, False),  # agrees past the required 50 but the computation resolves more
        (49, 49, 50, False),
        (76, 80, 50, True),
        (80, 40, 50, False),
    ],
)
def test_acceptance_rule_closes_tolerance_farming(held, settled, digits, ok):
    from discolab.verifiers.constants import accepts

    assert accepts(held, settled, digits) is ok


def test_a_thirty_digit_near_miss_of_apery_fails():
    """Apéry's fraction for 11 terms, then a huge tail: ~36 digits of 6/ζ(3), then off."""
    tail = "*".join(f"(n - {k})" for k in range(1, 10))
    verdict = verify_pcf(
        f"PCF(34*n**3 + 51*n**2 + 27*n + 5 + n**3*{tail}, -n**6)", PcfSettings(target="zeta3")
    )
    assert verdict.status == "unidentified"
    assert "6/ζ(3), holds to" in verdict.reason


def test_threads_get_the_same_verdicts_as_one_thread():
    from concurrent.futures import ThreadPoolExecutor

    texts = [t for t, *_ in KNOWN] * 3 + [p for p, *_ in PERTURBED[:4]]
    serial = [verify_pcf(t, PcfSettings(digits=60 + i)) for i, t in enumerate(texts)]
    with ThreadPoolExecutor(4) as pool:
        threaded = list(
            pool.map(lambda it: verify_pcf(it[1], PcfSettings(digits=60 + it[0])), enumerate(texts))
        )
    assert [(v.status, v.limit_text, v.delta) for v in threaded] == [
        (v.status, v.limit_text, v.delta) for v in serial
    ]


def _perturbations():
    for text, constant, *_ in KNOWN:
        pcf = parse_pcf(text)
        for which in ("a", "b"):
            coefficients = list(getattr(pcf, which))
            for i in range(len(coefficients)):
                for step in (1, -1):
                    changed = coefficients.copy()
                    changed[i] += step
                    if which == "a":
                        yield Pcf(tuple(changed), pcf.b), constant
                    else:
                        yield Pcf(pcf.a, tuple(changed)), constant


def test_every_one_coefficient_perturbation_fails_or_is_a_genuine_formula():
    perturbed = list(_perturbations())
    assert len(perturbed) == 50
    failed = 0
    for pcf, constant in perturbed:
        verdict = verify_pcf(pcf, PcfSettings(target=constant))
        if verdict.status in ("verified", "wrong_constant"):
            deeper = verify_pcf(pcf, PcfSettings(digits=200, depth=2000))
            assert deeper.verified and deeper.limit_text == verdict.limit_text, pcf.text
        else:
            failed += 1
            assert verdict.reason
    assert failed >= 40


def test_a_relation_at_exactly_max_height_is_found():
    """PCF(n + 3, -n) is e: height 1, found with max_height = 1 (PSLQ's bound is strict)."""
    assert verify_pcf("PCF(n + 3, -n)", PcfSettings(max_height=1)).limit_text == "e"
    assert verify_pcf("PCF(n + 4, -n)", PcfSettings(max_height=1)).status == "unidentified"
    assert verify_pcf("PCF(n + 4, -n)", PcfSettings(max_height=2)).limit_text == "e/(e - 2)"
