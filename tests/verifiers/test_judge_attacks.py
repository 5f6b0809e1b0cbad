"""The adversarial suite of the law judge: every known way to fool it, kept for good.

Each attack is a formula that knows nothing of the hidden law (or carries terms the fit
switches off) and must not be a symbolic match; each rewrite is an equivalent form of the
true law that must match. The tasks are real newton-v1 tasks scored exactly as ``bench
score`` scores a submission (calibration data, the task's verifier, the judge).
"""

from __future__ import annotations

import math

import pytest

from discolab.scoring import score_task
from discolab.suites import SuiteTask

OPTIONS = {"noise": 0.0, "budget": 10, "max_batch": 20, "seed": 0}


def task(env: str, shift: str) -> SuiteTask:
    return SuiteTask(
        id=f"{env}#{shift}",
        env_id=env,
        options={**OPTIONS, "shift": shift},
        domain=env.split("/")[1].removesuffix("-v1"),
        difficulty=shift.split("-")[0],
        system="vanilla",
    )


GRAVITY_EASY_1 = task("newton/gravity-v1", "easy-1")  # C*m1*m2/r**1.3
MALUS_MEDIUM_3 = task("newton/malus-v1", "medium-3")  # I0/(cos(theta) + sin(theta))**2
MALUS_HARD_1 = task("newton/malus-v1", "hard-1")  # C*sqrt(I0/(cos(theta) + sin(theta))**2)
DECAY_EASY_2 = task("newton/decay-v1", "easy-2")  # N0*exp(-C/t)
OSCILLATOR_HARD_3 = task("newton/oscillator-v1", "hard-3")  # C*(k*m - C1*b/m**2)**2
AMPERE_HARD_3 = task("newton/ampere-v1", "hard-3")  # C/I1*(I2 + I1)/d**2.5
COULOMB_EASY_2 = task("newton/coulomb-v1", "easy-2")  # C*q1*q2*r**2
SNELL_EASY_1 = task("newton/snell-v1", "easy-1")  # asin(n1*sin(theta1)/n2**1.3), no constant


def _power(variable: str, k: int) -> str:
    """``variable**k`` spelled within the parser's cap on constant exponents (10)."""
    return f"{variable}**{k}" if k <= 10 else f"{variable}**10*{variable}**{k - 10}"


def _poly(variable: str, degree: int, first: int = 1) -> str:
    terms = [f"C{first}"] + [f"C{first + k}*{_power(variable, k)}" for k in range(1, degree + 1)]
    return " + ".join(terms)


ATTACKS = {
    # Free exponents smuggled past the "no parameter under **" rule.
    "exp-log power": (GRAVITY_EASY_1, "C*m1*m2*exp(C1*log(r))"),
    "parameter base, log exponent": (GRAVITY_EASY_1, "C*m1*m2*C1**log(r)"),
    "exp-log power with offset": (GRAVITY_EASY_1, "m1*m2*exp(C1*log(r) + C)"),
    "exp-log of a product": (GRAVITY_EASY_1, "C*m1*m2*exp(C1*(log(r*m1) - log(m1)))"),
    "power of a sqrt": (GRAVITY_EASY_1, "C*m1*m2*sqrt(r)**C1"),
    "parameter exponent": (GRAVITY_EASY_1, "C*m1*m2*r**C1"),
    "exponent through a function": (GRAVITY_EASY_1, "C*m1*m2*exp(log(r)*sin(C1))"),
    # Terms the fit switches off (at a value other than 0).
    "shifted vanishing term": (GRAVITY_EASY_1, "C*m1*m2/r**1.3 + (C1 - 1)*m1"),
    "shifted vanishing factor": (GRAVITY_EASY_1, "C*m1*m2/r**1.3*exp((C1 - 1)*r)"),
    "vanishing additive constant": (GRAVITY_EASY_1, "C*m1*m2/r**1.3 + C1"),
    "vanishing inner term": (GRAVITY_EASY_1, "C*m1*m2/(r**1.3 + C1*r**2)"),
    "vanishing inner factor": (GRAVITY_EASY_1, "C*m1*m2/r**1.3*(1 + C1*r)"),
    "vanishing ratio factor": (GRAVITY_EASY_1, "C*m1*m2/r**1.3*(C1 + r)/(1 + r)"),
    "unit ratio factor": (GRAVITY_EASY_1, "C*m1*m2/r**1.3*(C1*r + 1)/(r + 1)"),
    # Found by bench/judge_attacks.py: a huge fitted C1 drowns the 1 (C1 = -1e18).
    "term drowned by a huge coefficient": (COULOMB_EASY_2, "C*q1*q2*r*(1 + C1*r)"),
    # Polynomial and series surrogates.
    "polynomial in theta, free power of I0": (
        MALUS_MEDIUM_3,
        f"exp(C*log(I0))*({_poly('theta', 12)})",
    ),
    "polynomial in theta (hard)": (MALUS_HARD_1, f"exp(C*log(I0))*({_poly('theta', 12)})"),
    "plain polynomial in theta": (MALUS_MEDIUM_3, f"I0*({_poly('theta', 6)})"),
    "exp of a polynomial in log t": (DECAY_EASY_2, f"N0*exp({_poly('log(t)', 10)})"),
    "two-parameter Pade": (MALUS_MEDIUM_3, "I0*(1 + C*theta)/(1 + C1*theta)"),
    # Values that are not real numbers somewhere.
    "NaN inside the domain": (GRAVITY_EASY_1, "C*m1*m2/r**1.3 + 0*log(r - 1e9)"),
    "complex value": (GRAVITY_EASY_1, "C*m1*m2/r**1.3*sqrt(r - 1e9)/sqrt(r - 1e9)"),
    "overflow": (GRAVITY_EASY_1, "C*m1*m2/r**1.3*(1 + 1e-300*exp(800*r))"),
    # Tolerance farming: a near miss that only holds on the fitted ranges.
    "exponent off by 1e-5": (GRAVITY_EASY_1, "C*m1*m2/r**1.29999"),
    # Too many free parameters.
    "36 parameters": (
        GRAVITY_EASY_1,
        "C*m1*m2/r**1.3 + " + " + ".join(f"C{k}" for k in range(1, 36)),
    ),
    "16 parameters in a series": (
        GRAVITY_EASY_1,
        "C*m1*m2/r**1.3*(1 + " + " + ".join(f"C{k}/r**{k % 9 + 1}" for k in range(1, 16)) + ")",
    ),
}


