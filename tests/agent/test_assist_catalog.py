"""What the model is told of the home, read from HA's registries; warmed, and warmed again."""

from datetime import timedelta

from homeassistant.components.homeassistant.exposed_entities import async_expose_entity
from homeassistant.components.intent import async_register_timer_handler
from homeassistant.const import CONF_LLM_HASS_API
from homeassistant.core import Context, HomeAssistant
from homeassistant.helpers import area_registry as ar
from homeassistant.helpers import device_registry as dr
from homeassistant.helpers import entity_registry as er
from homeassistant.helpers import llm
from homeassistant.setup import async_setup_component
from homeassistant.util import dt as dt_util
from pytest_homeassistant_custom_component.common import MockConfigEntry, async_fire_time_changed

from custom_components.heisenberg.assist_tools.catalog import async_catalog
from custom_components.heisenberg.assist_tools.home_target import Catalog, Kind
from harness.fake_home import async_build_home
from launcher.llama_server import LlamaServerProcess

from .conftest import EntryFactory, converse
from .spy import PromptSpy


async def catalog(hass: HomeAssistant, device_id: str | None = None) -> Catalog:
    context = llm.LLMContext("test", Context(), "en", "conversation", device_id)
    api = await llm.async_get_api(hass, "assist", context)
    return async_catalog(hass, api.tools)


def actions(found: Catalog, name: str) -> list[str]:
    home = found.by_name(name)
    assert home is not None, [h.target.name for h in found.targets]
    return [a.describe() for a in home.target.actions]


async def test_devices_come_with_their_names_area_and_own_actions(ha_ready: HomeAssistant) -> None:
    hass = ha_ready
    await async_build_home(hass)
    found = await catalog(hass)
    names = [home.target.name for home in found.targets]
    assert names == sorted(names, key=str.casefold)
    assert "TV power" not in " ".join(names)  # not exposed
    kitchen = found.by_name("Kitchen Light")
    assert kitchen is not None
    assert kitchen.target.aliases == ("lumière de la cuisine",)
    assert kitchen.target.area == "Kitchen"
    # Only what each entity's features and HA's offered tools allow, each mapped to the tool.
    assert actions(found, "Kitchen Light") == ["on", "off", "brightness 0-100", "state"]
    assert actions(found, "Porch Light") == ["on", "off", "state"]  # it does not dim
    assert actions(found, "Garage Door") == ["open", "close", "state"]
    assert actions(found, "Living Room Blinds") == ["open", "close", "position 0-100", "state"]
    assert "temperature 7-30" in actions(found, "Thermostat")  # its own range
    assert actions(found, "Outside Temperature") == ["state"]
    tv = actions(found, "Living Room TV")
    assert {"pause", "resume", "next", "volume 0-100"} <= set(tv)
    front_door = found.by_name("Front Door")
    assert front_door is not None
    assert found.tools[front_door.verbs["lock"].tool] == "intent__HassTurnOn"


async def test_one_name_in_one_area_gets_the_kind_in_it(ha_ready: HomeAssistant) -> None:
    """A cover and a light both called "Garage Door" in the garage: each call must say which."""
    hass = ha_ready
    await async_build_home(hass)
    garage = ar.async_get(hass).async_get_area_by_name("Garage")
    assert garage is not None
    er.async_get(hass).async_update_entity(
        "light.porch_light", aliases=["Garage Door"], area_id=garage.id
    )
    names = [home.target.name for home in (await catalog(hass)).targets]
    assert "Garage Door (light)" in names and "Garage Door (cover)" in names
    assert "Garage Door" not in names


async def test_groups_have_the_actions_every_member_has(ha_ready: HomeAssistant) -> None:
    hass = ha_ready
    await async_build_home(hass)
    found = await catalog(hass)
    # Two of three lights dim: the group of all lights does not.
    assert actions(found, "all lights") == ["on", "off", "state"]
    bedroom = found.by_name("all lights in Bedroom")
    assert bedroom is not None
    assert [m.entity_id for m in bedroom.members] == ["light.bedroom_lamp"]
    assert actions(found, "all lights in Bedroom") == ["on", "off", "brightness 0-100", "state"]
    # An area's aliases are other names of its groups.
    kitchen = found.by_name("everything in Kitchen")
    assert kitchen is not None and kitchen.kind is Kind.GROUP
    assert {m.entity_id for m in kitchen.members} == {"light.kitchen_light", "switch.coffee_maker"}


async def test_timers_are_a_target_and_their_tools_come_with_a_ringing_device(
    ha_ready: HomeAssistant,
) -> None:
    hass = ha_ready
    assert await async_setup_component(hass, "intent", {})
    await async_build_home(hass)
    entry = MockConfigEntry(domain="test")
    entry.add_to_hass(hass)
    device = dr.async_get(hass).async_get_or_create(
        config_entry_id=entry.entry_id, identifiers={("test", "satellite")}
    )
    async_register_timer_handler(hass, device.id, lambda *_: None)
    # The timer target is in every turn's view (one prompt for all), its tools only when the
    # device can ring.
    without, with_timers = await catalog(hass), await catalog(hass, device.id)
    assert actions(without, "timer") == actions(with_timers, "timer")
    assert "start duration" in actions(with_timers, "timer")
    assert "HassStartTimer" not in without.tools
    assert with_timers.tools["HassStartTimer"] == "intent__HassStartTimer"


