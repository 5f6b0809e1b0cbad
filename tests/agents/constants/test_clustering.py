"""Unsupervised clustering of PCF formulas: grouped exactly by limit, near misses kept apart.

The labels below are hidden from the clustering; they are only compared with its output in
the assertions.
"""

from __future__ import annotations

import mpmath
import pytest

from discolab.agents.constants.clustering import (
    ClusterReport,
    ClusterSettings,
    cluster_features,
    cluster_formulas,
    cluster_report,
    compose,
    inverse,
)
from discolab.agents.constants.dynamics import DynamicsSettings, features_of
from discolab.environments.constants.library import Mobius, constant_value
from discolab.environments.constants.pcf import parse_pcf
from discolab.errors import ConfigError
from discolab.verifiers.pcf_convergents import delta_at

NEAR_E = "PCF(n + 3 + " + "*".join(f"(n - {j})" for j in range(11)) + ", -n)"
"""a_n of e's PCF plus n(n−1)…(n−10): equal up to n = 10, so the limit agrees with e to
about 10 digits, but the tail differs and the limit is not a transform of e."""

MIXED = [
    ("e", "PCF(n + 3, -n)"),  # e
    ("pi", "PCF(2*n + 1, n**2)"),  # 4/π
    ("ln2", "PCF(3*n + 2, -2*n**2)"),  # 1/ln 2
    ("zeta3", "PCF(34*n**3 + 51*n**2 + 27*n + 5, -n**6)"),  # 6/ζ(3)
    ("e", "PCF(n + 2, -n)"),  # e/(e − 1)
    ("e", "PCF(n, n)"),  # 1/(e − 1)
    ("e", "PCF(n + 4, -n - 1)"),  # the tail of e's PCF (shift n → n + 1)
    ("e", "PCF((n + 3)*(n + 1), -n**2*(n + 1))"),  # e's PCF inflated by n + 1
    ("pi", "PCF(2*n + 3, (n + 1)**2)"),  # the tail of 4/π's
    ("pi", "PCF(3*n + 1, -2*n**2 + n)"),  # 2/π
    ("pi", "PCF(3*n + 3, -2*n**2 - n)"),  # 2/(4 − π)
    ("ln2", "PCF(3*n + 3, -2*n**2)"),  # 1/(2 ln 2 − 1)
    ("ln2", "PCF(3*n + 5, -2*(n + 1)**2)"),  # the tail of 1/ln 2's
    ("ln2", "PCF(6*n + 4, -8*n**2)"),  # inflated by 2: 2/ln 2
    ("zeta3", "PCF(34*(n+1)**3 + 51*(n+1)**2 + 27*(n+1) + 5, -(n+1)**6)"),  # Apéry's tail
    ("zeta3", "PCF(68*n**3 + 102*n**2 + 54*n + 10, -4*n**6)"),  # 12/ζ(3)
    ("near-e", NEAR_E),
    ("unresolved", "PCF(2, (2*n - 1)**2)"),  # 1 + 4/π, but polynomially slow
    ("unresolved", "PCF(3*n + 2, -2*n**2 - n)"),  # the rational 1
    ("unresolved", "PCF(1, -1)"),  # oscillates, no limit
    ("unresolved", "PCF(n + 1, n**2 - 4*n + 3)"),  # b_1 = 0: terminates
]


@pytest.fixture(scope="module")
def report() -> ClusterReport:
    return cluster_report([parse_pcf(text) for _, text in MIXED])


def _labels(indices: tuple[int, ...]) -> set[str]:
    return {MIXED[i][0] for i in indices}


def test_a_mixed_set_is_grouped_exactly_by_limit(report: ClusterReport) -> None:
    limit_clusters = [c for c in report.clusters if c.kind == "limit"]
    found = sorted(sorted(c.indices) for c in limit_clusters)
    expected: dict[str, list[int]] = {}
    for i, (label, _) in enumerate(MIXED):
        if label != "unresolved":
            expected.setdefault(label, []).append(i)
    assert found == sorted(expected.values())
    assert all(len(_labels(c.indices)) == 1 for c in limit_clusters)


def test_the_near_miss_agrees_with_e_to_about_ten_digits_but_stays_alone(
    report: ClusterReport,
) -> None:
    near = report.features[16]
    e = constant_value("e", 120)
    with mpmath.workdps(120):
        agreement = -float(mpmath.log10(abs(near.limit(120) - e) / e))
    assert 9.5 < agreement < 12
    (alone,) = [c for c in report.clusters if 16 in c.indices]
    assert alone.indices == (16,) and alone.kind == "limit"


def test_unresolved_formulas_are_bucketed_with_reasons(report: ClusterReport) -> None:
    bucket = report.clusters[-1]
    assert bucket.kind == "unresolved"
    assert bucket.indices == (17, 18, 19, 20)
    reasons = {m.index: m.reason or "" for m in bucket.members}
    assert "polynomial" in reasons[17] and "digits by depth" in reasons[17]
    assert "rational 1" in reasons[18]
    assert "do not settle" in reasons[19]
    assert "b_n = 0 at n = 1" in reasons[20]
    statuses = [m.features.status for m in bucket.members]
    assert statuses == ["too_slow", "rational", "divergent", "zero_b"]


