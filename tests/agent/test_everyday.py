"""Everyday requests through the agent alone: timers from a satellite, the shopping list, the
weather, "which lights are on?", all the lights, the heating. Real HA harness, real
llama-server with the default model, the everyday home of `harness/everyday_home.py`.

A question never changes anything: each question case checks that no service call was made on
the home's devices and that the list and the timers are as they were.
"""

from typing import Any

import pytest
from homeassistant.components import conversation
from homeassistant.components.intent.timers import TimerEventType
from homeassistant.core import Context, Event, HomeAssistant, callback
from homeassistant.setup import async_setup_component

from harness.everyday_home import (
    UNEXPOSED,
    Satellite,
    async_build_everyday_home,
    async_todo_items,
)
from launcher.llama_server import LlamaServerProcess

from .conftest import EntryFactory, agent_id, speech
from .pipelines import speak_also

LIGHTS = ("light.kitchen_ceiling", "light.counter_lights", "light.living_room_lamp",
          "light.reading_light", "light.bedroom_light", "light.desk_lamp",
          "light.hallway_light", "light.terrace_lights")  # fmt: skip


@pytest.fixture
async def satellite(ha_ready: HomeAssistant) -> Satellite:
    assert await async_setup_component(ha_ready, "intent", {})
    return await async_build_everyday_home(ha_ready)


@pytest.fixture
async def agent(
    hass: HomeAssistant,
    satellite: Satellite,
    setup_entry: EntryFactory,
    default_llama_server: LlamaServerProcess,
) -> None:
    """The agent with its default settings (HA's Assist API), set up over the home and warmed
    up (these tests are about what a request does, not about the first one after a start)."""
    await setup_entry(default_llama_server.url)
    await hass.async_block_till_done(wait_background_tasks=True)
    # HA speaks English here and a French pipeline uses the agent: both languages are warm.
    await speak_also(hass, "fr-FR")


class Calls:
    """Service calls on the home's devices (HA's generic homeassistant.* ones left out)."""

    def __init__(self, hass: HomeAssistant) -> None:
        self.made: list[tuple[str, str, dict[str, Any]]] = []

        @callback
        def record(event: Event[Any]) -> None:
            if event.data["domain"] not in ("homeassistant", "todo", "shopping_list"):
                self.made.append(
                    (event.data["domain"], event.data["service"], dict(event.data["service_data"]))
                )

        self.stop = hass.bus.async_listen("call_service", record)


async def ask(
    hass: HomeAssistant, text: str, language: str, satellite: Satellite | None
) -> tuple[str, bool, Calls]:
    """Say `text` as a pipeline does (from the satellite's device when given); the answer,
    whether HA keeps listening, and the service calls made meanwhile."""
    calls = Calls(hass)
    result = await conversation.async_converse(
        hass, text, None, Context(), language=language, agent_id=agent_id(hass),
        device_id=satellite.device_id if satellite else None,
    )  # fmt: skip
    await hass.async_block_till_done()
    calls.stop()
    return speech(result), result.continue_conversation, calls


@pytest.mark.usefixtures("agent")
@pytest.mark.parametrize(("text", "language", "seconds"), [
    ("Set a timer for five minutes", "en", 300),
    ("Mets un minuteur de dix minutes", "fr", 600),
])  # fmt: skip
async def test_a_timer_is_set_on_the_satellite_that_heard_it(
    hass: HomeAssistant, satellite: Satellite, text: str, language: str, seconds: int
) -> None:
    said, asks, _ = await ask(hass, text, language, satellite)
    started = [t for kind, t in satellite.events if kind is TimerEventType.STARTED]
    assert [t.seconds for t in started] == [seconds], said
    assert not asks


@pytest.mark.usefixtures("agent")
async def test_a_timer_without_a_length_is_asked_back_and_a_chat_cannot_ring(
    hass: HomeAssistant, satellite: Satellite
) -> None:
    said, asks, _ = await ask(hass, "Set a timer", "en", satellite)
    assert asks and said.endswith("?"), said  # HA keeps the satellite listening
    said, _, _ = await ask(hass, "Set a timer for ten minutes", "en", None)  # typed, no device
    assert "can't set timers" in said, said
    assert not satellite.events


@pytest.mark.usefixtures("agent")
async def test_the_shopping_list_is_added_to_and_read(
    hass: HomeAssistant, satellite: Satellite
) -> None:
    said, _, _ = await ask(hass, "Add milk to my shopping list", "en", satellite)
    assert "milk" in [i["summary"].lower() for i in await async_todo_items(hass)], said
    said, _, calls = await ask(
        hass, "Qu'est-ce qu'il y a sur ma liste de courses ?", "fr", satellite
    )
    for item in ("eggs", "bread", "milk"):
        assert item in said.lower(), said
    assert calls.made == []
    assert len(await async_todo_items(hass)) == 4  # reading changed nothing
    # HA removes an item by its exact text: "egg" is found as the list's "eggs".
    said, _, _ = await ask(hass, "Remove the egg from my shopping list", "en", satellite)
    assert "eggs" not in [i["summary"].lower() for i in await async_todo_items(hass)], said


@pytest.mark.usefixtures("agent")
@pytest.mark.parametrize(("text", "language", "words"), [
    ("Which lights are on?", "en", ("counter", "living room", "desk")),
    ("Quelles lumières sont allumées ?", "fr", ("plan de travail", "salon", "bureau")),
    ("What's the weather like?", "en", ("rain", "14")),
    ("Quel temps fait-il ?", "fr", ("pluvieux", "14")),
    ("Is anything open?", "en", ("shutters", "window")),
])  # fmt: skip
async def test_a_question_is_answered_from_the_home_and_changes_nothing(
    hass: HomeAssistant, satellite: Satellite, text: str, language: str, words: tuple[str, ...]
) -> None:
    before = {light: hass.states.get(light).state for light in LIGHTS}  # type: ignore[union-attr]
    said, _, calls = await ask(hass, text, language, satellite)
    assert calls.made == [], said
    assert {light: hass.states.get(light).state for light in LIGHTS} == before  # type: ignore[union-attr]
    for word in words:
        assert word in said.lower(), said


@pytest.mark.usefixtures("agent")
async def test_all_the_lights_go_off_and_the_unexposed_one_is_never_touched(
    hass: HomeAssistant, satellite: Satellite
) -> None:
    said, _, calls = await ask(hass, "Éteins toutes les lumières", "fr", satellite)
    assert {light: hass.states.get(light).state for light in LIGHTS} == dict.fromkeys(  # type: ignore[union-attr]
        LIGHTS, "off"
    ), said
    assert hass.states.get(UNEXPOSED).state == "on"  # type: ignore[union-attr]
    assert all(UNEXPOSED not in str(data) for _, _, data in calls.made)


@pytest.mark.usefixtures("agent")
@pytest.mark.parametrize(("text", "language"), [
    ("Set the heating to 19.5 degrees", "en"),
    ("Mets le chauffage à 19,5 degrés", "fr"),
])  # fmt: skip
async def test_the_heating_is_the_thermostat_not_a_switch_named_like_it(
    hass: HomeAssistant, satellite: Satellite, text: str, language: str
) -> None:
    said, _, calls = await ask(hass, text, language, satellite)
    assert [(d, s) for d, s, _ in calls.made] == [("climate", "set_temperature")], said
    assert calls.made[0][2]["temperature"] == 19.5
    assert hass.states.get("switch.terrace_heater").state == "off"  # type: ignore[union-attr]
