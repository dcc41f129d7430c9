"""Water valves for the harness homes: HA has no template or helper valve, so this stand-in is a
real `ValveEntity` (HA's valve component, services and intents run unchanged) whose only fake
part is the hardware: open, close and set_position take effect at once.

It is registered as the platform of a harness-only integration (`harness_valve`) through the
test harness's `mock_integration` / `mock_platform`, the way HA's own tests add entities.
"""

from dataclasses import dataclass
from typing import Any

from homeassistant.components.valve import ValveEntity, ValveEntityFeature
from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddEntitiesCallback
from homeassistant.setup import async_setup_component
from pytest_homeassistant_custom_component.common import (
    MockModule,
    MockPlatform,
    mock_integration,
    mock_platform,
)

PLATFORM = "harness_valve"


@dataclass(frozen=True)
class Valve:
    name: str
    unique_id: str
    position: int = 0  # 0 closed … 100 open
    reports_position: bool = True


class StandInValve(ValveEntity):
    """A valve whose moves complete at once (no hardware behind it)."""

    _attr_should_poll = False

    def __init__(self, valve: Valve) -> None:
        self._attr_name = valve.name
        self._attr_unique_id = valve.unique_id
        self._attr_reports_position = valve.reports_position
        self._attr_supported_features = ValveEntityFeature.OPEN | ValveEntityFeature.CLOSE
        if valve.reports_position:
            self._attr_supported_features |= ValveEntityFeature.SET_POSITION
        self._attr_current_valve_position = valve.position
        self._attr_is_closed = valve.position == 0

    async def async_open_valve(self, **kwargs: Any) -> None:
        await self.async_set_valve_position(100)

    async def async_close_valve(self, **kwargs: Any) -> None:
        await self.async_set_valve_position(0)

    async def async_set_valve_position(self, position: int) -> None:
        self._attr_current_valve_position = position
        self._attr_is_closed = position == 0
        self.async_write_ha_state()


async def async_add_valves(hass: HomeAssistant, valves: list[Valve]) -> None:
    """Set up HA's valve component with these valves (once per hass)."""

    async def setup_platform(
        hass: HomeAssistant, config: Any, add: AddEntitiesCallback, discovery_info: Any = None
    ) -> None:
        add([StandInValve(valve) for valve in valves])

    mock_integration(hass, MockModule(PLATFORM))
    mock_platform(hass, f"{PLATFORM}.valve", MockPlatform(async_setup_platform=setup_platform))
    assert await async_setup_component(hass, "valve", {"valve": [{"platform": PLATFORM}]})
    await hass.async_block_till_done()
