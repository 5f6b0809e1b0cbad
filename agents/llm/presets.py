"""Model presets: how a model string such as ``ollama:qwen2.5-coder`` reaches an endpoint.

A model string is ``PRESET:MODEL``. The preset gives the base URL, the environment variable
holding the API key, a dummy key for local servers that need none, and known quirks (tool
calling, the name of the max-tokens parameter, usage in streams). Users add or override
presets in config under ``[models.presets.NAME]``; ``--base-url`` overrides the URL.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, fields, replace
from typing import Any
from urllib.parse import urlparse

from discolab.errors import ConfigError
from discolab.registry import suggest


@dataclass(frozen=True)
class Preset:
    """An endpoint family and its quirks.

    Attributes:
        base_url: the OpenAI-compatible base URL, ending in ``/v1``.
        api_key_env: environment variable read for the API key (never stored).
        dummy_key: key sent when the variable is unset (local servers ignore it); empty
            means a real key is required for the default URL.
        supports_tools: whether to try tool calls first (``protocol = "auto"``); a server
            that refuses them falls back to the tagged text protocol anyway.
        max_tokens_param: ``max_tokens`` or ``max_completion_tokens`` (newer OpenAI models).
        stream_usage: whether to ask for usage in streams (``stream_options.include_usage``).
    """

    base_url: str
    api_key_env: str = "OPENAI_API_KEY"
    dummy_key: str = "not-needed"
    supports_tools: bool = True
    max_tokens_param: str = "max_tokens"
    stream_usage: bool = True


BUILTIN_PRESETS: Mapping[str, Preset] = {
    "openai": Preset(
        base_url="https://api.openai.com/v1",
        api_key_env="OPENAI_API_KEY",
        dummy_key="",
        max_tokens_param="max_completion_tokens",
    ),
    "ollama": Preset(base_url="http://localhost:11434/v1", api_key_env="OLLAMA_API_KEY"),
    "vllm": Preset(base_url="http://localhost:8000/v1", api_key_env="VLLM_API_KEY"),
    "llamacpp": Preset(base_url="http://localhost:8080/v1", api_key_env="LLAMACPP_API_KEY"),
    "lmstudio": Preset(base_url="http://localhost:1234/v1", api_key_env="LMSTUDIO_API_KEY"),
}
"""The presets discolab knows without any config."""

PRESET_FIELDS: Mapping[str, type] = {
    f.name: type(getattr(BUILTIN_PRESETS["ollama"], f.name)) for f in fields(Preset)
}
MAX_TOKENS_PARAMS = ("max_tokens", "max_completion_tokens")


@dataclass(frozen=True)
class ModelEndpoint:
    """A resolved model: which server, which model name, which key variable, which quirks."""

    model_string: str
    preset_name: str
    model: str
    preset: Preset

    @property
    def base_url(self) -> str:
        """The base URL requests go to."""
        return self.preset.base_url

    def api_key(self, environ: Mapping[str, str] | None = None) -> str:
        """The API key from the preset's environment variable, else the dummy key.

        Raises ConfigError naming the variable when a real key is required and missing.
        """
        env = os.environ if environ is None else environ
        key = env.get(self.preset.api_key_env, "").strip()
        if key:
            return key
        if self.preset.dummy_key or not _needs_real_key(self.preset.base_url):
            return self.preset.dummy_key or "not-needed"
        raise ConfigError(
            f"model {self.model_string!r} needs an API key: set the environment variable "
            f"{self.preset.api_key_env} (the key is read from the environment, never from config)"
        )


def _needs_real_key(base_url: str) -> bool:
    host = (urlparse(base_url).hostname or "").lower()
    return host.endswith("openai.com")


def merge_presets(overrides: Mapping[str, Mapping[str, Any]]) -> dict[str, Preset]:
    """The builtin presets updated by ``[models.presets.NAME]`` tables (validated)."""
    presets = dict(BUILTIN_PRESETS)
    for name, table in overrides.items():
        where = f"models.presets.{name}"
        for key, value in table.items():
            if key not in PRESET_FIELDS:
                raise ConfigError(
                    f"unknown key {where}.{key}{suggest(key, list(PRESET_FIELDS))}; "
                    f"valid keys: {', '.join(PRESET_FIELDS)}"
                )
            expected = PRESET_FIELDS[key]
            if not isinstance(value, expected):
                raise ConfigError(
                    f"{where}.{key} = {value!r} has type {type(value).__name__}; "
                    f"expected {expected.__name__}"
                )
        if "max_tokens_param" in table and table["max_tokens_param"] not in MAX_TOKENS_PARAMS:
            raise ConfigError(
                f"{where}.max_tokens_param = {table['max_tokens_param']!r} is not one of "
                f"{', '.join(MAX_TOKENS_PARAMS)}"
            )
        if name in presets:
            presets[name] = replace(presets[name], **table)
        elif "base_url" not in table:
            raise ConfigError(f"missing required key {where}.base_url for the new preset {name!r}")
        else:
            presets[name] = Preset(**table)
        check_base_url(presets[name].base_url, f"{where}.base_url")
    return presets


def check_base_url(url: str, where: str) -> None:
    """Raise ConfigError unless ``url`` is an http(s) URL with a host."""
    parsed = urlparse(url)
    if parsed.scheme not in ("http", "https") or not parsed.hostname:
        raise ConfigError(f"{where} = {url!r} is not an http(s) URL like http://localhost:8000/v1")


def is_model_string(name: str) -> bool:
    """Whether a proposer name is a model string (``PRESET:MODEL``)."""
    return ":" in name


def resolve_model(
    model_string: str,
    presets: Mapping[str, Preset] | None = None,
    *,
    base_url: str | None = None,
    where: str = "agent.proposer",
) -> ModelEndpoint:
    """Resolve ``PRESET:MODEL`` against the presets; ``base_url`` overrides the preset's URL."""
    presets = BUILTIN_PRESETS if presets is None else presets
    name, _, model = model_string.partition(":")
    if not model.strip():
        raise ConfigError(f"{where} = {model_string!r} names no model; use PRESET:MODEL")
    if name not in presets:
        raise ConfigError(
            f"{where} = {model_string!r}: unknown model preset {name!r}"
            f"{suggest(name, list(presets))}; known: {', '.join(sorted(presets))} "
            "(add one under [models.presets.NAME])"
        )
    preset = presets[name]
    if base_url:
        check_base_url(base_url, "base_url")
        preset = replace(preset, base_url=base_url)
    return ModelEndpoint(model_string=model_string, preset_name=name, model=model, preset=preset)