async def test_a_name_two_entities_share_gets_its_area(ha_ready: HomeAssistant) -> None:
    hass = ha_ready
    await async_build_home(hass)
    entities = er.async_get(hass)
    entities.async_update_entity("light.porch_light", aliases=[er.COMPUTED_NAME, "Lamp"])
    entities.async_update_entity("light.bedroom_lamp", aliases=["Lamp"])  # its own name left out
    found = await catalog(hass)
    names = [home.target.name for home in found.targets]
    assert "Bedroom Lamp" in names  # HA's match name is "Lamp", shared: the area tells them apart
    bedroom = found.by_name("Bedroom Lamp")
    assert bedroom is not None
    assert bedroom.match_name == "Lamp"
    assert bedroom.match_area == "Bedroom"
    porch = found.by_name("Porch Light")
    assert porch is not None
    assert "Lamp" not in porch.target.aliases


async def test_the_warm_up_caches_the_device_list_and_warms_again_when_it_changes(
    ha_ready: HomeAssistant,
    setup_entry: EntryFactory,
    llama_server: LlamaServerProcess,
    prompt_spy: PromptSpy,
) -> None:
    hass = ha_ready
    await async_build_home(hass)
    entry = await setup_entry(llama_server.url, max_tokens=24)
    await hass.async_block_till_done(wait_background_tasks=True)
    figures = entry.runtime_data.figures_for(next(iter(entry.subentries)))
    assert figures.warmed_prefix is not None
    assert "Kitchen Light, lumière de la cuisine (Kitchen): on, off" in figures.warmed_prefix

    await converse(hass, "What is two plus two?")
    # The turn's prompt starts with exactly the warmed prefix.
    assert prompt_spy.prompts[-1].startswith(figures.warmed_prefix)
    assert figures.last_answer is not None
    assert figures.last_answer["cached_tokens"] >= 0.9 * figures.last_warm_up["prompt_tokens"]  # type: ignore[index]

    async_expose_entity(hass, "conversation", "light.porch_light", False)
    await hass.async_block_till_done(wait_background_tasks=True)
    # Debounced: the warm-up runs after the burst of changes.
    async_fire_time_changed(hass, dt_util.utcnow() + timedelta(seconds=10))
    await hass.async_block_till_done(wait_background_tasks=True)
    assert "Porch Light" not in figures.warmed_prefix
    assert "Kitchen Light" in figures.warmed_prefix


async def test_an_agent_saved_before_device_control_keeps_working_without_it(
    ha_ready: HomeAssistant, setup_entry: EntryFactory, llama_server: LlamaServerProcess
) -> None:
    hass = ha_ready
    await async_build_home(hass)
    entry = await setup_entry(llama_server.url, max_tokens=24)
    subentry = next(iter(entry.subentries.values()))
    data = {k: v for k, v in subentry.data.items() if k != CONF_LLM_HASS_API}
    hass.config_entries.async_update_subentry(entry, subentry, data=data)
    await hass.async_block_till_done(wait_background_tasks=True)
    result = await converse(hass, "What is two plus two?")
    assert result.response.response_type.value == "action_done"


async def test_with_nothing_exposed_an_order_finds_no_device_and_nothing_is_claimed(
    ha_ready: HomeAssistant, setup_entry: EntryFactory, llama_server: LlamaServerProcess
) -> None:
    hass = ha_ready
    entry = await setup_entry(llama_server.url, max_tokens=24)
    await hass.async_block_till_done(wait_background_tasks=True)
    figures = entry.runtime_data.figures_for(next(iter(entry.subentries)))
    assert figures.warmed_prefix is not None
    assert "[no device]" not in figures.warmed_prefix  # no device section for an empty home
    result = await converse(hass, "Turn on the kitchen light.")
    said = str(result.response.speech["plain"]["speech"])
    assert said.startswith("I can't find"), said


async def test_an_order_is_asked_without_the_clock(
    ha_ready: HomeAssistant,
    setup_entry: EntryFactory,
    llama_server: LlamaServerProcess,
    prompt_spy: PromptSpy,
) -> None:
    """The time note changes every minute: an order, answered with calls, does without it even
    when it names a time word; a question about the clock gets it."""
    hass = ha_ready
    await async_build_home(hass)
    await setup_entry(llama_server.url, max_tokens=24)
    await hass.async_block_till_done(wait_background_tasks=True)
    await converse(hass, "It is late, turn on the kitchen light.")
    assert "Only if asked about the time" not in prompt_spy.prompts[-1]
    await converse(hass, "What time is it now?")
    assert "Only if asked about the time" in prompt_spy.prompts[-1]


async def test_an_order_is_carried_out_through_has_tools(
    ha_ready: HomeAssistant, setup_entry: EntryFactory, llama_server: LlamaServerProcess
) -> None:
    """The whole path through HA's Assist API with the fast model (the one the HA release runs
    use): the grammar lets it write only a real call, HA's intent runs it, the light is on and
    the agent says so."""
    hass = ha_ready
    calls = await async_build_home(hass)
    await setup_entry(llama_server.url, max_tokens=24, temperature=0.0)
    await hass.async_block_till_done(wait_background_tasks=True)
    assert hass.states.get("light.kitchen_light").state != "on"
    result = await converse(hass, "Turn on the kitchen light.")
    await hass.async_block_till_done()
    said = str(result.response.speech["plain"]["speech"])
    assert ("light", "turn_on", ("light.kitchen_light",)) in calls.on_entities(), said
    assert hass.states.get("light.kitchen_light").state == "on"
    assert "kitchen light" in said.lower(), said
