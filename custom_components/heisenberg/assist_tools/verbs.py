"""How the agent presents Home Assistant's Assist tools to the model: as short actions.

HA offers each turn a list of tools (`llm.APIInstance.tools`): intent tools such as
`intent__HassTurnOn` or `light__HassLightSet`, timers when the satellite can ring them, to-do
tools when a list is exposed, live context, scripts, and whatever other integrations add. A small
model is reliable with "[Kitchen Light] brightness 40", not with JSON arguments, so each tool the
agent knows is presented as an action word on the targets it applies to, with its value read
from the tool's own parameter schema (a `Range` gives the numbers the grammar allows). A tool
the agent does not know how to present is left out, and logged once: never guessed.

This table is the agent's vocabulary, keyed by the tool (the intent type for intent tools), not
a list of devices: a tool that HA does not offer this turn gives no action at all.
"""

import logging
from collections.abc import Iterable
from dataclasses import dataclass

from .calls import Value, ValueKind

_LOGGER = logging.getLogger(__name__)

STATE = "state"  # reading a target's live state: no tool, the agent reads HA's state itself

_PERCENT = Value(ValueKind.NUMBER, 0, 100)
_DURATION = Value(ValueKind.DURATION, label=True)
_MAYBE_DURATION = Value(ValueKind.DURATION, optional=True, label=True)
_MAYBE_NAME = Value(ValueKind.TEXT, optional=True)
_ITEM = Value(ValueKind.TEXT)
# Colour names HA's light tool understands (CSS names), the ones people say.
COLORS = ("red", "green", "blue", "yellow", "orange", "purple", "pink", "white", "cyan")

# Media player feature bits (MediaPlayerEntityFeature): PAUSE 1, VOLUME_SET 4, VOLUME_MUTE 8,
# PREVIOUS_TRACK 16, NEXT_TRACK 32, TURN_ON 128, TURN_OFF 256, PLAY 16384.
# Climate (ClimateEntityFeature): TARGET_TEMPERATURE 1, TURN_OFF 128, TURN_ON 256.
# Cover and valve: SET_POSITION 4, STOP 8. Fan: SET_SPEED 1. Vacuum: RETURN_HOME 16,
# START 8192. Lawn mower: START_MOWING 1, DOCK 4.


@dataclass(frozen=True, slots=True)
class Verb:
    """One tool presented as one action: its word on targets of `domains` that have the
    `feature` bits, the tool's slot its value goes in, and whether it only reads."""

    action: str
    tool: str  # the intent type, or the tool's name without its integration's prefix
    domains: frozenset[str] = frozenset()
    value: Value | None = None
    slot: str | None = None
    feature: int = 0
    read_only: bool = False
    fixed: tuple[tuple[str, str], ...] = ()  # arguments always sent ("volume_step": "up")
    name_slot: str = "name"  # the slot the target's name goes in
    with_domain: bool = True  # whether the entity's domain is sent too (intent tools take it)


def _v(action: str, tool: str, domains: str = "", **kwargs: object) -> Verb:
    return Verb(action, tool, frozenset(domains.split()), **kwargs)  # type: ignore[arg-type]


