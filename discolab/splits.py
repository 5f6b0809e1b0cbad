"""Private splits: suites whose hidden laws are regenerated from a secret seed, never stored.

``newton-v1`` and ``newton-v2`` are public dev splits: their generator seeds are in the repo,
so their laws are known to anyone who reads it. A *private split* is a suite file with a
``[private]`` table instead: the generator version, a random salt and a salted PBKDF2 hash
of the secret. Given the secret (``--secret`` or ``$DISCOLAB_SUITE_SEED``) the suite loader
checks it against the hash and derives the variant seed ``sha256(salt, secret)``, from which
every environment redraws its generated variants in memory; without it the suite cannot be
loaded at all. The laws therefore exist nowhere on disk: not in the repo, not in the suite
file (which holds only the salt and the hash) and not in the database (campaigns store
their options with the variant seed redacted, see :func:`redacted_options`).

Task ids name the slot, not the law: ``newton/gravity-v1#p-easy-1``.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from discolab.errors import ConfigError

SEED_ENV = "DISCOLAB_SUITE_SEED"
"""Environment variable the CLI reads a private split's secret from."""

SECRET_OPTION = "variant_seed"
"""The environment option that carries a private split's derived seed."""

REDACTED = "<private split: supply the secret seed>"
"""What a stored campaign holds instead of the variant seed."""

PRIVATE_PREFIX = "p-"
"""Task-id prefix of a private split's tasks: ``<env id>#p-easy-1``."""

MIN_SECRET_LENGTH = 8
"""Shortest secret accepted: the hash in the suite file must not be guessable."""

ITERATIONS = 200_000
"""PBKDF2-SHA256 iterations of the stored check hash (slows guessing a short secret)."""

GENERATOR_PREFIX = {"v1": "", "v2": "v2-"}
"""Shift-name prefix of each generator's family of generated variants."""


@dataclass(frozen=True)
class PrivateSplit:
    """The ``[private]`` table of a suite file: enough to check a secret and regenerate.

    Attributes:
        generator: variant generator version (``v1`` or ``v2``; see ``mutation.GENERATORS``).
        salt: random hex salt, unique per split.
        check: hex PBKDF2-SHA256 of the secret with ``salt``.
        iterations: PBKDF2 iterations used for ``check``.
    """

    generator: str
    salt: str
    check: str
    iterations: int = ITERATIONS

    def to_table(self) -> dict[str, Any]:
        """The TOML table (``[private]``) of this split."""
        return {
            "generator": self.generator,
            "salt": self.salt,
            "check": self.check,
            "iterations": self.iterations,
        }


def _check_hash(secret: str, salt: str, iterations: int) -> str:
    return hashlib.pbkdf2_hmac("sha256", secret.encode(), bytes.fromhex(salt), iterations).hex()


def new_private_split(secret: str, generator: str = "v2") -> PrivateSplit:
    """A fresh split for ``secret`` with a random salt.

    Raises:
        ConfigError: the secret is shorter than :data:`MIN_SECRET_LENGTH` or the generator
            is unknown.
    """
    _check_secret_text(secret)
    if generator not in GENERATOR_PREFIX:
        raise ConfigError(
            f"unknown generator {generator!r}; choose one of {', '.join(GENERATOR_PREFIX)}"
        )
    salt = secrets.token_hex(16)
    return PrivateSplit(generator, salt, _check_hash(secret, salt, ITERATIONS), ITERATIONS)


def _check_secret_text(secret: str) -> None:
    if not isinstance(secret, str) or len(secret) < MIN_SECRET_LENGTH:
        raise ConfigError(
            f"a private split's seed must be a string of at least {MIN_SECRET_LENGTH} "
            f"characters (got {len(secret) if isinstance(secret, str) else secret!r}); "
            "use a long random one, e.g. from `openssl rand -hex 16`"
        )


