"""A spoken question answered end to end in a real Home Assistant.

Everything is real: HA's own `wyoming` integration, set up through its config flow against our
all-in-one Wyoming server over TCP; the Heisenberg agent, set up through its flow against a real
llama-server with the default model; an Assist pipeline using them; audio fed the way a
satellite streams it (16 kHz mono PCM chunks, paced in real time).
"""

import pytest
from homeassistant.core import HomeAssistant
from homeassistant.setup import async_setup_component
from wyoming.tts import SynthesizeVoice

from harness.assist_pipeline import (
    PipelineEventType,
    add_voice_assistant,
    answer_of,
    assert_stage_order,
    of_type,
    run_pipeline,
)
from harness.fake_home import async_build_home
from harness.scoring import word_error_rate
from harness.servers import ServerProcess
from harness.spoken_requests import spoken_request, wav_clip, wav_duration
from harness.wyoming_client import transcript_text
from launcher.llama_server import LlamaServerProcess, find_llama_server
from launcher.llm_models import resolve_model
from launcher.process import cache_dir, free_port

from ..agent.spy import PromptSpy, install_prompt_spy
from ..conftest import ALL_CORES, FAST_MODEL

QUESTION = "What is the capital of France?"
FOLLOW_UP = "And what is the capital of Germany?"


@pytest.fixture
def prompt_spy(monkeypatch: pytest.MonkeyPatch) -> PromptSpy:
    return install_prompt_spy(monkeypatch)


async def test_spoken_question_is_answered_aloud_and_remembered(
    hass: HomeAssistant,
    voice_server: ServerProcess,
    default_llama_server: LlamaServerProcess,
    prompt_spy: PromptSpy,
) -> None:
    pipeline_id = await add_voice_assistant(hass, voice_server.port, default_llama_server.url)
    request = await spoken_request(voice_server.port, QUESTION)

    run = await run_pipeline(hass, pipeline_id, request)
    events = run.events
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
    # The answer is checked against what Whisper heard: the WER bound above lets one word go
    # (once, in CI, Piper's varying voice said "France" and Whisper heard "friends").
    if "france" in heard.lower():
        assert "Paris" in answer, answer
    seconds, peak = wav_duration(run.audio)
    # Piper speaks ~12-20 characters a second; the answer is short but not a blip.
    assert 0.05 * len(answer) < seconds < 0.3 * len(answer) + 1, (seconds, answer)
    assert peak > 1000  # not silence

    follow_up = await spoken_request(voice_server.port, FOLLOW_UP)
    events = (await run_pipeline(hass, pipeline_id, follow_up, conversation_id)).events
    assert_stage_order(events)
    second_answer, same_conversation = answer_of(events)
    assert same_conversation == conversation_id and second_answer
    # The second turn's prompt carries the first turn: question as heard, and the answer
    # (the default model's format is ChatML).
    turn = f"<|im_start|>user\n{heard}<|im_end|>\n<|im_start|>assistant\n{answer}<|im_end|>\n"
    assert turn in prompt_spy.prompts[-1]


async def test_a_french_question_is_answered_in_french_by_a_french_voice(
    hass: HomeAssistant, voice_server: ServerProcess, default_llama_server: LlamaServerProcess
) -> None:
    """A French pipeline as HA's form makes it: French STT, the French voice HA lists first."""
    pipeline_id = await add_voice_assistant(
        hass, voice_server.port, default_llama_server.url, language="fr"
    )
    question = "Quelle est la capitale de l'Italie ?"
    request = await spoken_request(voice_server.port, question, SynthesizeVoice(name="fr_FR-pico"))
    run = await run_pipeline(hass, pipeline_id, request, language="fr")
    assert_stage_order(run.events)
    heard = of_type(run.events, PipelineEventType.STT_END)[0]["stt_output"]["text"]
    assert word_error_rate(question, heard) <= 0.3, heard
    answer, _ = answer_of(run.events)
    assert "Rome" in answer, answer
    # Heard back in French, the answer audio says the answer: a French voice spoke it (the
    # English voice reads French as nonsense).
    spoken = wav_clip(run.audio)
    assert spoken.seconds > 0.5
    heard_answer = await transcript_text(voice_server.port, spoken, "fr")
    assert word_error_rate(answer, heard_answer) <= 0.35, (answer, heard_answer)


async def test_a_spoken_command_turns_the_light_on_and_says_so(
    hass: HomeAssistant,
    voice_server: ServerProcess,
    default_llama_server: LlamaServerProcess,
) -> None:
    """HA's own matcher is off: the agent alone hears, acts through HA's tools, and answers."""
    assert await async_setup_component(hass, "homeassistant", {})
    home = await async_build_home(hass)  # before the agent, so its warm-up lists the devices
    pipeline_id = await add_voice_assistant(hass, voice_server.port, default_llama_server.url)
    request = await spoken_request(voice_server.port, "Turn on the kitchen light.")

    run = await run_pipeline(hass, pipeline_id, request)
    assert_stage_order(run.events)
    answer, _ = answer_of(run.events)
    await hass.async_block_till_done()
    assert ("light", "turn_on", ("light.kitchen_light",)) in home.on_entities(), answer
    assert hass.states.get("light.kitchen_light").state == "on"  # type: ignore[union-attr]
    assert answer.startswith("I turned on"), answer
    seconds, peak = wav_duration(run.audio)
    assert seconds > 0.5 and peak > 1000  # the confirmation was spoken


async def test_llama_server_stopped_mid_conversation(
    hass: HomeAssistant, voice_server: ServerProcess
) -> None:
    # Never asked anything (stopped before the question): the fast model, on every core, makes
    # the set-up's warm-up short; which model it is changes nothing here.
    llama = LlamaServerProcess(
        model=resolve_model(FAST_MODEL),
        binary=find_llama_server(),
        port=free_port(),
        threads=ALL_CORES,
        log_path=cache_dir() / "test-e2e-llama.log",
    ).start()
    try:
        pipeline_id = await add_voice_assistant(hass, voice_server.port, llama.url)
        llama.stop()
        run = await run_pipeline(
            hass, pipeline_id, await spoken_request(voice_server.port, QUESTION)
        )
    finally:
        llama.stop()
    assert_stage_order(run.events)  # the pipeline finishes, no error event
    answer, _ = answer_of(run.events)
    assert answer == "Sorry, I can't reach the language model right now."
    seconds, peak = wav_duration(run.audio)
    assert seconds > 1.5 and peak > 1000  # the apology is spoken
