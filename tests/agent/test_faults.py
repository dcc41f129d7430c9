"""Failures are spoken apologies, never tracebacks, and leave no half-turn behind.

Setup failures use a closed port; faults during a turn use the FAKE fault-injection server.
"""

import asyncio
import time
from collections.abc import Callable
from typing import Any

import pytest
from homeassistant.config_entries import ConfigEntryState
from homeassistant.core import HomeAssistant

from custom_components.heisenberg import answer_stream
from custom_components.heisenberg.const import BUSY_HOLD_AFTER_SECONDS, HOLD_AFTER_SECONDS
from launcher.process import free_port

from .conftest import EntryFactory, converse, converse_streaming, speech
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


def timed_deltas() -> tuple[list[tuple[float, str]], Callable[[object, dict[str, Any]], None]]:
    """A chat-log listener, and what it hears: (seconds since now, text) of each delta."""
    started = time.monotonic()
    deltas: list[tuple[float, str]] = []

    def listen(_chat_log: object, delta: dict[str, Any]) -> None:
        if content := delta.get("content"):
            deltas.append((time.monotonic() - started, str(content)))

    return deltas, listen


async def test_a_slow_server_gets_a_holding_phrase_then_its_answer(
    hass: HomeAssistant,
    setup_entry: EntryFactory,
    fault_server: FaultServer,
    monkeypatch: pytest.MonkeyPatch,
    prompt_spy: PromptSpy,
) -> None:
    monkeypatch.setattr(answer_stream, "HOLD_AFTER_SECONDS", HOLD_AFTER_SECONDS)
    await setup_entry(fault_server.url, timeout=20)
    fault_server.fault, fault_server.first_token_delay = Fault.SLOW_FIRST_TOKEN, 4.5
    deltas, listen = timed_deltas()
    result = await converse_streaming(hass, "Anyone there?", listen)
    said = speech(result)
    assert said.startswith("One moment, please") and said.endswith("Hello there."), said
    # Streamed: the holding phrase at about HOLD_AFTER_SECONDS, long before the answer, and
    # long enough that HA starts speaking it at once (it streams from 60 characters on).
    assert 2.5 < deltas[0][0] < 4.0 and len(deltas[0][1]) > 60, deltas
    assert deltas[-1][0] > 4.5
    # The next turn's history has the model's answer, not the holding phrase (a model shown
    # "One moment" as its own earlier answer would start saying it).
    fault_server.fault = Fault.NONE
    await converse(hass, "And now?", result.conversation_id)
    assert "Assistant: Hello there.\n" in prompt_spy.prompts[-1]
    assert "One moment" not in prompt_spy.prompts[-1]


async def test_a_question_behind_other_answers_hears_why_at_once_then_its_answer(
    hass: HomeAssistant,
    setup_entry: EntryFactory,
    fault_server: FaultServer,
    monkeypatch: pytest.MonkeyPatch,
    prompt_spy: PromptSpy,
) -> None:
    """Several satellites at once: with every slot of the server (1 here, as its /props
    says) writing another of our answers, a new question says so within a second instead of
    waiting the 3 s of a slow server; a question with a slot free says nothing of the kind."""
    monkeypatch.setattr(answer_stream, "HOLD_AFTER_SECONDS", HOLD_AFTER_SECONDS)
    monkeypatch.setattr(answer_stream, "BUSY_HOLD_AFTER_SECONDS", BUSY_HOLD_AFTER_SECONDS)
    await setup_entry(fault_server.url, timeout=20)
    fault_server.fault, fault_server.first_token_delay = Fault.SLOW_FIRST_TOKEN, 2.5
    deltas, listen = timed_deltas()
    first = asyncio.ensure_future(converse(hass, "First question"))
    await asyncio.sleep(0.2)
    second = await converse_streaming(hass, "Second question", listen)
    assert speech(second) == (
        "One moment, please: the language model is finishing another answer first. Hello there."
    )
    assert BUSY_HOLD_AFTER_SECONDS < deltas[0][0] < BUSY_HOLD_AFTER_SECONDS + 0.7, deltas
    assert len(deltas[0][1]) > 60  # HA streams it to the satellite at once
    # The first question had a slot: its answer came (at 2.5 s) before any holding phrase.
    assert speech(await first) == "Hello there."
    fault_server.fault = Fault.NONE
    await converse(hass, "And now?", second.conversation_id)
    assert "Assistant: Hello there.\n" in prompt_spy.prompts[-1]
    assert "One moment" not in prompt_spy.prompts[-1]


async def test_a_hung_server_gets_the_holding_phrase_then_the_apology_at_the_timeout(
    hass: HomeAssistant,
    setup_entry: EntryFactory,
    fault_server: FaultServer,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(answer_stream, "HOLD_AFTER_SECONDS", HOLD_AFTER_SECONDS)
    await setup_entry(fault_server.url, timeout=6)
    fault_server.fault = Fault.STALL_BEFORE_FIRST_TOKEN
    started = time.monotonic()
    result = await converse(hass, "Tu es là ?", language="fr")
    assert 5.5 < time.monotonic() - started < 10
    assert speech(result) == (
        "Un instant, s'il vous plaît : le modèle de langage met un peu plus de temps à "
        "répondre. … Désolé, le modèle de langage a mis trop de temps à répondre."
    )


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
