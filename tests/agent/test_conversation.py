"""The agent against the real llama-server and the real default model, through HA."""

import asyncio
import time
import uuid
from typing import Any

from homeassistant.components import conversation
from homeassistant.core import HomeAssistant

from custom_components.heisenberg.diagnostics import async_get_config_entry_diagnostics
from custom_components.heisenberg.llama_client import LlamaServerClient
from custom_components.heisenberg.prompt_format import PromptFormat
from launcher.llama_server import LlamaServerProcess

from .conftest import EntryFactory, converse, converse_streaming, speech
from .spy import PromptSpy


def user_turn(text: str) -> str:
    """A user message as the ChatML prompt of the instruct models carries it."""
    return f"<|im_start|>user\n{text}<|im_end|>\n"


async def test_auto_format_is_chatml_for_the_instruct_models(
    hass: HomeAssistant, setup_entry: EntryFactory, llama_url: str
) -> None:
    entry = await setup_entry(llama_url)
    assert entry.runtime_data.detected_format is PromptFormat.CHATML


async def test_auto_format_is_plain_for_a_base_model(
    hass: HomeAssistant, setup_entry: EntryFactory, base_llama_server: LlamaServerProcess
) -> None:
    entry = await setup_entry(base_llama_server.url)
    # Gemma 3 has no ChatML or Llama 2 control tokens, although /props shows a template.
    assert entry.runtime_data.detected_format is PromptFormat.PLAIN


async def test_answers_a_question(
    hass: HomeAssistant, setup_entry: EntryFactory, llama_url: str
) -> None:
    await setup_entry(llama_url, temperature=0.0)
    result = await converse(hass, "What is the capital of France?")
    assert result.response.response_type.value == "action_done"
    # The persona's examples make even the 270M base model answer as an assistant.
    assert "Paris" in speech(result)


async def test_two_turns_second_prompt_contains_the_first(
    hass: HomeAssistant, setup_entry: EntryFactory, llama_url: str, prompt_spy: PromptSpy
) -> None:
    await setup_entry(llama_url, max_tokens=40)
    first = await converse(hass, "My name is Ada. What is the capital of Spain?")
    second = await converse(hass, "What is my name?", first.conversation_id)
    assert speech(first) and speech(second)
    assert second.conversation_id == first.conversation_id
    turn_one = (
        user_turn("My name is Ada. What is the capital of Spain?")
        + f"<|im_start|>assistant\n{speech(first)}<|im_end|>\n"
    )
    assert turn_one not in prompt_spy.prompts[0]
    assert turn_one in prompt_spy.prompts[1]
    assert prompt_spy.prompts[1].endswith(user_turn("What is my name?") + "<|im_start|>assistant\n")


async def test_a_second_conversation_never_sees_the_first(
    hass: HomeAssistant, setup_entry: EntryFactory, llama_url: str, prompt_spy: PromptSpy
) -> None:
    await setup_entry(llama_url, max_tokens=20)
    first = await converse(hass, "Remember the word pineapple.")
    other = await converse(hass, "Which word should you remember?")
    assert other.conversation_id != first.conversation_id
    assert "pineapple" not in prompt_spy.prompts[1]


async def test_history_window_keeps_the_last_turns(
    hass: HomeAssistant, setup_entry: EntryFactory, llama_url: str, prompt_spy: PromptSpy
) -> None:
    await setup_entry(llama_url, max_tokens=16, max_history_turns=2)
    questions = ("Name a red fruit.", "Name a green vegetable.", "Name a blue bird.", "Hi.")
    conversation_id = None
    for question in questions:
        result = await converse(hass, question, conversation_id)
        conversation_id = result.conversation_id
    # The third question sees the window full: both earlier turns, in order.
    third = prompt_spy.prompts[2]
    positions = [third.index(user_turn(question)) for question in questions[:3]]
    assert positions == sorted(positions)
    # The fourth would make it three: the window starts again from the newest exchange (so
    # the next turns extend this prompt instead of re-evaluating a slid window).
    last = prompt_spy.prompts[-1]
    assert user_turn("Name a red fruit.") not in last
    assert user_turn("Name a green vegetable.") not in last
    assert last.index(user_turn("Name a blue bird.")) < last.index(user_turn("Hi."))


