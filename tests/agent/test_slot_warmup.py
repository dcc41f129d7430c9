"""Every slot of llama-server gets the agent's warm prefix, not only the first.

Two satellites asking at once use two slots; llama-server's RAM cache gives a prompt back only
to the slot it left, so a second slot that was never warmed evaluates the whole prefix on the
second question (5 s on 2 cores with the default model). Real llama-servers: the session's
(with slot files, as the launcher starts it) and one without them, where the agent evaluates
the prefix in each slot instead.
"""

import uuid
from collections.abc import Iterator

import pytest
from homeassistant.core import HomeAssistant

from custom_components.heisenberg.diagnostics import async_get_config_entry_diagnostics
from custom_components.heisenberg.server_pool import LlamaServer
from launcher.llama_server import LlamaServerProcess

from ..conftest import start_llama_server
from .conftest import EntryFactory

# A question's start, after the agent's prefix (ChatML, the format of both models used here).
QUESTION = "<|im_start|>user\nWhat time is it?<|im_end|>\n<|im_start|>assistant\n"


@pytest.fixture(scope="module")
def server_without_slot_files() -> Iterator[LlamaServerProcess]:
    """A real llama-server with two slots and no --slot-save-path (a server the user runs)."""
    server = start_llama_server("qwen2.5-0.5b", "llama-server-no-slot-files", slot_files=False)
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
