"""A spoken question answered end to end in a real Home Assistant.

Everything is real: HA's own `wyoming` integration, set up through its config flow against our
all-in-one Wyoming server over TCP; the Heisenberg agent, set up through its flow against a real
llama-server with the default model; an Assist pipeline using them; audio fed the way a
satellite streams it (16 kHz mono PCM chunks, paced in real time).
"""

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import pytest
from homeassistant.components import stt, tts
from homeassistant.components.assist_pipeline import (
    PipelineEvent,
    PipelineEventType,
    PipelineStage,
    WakeWordSettings,
    async_pipeline_from_audio_stream,
)
from homeassistant.components.assist_pipeline.pipeline import KEY_ASSIST_PIPELINE
from homeassistant.config_entries import SOURCE_USER
from homeassistant.core import Context, HomeAssistant
from homeassistant.data_entry_flow import FlowResultType
from homeassistant.setup import async_setup_component

from custom_components.heisenberg.const import CONF_TEMPERATURE
from launcher.llama_server import (
    LlamaServerProcess,
    cache_dir,
    default_model_path,
    find_llama_server,
    free_port,
)
from launcher.wyoming_server import WyomingServerProcess

from ..agent.spy import PromptSpy, install_prompt_spy
from ..wyoming.helpers import word_error_rate
from .conftest import RATE, WIDTH, Utterance, spoken_request, wav_duration

QUESTION = "What is the capital of France?"
FOLLOW_UP = "And what is the capital of Germany?"


