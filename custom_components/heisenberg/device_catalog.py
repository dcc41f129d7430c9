"""The exposed devices as the model sees them, read from HA's registries and states.

HA's own exposed-entity prompt is verbose and joins an entity's name and aliases into one
string, which small models then pass back whole and fail with (core#176324). Here each device
gets its names as separate alternatives and only the actions its features and HA's offered
tools allow, each mapped to the HA tool that performs it. Everything is sorted, so the prompt
prefix and grammar stay byte for byte the same while the exposed set does not change.
"""

from dataclasses import dataclass
from typing import Any

from homeassistant.components.homeassistant.exposed_entities import async_should_expose
from homeassistant.core import HomeAssistant, State
from homeassistant.helpers import area_registry as ar
from homeassistant.helpers import device_registry as dr
from homeassistant.helpers import entity_registry as er
from homeassistant.helpers import intent

from .tool_grammar import UNKNOWN, Action, Device, sorted_devices

# Who exposure is asked of: HA's conversation assistant, like every Assist agent.
ASSISTANT = "conversation"
STATE_ACTION = "state"


@dataclass(frozen=True, slots=True)
class ActionSpec:
    """One action of a domain: the HA tool that performs it, the argument its value goes in,
    the feature bit it needs, and its value range (for climate, narrowed to the entity's own
    min and max temperature: `_climate_range`)."""

    name: str
    tool: str
    value_arg: str | None = None
    feature: int = 0
    value_range: tuple[int, int] | None = None


_ON_OFF = (
    ActionSpec("on", "intent__HassTurnOn"),
    ActionSpec("off", "intent__HassTurnOff"),
)
_PERCENT = (0, 100)

# Feature bits: CoverEntityFeature.SET_POSITION 4, FanEntityFeature.SET_SPEED 1,
# ClimateEntityFeature.TARGET_TEMPERATURE 1, MediaPlayerEntityFeature PAUSE 1, VOLUME_SET 4,
# NEXT_TRACK 32, TURN_ON 128, TURN_OFF 256, PLAY 16384.
DOMAIN_ACTIONS: dict[str, tuple[ActionSpec, ...]] = {
    "light": (
        *_ON_OFF,
        ActionSpec("brightness", "light__HassLightSet", "brightness", value_range=_PERCENT),
    ),
    "switch": _ON_OFF,
    "input_boolean": _ON_OFF,
    "fan": (
        *_ON_OFF,
        ActionSpec("speed", "fan__HassFanSetSpeed", "percentage", 1, _PERCENT),
    ),
    "cover": (
        ActionSpec("open", "intent__HassTurnOn"),
        ActionSpec("close", "intent__HassTurnOff"),
        ActionSpec("position", "intent__HassSetPosition", "position", 4, _PERCENT),
    ),
    "valve": (
        ActionSpec("open", "intent__HassTurnOn"),
        ActionSpec("close", "intent__HassTurnOff"),
    ),
    # HA's Assist API: "Use HassTurnOn to lock and HassTurnOff to unlock a lock."
    "lock": (
        ActionSpec("lock", "intent__HassTurnOn"),
        ActionSpec("unlock", "intent__HassTurnOff"),
    ),
    "climate": (
        ActionSpec("temperature", "climate__HassClimateSetTemperature", "temperature", 1, (7, 35)),
    ),
    "media_player": (
        ActionSpec("on", "intent__HassTurnOn", feature=128),
        ActionSpec("off", "intent__HassTurnOff", feature=256),
        ActionSpec("pause", "media_player__HassMediaPause", feature=1),
        ActionSpec("resume", "media_player__HassMediaUnpause", feature=16384),
        ActionSpec("next", "media_player__HassMediaNext", feature=32),
        ActionSpec("volume", "media_player__HassSetVolume", "volume_level", 4, _PERCENT),
    ),
    "scene": (ActionSpec("activate", "intent__HassTurnOn"),),
    "script": (ActionSpec("run", "intent__HassTurnOn"),),
}


@dataclass(frozen=True, slots=True)
class HomeDevice:
    """An exposed entity: what the model sees, and what HA needs to act on it."""

    device: Device
    entity_id: str
    domain: str
    # The name HA's intent matcher knows the entity by (its first alias), and its area when
    # that name is shared with another entity.
    match_name: str
    match_area: str | None = None
    # Other names of its area (HA area aliases: « salon » for Living Room), for the
    # relevance check.
    area_aliases: tuple[str, ...] = ()

    def spec(self, action: str) -> ActionSpec | None:
        """How `action` is performed on this entity (None for reading its state)."""
        return next((s for s in DOMAIN_ACTIONS.get(self.domain, ()) if s.name == action), None)


