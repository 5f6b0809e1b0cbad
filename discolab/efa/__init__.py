"""The EFA hub: suites of generated problems (solve tasks), infer campaigns (a model writes
an EFA from a seed problem; the property verifier scores it in the sandbox), stored EFAs
and their sampling, and the variation search over difficulty knobs."""
