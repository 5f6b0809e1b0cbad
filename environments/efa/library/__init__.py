"""The library EFAs: one self-contained module per problem family (see ``format``).

Each module defines ``ID``, ``TITLE``, ``FAMILY``, ``SEED`` (seed problem, worked solution,
answer) and the class ``EFA``; it imports only the standard library and sympy, so its
source runs in the sandbox unchanged.
"""
