"""Every slot of llama-server gets the agent's warm prefix, not only the first.

Two satellites asking at once use two slots; llama-server's RAM cache gives a prompt back only
to the slot it left, so a second slot that was never warmed evaluates the whole prefix on the
second question (5 s on 2 cores with the default model). Real llama-servers: the session's
(with slot files, as the launcher starts it) and one without them, where the agent evaluates
the prefix in each slot instead.
"""

import uuid
from collections.abc import Iterator
from datetime import datetime, timedelta

import pytest
from homeassistant.core import HomeAssistant
from homeassistant.util import dt as dt_util
from pytest_homeassistant_custom_component.common import async_fire_time_changed

from custom_components.heisenberg.context_note import date_note
from custom_components.heisenberg.diagnostics import async_get_config_entry_diagnostics
from custom_components.heisenberg.server_pool import LlamaServer
from custom_components.heisenberg.warm_up.prefixes import (
    REWARM_COOLDOWN_SECONDS,
    async_rewarm_on_changes,
    async_warm_up_all,
    warmed_key,
)
from launcher.llama_server import LlamaServerProcess

from ..conftest import ALL_CORES, FAST_MODEL, start_llama_server
from .conftest import EntryFactory, converse

# A question's start, after the agent's prefix (ChatML, the format of both models used here).
QUESTION = "<|im_start|>user\nWhat time is it?<|im_end|>\n<|im_start|>assistant\n"


@pytest.fixture(scope="module")
def server_without_slot_files() -> Iterator[LlamaServerProcess]:
    """A real llama-server with two slots and no --slot-save-path (a server the user runs)."""
    server = start_llama_server(
        FAST_MODEL, "llama-server-no-slot-files", threads=ALL_CORES, slot_files=False
    )
    assert "--slot-save-path" not in server.command()
    yield server
    server.stop()


async def assert_every_slot_reuses_the_prefix(server: LlamaServer) -> None:
    assert server.slots == 2
    assert sorted(server.slot_prefixes) == [0, 1]
    prefix = server.slot_prefixes[0]
    assert server.slot_prefixes[1] == prefix
    prefix_tokens = len(await server.client.tokenize(prefix))
    assert prefix_tokens > 40
    for slot in (0, 1):
        stats = await server.client.warm_up(prefix + QUESTION, 120.0, slot)
        assert stats.slot == slot
        assert stats.cached_tokens is not None
        # Only the question is evaluated; the prefix comes from the slot's own cache.
        assert stats.cached_tokens >= prefix_tokens - 1, (slot, stats)
        assert stats.prompt_tokens is not None and stats.prompt_tokens < 20


async def test_the_warm_up_copies_the_prefix_into_every_slot(
    hass: HomeAssistant, setup_entry: EntryFactory, llama_url: str
) -> None:
    unique = f"You are the voice assistant of house {uuid.uuid4().hex}. Answer in one sentence."
    entry = await setup_entry(llama_url, persona="custom", custom_prompt=unique)
    await hass.async_block_till_done(wait_background_tasks=True)
    server = entry.runtime_data.pool.primary
    assert not server.copy_slots_unsupported  # copied through slot files, not re-evaluated
    await assert_every_slot_reuses_the_prefix(server)
    diagnostics = await async_get_config_entry_diagnostics(hass, entry)
    assert diagnostics["servers"][0]["warmed_slots"] == [0, 1]


async def test_a_server_without_slot_files_gets_the_prefix_evaluated_in_each_slot(
    hass: HomeAssistant,
    setup_entry: EntryFactory,
    server_without_slot_files: LlamaServerProcess,
) -> None:
    unique = f"You are the voice assistant of house {uuid.uuid4().hex}. Answer in one sentence."
    entry = await setup_entry(server_without_slot_files.url, persona="custom", custom_prompt=unique)
    await hass.async_block_till_done(wait_background_tasks=True)
    server = entry.runtime_data.pool.primary
    assert server.copy_slots_unsupported
    await assert_every_slot_reuses_the_prefix(server)


async def test_a_question_reuses_the_warm_date_and_a_new_date_is_warmed(
    hass: HomeAssistant, setup_entry: EntryFactory, llama_url: str
) -> None:
    await hass.config.async_update(time_zone="Pacific/Kiritimati")  # UTC+14
    unique = f"You are the voice assistant of house {uuid.uuid4().hex}. Answer in one sentence."
    entry = await setup_entry(llama_url, persona="custom", custom_prompt=unique, max_tokens=8)
    await hass.async_block_till_done(wait_background_tasks=True)
    server = entry.runtime_data.pool.primary
    agent = next(iter(entry.subentries))
    warm = server.warmed_prefixes[warmed_key(agent, "en")]
    assert warm.endswith(date_note(dt_util.now(), "en"))

    await converse(hass, "Who wrote Hamlet?")
    answer = entry.runtime_data.figures_for(agent).last_answer
    assert answer is not None
    # The prefix and today's date came from the cache: only the time and the question are new.
    assert answer["cached_tokens"] >= len(await server.client.tokenize(warm)) - 1, answer

    # Another date (a time zone 25 hours behind): the next warm-up sends it, to every slot.
    await hass.config.async_update(time_zone="Pacific/Pago_Pago")  # UTC-11
    await async_warm_up_all(hass, entry)
    rewarmed = server.warmed_prefixes[warmed_key(agent, "en")]
    assert rewarmed != warm
    assert rewarmed.endswith(date_note(dt_util.now(), "en"))
    assert sorted(server.slot_prefixes) == [0, 1]
    assert all(prefix == rewarmed for prefix in server.slot_prefixes.values())


async def test_the_agents_are_warmed_again_at_midnight(ha_ready: HomeAssistant) -> None:
    hass = ha_ready
    await hass.config.async_update(time_zone="Europe/Paris")
    warmed: list[datetime] = []

    async def warm_all() -> None:  # a coroutine, like the entry's: run on the event loop
        warmed.append(dt_util.now())

    async def at(moment: datetime) -> None:
        """Time reaches `moment`; wait for what it started (the debouncer runs its call and
        then its cooldown timer in a background task)."""
        async_fire_time_changed(hass, moment)
        await hass.async_block_till_done(wait_background_tasks=True)

    stop = async_rewarm_on_changes(hass, warm_all)
    # Whatever the setup itself changed (registries) is warmed first, and forgotten.
    await at(dt_util.utcnow() + timedelta(seconds=REWARM_COOLDOWN_SECONDS + 1))
    warmed.clear()
    midnight = dt_util.start_of_local_day(dt_util.now() + timedelta(days=1))
    for moment in (midnight - timedelta(minutes=1), midnight - timedelta(seconds=50)):
        await at(moment)
    assert warmed == []  # nothing changed yet
    await at(midnight)
    # Debounced like every other change.
    await at(midnight + timedelta(seconds=REWARM_COOLDOWN_SECONDS + 1))
    assert len(warmed) == 1
    stop()
