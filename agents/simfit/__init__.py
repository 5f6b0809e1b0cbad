"""Law search through an apparatus' forward simulation (no inversion of its records).

The built-in search reads law samples out of a system task's records through the apparatus'
hand-written inversion (assistance ``inversion``). This package never does: it simulates each
candidate law in the apparatus at the agent's own run controls, compares the simulated series
with the recorded ones and fits the candidate's constants by least squares on the records
(assistance ``simulator``, see :mod:`discolab.assistance`).

* :mod:`.records` — the agent's runs and the record-space objective, with a counted budget.
* :mod:`.forms` — the generic grammar of candidate structures over the law's inputs.
* :mod:`.fit` — fitting one structure (scale scan, least squares, exponent snapping).
* :mod:`.search` — the stages and the budget that order them.
"""

from discolab.agents.simfit.records import BudgetExhausted, RecordSet, SimBudget
from discolab.agents.simfit.search import SimSearchConfig, SimSearchResult, search_by_simulation

__all__ = [
    "BudgetExhausted",
    "RecordSet",
    "SimBudget",
    "SimSearchConfig",
    "SimSearchResult",
    "search_by_simulation",
]
