"""Construction problems: programs that write a construction as data, scored strictly.

``base`` holds the contract, ``catalog`` the registry (``make_problem``, ``problem_ids``),
and one module per family (``packing``, ``autocorrelation``, ``erdos``, ``heilbronn``,
``distances``, ``kissing``) the problems with their statements and seed programs; the
verifiers they call live in :mod:`discolab.verifiers.constructions`.
"""
