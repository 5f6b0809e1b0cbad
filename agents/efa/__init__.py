"""Agents for EFA tasks: the built-in solver of generated problems (sympy, no model)."""
