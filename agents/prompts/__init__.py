"""Prompt templates (``*.txt``, :class:`string.Template` syntax), loaded by
:mod:`discolab.agents.llm.prompts`; golden tests pin their rendered form."""
