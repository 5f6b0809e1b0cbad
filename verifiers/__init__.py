"""Verifiers: recompute every number themselves and turn a candidate into an ``Evaluation``.

``expressions`` is the safe formula parser, ``numeric`` fits free parameters and holds the
metrics, ``symbolic`` decides whether a formula is the hidden law, and ``laws`` combines them
into the verifier of law-discovery tasks.
"""
