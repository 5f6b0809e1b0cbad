"""Sandboxes that run untrusted candidate code: one contract, ``docker`` and ``process``.

>>> from discolab.sandbox import SandboxConfig, make_sandbox
>>> with make_sandbox("auto", SandboxConfig()) as box:          # doctest: +SKIP
...     result = box.run_python("print(6 * 7)", timeout=2)
...     result.ok, result.stdout
(True, '42\\n')

Importing this package needs no Docker engine; backends connect when they are built.
"""

from discolab.sandbox.base import ExecResult, Limits, Sandbox, SandboxConfig
from discolab.sandbox.factory import KINDS, make_sandbox

__all__ = ["KINDS", "ExecResult", "Limits", "Sandbox", "SandboxConfig", "make_sandbox"]
