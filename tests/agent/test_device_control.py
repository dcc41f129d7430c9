"""Device control through HA's Assist tools: real HA harness, real llama-server, default model.

The home is made of HA's own template, helper and universal entities (`tests/home`): what a
command did is read from the service calls HA really made and from the entities' states.
"""

from collections.abc import AsyncIterator
from typing import Any

import pytest
from homeassistant.components import conversation
from homeassistant.const import CONF_LLM_HASS_API
from homeassistant.core import HomeAssistant
from pytest_homeassistant_custom_component.common import MockConfigEntry

from harness.fake_home import ServiceCalls, async_build_home, async_play_tv
from launcher.llama_server import LlamaServerProcess

from .conftest import EntryFactory, agent_id, converse, speech
from .fault_server import Fault, FaultServer
from .pipelines import speak_also

# A claim of having acted, in either language.
CLAIM = ("turned", "i set", "opened", "closed", "locked", "paused", "j'ai", "allumé", "éteint")


@pytest.fixture
async def home(ha_ready: HomeAssistant) -> ServiceCalls:
    """The fake home, built before the agent so its warm-up lists the devices."""
    return await async_build_home(ha_ready)


@pytest.fixture
async def agent(
    hass: HomeAssistant,
    home: ServiceCalls,
    setup_entry: EntryFactory,
    default_llama_server: LlamaServerProcess,
) -> AsyncIterator[MockConfigEntry]:
    """The agent with its default settings (HA's Assist API) over the home, warmed up (these
    tests are about what a command does, not about the first question after a start)."""
    entry = await setup_entry(default_llama_server.url)
    await hass.async_block_till_done(wait_background_tasks=True)
    # HA speaks English here and a French pipeline uses the agent: both languages are warm.
    await speak_also(hass, "fr-FR")
    yield entry


async def command(
    hass: HomeAssistant, home: ServiceCalls, text: str, language: str = "en", **kwargs: Any
) -> tuple[str, list[tuple[str, str, tuple[str, ...]]]]:
    """Say `text`; return what the agent said and the calls HA made on the home's entities."""
    home.clear()
    result = await converse(hass, text, language=language, **kwargs)
    await hass.async_block_till_done()
    said = speech(result)
    assert said, result.response.as_dict()
    # HassTurnOn calls homeassistant.turn_on, which calls the domain's own service: keep those.
    return said, [call for call in home.on_entities() if call[0] != "homeassistant"]


@pytest.mark.usefixtures("agent")
@pytest.mark.parametrize(
    "case",
    [
        ("Turn on the kitchen light.", "en", ("light", "turn_on", "light.kitchen_light"), None),
        ("Set the bedroom lamp to 40 percent.", "en",
         ("light", "turn_on", "light.bedroom_lamp"), ("brightness", 102)),
        ("Set the living room blinds to 30 percent.", "en",
         ("cover", "set_cover_position", "cover.living_room_blinds"), ("current_position", 30)),
        ("Set the thermostat to 21 degrees.", "en",
         ("climate", "set_temperature", "climate.thermostat"), ("temperature", 21)),
        ("Set the ceiling fan to 75 percent.", "en",
         ("fan", "turn_on", "fan.ceiling_fan"), ("percentage", 75)),
        ("Pause the living room TV.", "en",
         ("media_player", "media_pause", "media_player.living_room_tv"), None),
        ("Lock the front door.", "en", ("lock", "lock", "lock.front_door"), None),
        ("Allume la lumière de la cuisine.", "fr",
         ("light", "turn_on", "light.kitchen_light"), None),
        ("Ouvre la porte du garage.", "fr", ("cover", "open_cover", "cover.garage_door"), None),
    ],
)  # fmt: skip
async def test_a_command_acts_on_that_device_and_says_so(
    hass: HomeAssistant,
    home: ServiceCalls,
    case: tuple[str, str, tuple[str, str, str], tuple[str, Any] | None],
) -> None:
    text, language, (domain, service, entity_id), attribute = case
    if domain == "media_player":
        await async_play_tv(hass)  # HA pauses only a player that plays
    said, calls = await command(hass, home, text, language)
    assert calls == [(domain, service, (entity_id,))], said
    state = hass.states.get(entity_id)
    assert state is not None
    if attribute is not None:
        assert state.attributes.get(attribute[0]) == pytest.approx(attribute[1], abs=1), state
    # The confirmation is the agent's own sentence, in the user's language.
    assert said.startswith("J'ai " if language == "fr" else "I "), said


@pytest.mark.usefixtures("agent")
async def test_a_french_confirmation_names_the_device_as_the_user_did(
    hass: HomeAssistant, home: ServiceCalls
) -> None:
    said, calls = await command(hass, home, "Éteins la lumière du porche.", "fr")
    assert calls == [("light", "turn_off", ("light.porch_light",))]
    assert said == "J'ai éteint la lumière du porche."


