"""Failures are spoken apologies, never tracebacks, and leave no half-turn behind.

Setup failures use a closed port; faults during a turn use the FAKE fault-injection server.
"""

import asyncio
import time

import pytest
from homeassistant.config_entries import ConfigEntryState
from homeassistant.core import HomeAssistant

from launcher.process import free_port

from .conftest import EntryFactory, converse, speech
from .fault_server import Fault, FaultServer
from .spy import PromptSpy


async def test_server_down_at_setup_is_retried(
    hass: HomeAssistant, setup_entry: EntryFactory
) -> None:
    entry = await setup_entry(f"http://127.0.0.1:{free_port()}", expect_loaded=False)
    assert entry.state is ConfigEntryState.SETUP_RETRY
    assert "Nothing answers at" in (entry.reason or "")


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("en", "Sorry, I can't reach the language model right now."),
        ("fr", "Désolé, je n'arrive pas à joindre le modèle de langage pour le moment."),
    ],
)
async def test_server_down_during_a_turn(
    hass: HomeAssistant,
    setup_entry: EntryFactory,
    fault_server: FaultServer,
    language: str,
    expected: str,
) -> None:
    await setup_entry(fault_server.url)
    await hass.async_block_till_done(wait_background_tasks=True)
    await fault_server.stop()
    result = await converse(hass, "Hello?", language=language)
    assert result.response.response_type.value == "error"
    assert speech(result) == expected


async def test_http_500_is_an_apology_and_the_turn_is_forgotten(
    hass: HomeAssistant, setup_entry: EntryFactory, fault_server: FaultServer, prompt_spy: PromptSpy
) -> None:
    await setup_entry(fault_server.url)
    first = await converse(hass, "First question")
    assert speech(first) == "Hello there."
    fault_server.fault = Fault.HTTP_500
    failed = await converse(hass, "Second question", first.conversation_id)
    assert speech(failed) == "Sorry, the language model ran into a problem."
    assert failed.response.response_type.value == "error"
    fault_server.fault = Fault.NONE
    await converse(hass, "Third question", first.conversation_id)
    third_prompt = prompt_spy.prompts[-1]
    assert "User: First question\nAssistant: Hello there.\n" in third_prompt
    assert "Second question" not in third_prompt


async def test_stall_before_the_first_token_times_out(
    hass: HomeAssistant, setup_entry: EntryFactory, fault_server: FaultServer
) -> None:
    await setup_entry(fault_server.url, timeout=1)
    fault_server.fault = Fault.STALL_BEFORE_FIRST_TOKEN
    started = time.monotonic()
    result = await converse(hass, "Anyone there?", language="fr")
    assert time.monotonic() - started < 10
    assert speech(result) == "Désolé, le modèle de langage a mis trop de temps à répondre."


@pytest.mark.parametrize("fault", [Fault.STALL_MID_ANSWER, Fault.BROKEN_SSE, Fault.TRUNCATED])
async def test_broken_answer_ends_with_an_apology_and_is_not_remembered(
    hass: HomeAssistant,
    setup_entry: EntryFactory,
    fault_server: FaultServer,
    prompt_spy: PromptSpy,
    fault: Fault,
) -> None:
    await setup_entry(fault_server.url, timeout=1)
    fault_server.fault = fault
    broken = await converse(hass, "Tell me something")
    said = speech(broken)
    # What was already spoken stays consistent: the partial answer, then the apology.
    assert said.startswith("Hello there …")
    assert said.endswith(("took too long to answer.", "ran into a problem."))
    fault_server.fault = Fault.NONE
    await converse(hass, "Next", broken.conversation_id)
    assert "Tell me something" not in prompt_spy.prompts[-1]


async def test_cancelling_a_turn_closes_the_request(
    hass: HomeAssistant, setup_entry: EntryFactory, fault_server: FaultServer
) -> None:
    await setup_entry(fault_server.url)
    fault_server.fault = Fault.ENDLESS
    task = asyncio.create_task(converse(hass, "Talk forever"))
    await asyncio.sleep(0.5)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    await asyncio.wait_for(fault_server.client_disconnected.wait(), 5)