async def add_voice_assistant(
    hass: HomeAssistant, voice_server: WyomingServerProcess, llama_url: str
) -> str:
    """Set up both integrations through their UI flows and an Assist pipeline; its id."""
    assert await async_setup_component(hass, "homeassistant", {})
    assert await async_setup_component(hass, "assist_pipeline", {})

    flow = await hass.config_entries.flow.async_init("wyoming", context={"source": SOURCE_USER})
    result = await hass.config_entries.flow.async_configure(
        flow["flow_id"], {"host": "127.0.0.1", "port": voice_server.port}
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY, result

    flow = await hass.config_entries.flow.async_init("heisenberg", context={"source": SOURCE_USER})
    result = await hass.config_entries.flow.async_configure(
        flow["flow_id"], {"url": llama_url, "persona": "default"}
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY, result
    entry = result["result"]
    subentry = next(iter(entry.subentries.values()))
    # Deterministic answers for assertions (the reload also re-runs the warm-up).
    hass.config_entries.async_update_subentry(
        entry, subentry, data={**subentry.data, CONF_TEMPERATURE: 0.0}
    )
    await hass.async_block_till_done(wait_background_tasks=True)

    def only(domain: str, exclude: str = "") -> str:
        ids = [e for e in hass.states.async_entity_ids(domain) if e != exclude]
        assert len(ids) == 1, (domain, ids)
        return ids[0]

    pipeline = await hass.data[KEY_ASSIST_PIPELINE].pipeline_store.async_create_item(
        {
            "name": "Heisenberg",
            "language": "en",
            "conversation_engine": only("conversation", "conversation.home_assistant"),
            "conversation_language": "en",
            "stt_engine": only("stt"),
            "stt_language": "en",
            "tts_engine": only("tts"),
            "tts_language": "en_US",
            "tts_voice": None,
            "wake_word_entity": only("wake_word"),
            "wake_word_id": None,
        }
    )
    return str(pipeline.id)


async def satellite_audio(utterance: Utterance) -> AsyncIterator[bytes]:
    """Chunks at the pace a microphone produces them."""
    for chunk in utterance.chunks():
        yield chunk
        await asyncio.sleep(len(chunk) / (RATE * WIDTH))


async def run_pipeline(
    hass: HomeAssistant, pipeline_id: str, utterance: Utterance, conversation_id: str | None = None
) -> list[PipelineEvent]:
    events: list[PipelineEvent] = []
    await async_pipeline_from_audio_stream(
        hass,
        context=Context(),
        event_callback=events.append,
        stt_metadata=stt.SpeechMetadata(
            language="en",
            format=stt.AudioFormats.WAV,
            codec=stt.AudioCodecs.PCM,
            bit_rate=stt.AudioBitRates.BITRATE_16,
            sample_rate=stt.AudioSampleRates.SAMPLERATE_16000,
            channel=stt.AudioChannels.CHANNEL_MONO,
        ),
        stt_stream=satellite_audio(utterance),
        pipeline_id=pipeline_id,
        conversation_id=conversation_id,
        tts_audio_output="wav",
        wake_word_settings=WakeWordSettings(timeout=30),
        start_stage=PipelineStage.WAKE_WORD,
        end_stage=PipelineStage.TTS,
    )
    return events


def of_type(events: list[PipelineEvent], kind: PipelineEventType) -> list[dict[str, Any]]:
    return [e.data or {} for e in events if e.type is kind]


def answer_of(events: list[PipelineEvent]) -> tuple[str, str]:
    """(spoken answer, conversation id) from the intent-end event."""
    output = of_type(events, PipelineEventType.INTENT_END)[0]["intent_output"]
    return output["response"]["speech"]["plain"]["speech"], output["conversation_id"]


async def answer_audio(hass: HomeAssistant, events: list[PipelineEvent]) -> bytes:
    token = of_type(events, PipelineEventType.TTS_END)[0]["tts_output"]["token"]
    stream = tts.async_get_stream(hass, token)
    assert stream is not None
    return b"".join([chunk async for chunk in stream.async_stream_result()])


def assert_stage_order(events: list[PipelineEvent]) -> None:
    kinds = [e.type for e in events if e.type is not PipelineEventType.INTENT_PROGRESS]
    assert PipelineEventType.ERROR not in kinds, of_type(events, PipelineEventType.ERROR)
    expected = [
        PipelineEventType.RUN_START,
        PipelineEventType.WAKE_WORD_START,
        PipelineEventType.WAKE_WORD_END,
        PipelineEventType.STT_START,
        PipelineEventType.STT_END,
        PipelineEventType.INTENT_START,
        PipelineEventType.INTENT_END,
        PipelineEventType.TTS_START,
        PipelineEventType.TTS_END,
        PipelineEventType.RUN_END,
    ]
    assert [k for k in kinds if k in expected] == expected


@pytest.fixture
def prompt_spy(monkeypatch: pytest.MonkeyPatch) -> PromptSpy:
    return install_prompt_spy(monkeypatch)


async def test_spoken_question_is_answered_aloud_and_remembered(
    hass: HomeAssistant, voice_server: WyomingServerProcess, llama_url: str, prompt_spy: PromptSpy
) -> None:
    pipeline_id = await add_voice_assistant(hass, voice_server, llama_url)
    request = await spoken_request(voice_server, QUESTION)

    events = await run_pipeline(hass, pipeline_id, request)
    assert_stage_order(events)
    wake = of_type(events, PipelineEventType.WAKE_WORD_END)[0]["wake_word_output"]
    assert "jarvis" in wake["wake_word_id"]
    heard = of_type(events, PipelineEventType.STT_END)[0]["stt_output"]["text"]
    assert word_error_rate(QUESTION, heard) <= 0.2, heard
    deltas = [
        d["chat_log_delta"]["content"]
        for d in of_type(events, PipelineEventType.INTENT_PROGRESS)
        if d.get("chat_log_delta", {}).get("content")
    ]
    answer, conversation_id = answer_of(events)
    assert len(deltas) >= 2 and "".join(deltas).strip() == answer  # streamed, piece by piece
    assert "Paris" in answer
    seconds, peak = wav_duration(await answer_audio(hass, events))
    # Piper speaks ~12-20 characters a second; the answer is short but not a blip.
    assert 0.05 * len(answer) < seconds < 0.3 * len(answer) + 1, (seconds, answer)
    assert peak > 1000  # not silence

    follow_up = await spoken_request(voice_server, FOLLOW_UP)
    events = await run_pipeline(hass, pipeline_id, follow_up, conversation_id)
    assert_stage_order(events)
    second_answer, same_conversation = answer_of(events)
    assert same_conversation == conversation_id and second_answer
    # The second turn's prompt carries the first turn: question as heard, and the answer.
    assert f"User: {heard}\nAssistant: {answer}\n" in prompt_spy.prompts[-1]


async def test_llama_server_stopped_mid_conversation(
    hass: HomeAssistant, voice_server: WyomingServerProcess
) -> None:
    llama = LlamaServerProcess(
        model=default_model_path(),
        binary=find_llama_server(),
        port=free_port(),
        log_path=cache_dir() / "test-e2e-llama.log",
    ).start()
    try:
        pipeline_id = await add_voice_assistant(hass, voice_server, llama.url)
        llama.stop()
        events = await run_pipeline(hass, pipeline_id, await spoken_request(voice_server, QUESTION))
    finally:
        llama.stop()
    assert_stage_order(events)  # the pipeline finishes, no error event
    answer, _ = answer_of(events)
    assert answer == "Sorry, I can't reach the language model right now."
    seconds, peak = wav_duration(await answer_audio(hass, events))
    assert seconds > 1.5 and peak > 1000  # the apology is spoken
