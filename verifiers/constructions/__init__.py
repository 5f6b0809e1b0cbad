"""Strict verifiers of construction problems: pure functions over the data a program wrote.

``reading`` turns the bytes of ``construction.json`` into JSON data (refusing NaN, infinity,
oversized or non-UTF-8 input) and checks values and shapes; one module per problem family
(``packing``, ``autocorrelation``, ``erdos``, ``heilbronn``, ``distances``, ``kissing``)
recomputes the objective in the publisher's algebraic form with zero tolerance. Every check
raises :class:`~discolab.verifiers.constructions.reading.InvalidConstruction` naming the bad
entry; the problems in :mod:`discolab.environments.programs` turn that into a verdict.
"""
