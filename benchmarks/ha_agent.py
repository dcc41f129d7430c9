"""The Heisenberg agent in a harness Home Assistant, as the benchmarks set it up."""

import os
from typing import Any

from homeassistant.config_entries import ConfigSubentryData
from homeassistant.const import MATCH_ALL
from homeassistant.core import HomeAssistant
from homeassistant.helpers import entity_registry as er
from homeassistant.setup import async_setup_component
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.heisenberg.agent_options import DEFAULT_AGENT_OPTIONS
from custom_components.heisenberg.const import CONF_TIMEOUT, CONF_URL, DOMAIN


def bench_options() -> dict[str, Any]:
    """The agent's default settings; with HEISENBERG_BENCH_TIMEOUT=S, a longer timeout, for
    accuracy runs on a machine other jobs load (never for timings: they need a quiet one)."""
    options: dict[str, Any] = dict(DEFAULT_AGENT_OPTIONS)
    if timeout := os.environ.get("HEISENBERG_BENCH_TIMEOUT"):
        options[CONF_TIMEOUT] = float(timeout)
    return options


# The entity id HA gives the one agent these benchmarks set up (its subentry's title).
AGENT_ENTITY_ID = "conversation.heisenberg"


async def async_speak_also(hass: HomeAssistant, language: str) -> None:
    """A bilingual home, as the benchmarks' users have: besides HA's own language, an Assist
    pipeline in `language` for the agent (made as HA's form makes it, before the agent is set
    up, so that its start-up warm-up warms both languages)."""
    from homeassistant.components.assist_pipeline.pipeline import KEY_ASSIST_PIPELINE  # noqa: PLC0415  (needs assist_pipeline's dependencies, loaded just above)

    assert await async_setup_component(hass, "assist_pipeline", {})
    await hass.data[KEY_ASSIST_PIPELINE].pipeline_store.async_create_item(
        {
            "name": f"Heisenberg {language}", "language": language,
            "conversation_engine": AGENT_ENTITY_ID, "conversation_language": MATCH_ALL,
            "stt_engine": None, "stt_language": language, "tts_engine": None,
            "tts_language": None, "tts_voice": None, "wake_word_entity": None,
            "wake_word_id": None,
        }
    )  # fmt: skip


def other_language(hass: HomeAssistant) -> str:
    """The home's second language: French beside English, English beside anything else."""
    return "en" if hass.config.language.startswith("fr") else "fr"


async def async_add_agent(hass: HomeAssistant, url: str) -> tuple[MockConfigEntry, str]:
    """An entry with one agent (default settings) for the server at `url`, in a bilingual home
    (`async_speak_also`), warmed up in both languages; the entry and the agent's entity id."""
    await async_speak_also(hass, other_language(hass))
    entry = MockConfigEntry(
        domain=DOMAIN, title="llama-server", data={CONF_URL: url},
        subentries_data=[ConfigSubentryData(
            data=bench_options(), subentry_type="conversation",
            title="Heisenberg", unique_id=None,
        )],
    )  # fmt: skip
    entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done(wait_background_tasks=True)  # the warm-up
    agent_id = next(
        entity.entity_id
        for entity in er.async_get(hass).entities.values()
        if entity.config_entry_id == entry.entry_id and entity.domain == "conversation"
    )
    assert agent_id == AGENT_ENTITY_ID, agent_id
    return entry, agent_id
