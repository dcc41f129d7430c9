"""A long conversation keeps llama-server's cache: each turn evaluates only what is new, and
the next turn's opening is evaluated while the answer is heard.

A real llama-server and the agent in HA's harness. Once the history window is full, sliding it
one exchange at a time would change the prompt right after the cached instructions on every
turn, and llama-server would evaluate the whole history again each time; the window jumps
instead (history.window_start), so a turn's prompt extends the previous one.
"""

import uuid

import pytest
from homeassistant.core import HomeAssistant

from custom_components.heisenberg import conversation
from custom_components.heisenberg.runtime import HeisenbergConfigEntry

from .conftest import EntryFactory, converse, speech
from .spy import PromptSpy, install_prompt_spy

TURNS = 16


async def test_turns_after_the_window_fills_evaluate_only_their_question(
    hass: HomeAssistant,
    setup_entry: EntryFactory,
    llama_url: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Not a test of speed: a busy test machine must not turn a slow token into an apology.
    monkeypatch.setattr(conversation, "MID_ANSWER_STALL_SECONDS", 60.0)
    unique = f"You are the voice assistant of house {uuid.uuid4().hex}. Answer in a few words."
    entry = await setup_entry(
        llama_url, persona="custom", custom_prompt=unique, max_tokens=8, temperature=0.0
    )
    await hass.async_block_till_done(wait_background_tasks=True)
    figures = entry.runtime_data.figures_for(next(iter(entry.subentries)))
    conversation_id = None
    evaluated: list[int] = []
    cached: list[int] = []
    for number in range(1, TURNS + 1):
        result = await converse(hass, f"Say the word number {number} of a poem.", conversation_id)
        assert result.response.response_type.value != "error", (number, speech(result))
        conversation_id = result.conversation_id
        answer = figures.last_answer
        assert answer is not None
        evaluated.append(answer["prompt_tokens"])
        cached.append(answer["cached_tokens"])

    # 5 exchanges remembered (the default): the window is full from turn 6 on; it jumps at
    # turns 7, 11 and 15 (keeping the newest exchange and one before it).
    jumps = {7, 11, 15}
    steady = [n for n in range(2, TURNS + 1) if n not in jumps]
    for number in steady:
        # The question, the end of the previous answer and the format's markers: no history.
        assert evaluated[number - 1] < 40, (number, evaluated)
        assert cached[number - 1] > cached[number - 2], (number, cached)
    # A jump evaluates the two exchanges it keeps again, not the whole window.
    for number in jumps:
        assert evaluated[number - 1] < 90, (number, evaluated)
    # Past the window, the steady turns cost what the turns before it cost.
    late = [evaluated[n - 1] for n in steady if n > 7]
    early = [evaluated[n - 1] for n in steady if n <= 6]
    assert max(late) <= max(early) + 6, (early, late)


FOLLOW_UPS = ("What is seven times eight?", "Add ten to that.", "And minus three?")


async def _evaluated_and_following(
    hass: HomeAssistant, entry: HeisenbergConfigEntry, spy: PromptSpy
) -> list[tuple[int, int]]:
    """Each follow-up turn of a new conversation: the prompt tokens it evaluated, and how many
    tokens its question and the assistant's opening make."""
    figures = entry.runtime_data.figures_for(next(iter(entry.subentries)))
    conversation_id, seen = None, []
    for number, question in enumerate(FOLLOW_UPS):
        result = await converse(hass, question, conversation_id)
        assert result.response.response_type.value != "error", speech(result)
        conversation_id = result.conversation_id
        await hass.async_block_till_done(wait_background_tasks=True)  # as a person listens
        if number:
            prompt = spy.prompts[-1]
            following = prompt[prompt.rindex(question) :]
            tokens = await entry.runtime_data.client.tokenize(following)
            assert figures.last_answer is not None
            seen.append((figures.last_answer["prompt_tokens"], len(tokens)))
    return seen


async def test_the_next_turns_opening_is_evaluated_while_the_answer_is_heard(
    hass: HomeAssistant,
    setup_entry: EntryFactory,
    llama_url: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """After each answer the agent evaluates the next turn's opening (the end of the answer's
    message, the user's opening) in the slot holding the conversation: the next question
    evaluates only its own words and the assistant's opening."""
    monkeypatch.setattr(conversation, "MID_ANSWER_STALL_SECONDS", 60.0)
    spy = install_prompt_spy(monkeypatch)
    unique = f"You are the voice assistant of house {uuid.uuid4().hex}. Answer in a few words."
    entry = await setup_entry(
        llama_url, persona="custom", custom_prompt=unique, max_tokens=8, temperature=0.0
    )
    await hass.async_block_till_done(wait_background_tasks=True)
    for evaluated, following in await _evaluated_and_following(hass, entry, spy):
        # One token of slack: where the opening ends, the tokenizer may split differently.
        assert evaluated <= following + 1, (evaluated, following)

    # Without it, each follow-up also evaluates the previous message's end and its own opening.
    monkeypatch.setattr(conversation, "warm_next_turn", lambda *args: None)
    for evaluated, following in await _evaluated_and_following(hass, entry, spy):
        assert evaluated >= following + 3, (evaluated, following)
