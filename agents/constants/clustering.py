"""Unsupervised grouping of PCF formulas by their limits, without being told the constants.

After Shalyt et al. (NeurIPS 2024): every formula is characterised by its convergence
dynamics (:func:`~discolab.agents.constants.dynamics.features_of`), and two formulas are
*linked* when their limits ``x``, ``y`` satisfy a Möbius relation
``x = (p·y + q)/(r·y + s)`` with small integers. The relation is searched with
``mpmath.pslq`` on ``[x·y, x, y, 1]`` (coefficients at most ``max_height``) at
``pslq_digits`` and must then hold at the higher ``confirm_digits``, so an accidental
agreement to some digits (a near miss) is never a link. Clusters are the connected
components of the links; each member carries the composed transform that writes its limit
in terms of the cluster representative's.

Formulas whose limit cannot take part go to one *unresolved* bucket with their reasons:
rational limits (a rational is Möbius-related to every number, so it would glue unrelated
groups), formulas too slow to reach ``confirm_digits`` by the maximum depth, divergent and
degenerate fractions.

How the dynamics order and prune the comparisons:

1. Unresolved formulas are set aside before any pair is compared.
2. Candidate pairs are sorted by :func:`dynamics_distance` (same decay type, close rates,
   close δ first): formulas of one constant often share their dynamics, so likely links
   are tried first and the components form early (on the test set of 17 resolved formulas
   in 5 groups, the first 40 of 136 comparisons already give the exact grouping; a random
   order leaves 10–11 fragments after 40).
3. A pair whose two ends are already in one component is skipped without running PSLQ
   (union–find); the components are the result, so such a link would change nothing. On
   a set with a few large groups this skips most pairs (see :attr:`ClusterReport.skipped`).
4. ``max_comparisons`` optionally caps the PSLQ calls; the pairs farthest apart in
   dynamics are the ones dropped, so a budget trades completeness on the least alike
   pairs only.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Literal

from mpmath.ctx_mp import MPContext

from discolab.agents.constants.dynamics import DynamicsSettings, PcfFeatures, features_of
from discolab.environments.constants.library import Mobius, normalise
from discolab.environments.constants.pcf import Pcf
from discolab.errors import ConfigError

IDENTITY = Mobius(1, 0, 0, 1)


@dataclass(frozen=True)
class ClusterSettings:
    """How formulas are linked.

    Attributes:
        pslq_digits: the precision PSLQ searches at (at least 60).
        confirm_digits: a found relation must hold to this many digits, and a formula's
            limit must be known to it (it sets the dynamics' required digits).
        max_height: the largest coefficient of an accepted relation.
        max_comparisons: cap on PSLQ calls (``None`` = every pair not already connected).
        min_depth: the first depth of the convergent ladder.
        max_depth: the deepest convergent; slower formulas are unresolved.
    """

    pslq_digits: int = 60
    confirm_digits: int = 100
    max_height: int = 12
    max_comparisons: int | None = None
    min_depth: int = 64
    max_depth: int = 4096

    def __post_init__(self) -> None:
        if self.pslq_digits < 30:
            raise ConfigError(f"pslq_digits must be at least 30, got {self.pslq_digits}")
        if self.confirm_digits < self.pslq_digits + 20:
            raise ConfigError(
                f"confirm_digits ({self.confirm_digits}) must exceed pslq_digits "
                f"({self.pslq_digits}) by at least 20, so that a confirmation means something"
            )
        if not 1 <= self.max_height <= 10_000:
            raise ConfigError(f"max_height must be in [1, 10000], got {self.max_height}")
        if self.max_comparisons is not None and self.max_comparisons < 0:
            raise ConfigError(f"max_comparisons must be >= 0, got {self.max_comparisons}")

    @property
    def dynamics(self) -> DynamicsSettings:
        """The dynamics settings that pin every limit to ``confirm_digits`` plus guard digits."""
        return DynamicsSettings(
            digits=self.confirm_digits + 10, min_depth=self.min_depth, max_depth=self.max_depth
        )


@dataclass(frozen=True)
class Link:
    """A confirmed relation ``limit(i) = transform(limit(j))`` between two input formulas."""

    i: int
    j: int
    transform: Mobius
    digits: float
    """Digits to which the relation held at the confirming precision."""


@dataclass(frozen=True)
class Member:
    """One formula in a cluster.

    Attributes:
        index: its position in the input sequence.
        features: its dynamics and limit.
        transform: ``limit = transform(representative's limit)`` (identity for the
            representative, unresolved members carry ``None``).
        reason: why an unresolved member could not be placed.
    """

    index: int
    features: PcfFeatures
    transform: Mobius | None = None
    reason: str | None = None

    @property
    def pcf(self) -> Pcf:
        """The formula."""
        return self.features.pcf


@dataclass(frozen=True)
class Cluster:
    """A connected component of linked formulas, or the unresolved bucket.

    Attributes:
        kind: ``limit`` for a group of formulas with Möbius-related limits, ``unresolved``
            for the bucket of formulas that could not be compared.
        members: the representative (the earliest input) first, then input order.
        links: the confirmed links that connected this component (a spanning forest).
    """

    kind: Literal["limit", "unresolved"]
    members: tuple[Member, ...]
    links: tuple[Link, ...] = ()

    @property
    def indices(self) -> tuple[int, ...]:
        """The members' input positions."""
        return tuple(m.index for m in self.members)

    @property
    def representative(self) -> Member:
        """The member every other's transform is written against."""
        return self.members[0]


@dataclass(frozen=True)
class ClusterReport:
    """Clusters and what the comparisons cost.

    Attributes:
        clusters: the limit clusters in order of their representatives, then the unresolved
            bucket (when there is one).
        pairs: resolved pairs there were to compare.
        comparisons: PSLQ searches run.
        skipped: pairs skipped because their ends were already connected.
        dropped: pairs not compared because of ``max_comparisons``.
        features: every input formula's dynamics, in input order.
    """

    clusters: tuple[Cluster, ...]
    pairs: int = 0
    comparisons: int = 0
    skipped: int = 0
    dropped: int = 0
    features: tuple[PcfFeatures, ...] = field(default=(), repr=False)


def dynamics_distance(f: PcfFeatures, g: PcfFeatures) -> float:
    """How unlike two formulas' dynamics are (0 = alike): decay type, rate, δ.

    A different decay type counts 1; rates are compared on a log scale (a factor 2 apart
    counts 0.5) and δ by their difference, each capped at 1; a missing figure counts as far.
    """
    score = 0.0 if f.convergence == g.convergence else 1.0
    if f.rate and g.rate and f.rate > 0 and g.rate > 0:
        score += min(abs(math.log2(f.rate / g.rate)) / 2, 1.0)
    else:
        score += 1.0
    if f.delta is not None and g.delta is not None:
        score += min(abs(f.delta - g.delta), 1.0)
    else:
        score += 0.5
    return score


def relation_between(
    x: PcfFeatures, y: PcfFeatures, settings: ClusterSettings
) -> tuple[Mobius, float] | None:
    """``(M, digits)`` with ``limit(x) = M(limit(y))`` confirmed, or ``None``.

    PSLQ at ``pslq_digits`` finds ``c₁·xy + c₂·x + c₃·y + c₄ = 0``, i.e.
    ``x = (−c₃·y − c₄)/(c₁·y + c₂)``; a degenerate relation (``c₁c₄ = c₂c₃``: one side
    rational) is no link. The transform is then re-evaluated at ``confirm_digits`` and must
    agree to all but 5 of them.
    """
    ctx = MPContext()
    ctx.dps = settings.pslq_digits
    a, b = ctx.mpf(x.limit_text), ctx.mpf(y.limit_text)
    try:
        relation = ctx.pslq([a * b, a, b, 1], maxcoeff=settings.max_height, maxsteps=20_000)
    except (ValueError, ZeroDivisionError):  # a zero entry: no relation to find
        return None
    if relation is None:
        return None
    c1, c2, c3, c4 = (int(c) for c in relation)
    transform = normalise(-c3, -c4, c1, c2)
    if transform is None:
        return None
    ctx.dps = settings.confirm_digits + 10
    a, b = ctx.mpf(x.limit_text), ctx.mpf(y.limit_text)
    denominator = transform.r * b + transform.s
    if denominator == 0:
        return None
    diff = abs(a - (transform.p * b + transform.q) / denominator)
    held = float(ctx.inf if diff == 0 else -ctx.log10(diff / max(abs(a), ctx.mpf(1))))
    held = min(held, float(settings.confirm_digits + 10))
    if held < settings.confirm_digits - 5:
        return None
    return transform, held


def cluster_formulas(pcfs: Sequence[Pcf], settings: ClusterSettings | None = None) -> list[Cluster]:
    """The formulas grouped by limit: limit clusters, then the unresolved bucket."""
    return list(cluster_report(pcfs, settings).clusters)


def cluster_report(pcfs: Sequence[Pcf], settings: ClusterSettings | None = None) -> ClusterReport:
    """:func:`cluster_formulas` with the features and the cost of the comparisons."""
    settings = settings or ClusterSettings()
    features = tuple(features_of(pcf, settings.dynamics) for pcf in pcfs)
    return cluster_features(features, settings)


def cluster_features(
    features: Sequence[PcfFeatures], settings: ClusterSettings | None = None
) -> ClusterReport:
    """Cluster formulas whose dynamics are already measured (see the module docstring)."""
    settings = settings or ClusterSettings()
    resolved = [i for i, f in enumerate(features) if f.resolved]
    pairs = sorted(
        ((i, j) for k, i in enumerate(resolved) for j in resolved[k + 1 :]),
        key=lambda ij: (dynamics_distance(features[ij[0]], features[ij[1]]), ij),
    )
    parent = {i: i for i in resolved}

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    links: list[Link] = []
    comparisons = skipped = dropped = 0
    for i, j in pairs:
        if root(i) == root(j):
            skipped += 1
            continue
        if settings.max_comparisons is not None and comparisons >= settings.max_comparisons:
            dropped += 1
            continue
        comparisons += 1
        found = relation_between(features[i], features[j], settings)
        if found is not None:
            links.append(Link(i, j, found[0], round(found[1], 2)))
            parent[root(i)] = root(j)
    clusters = _components(features, resolved, links, root)
    unresolved = [
        Member(i, f, None, f.reason or f.status) for i, f in enumerate(features) if not f.resolved
    ]
    if unresolved:
        clusters.append(Cluster("unresolved", tuple(unresolved)))
    return ClusterReport(
        tuple(clusters), len(pairs), comparisons, skipped, dropped, tuple(features)
    )


def _components(
    features: Sequence[PcfFeatures],
    resolved: Sequence[int],
    links: Sequence[Link],
    root: Callable[[int], int],
) -> list[Cluster]:
    """The components in order of their earliest member, with composed transforms."""
    groups: dict[int, list[int]] = {}
    for i in resolved:
        groups.setdefault(root(i), []).append(i)
    clusters: list[Cluster] = []
    for members in sorted(groups.values(), key=min):
        inside = [link for link in links if link.i in members]
        transforms = _transforms_from(min(members), inside)
        clusters.append(
            Cluster(
                "limit",
                tuple(Member(i, features[i], transforms[i]) for i in sorted(members)),
                tuple(inside),
            )
        )
    return clusters


def _transforms_from(start: int, links: Sequence[Link]) -> dict[int, Mobius]:
    """``limit(i) = T_i(limit(start))`` for every member, walking the spanning links."""
    transforms = {start: IDENTITY}
    frontier = [start]
    while frontier:
        node = frontier.pop()
        for link in links:
            if link.j == node and link.i not in transforms:  # x_i = M(x_j)
                transforms[link.i] = compose(link.transform, transforms[node])
                frontier.append(link.i)
            elif link.i == node and link.j not in transforms:  # x_j = M⁻¹(x_i)
                transforms[link.j] = compose(inverse(link.transform), transforms[node])
                frontier.append(link.j)
    return transforms


def compose(outer: Mobius, inner: Mobius) -> Mobius:
    """``outer ∘ inner`` (matrix product of ``[[p, q], [r, s]]``), normalised."""
    p = outer.p * inner.p + outer.q * inner.r
    q = outer.p * inner.q + outer.q * inner.s
    r = outer.r * inner.p + outer.s * inner.r
    s = outer.r * inner.q + outer.s * inner.s
    result = normalise(p, q, r, s)
    assert result is not None  # a product of invertible maps is invertible
    return result


def inverse(transform: Mobius) -> Mobius:
    """The inverse map ``y = (s·x − q)/(−r·x + p)``."""
    result = normalise(transform.s, -transform.q, -transform.r, transform.p)
    assert result is not None
    return result
