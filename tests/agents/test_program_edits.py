"""The program-edit seam: diffs and rewrites inside EVOLVE-BLOCKs, validated; prompts golden."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from openai_server import FakeOpenAI, Reply

from discolab.agents.edits import apply_edit, layout
from discolab.agents.llm.client import ChatClient, ClientSettings
from discolab.agents.llm.ensemble import Ensemble, Member
from discolab.agents.llm.journal import memory_journal
from discolab.agents.llm.presets import resolve_model
from discolab.agents.proposers.program import Parent, ProgramEditProposer, edit_messages

GOLDEN = Path(__file__).parent / "golden"

PARENT = '''"""Pack circles."""
import math

# EVOLVE-BLOCK-START
def radii(n):
    return [0.1] * n
# EVOLVE-BLOCK-END


def score(n):
    return sum(radii(n))
'''

DIFF = """<<<<<<< SEARCH
    return [0.1] * n
=======
    return [0.1 + 0.01 * math.sin(i) for i in range(n)]
>>>>>>> REPLACE"""


def test_diff_applies_inside_the_block() -> None:
    result = apply_edit(PARENT, f"<think>try sin</think>Here:\n{DIFF}\nDone.", "diff")
    assert result.ok, result.feedback
    assert "math.sin(i)" in result.program and result.program.endswith(PARENT.split("END\n")[1])
    assert layout(result.program).outside == layout(PARENT).outside


def test_diff_tolerates_trailing_spaces() -> None:
    sloppy = DIFF.replace("    return [0.1] * n\n", "    return [0.1] * n   \n")
    assert apply_edit(PARENT, sloppy, "diff").ok


def test_rewrite_replaces_the_block() -> None:
    reply = "```python\ndef radii(n):\n    return [0.2] * n\n```"
    result = apply_edit(PARENT, reply, "rewrite")
    assert result.ok and "[0.2] * n" in result.program and "def score(n)" in result.program
    with_markers = (
        "```python\n# EVOLVE-BLOCK-START\ndef radii(n):\n    return []\n# EVOLVE-BLOCK-END\n```"
    )
    assert apply_edit(PARENT, with_markers, "rewrite").ok


@pytest.mark.parametrize(
    ("mode", "reply", "needle"),
    [
        ("diff", "I would use a better packing.", "no SEARCH/REPLACE block"),
        ("diff", DIFF.replace("[0.1] * n\n=", "[0.3] * n\n="), "does not match the parent"),
        (
            "diff",
            DIFF.replace("    return [0.1] * n\n=", "    return sum(radii(n))\n="),
            "outside the EVOLVE-BLOCKs",
        ),
        ("diff", DIFF.replace("math.sin(i) for", "math.sin(i for"), "does not parse"),
        (
            "diff",
            DIFF.replace("math.sin(i) for i in range(n)]", "1]\n# EVOLVE-BLOCK-END"),
            "markers are broken",
        ),
        ("rewrite", "```python\ndef radii(n)\n    return []\n```", "does not parse"),
        ("rewrite", "```python\ndef radii(n):\n    return [0.1] * n\n```", "changes nothing"),
        ("rewrite", "", "empty"),
        ("rewrite", "<think>long thought cut off", "empty"),
    ],
)
def test_broken_edits_are_rejected_with_feedback(mode: str, reply: str, needle: str) -> None:
    result = apply_edit(PARENT, reply, mode)  # type: ignore[arg-type]
    assert not result.ok and result.program is None
    assert needle in result.feedback


def test_parent_without_markers_is_refused() -> None:
    result = apply_edit("x = 1\n", DIFF, "diff")
    assert not result.ok and "no EVOLVE-BLOCK" in result.feedback


PARENTS = [
    Parent("cand-a", PARENT, 0.8, "valid packing; total radius 0.8"),
    Parent("cand-b", PARENT.replace("0.1", "0.05"), 0.4, "valid; too small"),
]


@pytest.mark.parametrize("mode", ["diff", "rewrite"])
def test_edit_prompts_match_golden_files(mode: str) -> None:
    messages = edit_messages(PARENTS, "maximise the sum of radii of n circles", mode)  # type: ignore[arg-type]
    text = "\n\n".join(f"[{m['role']}]\n{m['content']}" for m in messages) + "\n"
    path = GOLDEN / f"evolve_{mode}.txt"
    if os.environ.get("UPDATE_GOLDEN"):
        path.write_text(text)
    assert text == path.read_text()


def _proposer(server: FakeOpenAI, mode: str) -> ProgramEditProposer:
    endpoint = resolve_model("vllm:coder", base_url=server.url)
    settings = ClientSettings(read_timeout=1.0, retries=1, backoff_s=0.0, concurrency=3)
    client = ChatClient(endpoint, settings, "EMPTY")
    return ProgramEditProposer(Ensemble([Member(client)]), mode=mode)  # type: ignore[arg-type]


def test_scripted_edits_through_the_model(fake_openai: FakeOpenAI) -> None:
    fake_openai.script(
        Reply(content=DIFF),
        Reply(content="```diff\nno idea\n```"),
        Reply(status=503),  # retried
        Reply(content=f"<think>hmm</think>\n{DIFF}"),
    )
    journal = memory_journal()
    proposals = _proposer(fake_openai, "diff").propose_edits(
        PARENTS, "maximise radii", n=3, journal=journal
    )
    oks = [p.result.ok for p in proposals]
    assert sorted(oks) == [False, True, True]
    failed = next(p for p in proposals if not p.result.ok)
    assert "no SEARCH/REPLACE block" in failed.candidate.metadata["edit_error"]
    good = next(p for p in proposals if p.result.ok)
    assert good.candidate.kind == "program" and good.candidate.parent_ids == ("cand-a",)
    assert good.candidate.prompt_hash == good.call.prompt_hash
    assert journal.usage().calls == 3 and journal.usage().prompt_tokens > 0
    # Replaying with the same journal makes no new request.
    before = len(fake_openai.chat_requests)
    again = _proposer(fake_openai, "diff").propose_edits(
        PARENTS, "maximise radii", n=3, journal=journal
    )
    assert len(fake_openai.chat_requests) == before
    assert [p.result.ok for p in again] == oks


def test_scripted_rewrite_through_the_model(fake_openai: FakeOpenAI) -> None:
    fake_openai.script(Reply(content="```python\ndef radii(n):\n    return [0.25] * n\n```"))
    (proposal,) = _proposer(fake_openai, "rewrite").propose_edits(PARENTS, "maximise radii")
    assert proposal.result.ok and "[0.25] * n" in proposal.candidate.source
