"""The strict construction reader: bytes in, JSON data or one clear reason out."""

from __future__ import annotations

import pytest

from discolab.verifiers.constructions.reading import (
    MAX_BYTES,
    InvalidConstruction,
    NonFinite,
    fields,
    read_construction,
    read_lenient,
    real_number,
    real_vector,
)


def test_a_well_formed_file_reads() -> None:
    data, error = read_construction(b'{"heights": [1, 2.5, -0.0]}')
    assert error is None and data == {"heights": [1, 2.5, -0.0]}


@pytest.mark.parametrize(
    ("raw", "needle"),
    [
        (b'{"h": [NaN]}', "NaN"),
        (b'{"h": [Infinity]}', "Infinity"),
        (b'{"h": [-Infinity]}', "-Infinity"),
        (b'{"h": [1], "h": [2]}', "duplicate key 'h'"),
        (b'{"h": [1,]}', "not valid JSON"),
        (b"\xff\xfe{}", "UTF-8"),
        (b"[" * 100_000 + b"]" * 100_000, "not valid JSON"),
        (b'{"h": ' + b"1" * 5000 + b"}", "not valid JSON"),
        (b"", "not valid JSON"),
    ],
)
def test_bad_files_are_refused_with_a_reason(raw: bytes, needle: str) -> None:
    data, error = read_construction(raw)
    assert data is None and needle in error


def test_oversized_files_are_refused_before_parsing() -> None:
    data, error = read_construction(b" " * (MAX_BYTES + 1))
    assert data is None and "limit" in error


def test_the_lenient_reader_keeps_non_finite_tokens_as_markers() -> None:
    assert read_lenient(b"[NaN, -Infinity, 1]") == [NonFinite("NaN"), NonFinite("-Infinity"), 1]
    with pytest.raises(InvalidConstruction, match="is NaN, not a finite number"):
        real_number(NonFinite("NaN"), "x")


@pytest.mark.parametrize(
    "value", [True, False, None, "1", "1+2j", 1j, [1.0], {"a": 1}, 10**400, float("nan")]
)
def test_only_finite_json_numbers_are_real(value: object) -> None:
    with pytest.raises(InvalidConstruction, match="v"):
        real_number(value, "v")


def test_vectors_check_their_length() -> None:
    assert real_vector([1, 2], "v", 2).tolist() == [1.0, 2.0]
    with pytest.raises(InvalidConstruction, match="exactly 3"):
        real_vector([1, 2], "v", 3)
    with pytest.raises(InvalidConstruction, match="between 1 and 2"):
        real_vector([1, 2, 3], "v", max_length=2)


def test_objects_need_exactly_their_keys() -> None:
    assert fields({"a": 1}, ("a",)) == {"a": 1}
    with pytest.raises(InvalidConstruction, match="missing key 'a'"):
        fields({}, ("a",))
    with pytest.raises(InvalidConstruction, match="unknown key 'b'"):
        fields({"a": 1, "b": 2}, ("a",))
    with pytest.raises(InvalidConstruction, match="JSON object"):
        fields([1], ("a",))
