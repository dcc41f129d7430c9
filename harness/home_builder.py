"""Builds a home described as data out of HA's own entities (no mocks), for benchmarks and tests.

A `Device` names the entity id, the name, the area, the aliases and the kind; `async_build`
sets up HA's template, helper, universal media player, scene and script integrations (and the
harness valve stand-in, the one kind HA cannot make from helpers), gives every entity its
entity id, area and aliases in the registries, and exposes it to Assist unless it is marked
hidden. `async_reset` puts every device back into its starting state through HA's services, so
each benchmark case starts from the same home. Template entities without a state template are
optimistic: they take the state they were asked for, so what a command did can be read from
the final states as well as from the `call_service` events.
"""

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from homeassistant.components.homeassistant.exposed_entities import (
    async_expose_entity,
    async_should_expose,
)
from homeassistant.core import HomeAssistant
from homeassistant.helpers import area_registry as ar
from homeassistant.helpers import entity_registry as er
from homeassistant.helpers import floor_registry as fr
from homeassistant.setup import async_setup_component

from .valve_standin import PLATFORM as VALVE_PLATFORM
from .valve_standin import Valve, async_add_valves

NOTHING: list[dict[str, Any]] = [{"delay": 0}]
# Kinds made by the template integration, with the `template:` key they go under.
TEMPLATE_KEYS = {
    "light": "light", "dimmer": "light", "switch": "switch", "cover": "cover",
    "blind": "cover", "lock": "lock", "climate": "climate", "sensor": "sensor",
    "binary_sensor": "binary_sensor", "fan": "fan", "vacuum": "vacuum", "weather": "weather",
}  # fmt: skip


@dataclass(frozen=True)
class Device:
    entity_id: str
    name: str
    area: str | None
    kind: str  # a TEMPLATE_KEYS key, or "media", "valve", "scene", "script"
    aliases: tuple[str, ...] = ()
    # Starting state: "on"/"off", "open"/"closed", "locked"/"unlocked", a temperature for a
    # thermostat or a sensor, "playing"/"paused"/"off" for media, a condition for weather.
    initial: str = "off"
    exposed: bool = True
    device_class: str | None = None
    unit: str | None = None


@dataclass(frozen=True)
class Area:
    name: str
    aliases: tuple[str, ...] = ()
    floor: str | None = None


@dataclass
class Home:
    devices: list[Device]
    areas: list[Area]
    floors: dict[str, tuple[str, ...]] = field(default_factory=dict)  # name → aliases
    # True: leave Assist exposure to HA's defaults (by domain and device class), as a fresh
    # integration gets it; False: expose exactly the devices marked `exposed`.
    ha_default_exposure: bool = False

    @property
    def by_id(self) -> dict[str, Device]:
        return {d.entity_id: d for d in self.devices}

    @property
    def exposed(self) -> list[Device]:
        return [d for d in self.devices if d.exposed]


def _uid(device: Device) -> str:
    return device.entity_id.replace(".", "_")


def _template(device: Device) -> dict[str, Any]:
    base: dict[str, Any] = {"name": device.name, "unique_id": _uid(device)}
    kind = device.kind
    if kind in ("light", "dimmer", "switch"):
        base |= {"turn_on": NOTHING, "turn_off": NOTHING}
        if kind == "dimmer":
            base["set_level"] = NOTHING
    elif kind in ("cover", "blind"):
        base |= {"open_cover": NOTHING, "close_cover": NOTHING}
        if kind == "blind":
            base["set_cover_position"] = NOTHING
        if device.device_class:
            base["device_class"] = device.device_class
    elif kind == "lock":
        base |= {"lock": NOTHING, "unlock": NOTHING}
    elif kind == "fan":
        base |= {"turn_on": NOTHING, "turn_off": NOTHING, "set_percentage": NOTHING,
                 "speed_count": 4}  # fmt: skip
    elif kind == "vacuum":
        base |= {name: NOTHING for name in ("start", "pause", "stop", "return_to_base")}
    elif kind == "climate":
        base |= {
            "hvac_modes": "{{ ['heat', 'off'] }}", "hvac_mode": "{{ 'heat' }}",
            "set_hvac_mode": NOTHING, "set_temperature": NOTHING,
            "current_temperature": f"{{{{ {device.initial} }}}}",
            "min_temperature": 7, "max_temperature": 30, "target_temperature_step": 0.5,
        }  # fmt: skip
    elif kind in ("sensor", "binary_sensor"):
        base["state"] = f"{{{{ {device.initial!r} }}}}"
        if device.device_class:
            base["device_class"] = device.device_class
        if device.unit:
            base["unit_of_measurement"] = device.unit
    elif kind == "weather":
        condition, temperature, humidity = device.initial.split("/")
        base |= {"condition": f"{{{{ {condition!r} }}}}", "temperature": f"{{{{ {temperature} }}}}",
                 "humidity": f"{{{{ {humidity} }}}}", "temperature_unit": "°C"}  # fmt: skip
    return base


