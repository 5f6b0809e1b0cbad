"""The counted budget of one search: formula evaluations, with the wall clock as a safety net.

Stopping a stage by the wall clock makes its result depend on machine load: the same seed
gives one formula on an idle machine and another on a busy one. The open-ended stages (the
genetic loop and its constant fits) therefore stop on a *count* of formula evaluations on the
data, which is the same on every machine. The wall-clock deadline stays only as a large
safety net against pathological inputs; when it binds, the stage logs it and the run is no
longer guaranteed to repeat.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass


@dataclass
class Budget:
    """Evaluations left to one search, and its wall-clock safety deadline.

    One object per search, handed to the stages that may spend it (never shared between
    searches, never global).

    Attributes:
        evaluations: most formula evaluations on the data the budgeted stages may spend.
        deadline: a ``time.monotonic()`` instant after which budgeted stages stop early.
        spent: evaluations spent so far.
    """

    evaluations: int
    deadline: float = math.inf
    spent: int = 0

    def charge(self, count: int = 1) -> None:
        """Record ``count`` more evaluations."""
        self.spent += int(count)

    @property
    def exhausted(self) -> bool:
        """Whether the counted budget is used up."""
        return self.spent >= self.evaluations

    @property
    def timed_out(self) -> bool:
        """Whether the wall-clock safety net has been reached."""
        return time.monotonic() > self.deadline

    def stop_reason(self) -> str:
        """Why a budgeted stage must stop now (``""`` when it may go on)."""
        if self.exhausted:
            return f"evaluation budget of {self.evaluations} spent"
        if self.timed_out:
            return "wall-clock safety limit reached (the result may depend on machine load)"
        return ""
