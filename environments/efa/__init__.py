"""Executable Functional Abstractions (EFAs): math problem generators.

An EFA turns parameters into a problem and its answer (EFAGen, Khan et al., 2025). The
format is documented in :mod:`discolab.environments.efa.format`; the library EFAs live in
``library/`` (one self-contained module each, runnable in the sandbox as they are), the
registry in :mod:`discolab.environments.efa.catalog`, answers and their checks in
:mod:`discolab.environments.efa.answers`.
"""
