"""Strict JSON for stored documents: how NaN and infinities survive a round trip.

JSON (RFC 8259) has no NaN or infinity. Python's ``json`` writes them as bare ``NaN`` /
``Infinity`` tokens, which SQLite's ``json_*`` functions, Postgres ``jsonb`` and most other
readers reject. Verifiers legitimately produce such values (a diverging loss is ``inf``), and
DESIGN.md says nothing stored may be lost, so every JSON column goes through one of two column
types defined here:

* :class:`FloatJSON` for values whose leaves are floats by type (evaluation metrics, experiment
  inputs and outputs). A non-finite float is stored as the string ``"nan"``, ``"inf"`` or
  ``"-inf"`` and read back as the float. This is lossless because such a leaf is a float.
* :class:`DocumentJSON` for free-form documents (candidate metadata, campaign config, env
  options, summary), where a real string ``"inf"`` may occur. A non-finite float is stored as
  the one-key object ``{"$float": "nan"}`` (or ``"inf"`` / ``"-inf"``) and read back as the
  float. The only value that cannot round-trip is a literal one-key dict of that exact shape.

Either way the stored text is strict JSON; the engine's serializer also refuses NaN
(``allow_nan=False``) so a value that bypasses these types fails loudly instead of writing
invalid JSON.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from typing import Any

from sqlalchemy import JSON
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator

_NAMES = {"nan": math.nan, "inf": math.inf, "-inf": -math.inf}
FLOAT_TAG = "$float"


def _name_of(value: float) -> str:
    """The stored name of a non-finite float."""
    if math.isnan(value):
        return "nan"
    return "inf" if value > 0 else "-inf"


def _is_nonfinite(value: Any) -> bool:
    return isinstance(value, float) and not math.isfinite(value)


def encode_floats(value: Any) -> Any:
    """Replace non-finite floats anywhere in ``value`` by ``"nan"``, ``"inf"`` or ``"-inf"``."""
    if _is_nonfinite(value):
        return _name_of(value)
    if isinstance(value, Mapping):
        return {str(k): encode_floats(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [encode_floats(v) for v in value]
    return value


def decode_floats(value: Any) -> Any:
    """Inverse of :func:`encode_floats`: the three names become floats again."""
    if isinstance(value, str) and value in _NAMES:
        return _NAMES[value]
    if isinstance(value, dict):
        return {k: decode_floats(v) for k, v in value.items()}
    if isinstance(value, list):
        return [decode_floats(v) for v in value]
    return value


def encode_document(value: Any) -> Any:
    """Replace non-finite floats anywhere in ``value`` by ``{"$float": name}`` markers."""
    if _is_nonfinite(value):
        return {FLOAT_TAG: _name_of(value)}
    if isinstance(value, Mapping):
        return {str(k): encode_document(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [encode_document(v) for v in value]
    return value


def decode_document(value: Any) -> Any:
    """Inverse of :func:`encode_document`."""
    if isinstance(value, dict):
        if len(value) == 1 and value.get(FLOAT_TAG) in _NAMES:
            return _NAMES[value[FLOAT_TAG]]
        return {k: decode_document(v) for k, v in value.items()}
    if isinstance(value, list):
        return [decode_document(v) for v in value]
    return value


def strict_dumps(value: Any) -> str:
    """The engine's JSON serializer: refuses NaN/inf instead of writing invalid JSON."""
    return json.dumps(value, allow_nan=False, separators=(",", ":"))


class FloatJSON(TypeDecorator[Any]):
    """A JSON column whose float leaves may be non-finite (stored as ``"nan"``/``"inf"``)."""

    impl = JSON
    cache_ok = True

    def __init__(self) -> None:
        super().__init__(none_as_null=True)

    def process_bind_param(self, value: Any, dialect: Dialect) -> Any:
        return None if value is None else encode_floats(value)

    def process_result_value(self, value: Any, dialect: Dialect) -> Any:
        return None if value is None else decode_floats(value)


class DocumentJSON(TypeDecorator[Any]):
    """A free-form JSON column; non-finite floats are stored as ``{"$float": name}``."""

    impl = JSON
    cache_ok = True

    def __init__(self) -> None:
        super().__init__(none_as_null=True)

    def process_bind_param(self, value: Any, dialect: Dialect) -> Any:
        return None if value is None else encode_document(value)

    def process_result_value(self, value: Any, dialect: Dialect) -> Any:
        return None if value is None else decode_document(value)
