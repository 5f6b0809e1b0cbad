"""``constants/pcf-v1``: find a PCF whose limit is a (Möbius transform of a) library constant.

The task fixes the target constant (or ``any``), bounds on the degrees of ``a_n`` and
``b_n`` and on the size of their coefficients, and the verifier's demands (digits, depth).
It holds no answer: the verifier identifies a limit against the constant library itself.
"""

from __future__ import annotations

from dataclasses import dataclass

from discolab.environments.constants.library import constant_ids, get_constant
from discolab.environments.constants.pcf import Pcf, parse_pcf
from discolab.environments.constants.polynomials import PolynomialLimits
from discolab.errors import ConfigError, ExpressionError
from discolab.registry import Registry
from discolab.verifiers.constants import PcfSettings, PcfVerdict, verify_pcf

ENVIRONMENT_ID = "constants/pcf-v1"


@dataclass(frozen=True)
class PcfEnvironment:
    """The ``constants/pcf-v1`` task with its options.

    Attributes:
        target: a library id, or ``any``.
        max_a_degree, max_b_degree: the largest degrees accepted.
        max_coefficient: the largest absolute coefficient accepted.
        digits: digits the identification must hold to (50 to 1,000).
        depth: the deepest exact convergent the verifier computes.
    """

    target: str = "any"
    max_a_degree: int = 3
    max_b_degree: int = 6
    max_coefficient: int = 10_000
    digits: int = 50
    depth: int = 2000

    def __post_init__(self) -> None:
        if self.target != "any":
            get_constant(self.target)
        for name in ("max_a_degree", "max_b_degree"):
            value = getattr(self, name)
            if not isinstance(value, int) or not 0 <= value <= 12:
                raise ConfigError(f"{name} must be an integer in [0, 12], got {value!r}")
        if not isinstance(self.max_coefficient, int) or not 1 <= self.max_coefficient <= 10**12:
            raise ConfigError(
                f"max_coefficient must be in [1, 10^12], got {self.max_coefficient!r}"
            )
        self.settings()  # validates digits and depth

    def settings(self) -> PcfSettings:
        """The verifier settings of the task."""
        return PcfSettings(
            depth=self.depth,
            digits=self.digits,
            target=None if self.target == "any" else self.target,
            limits=PolynomialLimits(
                max_degree=max(self.max_a_degree, self.max_b_degree),
                max_coefficient=self.max_coefficient,
            ),
        )

    @property
    def statement(self) -> str:
        """The task as an agent reads it (no formula, no reference value)."""
        what = (
            "any constant of the library"
            if self.target == "any"
            else f"{get_constant(self.target).symbol} ({get_constant(self.target).title})"
        )
        return (
            "Find a polynomial continued fraction PCF(a_n, b_n) = a_0 + b_1/(a_1 + b_2/(a_2 + ...))"
            f" whose limit is (p·K + q)/(r·K + s) for {what}, with integers p, q, r, s. "
            f"a_n and b_n are polynomials in n with integer coefficients, deg a_n ≤ "
            f"{self.max_a_degree}, deg b_n ≤ {self.max_b_degree}, |coefficients| ≤ "
            f"{self.max_coefficient}. The limit is checked to {self.digits} digits from exact "
            f"convergents up to depth {self.depth}. Write it as PCF(a_n, b_n), e.g. "
            "PCF(n + 1, 2*n**2 - 1)."
        )

    def check(self, candidate: str | Pcf) -> PcfVerdict:
        """The verdict on ``candidate`` under this task's bounds and verifier settings."""
        settings = self.settings()
        try:
            pcf = (
                candidate
                if isinstance(candidate, Pcf)
                else parse_pcf(candidate, limits=settings.limits)
            )
        except ExpressionError as exc:
            return PcfVerdict("refused", None, str(exc))
        da, db = pcf.degrees
        if da > self.max_a_degree:
            return PcfVerdict(
                "refused", pcf, f"deg a_n = {da} exceeds the task's {self.max_a_degree}"
            )
        if db > self.max_b_degree:
            return PcfVerdict(
                "refused", pcf, f"deg b_n = {db} exceeds the task's {self.max_b_degree}"
            )
        if pcf.max_coefficient > self.max_coefficient:
            return PcfVerdict(
                "refused",
                pcf,
                f"coefficient {pcf.max_coefficient} exceeds the task's {self.max_coefficient}",
            )
        return verify_pcf(pcf, settings)


def environment_registry() -> Registry[PcfEnvironment]:
    """A fresh registry of the constants environments."""
    registry: Registry[PcfEnvironment] = Registry("constants environment")
    registry.register(ENVIRONMENT_ID, PcfEnvironment, "a PCF formula for a library constant")
    return registry


def make_pcf_environment(env_id: str = ENVIRONMENT_ID, **options: object) -> PcfEnvironment:
    """The environment ``env_id`` built with ``options``; unknown options raise ConfigError."""
    entry = environment_registry().get(env_id)
    try:
        return entry.factory(**options)
    except TypeError as exc:
        known = ", ".join(PcfEnvironment.__dataclass_fields__)
        raise ConfigError(f"{env_id}: {exc} (options: {known})") from None


__all__ = ["ENVIRONMENT_ID", "PcfEnvironment", "constant_ids", "make_pcf_environment"]
