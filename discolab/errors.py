"""The one error hierarchy of discolab.

Every error a user can cause derives from :class:`DiscolabError`; its message names the bad
value and, where possible, says how to fix it. The CLI turns these into one clear line and an
exit code instead of a traceback.
"""

from __future__ import annotations


class DiscolabError(Exception):
    """Root of every error discolab raises on purpose."""

    exit_code: int = 1


class ConfigError(DiscolabError):
    """A configuration file or option is malformed (missing key, wrong type, unknown option)."""

    exit_code = 2


class UnknownIdError(DiscolabError):
    """A registry id (environment, proposer, sandbox, suite) does not exist."""

    exit_code = 2


class ExpressionError(DiscolabError):
    """A candidate formula was rejected by the safe expression parser."""


class ExperimentError(DiscolabError):
    """An experiment request was refused: inputs out of range, malformed batch, budget spent."""


class BudgetExhausted(ExperimentError):
    """The environment's experiment budget is spent; no further calls are answered."""


class VerificationError(DiscolabError):
    """A verifier could not score a candidate for a reason that is not the candidate's fault."""


class StorageError(DiscolabError):
    """The database is missing, locked beyond the busy timeout, or has an unknown schema."""


class CampaignNotFound(DiscolabError):
    """No campaign with the requested id exists in the database."""

    exit_code = 2


class SandboxUnavailable(DiscolabError):
    """The sandbox backend cannot run anything (no engine, no image, broken setup)."""


class ProposerError(DiscolabError):
    """A proposer could not produce candidates for a reason outside the candidates themselves."""


class ModelError(DiscolabError):
    """A language-model endpoint could not be used (bad setup, or it failed after retries).

    Messages never contain an API key: the client redacts it before raising.
    """


class ModelUnavailable(ModelError):
    """The model endpoint kept failing (timeouts, 429/5xx, malformed bodies) after every retry."""


class UsageCapReached(ModelError):
    """A campaign's cap on model tokens, cost or calls is reached; the campaign stops cleanly."""


class ModelRejected(ModelError):
    """The endpoint refused a request for good (400/401/403/404/422); retrying cannot help.

    ``status`` is the HTTP status, so a caller can, for instance, fall back from tool calls
    to the text protocol when a server rejects ``tools``; ``tools_unsupported`` says the
    error's own text blames the tools (whatever the status).
    """

    def __init__(
        self, message: str, status: int | None = None, *, tools_unsupported: bool = False
    ) -> None:
        super().__init__(message)
        self.status = status
        self.tools_unsupported = tools_unsupported
