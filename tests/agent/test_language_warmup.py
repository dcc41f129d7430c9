"""Every language the home's Assist pipelines use with the agent is warm, not only HA's own.

A real llama-server and HA's real assist_pipeline store: a bilingual home (HA in English, a
French pipeline for the agent) gets the French prefix evaluated at start, so the first French
question reuses it; a pipeline added later is warmed once the change settles.
"""

import asyncio
import uuid
from datetime import timedelta

from homeassistant.core import HomeAssistant
from homeassistant.setup import async_setup_component
from homeassistant.util import dt as dt_util
from pytest_homeassistant_custom_component.common import MockConfigEntry, async_fire_time_changed

from custom_components.heisenberg.warm_up.languages import agent_languages
from custom_components.heisenberg.warm_up.prefixes import REWARM_COOLDOWN_SECONDS, warmed_key

from .conftest import EntryFactory, agent_id, converse
from .pipelines import add_pipeline


async def _first_question_reuses(
    hass: HomeAssistant, entry: MockConfigEntry, language: str, question: str
) -> None:
    runtime = entry.runtime_data
    server = runtime.pool.primary
    agent = next(iter(entry.subentries))
    warm = server.warmed_prefixes[warmed_key(agent, language)]
    await converse(hass, question, language=language)
    answer = runtime.figures_for(agent).last_answer
    assert answer is not None
    # The language's instructions, examples and date came from the cache.
    assert answer["cached_tokens"] >= len(await server.client.tokenize(warm)) - 1, answer
    assert answer["prompt_tokens"] < 30, answer


async def test_a_bilingual_home_has_both_languages_warm(
    hass: HomeAssistant, setup_entry: EntryFactory, llama_url: str
) -> None:
    assert hass.config.language == "en"
    assert await async_setup_component(hass, "assist_pipeline", {})
    unique = f"You are the voice assistant of house {uuid.uuid4().hex}. Answer in one sentence."
    # The agent's entity exists once its entry is set up: set up, add the French pipeline as
    # a user would, and let the pipeline change warm it.
    entry = await setup_entry(llama_url, persona="custom", custom_prompt=unique, max_tokens=8)
    await hass.async_block_till_done(wait_background_tasks=True)
    agent = next(iter(entry.subentries))
    server = entry.runtime_data.pool.primary
    assert warmed_key(agent, "fr") not in server.warmed_prefixes
    await add_pipeline(hass, "fr-FR", agent_id(hass))
    await add_pipeline(hass, "de", "conversation.home_assistant")  # not ours: not warmed
    assert agent_languages(hass, agent_id(hass)) == ["fr-FR", "en"]
    async_fire_time_changed(hass, dt_util.utcnow() + timedelta(seconds=REWARM_COOLDOWN_SECONDS + 1))
    await hass.async_block_till_done(wait_background_tasks=True)
    assert set(server.warmed_prefixes) == {warmed_key(agent, "fr-FR"), warmed_key(agent, "en")}
    # One language in each of the server's two slots (none copied over the other).
    assert len(set(server.slot_prefixes.values())) == 2

    await _first_question_reuses(hass, entry, "fr-FR", "Quelle est la capitale de l'Italie ?")
    await _first_question_reuses(hass, entry, "en", "What is the capital of Spain?")


async def test_a_question_in_a_warm_language_does_not_wait_for_the_other_to_warm(
    hass: HomeAssistant, setup_entry: EntryFactory, llama_url: str
) -> None:
    """A home's first English question, asked while the French prefix is still being
    evaluated, is answered at once from the warm English one (it used to wait for the whole
    warm-up: every language, a minute for a large home on this machine)."""
    assert await async_setup_component(hass, "assist_pipeline", {})
    # A long persona: the French warm-up takes seconds even with the fast model.
    rules = " ".join(f"Rule {n}: answer house {uuid.uuid4().hex} briefly." for n in range(25))
    entry = await setup_entry(llama_url, persona="custom", custom_prompt=rules, max_tokens=4)
    await hass.async_block_till_done(wait_background_tasks=True)
    server = entry.runtime_data.pool.primary
    await add_pipeline(hass, "fr-FR", agent_id(hass))
    async_fire_time_changed(hass, dt_util.utcnow() + timedelta(seconds=REWARM_COOLDOWN_SECONDS + 1))
    async with asyncio.timeout(30):
        while server.warming_prompt is None:  # noqa: ASYNC110 (the French prefix is being evaluated)
            await asyncio.sleep(0.01)
    french = warmed_key(next(iter(entry.subentries)), "fr-FR")
    await converse(hass, "What is the capital of Spain?")
    assert french not in server.warmed_prefixes, "the English question waited for the French"
    # The French warm-up gave way to it, and then ended.
    await hass.async_block_till_done(wait_background_tasks=True)
    assert french in server.warmed_prefixes
