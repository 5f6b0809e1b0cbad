"""Polynomial continued fractions (PCFs) for mathematical constants.

``polynomials`` parses untrusted polynomial text safely, ``pcf`` is the candidate type,
``library`` the constants a limit is identified against, and ``environment`` the
``constants/pcf-v1`` task (target constant, degree and coefficient bounds).
"""