async def test_a_prompt_in_one_language_shows_only_the_turns_asked_in_it(
    hass: HomeAssistant, setup_entry: EntryFactory, llama_url: str, prompt_spy: PromptSpy
) -> None:
    """One satellite, two languages: the French prompt has its own prefix (and slot), so the
    English turns before it would all be evaluated again after it; it shows none of them, and
    back in English the French turn is left out."""
    await setup_entry(llama_url, max_tokens=12, max_history_turns=5)
    asked = [("Name a red fruit.", "en"), ("Name a blue bird.", "en")]
    asked += [("Nomme un légume vert.", "fr"), ("Name a yellow flower.", "en")]
    conversation_id = None
    for question, language in asked:
        result = await converse(hass, question, conversation_id, language=language)
        conversation_id = result.conversation_id
    french, back_in_english = prompt_spy.prompts[2], prompt_spy.prompts[3]
    assert user_turn("Name a red fruit.") not in french
    assert user_turn("Name a blue bird.") not in french
    assert user_turn("Nomme un légume vert.") not in back_in_english
    positions = [back_in_english.index(user_turn(q)) for q, _ in (asked[0], asked[1], asked[3])]
    assert positions == sorted(positions)


async def test_french_conversation_uses_the_french_persona(
    hass: HomeAssistant, setup_entry: EntryFactory, llama_url: str, prompt_spy: PromptSpy
) -> None:
    await setup_entry(llama_url, max_tokens=30)
    result = await converse(hass, "Quelle est la capitale de l'Espagne ?", language="fr")
    assert speech(result)
    assert "Réponds en français" in prompt_spy.prompts[0]
    assert user_turn("Quelle est la capitale de l'Italie ?") in prompt_spy.prompts[0]


async def test_deltas_stream_before_generation_ends(
    hass: HomeAssistant, setup_entry: EntryFactory, llama_url: str, prompt_spy: PromptSpy
) -> None:
    await setup_entry(llama_url, max_tokens=40, temperature=0.0)
    deltas: list[tuple[float, dict[str, Any]]] = []

    def listener(_chat_log: conversation.ChatLog, delta: dict[str, Any]) -> None:
        deltas.append((time.monotonic(), delta))

    result = await converse_streaming(hass, "Tell me about the history of Rome.", listener)

    content = [(at, d["content"]) for at, d in deltas if d.get("content")]
    assert len(content) >= 5
    assert content[0][0] < prompt_spy.generation_ended[0]
    assert "".join(piece for _, piece in content).strip() == speech(result)


async def test_warm_up_fills_the_cache_for_the_first_question(
    hass: HomeAssistant, setup_entry: EntryFactory, llama_url: str
) -> None:
    # A prompt no earlier test used, so only the warm-up can have cached it.
    unique = f"You are the voice assistant of house {uuid.uuid4().hex}. Answer in one sentence."
    entry = await setup_entry(llama_url, persona="custom", custom_prompt=unique, max_tokens=16)
    await hass.async_block_till_done(wait_background_tasks=True)
    figures = entry.runtime_data.figures_for(next(iter(entry.subentries)))
    assert figures.last_warm_up is not None
    warmed = figures.last_warm_up["prompt_tokens"]
    assert warmed > 40  # the instructions and the examples were evaluated

    await converse(hass, "What is two plus two?")
    assert figures.last_answer is not None
    # Nearly all of the prefix is reused; only the new part of the prompt is evaluated.
    assert figures.last_answer["cached_tokens"] >= 0.9 * warmed
    assert figures.last_answer["prompt_tokens"] < warmed

    diagnostics = await async_get_config_entry_diagnostics(hass, entry)
    agent = next(iter(diagnostics["agents"].values()))
    assert agent["options"]["custom_prompt"] == "**REDACTED**"
    assert unique not in str(diagnostics)
    assert agent["figures"]["last_answer"]["time_to_first_token"] > 0
    assert diagnostics["server"]["n_ctx"] > 0
    assert diagnostics["detected_prompt_format"] == "chatml"


async def test_cancelling_a_turn_stops_generation(
    hass: HomeAssistant, setup_entry: EntryFactory, llama_url: str
) -> None:
    entry = await setup_entry(llama_url, max_tokens=2000, temperature=1.0)
    first_delta = asyncio.Event()

    def listener(_chat_log: conversation.ChatLog, delta: dict[str, Any]) -> None:
        if delta.get("content"):
            first_delta.set()

    task = asyncio.create_task(
        converse_streaming(hass, "Write a very long story about a dragon.", listener)
    )
    await asyncio.wait_for(first_delta.wait(), 30)
    task.cancel()
    client: LlamaServerClient = entry.runtime_data.client
    session = client._session
    deadline = time.monotonic() + 5
    busy = True
    while busy and time.monotonic() < deadline:
        await asyncio.sleep(0.2)
        async with session.get(client.url / "slots") as resp:
            busy = any(slot.get("is_processing") for slot in await resp.json())
    assert not busy, "llama-server kept generating after the turn was cancelled"