def _helper_id(device: Device, what: str) -> str:
    return f"{device.entity_id.split('.', 1)[1]}_{what}"


def _call(action: str, entity_id: str, **data: Any) -> dict[str, Any]:
    return {"action": action, "target": {"entity_id": entity_id}, "data": data}


def _media_player(device: Device) -> dict[str, Any]:
    """A universal media player whose power, play state, volume and track are HA helpers."""
    power, playing = (f"input_boolean.{_helper_id(device, w)}" for w in ("power", "playing"))
    volume, track = (f"input_number.{_helper_id(device, w)}" for w in ("volume", "track"))
    return {
        "platform": "universal", "name": device.name, "unique_id": _uid(device),
        "commands": {
            "turn_on": _call("input_boolean.turn_on", power),
            "turn_off": _call("input_boolean.turn_off", power),
            "media_play": _call("input_boolean.turn_on", playing),
            "media_pause": _call("input_boolean.turn_off", playing),
            "media_stop": _call("input_boolean.turn_off", playing),
            "media_next_track": _call("input_number.increment", track),
            "media_previous_track": _call("input_number.decrement", track),
            "volume_set": _call("input_number.set_value", volume, value="{{ volume_level }}"),
            # The public dataset's speakers treat mute as volume 0; so do these.
            "volume_mute": _call("input_number.set_value", volume, value=0),
        },
        "attributes": {"volume_level": volume, "media_track": track},
        "state_template": (
            f"{{{{ 'off' if is_state('{power}', 'off') else 'playing' "
            f"if is_state('{playing}', 'on') else 'paused' }}}}"
        ),
    }  # fmt: skip


def helper_ids(home: Home) -> list[str]:
    """The helpers behind the media players (not devices a user talks to)."""
    found = []
    for device in home.devices:
        if device.kind == "media":
            found += [f"input_boolean.{_helper_id(device, w)}" for w in ("power", "playing")]
            found += [f"input_number.{_helper_id(device, w)}" for w in ("volume", "track")]
    return found


async def async_build(hass: HomeAssistant, home: Home) -> None:
    """Set up every device of `home`, its areas, floors and aliases, and expose it."""
    media = [d for d in home.devices if d.kind == "media"]
    booleans: dict[str, dict[str, Any]] = {
        _helper_id(d, w): {} for d in media for w in ("power", "playing")
    }
    booleans["scene_mood"] = {}
    numbers = {_helper_id(d, "volume"): {"min": 0, "max": 1, "step": 0.01} for d in media}
    numbers |= {_helper_id(d, "track"): {"min": 1, "max": 999, "step": 1} for d in media}
    assert await async_setup_component(hass, "input_boolean", {"input_boolean": booleans})
    assert await async_setup_component(hass, "input_number", {"input_number": numbers})
    template: dict[str, list[dict[str, Any]]] = {}
    for device in home.devices:
        if key := TEMPLATE_KEYS.get(device.kind):
            template.setdefault(key, []).append(_template(device))
    assert await async_setup_component(hass, "template", {"template": [template]})
    players = [_media_player(d) for d in media]
    assert await async_setup_component(hass, "media_player", {"media_player": players})
    mood = _call("input_boolean.toggle", "input_boolean.scene_mood")
    scenes = [{"name": d.name, "id": _uid(d), "entities": {"input_boolean.scene_mood": "on"}}
              for d in home.devices if d.kind == "scene"]  # fmt: skip
    assert await async_setup_component(hass, "scene", {"scene": scenes})
    scripts = {d.entity_id.split(".", 1)[1]: {"alias": d.name, "sequence": [mood]}
               for d in home.devices if d.kind == "script"}  # fmt: skip
    assert await async_setup_component(hass, "script", {"script": scripts})
    valves = [Valve(d.name, _uid(d)) for d in home.devices if d.kind == "valve"]
    if valves:
        await async_add_valves(hass, valves)
    await hass.async_block_till_done()
    await _async_register(hass, home)
    await async_reset(hass, home)