@pytest.mark.usefixtures("agent")
@pytest.mark.parametrize(
    "case",
    [
        ("Is the kitchen light on?", "en", "light.kitchen_light", "on", ["is on"]),
        ("Is the kitchen light on?", "en", "light.kitchen_light", "off", ["is off"]),
        ("What is the temperature outside?", "en", None, None, ["12.5"]),
        ("Quelle température fait-il dehors ?", "fr", None, None, ["12,5"]),
    ],
)
async def test_a_state_question_is_answered_from_live_state(
    hass: HomeAssistant,
    home: ServiceCalls,
    case: tuple[str, str, str | None, str | None, list[str]],
) -> None:
    text, language, entity_id, state, expected_words = case
    if entity_id is not None:
        await hass.services.async_call(
            "light", f"turn_{state}", {"entity_id": entity_id}, blocking=True
        )
    said, calls = await command(hass, home, text, language)
    assert calls == [], said  # a question changes nothing
    for word in expected_words:
        assert word in said, said


@pytest.mark.usefixtures("agent")
@pytest.mark.parametrize(
    ("text", "language"),
    [("Turn on the attic fan.", "en"), ("Ouvre le portail du jardin.", "fr")],
)
async def test_a_device_the_home_does_not_have_is_not_found_and_nothing_acts(
    hass: HomeAssistant, home: ServiceCalls, text: str, language: str
) -> None:
    said, calls = await command(hass, home, text, language)
    assert calls == [], said
    assert ("trouve pas" if language == "fr" else "can't find") in said, said


@pytest.mark.usefixtures("agent")
async def test_a_failing_device_is_reported_and_never_confirmed(
    hass: HomeAssistant, home: ServiceCalls
) -> None:
    said, calls = await command(hass, home, "Turn on the sauna heater.")
    assert calls == [("switch", "turn_on", ("switch.sauna_heater",))]  # HA tried
    assert said.startswith("I couldn't turn on the sauna heater"), said
    assert "turned on" not in said


@pytest.mark.usefixtures("agent")
async def test_it_in_a_follow_up_is_the_device_of_the_turn_before(
    hass: HomeAssistant, home: ServiceCalls
) -> None:
    first = await converse(hass, "Turn on the kitchen light.")
    await hass.async_block_till_done()
    assert hass.states.get("light.kitchen_light").state == "on"  # type: ignore[union-attr]
    home.clear()
    said, calls = await command(
        hass, home, "Turn it off again.", conversation_id=first.conversation_id
    )
    assert calls == [("light", "turn_off", ("light.kitchen_light",))], said
    assert hass.states.get("light.kitchen_light").state == "off"  # type: ignore[union-attr]


@pytest.mark.usefixtures("agent")
async def test_an_ordinary_question_is_still_answered_in_words(
    hass: HomeAssistant, home: ServiceCalls
) -> None:
    said, calls = await command(hass, home, "What is the capital of Italy?")
    assert calls == []
    assert "Rome" in said


@pytest.mark.parametrize(
    "case",
    [
        ("Turn on the kitchen light.", "en", "can't"),
        ("Allume la lumière de la cuisine.", "fr", "ne peux pas"),
    ],
)
async def test_without_an_api_a_command_gets_an_honest_refusal(
    hass: HomeAssistant,
    home: ServiceCalls,
    setup_entry: EntryFactory,
    default_llama_server: LlamaServerProcess,
    case: tuple[str, str, str],
) -> None:
    text, language, refusal = case
    await setup_entry(default_llama_server.url, **{CONF_LLM_HASS_API: []})
    state = hass.states.get(agent_id(hass))
    assert state is not None
    assert not state.attributes.get("supported_features", 0) & (
        conversation.ConversationEntityFeature.CONTROL
    )
    said, calls = await command(hass, home, text, language)
    assert calls == []
    assert refusal in said.lower(), said
    assert not any(claim in said.lower() for claim in CLAIM), said


@pytest.mark.parametrize(
    ("text", "language"),
    [("Turn on the kitchen light.", "en"), ("Allume la lumière de la cuisine.", "fr")],
)
async def test_without_an_api_or_devices_an_order_is_refused_not_claimed(
    hass: HomeAssistant,
    setup_entry: EntryFactory,
    default_llama_server: LlamaServerProcess,
    text: str,
    language: str,
) -> None:
    """Nothing exposed, no API: the agent refuses the order itself (the persona's examples
    show no order: the model copied that refusal onto « Multiplie ça par deux. »)."""
    await setup_entry(default_llama_server.url, **{CONF_LLM_HASS_API: []})
    said = speech(await converse(hass, text, language=language)).lower()
    assert ("can't" if language == "en" else "ne peux pas") in said, said
    assert not any(claim in said for claim in CLAIM), said


async def test_a_server_that_rejects_the_grammar_is_asked_again_without_it(
    hass: HomeAssistant,
    home: ServiceCalls,
    setup_entry: EntryFactory,
    fault_server: FaultServer,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """FAKE server: a real llama-server cannot be made to reject a valid grammar."""
    fault_server.fault = Fault.REJECT_GRAMMAR
    await setup_entry(fault_server.url)
    for _turn in range(2):
        result = await converse(hass, "Hello?")
        assert speech(result) == "Hello there."
    completions = [r for r in fault_server.requests if r.get("stream")]
    # Turn one: with the grammar (400), then without; turn two: without, at once.
    assert ["grammar" in r for r in completions] == [True, False, False]
    assert caplog.text.count("rejected the device grammar") == 1
