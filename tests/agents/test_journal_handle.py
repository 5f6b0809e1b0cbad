"""The journal handle a proposer gets: four methods, bound to one campaign, nothing behind."""

from __future__ import annotations

import copy
import pickle

import pytest
from reach import walk

from discolab.agents.llm.client import Completion
from discolab.agents.llm.journal import CallJournal, MemoryCallStore, memory_journal
from discolab.agents.proposers.base import ProposalContext
from discolab.agents.proposers.journal_handle import JournalClosed, JournalHandle
from discolab.environments.catalog import make_environment

SPEC = make_environment("newton/gravity-v1").spec


def _completion(text: str = "<final_law>C*m1</final_law>") -> Completion:
    return Completion(text=text, prompt_tokens=10, completion_tokens=5, model="fake:m")


def test_handle_records_looks_up_and_counts_through_its_journal() -> None:
    journal = memory_journal()
    handle = JournalHandle(journal)
    assert handle.lookup("r0-propose") is None
    handle.check_caps()
    call = handle.record(
        "r0-propose", "propose", [{"role": "user", "content": "hi"}], _completion(), {}
    )
    assert handle.lookup("r0-propose") == call == journal.lookup("r0-propose")
    assert handle.usage().calls == 1 and handle.usage().tokens == 15


def test_handle_leads_to_no_journal_or_store() -> None:
    store = MemoryCallStore()
    journal = CallJournal(store, "secret-campaign-id")
    handle = JournalHandle(journal)
    reached = [r.value for r in walk(handle)]
    assert not any(v is journal or v is store for v in reached)
    assert not any(isinstance(v, str) and "secret-campaign-id" in v for v in reached)


def test_handle_cannot_be_repointed_pickled_or_used_after_release() -> None:
    handle = JournalHandle(memory_journal())
    with pytest.raises(AttributeError):
        handle._token = 1  # type: ignore[misc]
    with pytest.raises(TypeError):
        pickle.dumps(handle)
    assert copy.copy(handle) is handle and copy.deepcopy(handle) is handle
    handle.release()
    with pytest.raises(JournalClosed):
        handle.usage()


def test_context_refuses_a_journal_that_is_not_a_handle() -> None:
    with pytest.raises(TypeError, match="JournalHandle"):
        ProposalContext(spec=SPEC, experiments=(), journal=memory_journal())  # type: ignore[arg-type]
    handle = JournalHandle(memory_journal())
    assert ProposalContext(spec=SPEC, experiments=(), journal=handle).journal is handle