_SWITCHABLE = "light switch input_boolean fan humidifier automation"
# Actions on one device (or a group of them): the tool performs it with the device's name.
ENTITY_VERBS: tuple[Verb, ...] = (
    _v("on", "HassTurnOn", _SWITCHABLE),
    _v("off", "HassTurnOff", _SWITCHABLE),
    _v("on", "HassTurnOn", "media_player", feature=128),
    _v("off", "HassTurnOff", "media_player", feature=256),
    _v("on", "HassTurnOn", "climate", feature=256),
    _v("off", "HassTurnOff", "climate", feature=128),
    _v("open", "HassTurnOn", "cover valve"),
    _v("close", "HassTurnOff", "cover valve"),
    _v("position", "HassSetPosition", "cover valve", value=_PERCENT, slot="position", feature=4),
    _v("stop", "HassStopMoving", "cover valve", feature=8),
    # HA's Assist API: "Use HassTurnOn to lock and HassTurnOff to unlock a lock."
    _v("lock", "HassTurnOn", "lock"),
    _v("unlock", "HassTurnOff", "lock"),
    _v("activate", "HassTurnOn", "scene"),
    _v("run", "HassTurnOn", "script"),
    _v("press", "HassTurnOn", "button input_button"),
    _v("brightness", "HassLightSet", "light", value=_PERCENT, slot="brightness"),
    _v("color", "HassLightSet", "light", value=Value(ValueKind.WORD, words=COLORS), slot="color"),
    _v("temperature", "HassClimateSetTemperature", "climate",
       value=Value(ValueKind.DECIMAL, 7, 35), slot="temperature", feature=1),
    _v("speed", "HassFanSetSpeed", "fan", value=_PERCENT, slot="percentage", feature=1),
    _v("humidity", "HassHumidifierSetpoint", "humidifier", value=_PERCENT, slot="humidity"),
    _v("pause", "HassMediaPause", "media_player", feature=1),
    _v("resume", "HassMediaUnpause", "media_player", feature=16384),
    _v("next", "HassMediaNext", "media_player", feature=32),
    _v("previous", "HassMediaPrevious", "media_player", feature=16),
    _v("volume", "HassSetVolume", "media_player", value=_PERCENT, slot="volume_level", feature=4),
    _v("louder", "HassSetVolumeRelative", "media_player", fixed=(("volume_step", "up"),)),
    _v("quieter", "HassSetVolumeRelative", "media_player", fixed=(("volume_step", "down"),)),
    _v("mute", "HassMediaPlayerMute", "media_player", feature=8),
    _v("unmute", "HassMediaPlayerUnmute", "media_player", feature=8),
    _v("start", "HassVacuumStart", "vacuum", feature=8192),
    _v("dock", "HassVacuumReturnToBase", "vacuum", feature=16),
    _v("start", "HassLawnMowerStartMowing", "lawn_mower", feature=1),
    _v("dock", "HassLawnMowerDock", "lawn_mower", feature=4),
)  # fmt: skip
# Actions on a to-do list (its name is the target).
LIST_VERBS: tuple[Verb, ...] = (
    _v("add", "HassListAddItem", "todo", value=_ITEM, slot="item"),
    _v("done", "HassListCompleteItem", "todo", value=_ITEM, slot="item"),
    _v("remove", "HassListRemoveItem", "todo", value=_ITEM, slot="item"),
    _v("items", "get_items", "todo", read_only=True, name_slot="todo_list", with_domain=False),
)
# Actions on "[timer]" (the satellite's timers; HA offers them only to a device that rings).
TIMER_VERBS: tuple[Verb, ...] = (
    _v("start", "HassStartTimer", value=_DURATION),
    _v("cancel", "HassCancelTimer", value=_MAYBE_DURATION),
    _v("add", "HassIncreaseTimer", value=_DURATION),
    _v("remove", "HassDecreaseTimer", value=_DURATION),
    _v("pause", "HassPauseTimer", value=_MAYBE_NAME),
    _v("resume", "HassUnpauseTimer", value=_MAYBE_NAME),
    _v("status", "HassTimerStatus", value=_MAYBE_NAME, read_only=True),
)
ALL_TIMERS_VERBS: tuple[Verb, ...] = (_v("cancel", "HassCancelAllTimers"),)
TIMER_TOOLS = frozenset(v.tool for v in (*TIMER_VERBS, *ALL_TIMERS_VERBS))
# Tools the agent uses in its own way: reading states is done by the agent itself, from HA's
# live state of the exposed entity (the same data as live context, without the round trip);
# the date and time are in the context note.
BUILT_IN = frozenset({"GetLiveContext", "GetDateTime"})
KNOWN = (
    frozenset(v.tool for v in (*ENTITY_VERBS, *LIST_VERBS, *TIMER_VERBS, *ALL_TIMERS_VERBS))
    | BUILT_IN
)

_logged: set[str] = set()


def short_name(tool_name: str, intent_type: str | None = None) -> str:
    """The key of a tool in this table: its intent type, else its name without the prefix."""
    return intent_type or tool_name.rpartition("__")[2]


def log_unpresented(tool_names: Iterable[str]) -> None:
    """Say once per tool that the agent leaves it out (it would be guessed, never right)."""
    for name in tool_names:
        if name not in _logged:
            _logged.add(name)
            _LOGGER.info("HA offers the tool %s, which Heisenberg does not present: left out", name)


def schema_range(parameters: object, slot: str) -> tuple[int, int] | None:
    """The (min, max) of a slot's `Range` in a tool's parameter schema, where it has both."""
    schema = getattr(parameters, "schema", None)
    if not isinstance(schema, dict):
        return None
    for key, validator in schema.items():
        if getattr(key, "schema", key) != slot:
            continue
        for part in (validator, *getattr(validator, "validators", ())):
            low, high = getattr(part, "min", None), getattr(part, "max", None)
            if isinstance(low, int | float) and isinstance(high, int | float):
                return round(low), round(high)
    return None
