"""Out-of-grammar laws: the held-out shifts ``ood-1`` ... of the ``newton-ood-v1`` suite.

The generated variants of ``newton-v1``/``v2`` come from one grammar (exponents from a fixed
list, operator swaps, ``sqrt``/``exp(-x)``/trig wraps, sums of like inputs), and a search can
be tuned to it. These laws are forms that grammar cannot produce, each from a physical
situation: additive offsets inside a law (softened gravity, contact resistance, added mass,
an offset temperature scale), backgrounds and floors, sums of exponentials or of power terms,
rational functions, a smooth threshold (softplus), an angle on a hidden scale (an angle read
in other units, such as degrees, enters as ``sin(c*theta)``), another inverse trigonometric
function, and Bose–Einstein with a shift of −0.5.

Each entry is ``(shift name, tree, ((constant name, value), ...))`` over the domain's own
inputs, with every hidden constant a :class:`Const` (so ``Law.constants`` counts them) and
units solved like any law (:func:`~discolab.environments.physics.variants.legacy_law`).
Each law is finite, real and positive on its domain and simulates at the vanilla, simple
and complex levels (``tests/environments/test_ood.py`` checks every one). Nobody tunes a
search on these: they are a held-out test.

Dropped while building the set (documented so they are not re-added untested): none so far.
"""

from __future__ import annotations

from discolab.environments.physics.tree import Const, Node, Var, call

__all__ = ["OOD_LAWS", "OodLaw"]

OodLaw = tuple[str, Node, tuple[tuple[str, float], ...]]
"""``(shift name, tree, ((constant name, value), ...))``."""


def _exp(x: Node) -> Node:
    return call("exp", x)


def _gravity() -> tuple[OodLaw, ...]:
    G, m1, m2, r, a, lam = Const("G"), Var("m1"), Var("m2"), Var("r"), Const("a"), Const("lam")
    return (
        # softened gravity: a Plummer core of radius sqrt(a)
        ("ood-1", G * m1 * m2 / (r**2 + a), (("G", 6.674e-11), ("a", 1.0e18))),
        # Yukawa (fifth-force) range lam
        ("ood-2", G * m1 * m2 * _exp(-(r / lam)) / r**2, (("G", 6.674e-11), ("lam", 3.0e9))),
        # a 1/r**3 correction term (a sum of two power terms)
        ("ood-3", G * m1 * m2 * (1 / r**2 + a / r**3), (("G", 6.674e-11), ("a", 2.0e8))),
    )


def _coulomb() -> tuple[OodLaw, ...]:
    k, q1, q2, r, lam, a = Const("k"), Var("q1"), Var("q2"), Var("r"), Const("lam"), Const("a")
    return (
        # Debye screening length lam
        ("ood-1", k * q1 * q2 * _exp(-(r / lam)) / r**2, (("k", 8.99e9), ("lam", 0.02))),
        # charges on spheres: centre distance offset by a
        ("ood-2", k * q1 * q2 / (r + a) ** 2, (("k", 8.99e9), ("a", 0.005))),
    )


def _fourier() -> tuple[OodLaw, ...]:
    kappa, A, dT, d = Const("kappa"), Var("A"), Var("dT"), Var("d")
    a, beta, sigma = Const("a"), Const("beta"), Const("sigma")
    return (
        # a contact resistance in series: an offset thickness
        ("ood-1", kappa * A * dT / (d + a), (("kappa", 237.0), ("a", 0.013))),
        # conductivity rising linearly with the temperature difference
        ("ood-2", kappa * A * dT * (1 + beta * dT) / d, (("kappa", 237.0), ("beta", 0.002))),
        # conduction plus a radiative term in dT**4 (a sum of power terms)
        ("ood-3", kappa * A * dT / d + sigma * A * dT**4, (("kappa", 0.5), ("sigma", 5.67e-8))),
    )


def _ampere() -> tuple[OodLaw, ...]:
    mu, I1, I2, d, a, f0 = Const("mu"), Var("I1"), Var("I2"), Var("d"), Const("a"), Const("f0")
    return (
        # thick wires: the field inside a wire of radius sqrt(a) grows linearly
        ("ood-1", mu * I1 * I2 * d / (d**2 + a), (("mu", 2e-7), ("a", 1.44e-4))),
        # a background force per length from a stray field
        ("ood-2", mu * I1 * I2 / d + f0, (("mu", 2e-7), ("f0", 1e-6))),
    )


def _snell() -> tuple[OodLaw, ...]:
    t1, n1, n2, c, a = Var("theta1"), Var("n1"), Var("n2"), Const("c"), Const("a")
    return (
        # another inverse trigonometric function
        ("ood-1", call("atan", c * n1 * call("sin", t1) / n2), (("c", 1.3),)),
        # the incidence angle read from a misaligned normal: an offset angle a
        ("ood-2", call("asin", n1 * call("sin", t1 + a) / n2), (("a", 0.12),)),
        # the angle read on another scale (as degrees would be): sin(c*theta1)
        ("ood-3", call("asin", n1 * call("sin", c * t1) / n2), (("c", 0.8),)),
    )


