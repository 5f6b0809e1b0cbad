"""Strict JSON encoding of non-finite floats."""

from __future__ import annotations

import json
import math

import pytest

from discolab.storage.jsoncodec import (
    decode_document,
    decode_floats,
    encode_document,
    encode_floats,
    strict_dumps,
)


def test_float_fields_use_names() -> None:
    value = {"a": math.inf, "b": [-math.inf, 1.5], "c": math.nan}
    encoded = encode_floats(value)
    assert encoded == {"a": "inf", "b": ["-inf", 1.5], "c": "nan"}
    decoded = decode_floats(json.loads(strict_dumps(encoded)))
    assert decoded["a"] == math.inf and decoded["b"] == [-math.inf, 1.5]
    assert math.isnan(decoded["c"])


def test_documents_use_markers_and_keep_real_strings() -> None:
    value = {"loss": math.inf, "word": "inf", "deep": [{"x": math.nan}], "t": (1, 2)}
    encoded = encode_document(value)
    assert encoded["loss"] == {"$float": "inf"} and encoded["word"] == "inf"
    decoded = decode_document(json.loads(strict_dumps(encoded)))
    assert decoded["loss"] == math.inf and decoded["word"] == "inf"
    assert math.isnan(decoded["deep"][0]["x"]) and decoded["t"] == [1, 2]


def test_serializer_refuses_raw_nan() -> None:
    with pytest.raises(ValueError):
        strict_dumps({"x": math.nan})
