"""The holding phrase is for listeners: said in a turn that will be spoken, never in a typed one.

Real Home Assistant Assist pipelines run through HA's websocket API as its clients run them: a
satellite's answer ends with text-to-speech (our real Wyoming TTS server, HA's `wyoming`
integration set up through its flow), text typed in the Assist dialog runs from the intent stage
to the intent stage, and `conversation/process` runs no pipeline. The slow or busy llama-server
is the FAKE fault server: a real one cannot be made slow on demand.
"""

import asyncio
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from typing import Any

import pytest
import pytest_socket
from homeassistant.config_entries import SOURCE_USER
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType
from homeassistant.setup import async_setup_component
from pytest_homeassistant_custom_component.typing import WebSocketGenerator

from custom_components.heisenberg import answer_stream
from custom_components.heisenberg.const import BUSY_HOLD_AFTER_SECONDS, HOLD_AFTER_SECONDS
from harness.assist_pipeline import add_pipeline
from harness.servers import ServerProcess, ours, running
from launcher.process import cache_dir

from .conftest import EntryFactory, converse, speech
from .fault_server import Fault, FaultServer
from .spy import PromptSpy

HOLDING_EN = "One moment, please: the language model is taking a little longer to answer."
HOLDING_FR = (
    "Un instant, s'il vous plaît : le modèle de langage met un peu plus de temps à répondre."
)


@pytest.fixture(scope="module")
def tts_server() -> Iterator[ServerProcess]:
    """Our real TTS server alone (Piper, Pico for French)."""
    pytest_socket.enable_socket()
    with running(ours("test-agent-tts", "wyoming_servers.tts"), cache_dir()) as server:
        yield server


@pytest.fixture(autouse=True)
def real_holding_delays(monkeypatch: pytest.MonkeyPatch) -> None:
    """The agent's own delays (the suite's conftest pushes them out of the way)."""
    monkeypatch.setattr(answer_stream, "HOLD_AFTER_SECONDS", HOLD_AFTER_SECONDS)
    monkeypatch.setattr(answer_stream, "BUSY_HOLD_AFTER_SECONDS", BUSY_HOLD_AFTER_SECONDS)


type VoiceFactory = Callable[..., Awaitable[tuple[Any, str]]]


@pytest.fixture
def voice(
    hass: HomeAssistant, hass_ws_client: WebSocketGenerator, tts_server: ServerProcess
) -> VoiceFactory:
    """Makes the pipeline (once the agent is set up); a websocket client and its id."""

    async def make(language: str = "en") -> tuple[Any, str]:
        pipeline_id = await _pipeline(hass, tts_server.port, language)
        return await hass_ws_client(hass), pipeline_id

    return make


