"""The strict reader of construction data and the value checks every family shares.

A candidate program writes JSON; nothing in it is trusted. :func:`read_construction` refuses
non-UTF-8 bytes, files over :data:`MAX_BYTES`, duplicate keys and the non-standard tokens
``NaN``, ``Infinity`` and ``-Infinity`` that Python's ``json`` would otherwise accept.
:func:`real_vector` and :func:`real_matrix` then accept only JSON numbers (``int`` or
``float``, never ``bool``, strings, ``None``, nested lists or objects) that are finite as
float64, in exactly the shape the problem asks for.

A benchmark file holds many constructions, and one bad entry must not void the others, so
:func:`read_lenient` keeps non-finite tokens as :class:`NonFinite` markers that the value
checks refuse with their own message.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from discolab.errors import DiscolabError

MAX_BYTES = 8 * 1024 * 1024
"""Largest construction file read (8 MiB): far above any published construction."""


class InvalidConstruction(DiscolabError):
    """The data breaks a rule of the problem; the message names the entry and the rule."""


@dataclass(frozen=True)
class NonFinite:
    """A ``NaN`` / ``Infinity`` / ``-Infinity`` token kept by :func:`read_lenient`."""

    token: str


@dataclass(frozen=True)
class Measured:
    """The objective and descriptors a family verifier recomputed from valid data.

    Attributes:
        value: the objective, finite.
        metrics: named finite figures (``worst_slack``, ``n``, ...).
        behaviour: the problem's descriptor in ``[0, 1]``.
    """

    value: float
    metrics: Mapping[str, float]
    behaviour: float


def _refuse_constant(token: str) -> Any:
    raise InvalidConstruction(f"{token} is not a finite number; JSON allows finite numbers only")


def _unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in pairs:
        if key in out:
            raise InvalidConstruction(f"duplicate key {key!r}; every key may appear once")
        out[key] = value
    return out


def _decode(raw: bytes, parse_constant: Callable[[str], Any]) -> Any:
    if len(raw) > MAX_BYTES:
        raise InvalidConstruction(f"the file has {len(raw)} bytes; the limit is {MAX_BYTES}")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InvalidConstruction(f"the file is not valid UTF-8 ({exc.reason})") from None
    try:
        return json.loads(text, parse_constant=parse_constant, object_pairs_hook=_unique_keys)
    except InvalidConstruction:
        raise
    except (ValueError, RecursionError) as exc:
        raise InvalidConstruction(f"the file is not valid JSON: {exc}") from None


def read_construction(raw: bytes) -> tuple[Any, None] | tuple[None, str]:
    """``(data, None)`` for a well-formed JSON file, else ``(None, reason)``."""
    try:
        return _decode(raw, _refuse_constant), None
    except InvalidConstruction as exc:
        return None, str(exc)


def read_lenient(raw: bytes) -> Any:
    """JSON data with non-finite tokens kept as :class:`NonFinite` (for benchmark files).

    Raises:
        InvalidConstruction: the bytes are too many, not UTF-8 or not JSON.
    """
    return _decode(raw, NonFinite)


def real_number(value: Any, where: str) -> float:
    """``value`` as a finite float64; refuses bools, strings, lists, huge ints, NaN."""
    if isinstance(value, NonFinite):
        raise InvalidConstruction(f"{where} is {value.token}, not a finite number")
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise InvalidConstruction(
            f"{where} = {_show(value)} is a {type(value).__name__}; a JSON number is needed"
        )
    try:
        number = float(value)
    except OverflowError:
        raise InvalidConstruction(f"{where} is an integer too large for float64") from None
    if not math.isfinite(number):
        raise InvalidConstruction(f"{where} = {number!r} is not a finite number")
    return number


def real_vector(
    value: Any, where: str, length: int | None = None, *, max_length: int | None = None
) -> np.ndarray:
    """A list of JSON numbers as a float64 vector of exactly ``length`` entries (or 1 to
    ``max_length`` entries when ``length`` is None)."""
    if not isinstance(value, list):
        raise InvalidConstruction(f"{where} must be a list of numbers, not {_kind(value)}")
    if length is not None and len(value) != length:
        raise InvalidConstruction(f"{where} has {len(value)} entries; exactly {length} are needed")
    if length is None and not 1 <= len(value) <= (max_length or len(value)):
        raise InvalidConstruction(
            f"{where} has {len(value)} entries; between 1 and {max_length} are allowed"
        )
    return np.array([real_number(v, f"{where}[{i}]") for i, v in enumerate(value)], np.float64)


def real_matrix(value: Any, where: str, rows: int, columns: int) -> np.ndarray:
    """A list of ``rows`` lists of ``columns`` JSON numbers as a float64 matrix."""
    if not isinstance(value, list):
        raise InvalidConstruction(f"{where} must be a list of {rows} rows, not {_kind(value)}")
    if len(value) != rows:
        raise InvalidConstruction(f"{where} has {len(value)} rows; exactly {rows} are needed")
    out = np.empty((rows, columns), np.float64)
    for i, row in enumerate(value):
        out[i] = real_vector(row, f"{where}[{i}]", columns)
    return out


def fields(data: Any, required: Sequence[str]) -> Mapping[str, Any]:
    """``data`` as an object with exactly the keys ``required``."""
    if not isinstance(data, dict):
        keys = ", ".join(repr(k) for k in required)
        raise InvalidConstruction(f"the construction must be a JSON object with keys {keys}")
    missing = [k for k in required if k not in data]
    extra = sorted(str(k) for k in data if k not in required)
    if missing:
        raise InvalidConstruction(f"missing key {missing[0]!r}; required: {', '.join(required)}")
    if extra:
        raise InvalidConstruction(f"unknown key {extra[0]!r}; allowed: {', '.join(required)}")
    return data


def _kind(value: Any) -> str:
    return "an object" if isinstance(value, dict) else f"{_show(value)} ({type(value).__name__})"


def _show(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."
