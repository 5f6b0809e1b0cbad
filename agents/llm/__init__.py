"""Language models behind discolab's agents: any OpenAI-compatible endpoint.

* :mod:`.presets` — model strings (``openai:gpt-4.1``, ``ollama:qwen2.5-coder``) to endpoints;
* :mod:`.client` — the ``openai`` SDK with timeouts, retries, backoff and a concurrency limit;
* :mod:`.ensemble` — several models mixed by weight;
* :mod:`.accounting` — prices and caps on tokens, cost and calls;
* :mod:`.journal` — stored calls: accounting, transcripts and replay on resume;
* :mod:`.parsing` — tolerant reading of completions (fences, reasoning blocks, tags, JSON);
* :mod:`.prompts` — prompt templates (``agents/prompts/*.txt``).
"""