def test_member_transforms_write_each_limit_from_the_representative(report: ClusterReport) -> None:
    for cluster in report.clusters:
        if cluster.kind != "limit":
            continue
        base = cluster.representative.features.limit(110)
        assert cluster.representative.transform == Mobius(1, 0, 0, 1)
        for member in cluster.members:
            with mpmath.workdps(110):
                got = member.transform.apply(base)
                assert abs(got - member.features.limit(110)) < mpmath.mpf(10) ** -95


def test_union_find_skips_pairs_already_connected(report: ClusterReport) -> None:
    assert report.pairs == 17 * 16 // 2
    assert report.comparisons + report.skipped == report.pairs
    assert report.skipped > 0 and report.dropped == 0


def test_dynamics_order_finds_every_group_within_a_third_of_the_pairs(
    report: ClusterReport,
) -> None:
    # alike dynamics are tried first, so 40 PSLQ calls (of 136 pairs) already give the
    # exact grouping; the pairs dropped are unlike ones that would not have linked
    capped = cluster_features(report.features, ClusterSettings(max_comparisons=40))
    assert capped.comparisons == 40 and capped.dropped > 0
    exact = sorted(c.indices for c in report.clusters)
    assert sorted(c.indices for c in capped.clusters) == exact
    within = sum(len(c.members) * (len(c.members) - 1) // 2 for c in report.clusters[:-1])
    needed = sum(len(c.members) - 1 for c in report.clusters[:-1])
    assert report.skipped == within - needed  # every redundant within-group pair skipped


def test_a_comparison_budget_drops_the_least_alike_pairs_first(report: ClusterReport) -> None:
    capped = cluster_features(report.features, ClusterSettings(max_comparisons=5))
    assert capped.comparisons == 5 and capped.dropped > 0
    # nothing that was merged is wrong: every limit cluster is still one label
    for cluster in capped.clusters:
        if cluster.kind == "limit":
            assert len(_labels(cluster.indices)) == 1


def test_dynamics_features_tell_the_decay_types_apart(report: ClusterReport) -> None:
    e, pi, ln2, zeta3 = (report.features[i] for i in range(4))
    assert e.convergence == "factorial" and e.rate is not None and e.rate > 1.5
    assert pi.convergence == "exponential" and pi.rate == pytest.approx(0.77, abs=0.02)
    assert ln2.convergence == "exponential" and ln2.rate == pytest.approx(0.30, abs=0.02)
    assert zeta3.convergence == "exponential" and zeta3.rate == pytest.approx(3.06, abs=0.03)
    assert report.features[17].convergence == "polynomial"
    assert zeta3.predicted_delta == pytest.approx(0.125, abs=0.01)
    assert zeta3.delta is not None and 0.0 < zeta3.delta < 0.2
    assert pi.delta is not None and pi.delta < 0
    assert e.predicted_delta is None  # Kamidelta has no finite prediction here
    assert all(n2 > n1 for (n1, _), (n2, _) in zip(pi.curve, pi.curve[1:], strict=False))
    assert pi.curve[-1][1] >= 110 and pi.known_digits >= 110


def test_features_refuse_huge_work_before_computing() -> None:
    bomb = features_of(parse_pcf("PCF(n**12, n**12)"), DynamicsSettings(max_bits=1e4))
    assert bomb.status == "refused" and "budget" in (bomb.reason or "")


def test_cluster_formulas_returns_the_clusters_and_the_bucket() -> None:
    clusters = cluster_formulas(
        [parse_pcf("PCF(n + 3, -n)"), parse_pcf("PCF(1, -1)"), parse_pcf("PCF(n, n)")]
    )
    assert [c.kind for c in clusters] == ["limit", "unresolved"]
    assert clusters[0].indices == (0, 2) and clusters[1].indices == (1,)
    link = clusters[0].links[0]
    assert {link.i, link.j} == {0, 2} and link.digits >= 95


def test_mobius_algebra() -> None:
    m = Mobius(2, 1, 1, 1)
    assert compose(m, inverse(m)) == Mobius(1, 0, 0, 1)
    assert compose(Mobius(1, 1, 0, 1), Mobius(1, 1, 0, 1)) == Mobius(1, 2, 0, 1)


@pytest.mark.parametrize(
    "change",
    [{"pslq_digits": 10}, {"confirm_digits": 61}, {"max_height": 0}, {"max_comparisons": -1}],
)
def test_bad_settings_name_the_value(change: dict) -> None:
    with pytest.raises(ConfigError, match=next(iter(change))):
        ClusterSettings(**change)


def test_a_periodic_fraction_is_not_mistaken_for_a_limit() -> None:
    # x = 2 − 2/x has complex roots: the convergents cycle with period 4, so N/2 and N
    # agree exactly; the neighbour N − 1 does not
    f = features_of(parse_pcf("PCF(2, -2)"))
    assert f.status == "divergent" and "do not settle" in (f.reason or "")


def test_delta_is_measured_when_q_has_thousands_of_digits() -> None:
    # q_600 of Apéry's fraction has ~5,100 digits, past Python's 4,300-digit str() limit
    apery = parse_pcf(MIXED[3][1])
    delta = delta_at(apery, 600, lambda dps: 6 / constant_value("zeta3", dps))
    assert delta == pytest.approx(0.085, abs=0.005)


def test_a_stretched_exponential_decay_is_named() -> None:
    # b_n/a_n² grows like n/9: the error falls like exp(−c·√n), between the two classes
    f = features_of(parse_pcf("PCF(3*n, n**3 + 5*n**2 - 5*n + 1)"))
    assert f.resolved and f.convergence == "subexponential"