@dataclass(frozen=True, slots=True)
class DeviceCatalog:
    """Every exposed device the model may name, sorted by name."""

    devices: tuple[HomeDevice, ...]

    @property
    def model_devices(self) -> list[Device]:
        return [home.device for home in self.devices]

    @property
    def domains(self) -> dict[str, str]:
        """Each device's HA domain, by its name."""
        return {home.device.name: home.domain for home in self.devices}

    def by_name(self, name: str) -> HomeDevice | None:
        return next((home for home in self.devices if home.device.name == name), None)


def _actions(state: State, tools: set[str]) -> tuple[Action, ...]:
    features = int(state.attributes.get("supported_features") or 0)
    actions: list[Action] = []
    for spec in DOMAIN_ACTIONS.get(state.domain, ()):
        if spec.tool not in tools or (spec.feature and not features & spec.feature):
            continue
        value_range = spec.value_range
        if state.domain == "climate" and value_range is not None:
            value_range = _climate_range(state.attributes, value_range)
        if spec.name == "brightness" and not _dims(state.attributes):
            continue
        actions.append(Action(spec.name, value_range))
    # Reading the state needs no tool: the agent reads HA's live state itself.
    actions.append(Action(STATE_ACTION))
    return tuple(actions)


def _climate_range(attributes: dict[str, Any], default: tuple[int, int]) -> tuple[int, int]:
    try:
        low, high = round(float(attributes["min_temp"])), round(float(attributes["max_temp"]))
    except KeyError, TypeError, ValueError:
        return default
    return (low, high) if low < high else default


def _dims(attributes: dict[str, Any]) -> bool:
    modes = attributes.get("supported_color_modes") or []
    return any(str(mode) not in ("onoff", "unknown") for mode in modes)


def async_device_catalog(hass: HomeAssistant, tools: set[str]) -> DeviceCatalog:
    """The exposed devices, with the actions the offered `tools` can perform on them."""
    entities, areas = er.async_get(hass), ar.async_get(hass)
    found: list[HomeDevice] = []
    for state in hass.states.async_all():
        if not async_should_expose(hass, ASSISTANT, state.entity_id):
            continue
        entry = entities.async_get(state.entity_id)
        names = [n.strip() for n in intent.async_get_entity_aliases(hass, entry, state=state)]
        # A call is "[name] action": a name with a bracket or a line break cannot be written,
        # and "no device" is the call for a device the home does not have.
        names = [
            n
            for n in dict.fromkeys(names)
            if n and not set(n) & set("[]\n") and n.casefold() != UNKNOWN
        ]
        if not names:
            continue
        area_id = entry.area_id if entry else None
        if entry is not None and area_id is None and entry.device_id:
            device_entry = dr.async_get(hass).async_get(entry.device_id)
            area_id = device_entry.area_id if device_entry else None
        area = areas.async_get_area(area_id) if area_id else None
        device = Device(
            name=names[0],
            actions=_actions(state, tools),
            aliases=tuple(names[1:]),
            area=area.name if area else None,
        )
        area_aliases = tuple(sorted(area.aliases)) if area else ()
        found.append(
            HomeDevice(device, state.entity_id, state.domain, names[0], area_aliases=area_aliases)
        )
    found = _unique_names(found)
    order = {
        device.name: index for index, device in enumerate(sorted_devices([h.device for h in found]))
    }
    return DeviceCatalog(tuple(sorted(found, key=lambda home: order[home.device.name])))


def _unique_names(found: list[HomeDevice]) -> list[HomeDevice]:
    """Two entities with one name ("Ceiling Light" in two rooms) get their area in the name,
    and a name shared between entities is no alias of either: a call must say which."""
    counts: dict[str, int] = {}
    for home in found:
        for name in home.device.spoken_names:
            counts[name.casefold()] = counts.get(name.casefold(), 0) + 1
    result: list[HomeDevice] = []
    for home in found:
        device = home.device
        shared = counts[device.name.casefold()] > 1 and device.area is not None
        name = f"{device.area} {device.name}" if shared else device.name
        aliases = tuple(a for a in device.aliases if counts[a.casefold()] == 1)
        result.append(
            HomeDevice(
                Device(name, device.actions, aliases, device.area),
                home.entity_id,
                home.domain,
                home.match_name,
                device.area if shared else None,
                home.area_aliases,
            )
        )
    return result
