"""Prompts sized for the llama-server slot they go to: never refused for their length."""

from collections.abc import Iterator
from typing import Any

import aiohttp
import pytest
from homeassistant.core import HomeAssistant
from homeassistant.helpers import issue_registry as ir

from custom_components.heisenberg.const import DOMAIN
from custom_components.heisenberg.context_fit import (
    ANSWER_RESERVE,
    estimate_tokens,
    fit_prompt,
    prefix_fits,
)
from custom_components.heisenberg.prompt_format import PromptFormat, PromptParts, Turn, build_prompt
from harness.fake_home import async_build_home
from launcher.llama_server import LlamaServerProcess

from ..conftest import ALL_CORES, FAST_MODEL, start_llama_server
from .conftest import EntryFactory, converse, speech
from .spy import PromptSpy

HISTORY = tuple(
    Turn(f"Question number {i} about the weather?", f"Answer number {i}.") for i in range(8)
)
# Turns of the long conversation below: the slot overflows at the last one or earlier.
TURNS = 6
PARTS = PromptParts(
    system="You are a helpful assistant.",
    user_message="And now?",
    history=HISTORY,
    context_note="(Devices: Kitchen Light (Kitchen); Porch Light (Porch).)",
)


def test_the_oldest_exchanges_go_first_until_the_prompt_fits() -> None:
    full = estimate_tokens(build_prompt(PromptFormat.CHATML, PARTS), 3.0)
    fit = fit_prompt(PromptFormat.CHATML, PARTS, full + ANSWER_RESERVE - 30, 3.0)
    assert fit.fits
    assert 0 < len(fit.parts.history) < len(HISTORY)
    assert fit.parts.history == HISTORY[-len(fit.parts.history) :]  # the newest are kept
    assert fit.tokens <= full - 30
    # Room enough: nothing changes.
    assert fit_prompt(PromptFormat.CHATML, PARTS, full + ANSWER_RESERVE, 3.0).parts == PARTS


def test_the_devices_shown_go_after_the_history_and_what_cannot_fit_says_so() -> None:
    note = "(Devices: Kitchen Light (Kitchen); Porch Light (Porch).)"
    bare = estimate_tokens(
        build_prompt(PromptFormat.CHATML, PromptParts(PARTS.system, PARTS.user_message)), 3.0
    )
    fit = fit_prompt(PromptFormat.CHATML, PARTS, bare + ANSWER_RESERVE + 2, 3.0, note)
    assert fit.fits and fit.parts.history == () and note not in fit.parts.context_note
    assert not fit_prompt(PromptFormat.CHATML, PARTS, 50, 3.0, note).fits
    # A server that does not say its slot size: sent as it is.
    assert fit_prompt(PromptFormat.CHATML, PARTS, None, None).parts == PARTS
    assert prefix_fits(1000, 4096) and not prefix_fits(3900, 4096)


@pytest.fixture(scope="module")
def small_slots_server() -> Iterator[LlamaServerProcess]:
    """A real llama-server whose context, shared by 4 slots, leaves each one about 1,024 tokens:
    too little for the agent's prompt over the test home, enough without a home."""
    server = start_llama_server(
        FAST_MODEL, "llama-server-small-slots", threads=ALL_CORES, context_size=4096, parallel=4
    )
    yield server
    server.stop()


async def small_slots_props(server: LlamaServerProcess) -> dict[str, Any]:
    async with aiohttp.ClientSession() as session, session.get(f"{server.url}/props") as resp:
        props: dict[str, Any] = await resp.json()
    return props


async def test_slots_too_small_for_the_prompt_raise_a_repair_issue_with_the_fix(
    ha_ready: HomeAssistant, setup_entry: EntryFactory, small_slots_server: LlamaServerProcess
) -> None:
    hass = ha_ready
    await async_build_home(hass)
    await setup_entry(small_slots_server.url, max_tokens=24)
    await hass.async_block_till_done(wait_background_tasks=True)
    issue = ir.async_get(hass).async_get_issue(DOMAIN, "context_too_small_0")
    assert issue is not None
    assert issue.translation_key == "context_too_small"
    assert issue.translation_placeholders is not None
    slot = (await small_slots_props(small_slots_server))["default_generation_settings"]["n_ctx"]
    assert issue.translation_placeholders["slot"] == str(slot)
    assert int(issue.translation_placeholders["needed"]) > slot


async def test_a_long_conversation_is_trimmed_to_the_slot_not_refused(
    ha_ready: HomeAssistant,
    setup_entry: EntryFactory,
    small_slots_server: LlamaServerProcess,
    prompt_spy: PromptSpy,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Without a home to list, the prefix fits the small slots; six long exchanges do not: once
    the slot overflows the oldest are left out (not before), the newest kept, and every
    question is answered."""
    hass = ha_ready
    await setup_entry(small_slots_server.url, max_tokens=24, max_history_turns=20, temperature=0.0)
    await hass.async_block_till_done(wait_background_tasks=True)
    assert ir.async_get(hass).async_get_issue(DOMAIN, "context_too_small_0") is None
    conversation_id = None
    padding = " Please answer briefly, in one short sentence, without any lists." * 6
    questions = [f"What is {number} plus {number}?" for number in range(1, TURNS + 1)]
    for question in questions:
        result = await converse(hass, f"{question}{padding}", conversation_id=conversation_id)
        conversation_id = result.conversation_id
        assert result.response.response_type.value == "action_done", speech(result)
    assert "exceeds the available context size" not in caplog.text
    prompts = prompt_spy.prompts
    # Each prompt i carries questions 0..i; the first that lacks question 0 was trimmed.
    trimmed = [i for i in range(1, TURNS) if questions[0] not in prompts[i]]
    assert trimmed, "the slot never overflowed: nothing to trim"
    first = trimmed[0]
    assert all(question in prompts[first - 1] for question in questions[:first])
    assert questions[first - 1] in prompts[first]  # the newest exchange stayed
