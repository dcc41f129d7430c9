"""A long conversation keeps llama-server's cache: each turn evaluates only what is new.

A real llama-server and the agent in HA's harness. Once the history window is full, sliding it
one exchange at a time would change the prompt right after the cached instructions on every
turn, and llama-server would evaluate the whole history again each time; the window jumps
instead (history.window_start), so a turn's prompt extends the previous one.
"""

import uuid

import pytest
from homeassistant.core import HomeAssistant

from custom_components.heisenberg import conversation

from .conftest import EntryFactory, converse, speech

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
