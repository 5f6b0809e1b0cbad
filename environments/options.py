"""Typed, documented keyword options of environments, and their validation.

An environment is built from a config file, so its options arrive as untyped TOML values. Each
environment class declares what it accepts as a tuple of :class:`Option`; :func:`check_options`
turns a typo, a wrong type or an out-of-range value into one :class:`ConfigError` that names
the option, the value and what was expected, before anything is built.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from discolab.errors import ConfigError
from discolab.registry import suggest

_TYPE_NAMES = {int: "an integer", float: "a number", str: "a string"}


@dataclass(frozen=True)
class Option:
    """One keyword option an environment accepts.

    Attributes:
        name: the keyword (``shift``, ``noise``).
        kind: the expected type: ``int``, ``float`` (ints are accepted) or ``str``.
        default: the value used when the option is not given.
        description: one phrase for ``discolab envs`` and error messages.
        choices: the allowed values of a ``str`` option (empty: any string).
        minimum: smallest allowed value of a numeric option (inclusive), if any.
        maximum: largest allowed value of a numeric option (inclusive), if any.
    """

    name: str
    kind: type
    default: Any
    description: str = ""
    choices: tuple[str, ...] = ()
    minimum: float | None = None
    maximum: float | None = None

    def check(self, value: object, owner: str) -> Any:
        """Return ``value`` converted to :attr:`kind`, or raise :class:`ConfigError`.

        ``owner`` names the environment in the message (``newton/gravity-v1``).
        """
        where = f"option {self.name}={value!r} of {owner}"
        expected = _TYPE_NAMES.get(self.kind, self.kind.__name__)
        if isinstance(value, bool) or not _has_kind(value, self.kind):
            raise ConfigError(
                f"{where} is a {type(value).__name__}; expected {expected} ({self.kind.__name__})"
            )
        if self.kind is str:
            text = str(value)
            if self.choices and text not in self.choices:
                raise ConfigError(
                    f"unknown {self.name} {text!r} for {owner}{closest(text, self.choices)}; "
                    f"valid {self.name}s: {', '.join(self.choices)}"
                )
            return text
        number = int(value) if self.kind is int else float(value)  # type: ignore[call-overload]
        if not math.isfinite(number):
            raise ConfigError(f"{where} is not finite; expected {expected}")
        if self.minimum is not None and number < self.minimum:
            raise ConfigError(f"{where} is below its minimum {self.minimum:g}")
        if self.maximum is not None and number > self.maximum:
            raise ConfigError(f"{where} is above its maximum {self.maximum:g}")
        return number


def closest(text: str, choices: Sequence[str]) -> str:
    """A did-you-mean suffix; a case-only difference (``S1`` for ``s1``) counts as close."""
    for choice in choices:
        if choice.lower() == text.lower():
            return f" (did you mean {choice!r}?)"
    return suggest(text, list(choices))


def _has_kind(value: object, kind: type) -> bool:
    if kind is int:
        return isinstance(value, numbers.Integral)
    if kind is float:
        return isinstance(value, numbers.Real)
    return isinstance(value, kind)


def check_options(
    options: Mapping[str, object], accepted: Sequence[Option], owner: str
) -> dict[str, Any]:
    """Validate ``options`` against ``accepted``; return every option with defaults filled in.

    Raises:
        ConfigError: an unknown option (with the closest valid name), a wrong type or a value
            out of range.
    """
    by_name = {o.name: o for o in accepted}
    for name in options:
        if name not in by_name:
            raise ConfigError(
                f"unknown option {name!r} for {owner}{suggest(str(name), list(by_name))}; "
                f"valid options: {', '.join(by_name)}"
            )
    return {
        o.name: o.check(options[o.name], owner) if o.name in options else o.default
        for o in accepted
    }
