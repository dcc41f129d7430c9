"""Assist pipelines for the agent, as HA's pipeline form makes them: a bilingual home.

Apart from conftest: assist_pipeline imports tts, which needs mutagen, which the HA release
environments (`ci/`) do not install for the tests they run.
"""

from datetime import timedelta

from homeassistant.components.assist_pipeline.pipeline import KEY_ASSIST_PIPELINE
from homeassistant.const import MATCH_ALL
from homeassistant.core import HomeAssistant
from homeassistant.setup import async_setup_component
from homeassistant.util import dt as dt_util
from pytest_homeassistant_custom_component.common import async_fire_time_changed

from custom_components.heisenberg.warm_up.prefixes import REWARM_COOLDOWN_SECONDS

from .conftest import agent_id


async def add_pipeline(hass: HomeAssistant, language: str, engine: str) -> None:
    """A typed-text Assist pipeline as HA's form makes it for an agent that speaks every
    language (conversation language "*")."""
    assert await async_setup_component(hass, "assist_pipeline", {})
    await hass.data[KEY_ASSIST_PIPELINE].pipeline_store.async_create_item(
        {
            "name": f"Voice {language}",
            "language": language,
            "conversation_engine": engine,
            "conversation_language": MATCH_ALL,
            "stt_engine": None,
            "stt_language": language,
            "tts_engine": None,
            "tts_language": None,
            "tts_voice": None,
            "wake_word_entity": None,
            "wake_word_id": None,
        }
    )


async def speak_also(hass: HomeAssistant, language: str) -> None:
    """Make the home bilingual as users do: an Assist pipeline in `language` for the agent
    (HA's own language stays), and wait for the warm-up that the pipeline's change starts."""
    await add_pipeline(hass, language, agent_id(hass))
    async_fire_time_changed(hass, dt_util.utcnow() + timedelta(seconds=REWARM_COOLDOWN_SECONDS + 1))
    await hass.async_block_till_done(wait_background_tasks=True)
