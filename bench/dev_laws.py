"""A private dev set of laws outside the mutation grammar, for the built-in search.

The laws are written here from textbook physics and mathematics over made-up inputs and
ranges: angles in degrees, irrational exponents, sums of three power terms, exponentials of
powers of products, rational functions, offsets, sums of exponentials, and a few others
(softened gravity, Planck-like spectra, another inverse trig function). None is taken from a
benchmark suite; they exist so the search can be made more general without tuning it on the
laws it is scored on. Each law is a formula in the project's grammar with its constants
written as numbers, read by the project's safe parser.
"""

from __future__ import annotations

from dataclasses import dataclass

from discolab.types import Variable


@dataclass(frozen=True)
class DevLaw:
    """One dev law.

    Attributes:
        name: short label for tables.
        family: which kind of form it is (``degrees``, ``irrational`` ...), for per-family
            figures.
        formula: the law, constants as numbers, in the project's formula grammar.
        inputs: the declared inputs with ranges (log-uniform sampling where ``log_scale``).
    """

    name: str
    family: str
    formula: str
    inputs: tuple[Variable, ...]


def _v(name: str, low: float, high: float, unit: str = "", log: bool = True) -> Variable:
    return Variable(name, unit, low, high, log_scale=log)


def _deg(name: str, low: float, high: float, unit: str = "deg") -> Variable:
    return Variable(name, unit, low, high, log_scale=False)