def _platform(kind: str) -> str:
    return {"media": "universal", "valve": VALVE_PLATFORM, "scene": "homeassistant",
            "script": "script"}.get(kind, "template")  # fmt: skip


async def _async_register(hass: HomeAssistant, home: Home) -> None:
    floors, areas, entities = fr.async_get(hass), ar.async_get(hass), er.async_get(hass)
    for name, aliases in home.floors.items():
        if floors.async_get_floor_by_name(name) is None:
            floors.async_create(name, aliases=set(aliases))
    for spec in home.areas:
        floor = floors.async_get_floor_by_name(spec.floor) if spec.floor else None
        entry = areas.async_get_area_by_name(spec.name) or areas.async_create(spec.name)
        areas.async_update(entry.id, aliases=set(spec.aliases),
                           floor_id=floor.floor_id if floor else None)  # fmt: skip
    for device in home.devices:
        domain = device.entity_id.split(".", 1)[0]
        unique_id = device.entity_id.split(".", 1)[1] if device.kind == "script" else _uid(device)
        current = entities.async_get_entity_id(domain, _platform(device.kind), unique_id)
        assert current is not None, f"{device.entity_id} was not created"
        area = areas.async_get_area_by_name(device.area) if device.area else None
        entities.async_update_entity(
            current, new_entity_id=device.entity_id, area_id=area.id if area else None,
            aliases=[er.COMPUTED_NAME, *device.aliases],
        )  # fmt: skip
        if home.ha_default_exposure:
            async_should_expose(hass, "conversation", device.entity_id)
        else:
            async_expose_entity(hass, "conversation", device.entity_id, device.exposed)
    for helper in [*helper_ids(home), "input_boolean.scene_mood"]:
        async_expose_entity(hass, "conversation", helper, False)
    await hass.async_block_till_done()


# The service that puts a device of each kind into a starting state.
_RESET: dict[str, dict[str, tuple[str, str]]] = {
    "light": {"on": ("light", "turn_on"), "off": ("light", "turn_off")},
    "switch": {"on": ("switch", "turn_on"), "off": ("switch", "turn_off")},
    "fan": {"on": ("fan", "turn_on"), "off": ("fan", "turn_off")},
    "cover": {"open": ("cover", "open_cover"), "closed": ("cover", "close_cover")},
    "lock": {"locked": ("lock", "lock"), "unlocked": ("lock", "unlock")},
    "valve": {"open": ("valve", "open_valve"), "closed": ("valve", "close_valve")},
    "vacuum": {"docked": ("vacuum", "return_to_base"), "cleaning": ("vacuum", "start")},
}
_RESET["dimmer"], _RESET["blind"] = _RESET["light"], _RESET["cover"]


async def async_reset(hass: HomeAssistant, home: Home, only: Iterable[str] | None = None) -> None:
    """Put every device (or those in `only`) back into its starting state."""
    wanted = set(only) if only is not None else None
    for device in home.devices:
        if wanted is not None and device.entity_id not in wanted:
            continue
        if device.initial in _RESET.get(device.kind, {}):
            domain, service = _RESET[device.kind][device.initial]
            await hass.services.async_call(
                domain, service, {"entity_id": device.entity_id}, blocking=True
            )
            if device.initial == "docked":  # a template vacuum sent home stays "returning"
                state = hass.states.get(device.entity_id)
                assert state is not None
                hass.states.async_set(device.entity_id, "docked", state.attributes)
        elif device.kind == "climate":
            await hass.services.async_call("climate", "set_temperature", {
                "entity_id": device.entity_id, "temperature": 20}, blocking=True)  # fmt: skip
        elif device.kind == "media":
            await async_set_media(hass, device, device.initial, volume=0.3, track=1)
    await hass.async_block_till_done()


async def async_set_media(
    hass: HomeAssistant, device: Device, state: str, volume: float = 0.3, track: int = 1
) -> None:
    """Put a media player into `state` (off/paused/playing) through its helpers."""
    for what, on in (("power", state != "off"), ("playing", state == "playing")):
        await hass.services.async_call("input_boolean", "turn_on" if on else "turn_off", {
            "entity_id": f"input_boolean.{_helper_id(device, what)}"}, blocking=True)  # fmt: skip
    for what, value in (("volume", volume), ("track", track)):
        await hass.services.async_call("input_number", "set_value", {
            "entity_id": f"input_number.{_helper_id(device, what)}", "value": value},
            blocking=True)  # fmt: skip
