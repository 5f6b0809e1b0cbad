"""Prices and caps: what a campaign's model calls cost and when they must stop.

Prices come from ``[pricing."MODEL"]`` tables (``input`` and ``output`` per million tokens);
a model string (``openai:gpt-4.1``) is looked up first, then the bare model name
(``gpt-4.1``). Caps come from ``[limits]``; reaching one stops the campaign cleanly with the
reason recorded, before the next call is made.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from discolab.storage.calls import Usage


@dataclass(frozen=True)
class Price:
    """Price per million tokens, in any one currency (USD in the README)."""

    input: float = 0.0
    output: float = 0.0


@dataclass(frozen=True)
class Limits:
    """Caps on one campaign's model use; ``None`` means no cap.

    Attributes:
        max_tokens: input plus output tokens over all calls.
        max_cost: total cost from the price table.
        max_calls: completed model calls.
    """

    max_tokens: int | None = None
    max_cost: float | None = None
    max_calls: int | None = None


def price_of(model_string: str, pricing: Mapping[str, Price]) -> Price | None:
    """The price of ``openai:gpt-4.1`` (or of ``gpt-4.1``), or None when unpriced."""
    if model_string in pricing:
        return pricing[model_string]
    bare = model_string.partition(":")[2]
    return pricing.get(bare)


def cost_of(
    model_string: str, prompt_tokens: int, completion_tokens: int, pricing: Mapping[str, Price]
) -> float:
    """The cost of one call; 0 for a model without a price."""
    price = price_of(model_string, pricing)
    if price is None:
        return 0.0
    return (prompt_tokens * price.input + completion_tokens * price.output) / 1_000_000


def cap_reason(usage: Usage, limits: Limits) -> str | None:
    """Why no further call may be made (``token cap reached (12,000 > 10,000)``), or None."""
    checks = (
        ("token", usage.tokens, limits.max_tokens, "{:,}"),
        ("cost", usage.cost, limits.max_cost, "{:,.4f}"),
        ("call", usage.calls, limits.max_calls, "{:,}"),
    )
    for name, used, cap, fmt in checks:
        if cap is not None and used >= cap:
            sign = ">" if used > cap else "="
            return f"{name} cap reached ({fmt.format(used)} {sign} {fmt.format(cap)})"
    return None