DEV_LAWS: tuple[DevLaw, ...] = (
    # -- angles given in degrees --------------------------------------------------------
    DevLaw(
        "polariser-deg", "degrees", "I0*cos(pi*phi/180)**2", (_v("I0", 1, 100), _deg("phi", 0, 80))
    ),
    DevLaw(
        "range-deg",
        "degrees",
        "v**2*sin(pi*a/90)/9.81",
        (_v("v", 1, 50, "m/s"), _deg("a", 5, 85, "")),
    ),
    DevLaw(
        "incline-deg", "degrees", "9.81*m*sin(pi*a/180)", (_v("m", 1, 10, "kg"), _deg("a", 5, 60))
    ),
    DevLaw(
        "bragg-deg",
        "degrees",
        "2*d*sin(pi*b/180)",
        (_v("d", 1e-10, 5e-10, "m"), _deg("b", 5, 80, "")),
    ),
    DevLaw("height-deg", "degrees", "L*tan(pi*e/180)", (_v("L", 1, 100, "m"), _deg("e", 5, 70))),
    DevLaw(
        "work-deg-pow",
        "degrees",
        "F*s*cos(pi*w/180)**1.5",
        (_v("F", 1, 20, "N"), _v("s", 0.1, 5, "m"), _deg("w", 0, 75, "")),
    ),
    DevLaw(
        "refraction-deg",
        "degrees",
        "180/pi*asin(n1*sin(pi*i/180)/n2)",
        (_v("n1", 1.0, 1.3), _v("n2", 1.4, 2.0), _deg("i", 5, 80)),
    ),
    DevLaw(
        "dipole-deg",
        "degrees",
        "p*(1 + 3*cos(pi*u/180)**2)**0.5/x**3",
        (_v("p", 0.1, 10), _v("x", 0.5, 5), _deg("u", 0, 90, "")),
    ),
    # -- irrational exponents ------------------------------------------------------------
    DevLaw("pow-e", "irrational", "2.1*x**2.718281828459045*y", (_v("x", 0.5, 5), _v("y", 1, 10))),
    DevLaw(
        "pow-e-plus", "irrational", "0.3*m**4.218281828459045/r", (_v("m", 1, 5), _v("r", 1, 10))
    ),
    DevLaw(
        "pow-pi", "irrational", "x**3.141592653589793*y**0.5", (_v("x", 1, 4), _v("y", 0.1, 10))
    ),
    DevLaw("pow-hundredths", "irrational", "5*a**1.7/b**0.37", (_v("a", 0.1, 10), _v("b", 1, 100))),
    DevLaw("pow-sqrt2", "irrational", "4*k**1.4142135623730951", (_v("k", 0.5, 20), _v("z", 1, 2))),
    DevLaw(
        "exp-t-e",
        "irrational",
        "N*exp(-0.02*t**2.718281828459045)",
        (_v("N", 10, 1000), _v("t", 0.1, 4)),
    ),
    # -- sums of three power terms --------------------------------------------------------
    DevLaw("quadratic", "three-terms", "3*x**2 + 2*x + 5", (_v("x", 0.5, 10), _v("q", 1, 2))),
    DevLaw(
        "three-inputs",
        "three-terms",
        "1.2*x**3 + 0.7*y**2 + 3.1*z",
        (_v("x", 1, 3), _v("y", 1, 5), _v("z", 1, 10)),
    ),
    DevLaw("virial", "three-terms", "T/V + 0.5/V**2 + 0.2/V**3", (_v("T", 1, 10), _v("V", 0.3, 3))),
    DevLaw(
        "mixed-halves",
        "three-terms",
        "2*x**1.5 + 3*y**0.5 + 1",
        (_v("x", 0.1, 10), _v("y", 0.1, 10)),
    ),
    DevLaw(
        "pairwise",
        "three-terms",
        "x*y + y*z + 2*x*z",
        (_v("x", 1, 10), _v("y", 1, 10), _v("z", 1, 10)),
    ),
    # -- exponentials of powers of products --------------------------------------------------
    DevLaw(
        "exp-prod-1.5",
        "exp-powers",
        "N*exp(-0.3*(x*y)**1.5)",
        (_v("N", 1, 100), _v("x", 0.2, 2), _v("y", 0.2, 2)),
    ),
    DevLaw("exp-ratio-sq", "exp-powers", "a*exp(-2*(a/b)**2)", (_v("a", 0.1, 2), _v("b", 0.5, 3))),
    DevLaw(
        "exp-prod-sqrt",
        "exp-powers",
        "A*exp(-0.5*(t*k)**0.5)",
        (_v("A", 1, 10), _v("t", 0.1, 10), _v("k", 0.1, 10)),
    ),
    DevLaw("exp-ratio-1.5", "exp-powers", "exp(-3*(E/T)**1.5)", (_v("E", 0.1, 1), _v("T", 0.5, 2))),
    # -- rational functions ----------------------------------------------------------------
    DevLaw("saturation", "rational", "V*S/(2 + S)", (_v("V", 1, 10), _v("S", 0.1, 20))),
    DevLaw("thin-lens", "rational", "u*w/(u + w)", (_v("u", 0.1, 10, "m"), _v("w", 0.1, 10, "m"))),
    DevLaw("crowding", "rational", "x/(1 + 0.3*x*y)", (_v("x", 0.1, 10), _v("y", 0.1, 10))),
    DevLaw("hill", "rational", "c**2/(0.5 + c**2)", (_v("c", 0.05, 5), _v("h", 1, 2))),
    DevLaw(
        "resonance",
        "rational",
        "1/((1 - w**2)**2 + 0.04*w**2)**0.5",
        (_v("w", 0.05, 0.8), _v("g", 1, 2)),
    ),
    # -- offsets -------------------------------------------------------------------------------
    DevLaw("offset-power", "offset", "3*x**1.5 + 10", (_v("x", 0.1, 10), _v("y", 1, 2))),
    DevLaw("offset-ratio", "offset", "273.15 + 0.5*Q/m", (_v("Q", 1, 1000), _v("m", 0.1, 10))),
    DevLaw("offset-root", "offset", "(x**2 + 4)**0.5", (_v("x", 0.1, 20), _v("y", 1, 2))),
    DevLaw("offset-log", "offset", "1.5*log(x/0.2)", (_v("x", 1, 100), _v("y", 1, 2))),
    # -- sums of exponentials ----------------------------------------------------------------
    DevLaw(
        "two-decays",
        "exponentials",
        "N*(exp(-0.5*t) + 0.3*exp(-0.05*t))",
        (_v("N", 10, 1000), _v("t", 0.1, 30)),
    ),
    DevLaw(
        "bateman", "exponentials", "2*(exp(-0.1*t) - exp(-t))", (_v("t", 0.2, 20), _v("z", 1, 2))
    ),
    DevLaw(
        "two-inputs-exp",
        "exponentials",
        "2*exp(-x) + exp(-3*y)",
        (_v("x", 0.1, 3), _v("y", 0.1, 1)),
    ),
    DevLaw("cosh", "exponentials", "exp(0.2*x) + exp(-0.2*x)", (_v("x", 0.1, 10), _v("y", 1, 2))),
    # -- others ----------------------------------------------------------------------------------
    DevLaw(
        "plummer",
        "other",
        "m1*m2/(r**2 + 0.01)**1.5",
        (_v("m1", 1, 100), _v("m2", 1, 100), _v("r", 0.01, 1)),
    ),
    DevLaw(
        "bose-half",
        "other",
        "1/(exp(E/(1.38e-23*T)) - 0.5)",
        (_v("E", 1e-22, 1e-20), _v("T", 100, 1000)),
    ),
    DevLaw("inverse-tan", "other", "atan(x/y)", (_v("x", 0.1, 10), _v("y", 0.1, 10))),
    DevLaw(
        "planck",
        "other",
        "f**3/(exp(4.8e-11*f/T) - 1)",
        (_v("f", 1e12, 1e14), _v("T", 100, 5000)),
    ),
    DevLaw(
        "damped-wave",
        "other",
        "A*exp(-0.2*t)*cos(3*t)",
        (_v("A", 1, 10), _v("t", 0.0, 10, log=False)),
    ),
)
"""The dev laws; at least 40, every family several times."""