async def _pipeline(hass: HomeAssistant, tts_port: int, language: str = "en") -> str:
    """HA's wyoming integration for the TTS server, and a pipeline: the agent, then that TTS
    (no STT: the tests send text, as the Assist dialog does)."""
    assert await async_setup_component(hass, "assist_pipeline", {})
    flow = await hass.config_entries.flow.async_init("wyoming", context={"source": SOURCE_USER})
    result = await hass.config_entries.flow.async_configure(
        flow["flow_id"], {"host": "127.0.0.1", "port": tts_port}
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY, result
    await hass.async_block_till_done()
    return await add_pipeline(hass, language)


async def _run(
    client: Any, pipeline_id: str, text: str, *, end_stage: str, conversation_id: str | None
) -> AsyncIterator[tuple[float, dict[str, Any]]]:
    """One `assist_pipeline/run` from the intent stage, as HA's frontend sends it; yields
    (seconds since the request, event) until the run ends."""
    started = time.monotonic()
    await client.send_json_auto_id(
        {
            "type": "assist_pipeline/run",
            "start_stage": "intent",
            "end_stage": end_stage,
            "input": {"text": text},
            "pipeline": pipeline_id,
            "conversation_id": conversation_id,
        }
    )
    reply = await client.receive_json()
    assert reply["success"], reply
    while True:
        message = await client.receive_json(timeout=30)
        event = message["event"]
        yield time.monotonic() - started, event
        if event["type"] in ("run-end", "error"):
            return


async def _ask(
    client: Any,
    pipeline_id: str,
    text: str,
    *,
    end_stage: str,
    conversation_id: str | None = None,
) -> tuple[list[tuple[float, str]], str]:
    """(seconds, text) of each streamed piece of the answer, and the answer."""
    pieces: list[tuple[float, str]] = []
    answer = ""
    run = _run(client, pipeline_id, text, end_stage=end_stage, conversation_id=conversation_id)
    async for at, event in run:
        data = event.get("data") or {}
        if content := (data.get("chat_log_delta") or {}).get("content"):
            pieces.append((at, content))
        if event["type"] == "intent-end":
            answer = data["intent_output"]["response"]["speech"]["plain"]["speech"]
        assert event["type"] != "error", event
    return pieces, answer


async def test_a_slow_answer_is_held_when_spoken_and_never_when_typed(
    hass: HomeAssistant,
    setup_entry: EntryFactory,
    fault_server: FaultServer,
    voice: VoiceFactory,
    prompt_spy: PromptSpy,
) -> None:
    await setup_entry(fault_server.url, timeout=20)
    client, pipeline_id = await voice()
    fault_server.fault, fault_server.first_token_delay = Fault.SLOW_FIRST_TOKEN, 4.5

    # A satellite (the run ends with speech): the phrase at 3 s, long before the answer, and
    # long enough (over HA's 60 characters) that HA starts speaking it at once.
    pieces, answer = await _ask(
        client, pipeline_id, "Anyone there?", end_stage="tts", conversation_id="held-1"
    )
    assert answer == f"{HOLDING_EN} Hello there.", answer
    assert 2.5 < pieces[0][0] < 4.0 and pieces[0][1].startswith(HOLDING_EN), pieces
    assert len(pieces[0][1]) > 60 and pieces[-1][0] > 4.5

    # The same question typed in the Assist dialog (intent to intent), and through
    # conversation/process: the answer alone, as late as it comes.
    pieces, answer = await _ask(
        client, pipeline_id, "Anyone there?", end_stage="intent", conversation_id="held-1"
    )
    assert answer == "Hello there." and pieces[0][0] > 4.5, pieces
    # That turn's history had the model's answer, not the phrase: a model shown "One moment"
    # as its own earlier answer would start saying it.
    assert "Assistant: Hello there.\n" in prompt_spy.prompts[-1]
    started = time.monotonic()
    typed = await converse(hass, "Anyone there?", language="fr")
    assert speech(typed) == "Hello there." and time.monotonic() - started > 4.5
    # No prompt ever showed the model the phrase as an earlier answer of its own.
    assert not any("One moment" in prompt for prompt in prompt_spy.prompts)


async def test_a_question_behind_other_answers_hears_why_at_once_when_spoken(
    hass: HomeAssistant,
    setup_entry: EntryFactory,
    fault_server: FaultServer,
    voice: VoiceFactory,
) -> None:
    """Several satellites at once: with every slot of the server (1 here, as its /props
    says) writing another of our answers, a spoken question says so within a second; a typed
    one waits quietly; a question with a slot free says nothing of the kind."""
    await setup_entry(fault_server.url, timeout=20)
    client, pipeline_id = await voice()
    fault_server.fault, fault_server.first_token_delay = Fault.SLOW_FIRST_TOKEN, 2.5

    first = asyncio.ensure_future(converse(hass, "First question"))
    await asyncio.sleep(0.2)
    pieces, answer = await _ask(client, pipeline_id, "Second question", end_stage="tts")
    assert answer == (
        "One moment, please: the language model is finishing another answer first. Hello there."
    )
    assert BUSY_HOLD_AFTER_SECONDS < pieces[0][0] < BUSY_HOLD_AFTER_SECONDS + 0.7, pieces
    assert len(pieces[0][1]) > 60  # HA streams it to the satellite at once
    assert speech(await first) == "Hello there."  # it had a slot: answered before any phrase

    first = asyncio.ensure_future(converse(hass, "First question"))
    await asyncio.sleep(0.2)
    pieces, answer = await _ask(client, pipeline_id, "Second question", end_stage="intent")
    assert answer == "Hello there.", answer
    assert speech(await first) == "Hello there."


async def test_a_hung_server_is_held_then_apologized_for_when_spoken(
    hass: HomeAssistant,
    setup_entry: EntryFactory,
    fault_server: FaultServer,
    voice: VoiceFactory,
) -> None:
    await setup_entry(fault_server.url, timeout=6)
    client, pipeline_id = await voice("fr")
    fault_server.fault = Fault.STALL_BEFORE_FIRST_TOKEN
    started = time.monotonic()
    _, answer = await _ask(client, pipeline_id, "Tu es là ?", end_stage="tts")
    assert 5.5 < time.monotonic() - started < 10
    assert answer == (
        f"{HOLDING_FR} … Désolé, le modèle de langage a mis trop de temps à répondre."
    ), answer
    # Typed: the apology alone.
    typed = await converse(hass, "Tu es là ?", language="fr")
    assert speech(typed) == "Désolé, le modèle de langage a mis trop de temps à répondre."
