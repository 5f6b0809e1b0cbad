"""Tolerant parsing of model replies, presets and accounting: every bad reply is feedback."""

from __future__ import annotations

import pytest

from discolab.agents.llm.accounting import Limits, Price, cap_reason, cost_of
from discolab.agents.llm.client import Completion, ToolCall
from discolab.agents.llm.parsing import ParseFailure, loads_lenient, split_reasoning
from discolab.agents.llm.presets import merge_presets, resolve_model
from discolab.agents.llm.protocols import parse_laws, parse_points
from discolab.environments.catalog import make_environment
from discolab.errors import ConfigError
from discolab.storage.calls import Usage

SPEC = make_environment("newton/gravity-v1", shift="s2").spec
POINT = '{"m1": 1e23, "m2": 1e21, "r": 1e8}'


def _text(text: str, finish: str = "stop") -> Completion:
    return Completion(text=text, finish_reason=finish)


@pytest.mark.parametrize(
    "reply",
    [
        f"<run_experiment>[{POINT}]</run_experiment>",
        f"<think>let me vary r</think>Sure!\n<run_experiment>\n```json\n[{POINT}]\n```\n"
        "</run_experiment>\nThat should help.",
        f"<run_experiment>[{POINT},]</run_experiment>",  # trailing comma
        f'<run_experiment>{{"points": [{POINT}]}}</run_experiment>',
        f"<run_experiment>{POINT}</run_experiment>",  # a single point
        '<run_experiment>[{"m1": "1e23", "m2": 1e21, "r": 1e8}]</run_experiment>',
    ],
)
def test_experiment_replies_are_read(reply: str) -> None:
    assert parse_points(_text(reply), SPEC) == [{"m1": 1e23, "m2": 1e21, "r": 1e8}]


def test_tool_call_experiments_win_over_text() -> None:
    done = Completion(text="", tool_calls=(ToolCall("run_experiment", f'{{"points": [{POINT}]}}'),))
    assert parse_points(done, SPEC)[0]["r"] == 1e8


@pytest.mark.parametrize(
    ("reply", "finish", "needle"),
    [
        ("I think we should measure more.", "stop", "no experiment found"),
        ("<run_experiment>[{m1: 1e23}]</run_experiment>", "stop", "invalid JSON"),
        ('<run_experiment>[{"m1": 1e23, "m2": 1', "length", "cut off at the token limit"),
        ("<think>I need to think about masses and", "length", "cut off"),
        ('<run_experiment>[{"m1": "heavy"}]</run_experiment>', "stop", "is not a number"),
        ("<run_experiment>[]</run_experiment>", "stop", "non-empty JSON list"),
        ("<run_experiment>[" + ",".join([POINT] * 21) + "]</run_experiment>", "stop", "exceed"),
    ],
)
def test_bad_experiment_replies_become_feedback(reply: str, finish: str, needle: str) -> None:
    with pytest.raises(ParseFailure, match=needle):
        parse_points(_text(reply, finish), SPEC)


@pytest.mark.parametrize(
    ("reply", "laws"),
    [
        ("<final_law>C*m1*m2/r**2</final_law>", ["C*m1*m2/r**2"]),
        (
            "<think>x</think>So F = ...\n<final_law>F = C*(m1 + m2)**2/r**1.5</final_law>",
            ["C*(m1 + m2)**2/r**1.5"],
        ),
        ("<final_law>`C*m1/r`</final_law><final_law>C1*m2/r</final_law>", ["C*m1/r", "C1*m2/r"]),
        ("<final_law>\n```python\nC*m1**2/r\n```\n</final_law>", ["C*m1**2/r"]),
        ("<final_law>C*m1/r", ["C*m1/r"]),  # truncated: take what is there
    ],
)
def test_law_replies_are_read(reply: str, laws: list[str]) -> None:
    assert parse_laws(_text(reply)) == laws


def test_law_tool_calls_and_garbage() -> None:
    done = Completion(text="", tool_calls=(ToolCall("propose_law", '{"formula": "C*m1/r"}'),))
    assert parse_laws(done) == ["C*m1/r"]
    with pytest.raises(ParseFailure, match="no law found"):
        parse_laws(_text("The answer is obvious."))


def test_reasoning_split_and_lenient_json() -> None:
    split = split_reasoning("before<think>a</think>after<reasoning>b</reasoning>")
    assert split.answer == "beforeafter" and split.reasoning == "a\nb"
    assert split_reasoning("dropped open tag</think>answer").answer == "answer"
    assert loads_lenient("Here you go: [1, 2, // two\n 3,] enjoy") == [1, 2, 3]


def test_presets_resolve_and_extend() -> None:
    ollama = resolve_model("ollama:qwen2.5-coder:7b")
    assert ollama.model == "qwen2.5-coder:7b" and ollama.base_url.endswith(":11434/v1")
    assert ollama.api_key({}) == "not-needed"
    assert resolve_model("vllm:x", base_url="http://10.0.0.2:9000/v1").base_url.startswith(
        "http://10"
    )
    with pytest.raises(ConfigError, match="OPENAI_API_KEY"):
        resolve_model("openai:gpt-4.1").api_key({})
    assert resolve_model("openai:gpt-4.1").api_key({"OPENAI_API_KEY": "sk-1"}) == "sk-1"
    local = resolve_model("openai:m", base_url="http://127.0.0.1:1/v1")
    assert local.api_key({}) == "not-needed"  # a local server needs no real key
    presets = merge_presets({"mybox": {"base_url": "http://gpu:8000/v1", "supports_tools": False}})
    assert not resolve_model("mybox:llama", presets).preset.supports_tools
    with pytest.raises(ConfigError, match="did you mean 'ollama'"):
        resolve_model("olama:x")
    with pytest.raises(ConfigError, match=r"models\.presets\.mybox\.base_ur"):
        merge_presets({"mybox": {"base_ur": "x"}})


def test_costs_and_caps() -> None:
    pricing = {"gpt-4.1": Price(input=2.0, output=8.0)}
    assert cost_of("openai:gpt-4.1", 1_000_000, 500_000, pricing) == pytest.approx(6.0)
    assert cost_of("ollama:free", 10**6, 10**6, pricing) == 0.0
    usage = Usage(calls=3, prompt_tokens=10_000, completion_tokens=2_000, cost=0.5)
    assert cap_reason(usage, Limits(max_tokens=10_000)) == "token cap reached (12,000 > 10,000)"
    assert cap_reason(usage, Limits(max_calls=3)) == "call cap reached (3 = 3)"
    assert cap_reason(usage, Limits(max_cost=0.25)).startswith("cost cap reached (0.5000 > ")
    assert cap_reason(usage, Limits(max_tokens=20_000, max_calls=4)) is None
