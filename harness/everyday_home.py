"""The home of the everyday-requests benchmark (#23), and the voice satellite it is spoken to.

Two floors, seven areas, lights of which some are on (so "which lights are on?" has a real
answer), a thermostat beside a switch named like heating (« Chauffage de la terrasse »), covers,
a lock, a speaker, a robot vacuum, a garden valve, scenes and scripts, a weather entity, HA's
shopping list (a real to-do entity), and one light that is **not exposed** to Assist. Requests
come from a satellite device in the kitchen that registers a timer handler with HA's timer
manager, as a Voice PE or an ESPHome satellite does: that is what makes HA offer timer tools.
"""

import tempfile
from dataclasses import dataclass, field
from typing import Any

from homeassistant.components.homeassistant.exposed_entities import async_expose_entity
from homeassistant.components.intent import async_register_timer_handler
from homeassistant.components.intent.timers import TimerEventType, TimerInfo
from homeassistant.core import HomeAssistant
from homeassistant.helpers import area_registry as ar
from homeassistant.helpers import device_registry as dr
from homeassistant.helpers import entity_registry as er
from pytest_homeassistant_custom_component.common import MockConfigEntry

from .home_builder import Area, Device, Home, async_build

GROUND, UPSTAIRS = "Ground Floor", "Upstairs"
SATELLITE_AREA = "Kitchen"
SHOPPING_LIST = "todo.shopping_list"
SHOPPING_ITEMS = ("eggs", "bread", "tomatoes")  # the list at the start of every case
UNEXPOSED = "light.aquarium_light"

AREAS = [
    Area("Kitchen", ("cuisine",), GROUND),
    Area("Living Room", ("salon", "séjour"), GROUND),
    Area("Hallway", ("entrée", "couloir"), GROUND),
    Area("Terrace", ("terrasse",), GROUND),
    Area("Bedroom", ("chambre",), UPSTAIRS),
    Area("Office", ("bureau",), UPSTAIRS),
    Area("Garden", ("jardin",)),
]


def _d(entity_id: str, name: str, area: str | None, kind: str, *aliases: str,
       **extra: Any) -> Device:  # fmt: skip
    return Device(entity_id, name, area, kind, aliases, **extra)


DEVICES = [
    _d("light.kitchen_ceiling", "Kitchen Ceiling Light", "Kitchen", "dimmer",
       "plafonnier de la cuisine", initial="off"),
    _d("light.counter_lights", "Counter Lights", "Kitchen", "light",
       "lumières du plan de travail", initial="on"),
    _d("light.living_room_lamp", "Living Room Lamp", "Living Room", "dimmer",
       "lampe du salon", initial="on"),
    _d("light.reading_light", "Reading Light", "Living Room", "light", "liseuse", initial="off"),
    _d("light.bedroom_light", "Bedroom Light", "Bedroom", "dimmer", "lumière de la chambre",
       initial="off"),
    _d("light.desk_lamp", "Desk Lamp", "Office", "light", "lampe du bureau", initial="on"),
    _d("light.hallway_light", "Hallway Light", "Hallway", "light", "lumière de l'entrée",
       initial="off"),
    _d("light.terrace_lights", "Terrace Lights", "Terrace", "light",
       "lumières de la terrasse", initial="off"),
    _d(UNEXPOSED, "Aquarium Light", "Living Room", "light", "lumière de l'aquarium",
       initial="on", exposed=False),
    _d("climate.thermostat", "Thermostat", "Living Room", "climate", "chauffage", "heating",
       initial="20.5"),
    _d("switch.terrace_heater", "Terrace Heater", "Terrace", "switch",
       "chauffage de la terrasse", initial="off"),
    _d("fan.bedroom_fan", "Bedroom Fan", "Bedroom", "fan", "ventilateur de la chambre",
       initial="off"),
    _d("fan.office_fan", "Office Fan", "Office", "fan", "ventilateur du bureau", initial="off"),
    _d("switch.kettle", "Kettle", "Kitchen", "switch", "bouilloire", initial="off"),
    _d("cover.living_room_shutters", "Living Room Shutters", "Living Room", "blind",
       "volets du salon", initial="open", device_class="shutter"),
    _d("cover.bedroom_blind", "Bedroom Blind", "Bedroom", "blind", "store de la chambre",
       initial="closed", device_class="blind"),
    _d("cover.garage_door", "Garage Door", "Hallway", "cover", "porte du garage",
       initial="closed", device_class="garage"),
    _d("lock.front_door", "Front Door", "Hallway", "lock", "porte d'entrée", initial="unlocked"),
    _d("media_player.kitchen_speaker", "Kitchen Speaker", "Kitchen", "media",
       "enceinte de la cuisine", initial="playing"),
    _d("vacuum.robot_vacuum", "Robot Vacuum", "Living Room", "vacuum", "aspirateur",
       initial="docked"),
    _d("valve.garden_tap", "Garden Tap", "Garden", "valve", "robinet du jardin",
       initial="closed"),
    _d("sensor.bedroom_temperature", "Bedroom Temperature", "Bedroom", "sensor",
       "température de la chambre", initial="18.5", device_class="temperature", unit="°C"),
    _d("binary_sensor.office_window", "Office Window", "Office", "binary_sensor",
       "fenêtre du bureau", initial="on", device_class="window"),
    _d("weather.home", "Home Forecast", None, "weather", "météo", initial="rainy/14/81"),
    _d("scene.movie_night", "Movie Night", "Living Room", "scene", "soirée cinéma"),
    _d("script.good_night", "Good Night", None, "script", "bonne nuit"),
]  # fmt: skip