@pytest.mark.parametrize("name", list(ATTACKS))
def test_attack_is_not_a_match(name: str) -> None:
    suite_task, law = ATTACKS[name]
    scored = score_task(suite_task, law)
    assert not scored.symbolic_match, f"{name}: {law} matched {suite_task.id}"
    assert scored.score <= 0.5, f"{name} scored {scored.score} without a match"


REWRITES = {
    "as written": (GRAVITY_EASY_1, "C*m1*m2/r**1.3"),
    "negative exponent": (GRAVITY_EASY_1, "C*m1*m2*r**-1.3"),
    "rational exponent": (GRAVITY_EASY_1, "C*m1*m2/r**(13/10)"),
    "constant in the denominator": (GRAVITY_EASY_1, "m1*m2/(C*r**1.3)"),
    "split power": (GRAVITY_EASY_1, "C*m1*m2/(r*r**0.3)"),
    "the constant written in": (GRAVITY_EASY_1, "7.55e-17*m1*m2/r**1.3"),
    "redundant scale": (GRAVITY_EASY_1, "C1*C2*m1*m2/r**1.3"),
    "exp of a log with a literal": (GRAVITY_EASY_1, "C*m1*m2*exp(-1.3*log(r))"),
    "factored": (AMPERE_HARD_3, "C*(I2/I1 + 1)/d**2.5"),
    "expanded, one constant": (AMPERE_HARD_3, "C*I2/(I1*d**2.5) + C/d**2.5"),
    "expanded, two constants": (AMPERE_HARD_3, "C1*I2/(I1*d**2.5) + C2/d**2.5"),
    "decay as a power of a constant": (DECAY_EASY_2, "N0*C**(1/t)"),
    "decay": (DECAY_EASY_2, "N0*exp(-C/t)"),
    "malus": (MALUS_MEDIUM_3, "I0/(1 + 2*sin(theta)*cos(theta))"),
    "malus with a scale": (MALUS_HARD_1, "C*sqrt(I0)/(cos(theta) + sin(theta))"),
    "a coefficient that fits to exactly 1": (SNELL_EASY_1, "asin(C*n1*sin(theta1)/n2**1.3)"),
    "free constants inside a sign-changing sum": (
        OSCILLATOR_HARD_3,
        "C*(k*m + C1*b/m**2)**2",
    ),
}


@pytest.mark.parametrize("name", list(REWRITES))
def test_equivalent_rewrite_matches(name: str) -> None:
    suite_task, law = REWRITES[name]
    scored = score_task(suite_task, law)
    assert scored.symbolic_match, f"{name}: {law} on {suite_task.id}: {scored.metrics}"
    assert scored.score == 1.0


def test_failed_fit_is_reported_apart_from_no_match() -> None:
    scored = score_task(GRAVITY_EASY_1, "C*m1*m2/r**1.3*log(-r)")
    assert not scored.symbolic_match
    reason = scored.error or ""
    assert "fit" in reason or "not finite" in reason or "undefined" in reason


def test_a_non_match_never_scores_near_a_match() -> None:
    scored = score_task(GRAVITY_EASY_1, "C*m1*m2/r**1.31")
    assert not scored.symbolic_match
    assert 0.0 < scored.score <= 0.5
    assert math.isfinite(scored.metrics["heldout_max_rel_error"])
    assert math.isfinite(scored.metrics["ood_nmse"])
