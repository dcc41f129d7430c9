"""The benchmark homes build in HA's harness as the benchmarks expect (so they cannot rot):
every device exists with its area and aliases, exposed or not as declared; the everyday home's
satellite supports timers, so HA offers the agent its timer tools; the large-home generator is
deterministic, holds the same core at every size and exposes exactly the size asked for."""

import pytest
from homeassistant.components.homeassistant.exposed_entities import async_should_expose
from homeassistant.components.intent import async_device_supports_timers
from homeassistant.core import HomeAssistant
from homeassistant.helpers import area_registry as ar
from homeassistant.helpers import entity_registry as er
from homeassistant.helpers import llm
from homeassistant.setup import async_setup_component

from benchmarks.everyday_cases import CASES
from harness import everyday_home, public_home, second_home
from harness.home_builder import Home, async_build
from harness.large_home import CORE, SIZES, build_home


@pytest.fixture
async def ha(hass: HomeAssistant) -> HomeAssistant:
    for component in ("homeassistant", "conversation", "intent"):
        assert await async_setup_component(hass, component, {})
    return hass


def check_home(hass: HomeAssistant, home: Home) -> None:
    entities, areas = er.async_get(hass), ar.async_get(hass)
    for device in home.devices:
        state, entry = hass.states.get(device.entity_id), entities.async_get(device.entity_id)
        assert state is not None and entry is not None, device.entity_id
        assert state.state not in ("unavailable", "unknown") or device.kind == "scene"
        assert async_should_expose(hass, "conversation", device.entity_id) is device.exposed
        assert entry.aliases == [er.COMPUTED_NAME, *device.aliases]
        area = areas.async_get_area(entry.area_id) if entry.area_id else None
        assert (area.name if area else None) == device.area, device.entity_id


async def test_everyday_home(ha: HomeAssistant) -> None:
    satellite = await everyday_home.async_build_everyday_home(ha)
    check_home(ha, everyday_home.HOME)
    assert async_device_supports_timers(ha, satellite.device_id)
    items = await everyday_home.async_todo_items(ha)
    assert [i["summary"] for i in items] == list(everyday_home.SHOPPING_ITEMS)
    assert ha.states.get(everyday_home.SHOPPING_LIST).state == str(len(items))  # type: ignore[union-attr]
    context = llm.LLMContext(platform="test", context=None, language="en",
                             assistant="conversation", device_id=satellite.device_id)  # fmt: skip
    tools = {tool.name for tool in (await llm.async_get_api(ha, "assist", context)).tools}
    assert {"intent__HassStartTimer", "todo__HassListAddItem", "script__good_night"} <= tools
    lights_on = {d.entity_id for d in everyday_home.HOME.exposed
                 if d.kind in ("light", "dimmer") and d.initial == "on"}  # fmt: skip
    assert len(lights_on) >= 2  # "which lights are on?" has a real answer


async def test_second_home(ha: HomeAssistant) -> None:
    satellite = await second_home.async_build_second_home(ha)
    check_home(ha, second_home.HOME)
    assert async_device_supports_timers(ha, satellite.device_id)
    names = {d.name for d in everyday_home.HOME.devices}
    assert not names & {d.name for d in second_home.HOME.devices}


def test_large_homes_are_deterministic_supersets() -> None:
    for size in SIZES:
        home = build_home(size)
        assert len(home.exposed) == size
        assert home.devices[: len(CORE)] == CORE
        assert build_home(size) == home
        assert all(d.aliases for d in home.devices) and all(a.aliases for a in home.areas)
        assert len({d.entity_id for d in home.devices}) == size
    with pytest.raises(ValueError):
        build_home(1000)


async def test_largest_home_builds(ha: HomeAssistant) -> None:
    home = build_home(max(SIZES))
    await async_build(ha, home)
    check_home(ha, home)


# A fixture in the public home-assistant-datasets format (written here, not taken from it).
PUBLIC_FIXTURE = {
    "areas": [{"name": "Porch", "id": "porch"}],
    "entities": [
        {"name": "Porch Light", "id": "light.porch_light", "area": "porch", "state": "off",
         "attributes": {"supported_color_modes": ["brightness"]}},
        {"name": "Yard Valve", "id": "valve.yard_valve", "area": "porch"},
        {"name": "Chores", "id": "todo.chores", "attributes": {"todo_items": []}},
        {"name": "Porch Speaker", "id": "media_player.porch_speaker", "area": "porch",
         "state": "playing"},
    ],
}  # fmt: skip


async def test_public_fixture_home(ha: HomeAssistant) -> None:
    home = await public_home.async_build_public_home(ha, PUBLIC_FIXTURE, ha_default_exposure=True)
    assert {d.entity_id for d in home.devices} == {
        "light.porch_light", "valve.yard_valve", "media_player.porch_speaker"
    }  # fmt: skip
    assert ha.states.get("light.porch_light").state == "off"  # type: ignore[union-attr]
    assert ha.states.get("valve.yard_valve").state == "closed"  # type: ignore[union-attr]
    assert ha.states.get("todo.chores") is not None
    valve = home.by_id["valve.yard_valve"]
    await public_home.async_apply(ha, valve, "open", {"current_position": 40})
    assert ha.states.get("valve.yard_valve").attributes["current_position"] == 40  # type: ignore[union-attr]
    # Exposure is HA's default: lights and media players yes, valves no (HA 2026.10).
    assert async_should_expose(ha, "conversation", "light.porch_light")


def test_everyday_cases_name_what_the_home_has() -> None:
    """An item a case checks off is on the starting list; an entity it names exists."""
    ids = {d.entity_id for d in everyday_home.HOME.devices}
    for case in CASES:
        for word in case.removed:
            assert any(word in item for item in everyday_home.SHOPPING_ITEMS), case.text
        named = {*case.states, *case.triggered, *(e for _, _, e, _ in case.calls)}
        assert named <= ids, case.text
    french = sum(c.language == "fr" for c in CASES)
    assert len(CASES) >= 40 and abs(2 * french - len(CASES)) <= len(CASES) // 5
