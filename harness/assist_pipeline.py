"""Drive a real Home Assistant Assist pipeline like a satellite does (tests and benchmark).

HA's own `wyoming` integration is set up through its config flow against our Wyoming server,
Heisenberg through its flow against a llama-server, and an Assist pipeline uses them.
"""

import asyncio
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

from homeassistant.components import stt, tts
from homeassistant.components.assist_pipeline import (
    PipelineEvent,
    PipelineEventType,
    PipelineStage,
    WakeWordSettings,
    async_pipeline_from_audio_stream,
)
from homeassistant.components.assist_pipeline.pipeline import KEY_ASSIST_PIPELINE
from homeassistant.components.tts.const import DATA_TTS_MANAGER
from homeassistant.config_entries import SOURCE_USER
from homeassistant.const import MATCH_ALL
from homeassistant.core import Context, HomeAssistant
from homeassistant.data_entry_flow import FlowResultType
from homeassistant.setup import async_setup_component
from homeassistant.util import language as language_util

from custom_components.heisenberg.const import CONF_TEMPERATURE

from .audio_clip import RATE, WIDTH, AudioClip

_WAV_HEADER_BYTES = 44


async def add_voice_assistant(
    hass: HomeAssistant,
    wyoming_port: int,
    llama_url: str,
    prefer_local_intents: bool = False,
    language: str = "en",
    *,
    name: str = "Heisenberg",
    deterministic: bool = True,
    persona: str = "default",
) -> str:
    """Set up both integrations through their UI flows and an Assist pipeline in `language`
    named `name` (see `add_pipeline`); the pipeline's id. `deterministic`: the agent answers
    at temperature 0 (tests assert its answers), else with its default settings (benchmarks);
    `persona`: the one picked in the agent's form."""
    assert await async_setup_component(hass, "homeassistant", {})
    assert await async_setup_component(hass, "assist_pipeline", {})
    # No TTS file cache: every answer is synthesized by our server, never read back from disk.
    hass.data[DATA_TTS_MANAGER].use_file_cache = False

    flow = await hass.config_entries.flow.async_init("wyoming", context={"source": SOURCE_USER})
    result = await hass.config_entries.flow.async_configure(
        flow["flow_id"], {"host": "127.0.0.1", "port": wyoming_port}
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY, result

    flow = await hass.config_entries.flow.async_init("heisenberg", context={"source": SOURCE_USER})
    result = await hass.config_entries.flow.async_configure(
        flow["flow_id"], {"url": llama_url, "persona": persona}
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY, result
    if deterministic:
        entry = result["result"]
        subentry = next(iter(entry.subentries.values()))
        # The reload also re-runs the warm-up.
        hass.config_entries.async_update_subentry(
            entry, subentry, data={**subentry.data, CONF_TEMPERATURE: 0.0}
        )
    await hass.async_block_till_done(wait_background_tasks=True)

    return await add_pipeline(hass, language, name, prefer_local_intents=prefer_local_intents)


async def add_pipeline(
    hass: HomeAssistant,
    language: str,
    name: str = "Heisenberg",
    prefer_local_intents: bool = False,
) -> str:
    """An Assist pipeline in `language` with the only agent, STT, TTS and wake word set up, as
    HA's pipeline form makes it: for an agent that speaks every language (ours) the form sets
    the conversation language to "*" and HA takes the STT language; the TTS language is the
    first supported variant of the language, with its first voice. A missing STT or wake word
    service is left out (a pipeline for typed text). `name` is what satellites' pipeline
    selectors show. The pipeline's id."""

    def only(domain: str, exclude: str = "") -> str:
        ids = [e for e in hass.states.async_entity_ids(domain) if e != exclude]
        assert len(ids) == 1, (domain, ids)
        return ids[0]

    def optional(domain: str) -> str | None:
        return only(domain) if hass.states.async_entity_ids(domain) else None

    tts_engine = only("tts")
    tts_entity = hass.data[tts.DATA_COMPONENT].get_entity(tts_engine)
    assert tts_entity is not None
    tts_language = language_util.matches(language, tts_entity.supported_languages)[0]
    voices = tts_entity.async_get_supported_voices(tts_language) or []
    pipeline = await hass.data[KEY_ASSIST_PIPELINE].pipeline_store.async_create_item(
        {
            "name": name,
            "language": language,
            "conversation_engine": only("conversation", "conversation.home_assistant"),
            "conversation_language": MATCH_ALL,
            "stt_engine": optional("stt"),
            "stt_language": language,
            "tts_engine": tts_engine,
            "tts_language": tts_language,
            "tts_voice": voices[0].voice_id if voices else None,
            "wake_word_entity": optional("wake_word"),
            "wake_word_id": None,
            "prefer_local_intents": prefer_local_intents,
        }
    )
    return str(pipeline.id)


async def satellite_audio(utterance: AudioClip, marks: dict[str, float]) -> AsyncIterator[bytes]:
    """Chunks at the pace a microphone produces them; marks when the user stopped speaking."""
    for chunk, speech_over in utterance.pieces(512):
        yield chunk
        if speech_over and "speech_end" not in marks:
            marks["speech_end"] = time.monotonic()
        await asyncio.sleep(len(chunk) / (RATE * WIDTH))


@dataclass
class PipelineRun:
    """What one run produced: its events, the answer audio (WAV) and when things happened.

    `marks` holds the monotonic time of each event type's first occurrence, plus
    `speech_end` (the user stopped speaking), `first_delta` (first answer text) and
    `first_audio` (first byte of answer audio after the WAV header).
    """

    events: list[PipelineEvent] = field(default_factory=list)
    audio: bytes = b""
    marks: dict[str, float] = field(default_factory=dict)


async def _fetch_answer_audio(hass: HomeAssistant, token: str, run: PipelineRun) -> None:
    """Fetch the answer as a satellite does, from the moment its URL is known."""
    stream = tts.async_get_stream(hass, token)
    if stream is None:
        return
    async for chunk in stream.async_stream_result():
        run.audio += chunk
        if len(run.audio) > _WAV_HEADER_BYTES:
            run.marks.setdefault("first_audio", time.monotonic())


async def run_pipeline(
    hass: HomeAssistant,
    pipeline_id: str,
    utterance: AudioClip,
    conversation_id: str | None = None,
    language: str = "en",
    *,
    start_stage: PipelineStage = PipelineStage.WAKE_WORD,
) -> PipelineRun:
    """Run wake word → STT → agent → TTS like a satellite, fetching the answer audio as it does.

    HA gives the answer's audio URL at run start; a long answer (HA streams text of more than
    60 characters, or the agent's holding phrase) is fetched from `tts_start_streaming` on, a
    short one at tts-end. `start_stage=PipelineStage.STT` is a satellite that detects its wake
    word itself (the utterance is then the question alone). `marks` also gets
    `tts_start_streaming` when HA started streaming.
    """
    run = PipelineRun()
    fetches: list[asyncio.Task[None]] = []
    streamed_token: list[str] = []

    def fetch(token: str) -> None:
        if not fetches:
            fetches.append(hass.async_create_task(_fetch_answer_audio(hass, token, run)))

    def on_event(event: PipelineEvent) -> None:
        run.events.append(event)
        now = time.monotonic()
        run.marks.setdefault(event.type.value, now)
        data = event.data or {}
        if data.get("chat_log_delta", {}).get("content"):
            run.marks.setdefault("first_delta", now)
        if event.type is PipelineEventType.RUN_START and "tts_output" in data:
            streamed_token.append(data["tts_output"]["token"])
        if data.get("tts_start_streaming") and streamed_token:
            run.marks.setdefault("tts_start_streaming", now)
            fetch(streamed_token[0])
        if event.type is PipelineEventType.TTS_END:
            fetch(data["tts_output"]["token"])

    await async_pipeline_from_audio_stream(
        hass,
        context=Context(),
        event_callback=on_event,
        stt_metadata=stt.SpeechMetadata(
            language=language,
            format=stt.AudioFormats.WAV,
            codec=stt.AudioCodecs.PCM,
            bit_rate=stt.AudioBitRates.BITRATE_16,
            sample_rate=stt.AudioSampleRates.SAMPLERATE_16000,
            channel=stt.AudioChannels.CHANNEL_MONO,
        ),
        stt_stream=satellite_audio(utterance, run.marks),
        pipeline_id=pipeline_id,
        conversation_id=conversation_id,
        tts_audio_output="wav",
        wake_word_settings=WakeWordSettings(timeout=30),
        start_stage=start_stage,
        end_stage=PipelineStage.TTS,
    )
    await asyncio.gather(*fetches)
    return run


def of_type(events: list[PipelineEvent], kind: PipelineEventType) -> list[dict[str, Any]]:
    """The data of every event of one type."""
    return [e.data or {} for e in events if e.type is kind]


def answer_of(events: list[PipelineEvent]) -> tuple[str, str]:
    """(spoken answer, conversation id) from the intent-end event."""
    output = of_type(events, PipelineEventType.INTENT_END)[0]["intent_output"]
    return output["response"]["speech"]["plain"]["speech"], output["conversation_id"]


def assert_stage_order(events: list[PipelineEvent]) -> None:
    """Every stage ran, in order, with no error event."""
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
