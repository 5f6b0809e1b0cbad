"""Reading a submission file: one JSON object, or JSON lines, with size and syntax checks.

Every suite kind that scores anyone's file (constants, EFA) accepts the same two shapes; this
module reads them, and each suite turns the parsed data into its own entries. One bad line
never voids the others: it is reported and skipped.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from discolab.errors import ConfigError


@dataclass(frozen=True)
class SubmissionFile:
    """A parsed submission: the whole file as one JSON object, or its JSON lines.

    Attributes:
        whole: the file's JSON object when it is one, else ``None``.
        rows: ``(line number, parsed value)`` for every JSON line (when ``whole`` is None).
        rejected: lines that are not JSON, as ``line N: not JSON``.
    """

    whole: dict[str, Any] | None
    rows: list[tuple[int, Any]] = field(default_factory=list)
    rejected: list[str] = field(default_factory=list)


def read_submission_file(path: Path, max_bytes: int) -> SubmissionFile:
    """Parse ``path`` as one JSON object or as JSON lines.

    Raises:
        ConfigError: the file is missing or larger than ``max_bytes``.
    """
    if not path.is_file():
        raise ConfigError(f"submission {str(path)!r} does not exist")
    if path.stat().st_size > max_bytes:
        raise ConfigError(f"submission {str(path)!r} is over {max_bytes:,} bytes")
    text = path.read_text(encoding="utf-8", errors="replace")
    try:
        whole = json.loads(text)
    except (json.JSONDecodeError, RecursionError):
        whole = None
    if isinstance(whole, dict):
        return SubmissionFile(whole)
    rows: list[tuple[int, Any]] = []
    rejected: list[str] = []
    for n, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        try:
            rows.append((n, json.loads(line)))
        except (json.JSONDecodeError, RecursionError):
            rejected.append(f"line {n}: not JSON")
    return SubmissionFile(None, rows, rejected)