HOME = Home(DEVICES, AREAS, {GROUND: ("rez-de-chaussée",), UPSTAIRS: ("étage",)})


@dataclass
class Satellite:
    """The voice satellite's device, and the timer events HA sent it."""

    device_id: str
    events: list[tuple[TimerEventType, TimerInfo]] = field(default_factory=list)

    def handle(self, event_type: TimerEventType, timer: TimerInfo) -> None:
        self.events.append((event_type, timer))


async def async_add_satellite(hass: HomeAssistant, area_name: str) -> Satellite:
    """A satellite device in `area_name` that supports timers, as a real one registers."""
    entry = MockConfigEntry(domain="esphome", title="Kitchen satellite")
    entry.add_to_hass(hass)
    area = ar.async_get(hass).async_get_area_by_name(area_name)
    assert area is not None
    device = dr.async_get(hass).async_get_or_create(
        config_entry_id=entry.entry_id, identifiers={("esphome", "kitchen-satellite")},
        name="Kitchen Satellite", manufacturer="Harness", model="Voice satellite",
    )  # fmt: skip
    dr.async_get(hass).async_update_device(device.id, area_id=area.id)
    satellite = Satellite(device.id)
    async_register_timer_handler(hass, device.id, satellite.handle)
    return satellite


async def async_add_shopping_list(hass: HomeAssistant) -> None:
    """HA's shopping list integration (its data file in a temporary config folder)."""
    hass.config.config_dir = tempfile.mkdtemp(prefix="heisenberg-home-")
    entry = MockConfigEntry(domain="shopping_list", title="Shopping list")
    entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    entities = er.async_get(hass)
    entity_id = entities.async_get_entity_id("todo", "shopping_list", entry.entry_id)
    assert entity_id == SHOPPING_LIST, entity_id
    entities.async_update_entity(
        entity_id, aliases=[er.COMPUTED_NAME, "liste de courses", "courses"]
    )
    async_expose_entity(hass, "conversation", entity_id, True)


async def async_reset_shopping_list(hass: HomeAssistant) -> None:
    """The list holds exactly SHOPPING_ITEMS, none done."""
    items = await async_todo_items(hass)
    if items:
        await hass.services.async_call("todo", "remove_item", {
            "entity_id": SHOPPING_LIST, "item": [i["summary"] for i in items]},
            blocking=True)  # fmt: skip
    for item in SHOPPING_ITEMS:
        await hass.services.async_call(
            "todo", "add_item", {"entity_id": SHOPPING_LIST, "item": item}, blocking=True
        )


async def async_todo_items(
    hass: HomeAssistant, entity_id: str = SHOPPING_LIST
) -> list[dict[str, Any]]:
    """A to-do list's items ({"summary", "status"}), through HA's todo.get_items."""
    response = await hass.services.async_call(
        "todo", "get_items", {"entity_id": entity_id}, blocking=True, return_response=True
    )
    assert response is not None
    found: Any = response[entity_id]
    return list(found["items"])


async def async_build_everyday_home(hass: HomeAssistant) -> Satellite:
    await async_build(hass, HOME)
    await async_add_shopping_list(hass)
    await async_reset_shopping_list(hass)
    return await async_add_satellite(hass, SATELLITE_AREA)
