"""Searches for PCF formulas of constants: enumeration (meet-in-the-middle), ESMA
(Berlekamp–Massey over continued-fraction sequences), conservative matrix fields, and the
unsupervised clustering of found formulas. Every result is checked by
:mod:`discolab.verifiers.constants`.
"""