def _decay() -> tuple[OodLaw, ...]:
    N0, t = Var("N0"), Var("t")
    f1, l1, f2, l2, b, K = (Const(n) for n in ("f1", "l1", "f2", "l2", "b", "K"))
    return (
        # two isotopes: a sum of two exponentials
        (
            "ood-1",
            N0 * (f1 * _exp(-(l1 * t)) + f2 * _exp(-(l2 * t))),
            (("f1", 0.7), ("l1", 0.3), ("f2", 0.3), ("l2", 0.012)),
        ),
        # decay to a background floor
        ("ood-2", N0 * (_exp(-(l1 * t)) + b), (("l1", 0.05), ("b", 0.02))),
        # a daughter nucleus (Bateman): a difference of exponentials
        (
            "ood-3",
            K * N0 * (_exp(-(l1 * t)) - _exp(-(l2 * t))),
            (("K", 0.111), ("l1", 0.05), ("l2", 0.5)),
        ),
    )


def _oscillator() -> tuple[OodLaw, ...]:
    zeta, k, m, b, a, k0 = Const("zeta"), Var("k"), Var("m"), Var("b"), Const("a"), Const("k0")
    return (
        # the spring's own mass: an added mass a
        (
            "ood-1",
            call("sqrt", k / (m + a) - zeta * (b / (m + a)) ** 2),
            (("a", 0.3), ("zeta", 0.25)),
        ),
        # a pre-stiffened mount: an offset stiffness k0
        ("ood-2", call("sqrt", (k + k0) / m - zeta * (b / m) ** 2), (("k0", 23.0), ("zeta", 0.25))),
    )


def _malus() -> tuple[OodLaw, ...]:
    I0, th, c, b, phi = Var("I0"), Var("theta"), Const("c"), Const("b"), Const("phi")
    cos = call("cos", th)
    return (
        # a leaky polariser: a background
        ("ood-1", I0 * (c * cos**2 + b), (("c", 0.9), ("b", 0.05))),
        # the angle on a hidden scale (as degrees would be): cos(c*theta)**2
        ("ood-2", I0 * call("cos", c * th) ** 2, (("c", 1.1),)),
        # a third polariser at a fixed angle phi after the first two
        ("ood-3", I0 * cos**2 * call("cos", phi - th) ** 2, (("phi", 1.2),)),
    )


def _sound() -> tuple[OodLaw, ...]:
    R, gamma, T, M, T0, w = Const("R"), Var("gamma"), Var("T"), Var("M"), Const("T0"), Const("w")
    return (
        # an offset temperature scale
        ("ood-1", call("sqrt", gamma * R * (T + T0) / M), (("R", 8.314), ("T0", 50.0))),
        # carried by a wind of speed w: a sum with a constant
        ("ood-2", call("sqrt", gamma * R * T / M) + w, (("R", 8.314), ("w", 23.0))),
    )


def _hooke() -> tuple[OodLaw, ...]:
    h, k, x, c, L2 = Const("h"), Var("k"), Var("x"), Const("c"), Const("L2")
    return (
        # an anharmonic spring: a quartic term
        ("ood-1", h * k * x**2 + c * x**4, (("h", 0.5), ("c", 50.0))),
        # finite extensibility (FENE): a logarithm of 1 - x**2 / L2
        ("ood-2", -(h * k * L2 * call("log", 1 - x**2 / L2)), (("h", 0.5), ("L2", 2.0))),
    )


def _bose_einstein() -> tuple[OodLaw, ...]:
    kB, E, T, mu, E0 = Const("kB"), Var("E"), Var("T"), Const("mu"), Const("E0")
    return (
        # Bose–Einstein with a shift of -0.5
        ("ood-1", 1 / (_exp(E / (kB * T)) - 0.5), (("kB", 1.380649e-23),)),
        # a chemical potential: an offset energy
        ("ood-2", 1 / (_exp((E + mu) / (kB * T)) - 1), (("kB", 1.380649e-23), ("mu", 5e-23))),
        # a Planck-like spectrum: a power of E over the occupation denominator
        (
            "ood-3",
            (E / E0) ** 2 / (_exp(E / (kB * T)) - 1),
            (("E0", 1e-22), ("kB", 1.380649e-23)),
        ),
    )


def _calorimetry() -> tuple[OodLaw, ...]:
    c, m, dT, beta, C0, L, T0, w = (
        Const("c"),
        Var("m"),
        Var("dT"),
        Const("beta"),
        Const("C0"),
        Const("L"),
        Const("T0"),
        Const("w"),
    )
    return (
        # heat capacity rising with temperature
        ("ood-1", c * m * dT * (1 + beta * dT), (("c", 4186.0), ("beta", 0.005))),
        # the calorimeter's own heat capacity C0
        ("ood-2", (c * m + C0) * dT, (("c", 4186.0), ("C0", 400.0))),
        # a phase change past a threshold T0, smoothed over w (softplus)
        (
            "ood-3",
            c * m * dT + L * m * w * call("log", 1 + _exp((dT - T0) / w)),
            (("c", 4186.0), ("L", 3.0e4), ("w", 2.0), ("T0", 50.0)),
        ),
    )


OOD_LAWS: dict[str, tuple[OodLaw, ...]] = {
    "gravity": _gravity(),
    "coulomb": _coulomb(),
    "fourier": _fourier(),
    "ampere": _ampere(),
    "snell": _snell(),
    "decay": _decay(),
    "oscillator": _oscillator(),
    "malus": _malus(),
    "sound": _sound(),
    "hooke": _hooke(),
    "bose-einstein": _bose_einstein(),
    "calorimetry": _calorimetry(),
}
"""The out-of-grammar laws of each domain, by the domain's setup name."""
