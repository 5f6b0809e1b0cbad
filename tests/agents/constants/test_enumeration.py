"""The meet-in-the-middle enumeration: boxes, chunks, the float pass, the transform hash
and exact verification of every hit."""

from __future__ import annotations

import math

import mpmath
import numpy as np
import pytest

from discolab.agents.constants.enumeration import (
    EnumerationBox,
    ScanSettings,
    enumerate_box,
    fast_values,
    scan_chunk,
)
from discolab.agents.constants.transforms import build_table
from discolab.errors import ConfigError
from discolab.verifiers.constants import PcfSettings

SMALL = EnumerationBox(a_degree=1, b_degree=2, a_range=(0, 3), b_range=(-1, 1))


@pytest.mark.parametrize(
    ("kwargs", "fragment"),
    [
        ({"a_degree": 7}, "a_degree"),
        ({"b_degree": -1}, "b_degree"),
        ({"a_range": (3, 1)}, "a_range"),
        ({"b_range": (-2000, 0)}, "±1000"),
        ({"a_degree": 6, "b_degree": 6, "a_range": (-9, 9), "b_range": (-9, 9)}, "cap"),
    ],
)
def test_bad_boxes_name_the_field(kwargs, fragment):
    args = {"a_degree": 1, "b_degree": 2, "a_range": (0, 1), "b_range": (0, 1)} | kwargs
    with pytest.raises(ConfigError, match=fragment.replace("±", ".")):
        EnumerationBox(**args)


def test_chunks_cover_every_a_polynomial_once_in_a_fixed_order():
    chunks = SMALL.chunks(60)
    covered = [i for start, stop in chunks for i in range(start, stop)]
    assert covered == list(range(len(SMALL.a_polynomials())))
    assert SMALL.chunks(60) == chunks
    assert SMALL.size == 16 * 26  # b ≡ 0 is left out


def test_fast_pass_agrees_with_exact_values():
    a = np.array([(1, 2), (3, 1)], dtype=float)  # 2n + 1 ; n + 3
    b = np.array([(0, 0, 1), (0, -1, 0)], dtype=float)  # n² ; −n
    half, full, zero = fast_values(a, b, 256)
    assert full[0, 0] == pytest.approx(4 / math.pi, rel=1e-12)
    assert full[1, 1] == pytest.approx(math.e, rel=1e-12)
    assert half.shape == full.shape == zero.shape == (2, 2)
    assert not zero.any()


def test_fast_pass_flags_terminating_fractions():
    a = np.array([(1, 1)], dtype=float)
    b = np.array([(-4, 0, 1)], dtype=float)  # n² − 4 vanishes at n = 2
    _, _, zero = fast_values(a, b, 32)
    assert zero.all()


def test_transform_table_matches_only_within_tolerance():
    table = build_table(["e"], 2)
    assert any(e.transform.format("e") == "e" for e in table.lookup(math.e))
    assert table.lookup(math.e + 1e-7) == []
    assert table.lookup(float("nan")) == [] and table.lookup(float("inf")) == []


def test_scan_finds_and_verifies_brounckers_fraction():
    result = scan_chunk(SMALL, 0, (0, len(SMALL.a_polynomials())), ScanSettings())
    texts = {v.pcf.text: v for v in result.verified}
    assert "PCF(2*n + 1, n**2)" in texts
    assert texts["PCF(2*n + 1, n**2)"].limit_text == "4/π"
    assert all(v.verified and v.digits >= 50 for v in result.verified)
    assert result.candidates == SMALL.size
    assert result.hits >= len(result.verified)


def test_every_hit_is_verified_exactly_or_counted_as_refused(monkeypatch):
    """A hash hit that exact verification refuses is never reported as a formula."""
    import discolab.agents.constants.enumeration as enumeration

    def refuse(pcf, settings):
        from discolab.verifiers.constants import PcfVerdict

        return PcfVerdict("unidentified", pcf, "refused by the test")

    monkeypatch.setattr(enumeration, "verify_pcf", refuse)
    result = scan_chunk(SMALL, 0, (0, len(SMALL.a_polynomials())), ScanSettings())
    assert result.verified == ()
    assert result.rejected_hits == result.hits > 0


def test_target_restricts_the_table_and_the_verdicts():
    settings = ScanSettings(verifier=PcfSettings(target="e"))
    assert settings.constants == ("e",)
    box = EnumerationBox(1, 1, (0, 3), (-1, 1))
    found = [v for r in enumerate_box(box, settings, chunk_size=20) for v in r.verified]
    assert found and all(v.constant == "e" for v in found)
    assert any(v.limit_text == "e" for v in found)  # PCF(n + 3, −n) is in the box


def test_parallel_scan_gives_the_same_formulas_as_serial():
    serial = {
        v.pcf.text for r in enumerate_box(SMALL, ScanSettings(), chunk_size=60) for v in r.verified
    }
    parallel = list(enumerate_box(SMALL, ScanSettings(), chunk_size=60, workers=2))
    assert {v.pcf.text for r in parallel for v in r.verified} == serial
    assert sorted(r.index for r in parallel) == list(range(len(SMALL.chunks(60))))


def test_skipped_chunks_are_not_rescanned():
    results = list(enumerate_box(SMALL, ScanSettings(), chunk_size=60, skip=[0, 2]))
    assert [r.index for r in results] == [
        i for i in range(len(SMALL.chunks(60))) if i not in (0, 2)
    ]


def test_scan_settings_are_checked():
    with pytest.raises(ConfigError, match="fast_depth"):
        ScanSettings(fast_depth=4)
    with pytest.raises(ConfigError, match="workers"):
        list(enumerate_box(SMALL, ScanSettings(), workers=0))


def test_table_values_are_the_transforms():
    table = build_table(["pi"], 1)
    with mpmath.workdps(30):
        for bucket in table._buckets.values():
            for entry in bucket:
                assert entry.value == pytest.approx(float(entry.transform.apply(mpmath.pi)))
