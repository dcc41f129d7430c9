"""A home built from HA's own template, helper and universal entities (no mocks).

Every device is a real HA entity driven by HA's real services; what a command did is read
from the `call_service` events HA fires, and from the states the entities end in. Template
entities without a state template are optimistic: they take the state they were asked for.
French aliases come first in the alias list (after the entity's own name) so a French command
finds them.
"""

from dataclasses import dataclass, field
from typing import Any

from homeassistant.components.homeassistant.exposed_entities import async_expose_entity
from homeassistant.core import Event, HomeAssistant, callback
from homeassistant.helpers import area_registry as ar
from homeassistant.helpers import entity_registry as er
from homeassistant.setup import async_setup_component

NOTHING: list[dict[str, Any]] = [{"delay": 0}]


def _switchable(name: str, uid: str) -> dict[str, Any]:
    return {"name": name, "unique_id": uid, "turn_on": NOTHING, "turn_off": NOTHING}


TEMPLATE: list[dict[str, Any]] = [
    {
        "light": [
            {**_switchable("Kitchen Light", "kitchen_light"), "set_level": NOTHING},
            {**_switchable("Bedroom Lamp", "bedroom_lamp"), "set_level": NOTHING},
            _switchable("Porch Light", "porch_light"),
        ],
        "switch": [
            _switchable("Coffee Maker", "coffee_maker"),
            _switchable("Garden Sprinkler", "garden_sprinkler"),
            # Its switch fails the way a device that is offline does: HA raises an error.
            {**_switchable("Sauna Heater", "sauna_heater"), "turn_on": [{"action": "notify.sauna_is_offline"}]},
        ],
        "cover": [
            {
                "name": "Garage Door", "unique_id": "garage_door",
                "open_cover": NOTHING, "close_cover": NOTHING,
            },
            {
                "name": "Living Room Blinds", "unique_id": "living_room_blinds",
                "open_cover": NOTHING, "close_cover": NOTHING, "set_cover_position": NOTHING,
            },
        ],
        "fan": [
            {
                **_switchable("Ceiling Fan", "ceiling_fan"),
                "set_percentage": NOTHING, "speed_count": 4,
            }
        ],
        "lock": [{"name": "Front Door", "unique_id": "front_door", "lock": NOTHING, "unlock": NOTHING}],
        "climate": [
            {
                "name": "Thermostat", "unique_id": "thermostat",
                "hvac_modes": "{{ ['heat', 'off'] }}", "hvac_mode": "{{ 'heat' }}",
                "set_hvac_mode": NOTHING, "set_temperature": NOTHING,
                "current_temperature": "{{ 20.5 }}",
                "min_temperature": 7, "max_temperature": 30,
            }
        ],
        "sensor": [
            {
                "name": "Outside Temperature", "unique_id": "outside_temperature",
                "state": "{{ 12.5 }}", "unit_of_measurement": "°C",
                "device_class": "temperature",
            }
        ],
    }
]  # fmt: skip


def _helper(action: str, helper: str) -> dict[str, Any]:
    """A service call on one of the TV's backing helpers."""
    return {"action": action, "target": {"entity_id": f"input_boolean.{helper}"}}


UNIVERSAL_TV: dict[str, Any] = {
    "platform": "universal",
    "name": "Living Room TV",
    "unique_id": "living_room_tv",
    "commands": {
        "turn_on": _helper("input_boolean.turn_on", "tv_power"),
        "turn_off": _helper("input_boolean.turn_off", "tv_power"),
        "media_play": _helper("input_boolean.turn_on", "tv_playing"),
        "media_pause": _helper("input_boolean.turn_off", "tv_playing"),
        "media_next_track": _helper("input_boolean.toggle", "tv_playing"),
        "volume_set": _helper("input_boolean.turn_on", "tv_playing"),
    },
    "state_template": (
        "{{ 'off' if is_state('input_boolean.tv_power', 'off') else 'playing' "
        "if is_state('input_boolean.tv_playing', 'on') else 'paused' }}"
    ),
}

# entity_id: (area, aliases after the own name)
LAYOUT: dict[str, tuple[str, list[str]]] = {
    "light.kitchen_light": ("Kitchen", ["lumière de la cuisine"]),
    "light.bedroom_lamp": ("Bedroom", ["lampe de la chambre"]),
    "light.porch_light": ("Porch", ["lumière du porche"]),
    "switch.coffee_maker": ("Kitchen", ["machine à café"]),
    "switch.garden_sprinkler": ("Garden", ["arrosage du jardin"]),
    "switch.sauna_heater": ("Garden", ["chauffage du sauna"]),
    "cover.garage_door": ("Garage", ["porte du garage"]),
    "cover.living_room_blinds": ("Living Room", ["stores du salon"]),
    "fan.ceiling_fan": ("Bedroom", ["ventilateur"]),
    "lock.front_door": ("Hall", ["porte d'entrée"]),
    "climate.thermostat": ("Living Room", ["chauffage"]),
    "sensor.outside_temperature": ("Garden", ["température extérieure"]),
    "media_player.living_room_tv": ("Living Room", ["télé du salon"]),
}


@dataclass
class ServiceCalls:
    """The service calls HA made on the home's entities, in order."""

    calls: list[tuple[str, str, dict[str, Any]]] = field(default_factory=list)

    def on_entities(self) -> list[tuple[str, str, tuple[str, ...]]]:
        """(domain, service, entity ids) of the calls that targeted one of our entities."""
        found = []
        for domain, service, data in self.calls:
            targets = data.get("entity_id") or []
            targets = [targets] if isinstance(targets, str) else list(targets)
            ours = tuple(sorted(t for t in targets if t in LAYOUT))
            if ours:
                found.append((domain, service, ours))
        return found

    def clear(self) -> None:
        self.calls.clear()


async def async_build_home(hass: HomeAssistant) -> ServiceCalls:
    """Set up the home's entities, areas and aliases, expose them, and record service calls."""
    assert await async_setup_component(
        hass, "input_boolean", {"input_boolean": {"tv_power": {}, "tv_playing": {}}}
    )
    assert await async_setup_component(hass, "template", {"template": TEMPLATE})
    assert await async_setup_component(hass, "media_player", {"media_player": [UNIVERSAL_TV]})
    await hass.async_block_till_done()
    areas, entities = ar.async_get(hass), er.async_get(hass)
    for entity_id, (area_name, aliases) in LAYOUT.items():
        area = areas.async_get_area_by_name(area_name) or areas.async_create(area_name)
        assert entities.async_get(entity_id) is not None, entity_id
        entities.async_update_entity(
            entity_id, area_id=area.id, aliases=[er.COMPUTED_NAME, *aliases]
        )
        async_expose_entity(hass, "conversation", entity_id, True)
    # Helpers behind the TV are not devices a user talks to.
    for helper in ("tv_power", "tv_playing"):
        async_expose_entity(hass, "conversation", f"input_boolean.{helper}", False)
    recorded = ServiceCalls()

    @callback
    def record(event: Event[Any]) -> None:
        data = event.data
        recorded.calls.append(
            (data["domain"], data["service"], dict(data.get("service_data") or {}))
        )

    hass.bus.async_listen("call_service", record)
    return recorded


async def async_play_tv(hass: HomeAssistant) -> None:
    """Switch the TV on and playing (through its helpers, not through the TV's services)."""
    for helper in ("tv_power", "tv_playing"):
        await hass.services.async_call(
            "input_boolean", "turn_on", {"entity_id": f"input_boolean.{helper}"}, blocking=True
        )