def private_split_from_table(table: Any, suite_id: str) -> PrivateSplit:
    """Validate a suite file's ``[private]`` table.

    Raises:
        ConfigError: a missing or malformed key, naming it.
    """
    if not isinstance(table, Mapping):
        raise ConfigError(f"[private] of suite {suite_id!r} must be a table")
    unknown = set(table) - {"generator", "salt", "check", "iterations"}
    if unknown:
        raise ConfigError(f"[private] of suite {suite_id!r} has unknown keys {sorted(unknown)}")
    generator, salt, check = table.get("generator"), table.get("salt"), table.get("check")
    iterations = table.get("iterations", ITERATIONS)
    if generator not in GENERATOR_PREFIX:
        raise ConfigError(
            f"private.generator = {generator!r} of suite {suite_id!r} must be one of "
            f"{', '.join(GENERATOR_PREFIX)}"
        )
    for key, value in (("salt", salt), ("check", check)):
        if not isinstance(value, str) or not _is_hex(value):
            raise ConfigError(f"private.{key} = {value!r} of suite {suite_id!r} must be hex")
    if isinstance(iterations, bool) or not isinstance(iterations, int) or iterations < 1:
        raise ConfigError(f"private.iterations = {iterations!r} must be a positive integer")
    return PrivateSplit(str(generator), str(salt), str(check), int(iterations))


def _is_hex(text: str) -> bool:
    try:
        bytes.fromhex(text)
    except ValueError:
        return False
    return bool(text)


def variant_seed(split: PrivateSplit, secret: str | None, suite_id: str) -> int:
    """The variant seed of ``split`` after checking ``secret`` against its hash.

    Raises:
        ConfigError: no secret was given, or it is not the split's secret.
    """
    if not secret:
        raise ConfigError(
            f"suite {suite_id!r} is a private split: give its secret seed with --secret or "
            f"${SEED_ENV}"
        )
    expected = _check_hash(secret, split.salt, split.iterations)
    if not hmac.compare_digest(expected, split.check):
        raise ConfigError(f"the seed given is not the secret seed of suite {suite_id!r}")
    digest = hashlib.sha256(bytes.fromhex(split.salt) + b"\0" + secret.encode()).digest()
    return int.from_bytes(digest[:16], "big") or 1


def redacted_options(options: Mapping[str, Any]) -> dict[str, Any]:
    """``options`` with a private split's variant seed replaced by :data:`REDACTED`."""
    return {k: (REDACTED if k == SECRET_OPTION else v) for k, v in options.items()}


def restored_options(
    options: Mapping[str, Any], secrets_given: Mapping[str, Any] | None, campaign_id: str
) -> dict[str, Any]:
    """Stored (redacted) ``options`` with the variant seed put back from ``secrets_given``.

    Raises:
        ConfigError: the campaign ran on a private split and no variant seed was given.
    """
    restored = dict(options)
    if restored.get(SECRET_OPTION) == REDACTED:
        if not secrets_given or SECRET_OPTION not in secrets_given:
            raise ConfigError(
                f"campaign {campaign_id!r} ran on a private split whose laws are not stored; "
                "resume it with `discolab bench run SUITE --secret SECRET`"
            )
        restored[SECRET_OPTION] = secrets_given[SECRET_OPTION]
    return restored


def _toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    text = str(value).replace("\\", "\\\\").replace('"', '\\"')
    return f'"{text}"'


def private_suite_text(
    suite_id: str,
    split: PrivateSplit,
    *,
    description: str,
    options: Mapping[str, Any],
    env: str = "newton/*",
) -> str:
    """The TOML text of a private split's suite file: no law and no secret, only the salt,
    the check hash, the generator version, the task options and the environment glob."""
    lines = [
        f"# Private split {suite_id}: its laws are redrawn from a secret seed and exist only in",
        "# memory. Load it with --secret SECRET or $DISCOLAB_SUITE_SEED; the [private] table holds",
        "# only a salt and a salted hash of the secret, never the secret or a law.",
        "[suite]",
        f"id = {_toml_value(suite_id)}",
        f"description = {_toml_value(description)}",
        "",
        "[private]",
        *(f"{k} = {_toml_value(v)}" for k, v in split.to_table().items()),
        "",
        "[options]",
        *(f"{k} = {_toml_value(v)}" for k, v in options.items()),
        "",
        "[[tasks]]",
        f"env = {_toml_value(env)}",
        'shifts = ["easy-*", "medium-*", "hard-*"]',
        "",
    ]
    return "\n".join(lines)
