"""The home as the model sees it: every exposed entity, group and the timers, with the actions
that this turn's tools can perform on them, read from HA's registries and states.

HA's own exposed-entity prompt joins an entity's name and aliases into one string, which small
models then pass back whole and fail with (core#176324). Here each target gets its names as
separate alternatives and only the actions its domain, features and HA's offered tools allow,
each mapped to the HA tool that performs it (`verbs.py`). Everything is sorted, so the prompt
prefix and grammar stay byte for byte the same while the home does not change.
"""

from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from homeassistant.components.homeassistant.exposed_entities import async_should_expose
from homeassistant.core import HomeAssistant, State
from homeassistant.helpers import area_registry as ar
from homeassistant.helpers import device_registry as dr
from homeassistant.helpers import entity_registry as er
from homeassistant.helpers import floor_registry as fr
from homeassistant.helpers import intent, llm

from .calls import UNKNOWN, Action, Target, Value, ValueKind, sorted_targets
from .groups import group_targets
from .home_target import Catalog, HomeTarget, Kind
from .verbs import (
    ALL_TIMERS_VERBS,
    ENTITY_VERBS,
    KNOWN,
    LIST_VERBS,
    STATE,
    TIMER_TOOLS,
    TIMER_VERBS,
    Verb,
    log_unpresented,
    schema_range,
    short_name,
)

# Who exposure is asked of: HA's conversation assistant, like every Assist agent.
ASSISTANT = "conversation"
TIMER, ALL_TIMERS = "timer", "all timers"


def offered_tools(tools: list[llm.Tool]) -> dict[str, str]:
    """The offered tools by their short name (`verbs.short_name`); those the agent does not
    know are logged once and left out."""
    found = {short_name(t.name, getattr(t, "intent_type", None)): t.name for t in tools}
    log_unpresented(sorted(full for short, full in found.items() if short not in KNOWN))
    return {short: full for short, full in found.items() if short in KNOWN}


def async_catalog(hass: HomeAssistant, tools: list[llm.Tool]) -> Catalog:
    """The exposed home, with the actions that the offered `tools` can perform on it."""
    offered = offered_tools(tools)
    schemas = {short_name(t.name, getattr(t, "intent_type", None)): t.parameters for t in tools}
    entities = _unique_names(
        [
            found
            for state in hass.states.async_all()
            if (found := _entity(hass, state, offered, schemas))
        ]
    )
    targets = [*entities, *group_targets(hass, entities)]
    if _timers_exist(hass):
        targets += _timer_targets()
    order = {t.name: i for i, t in enumerate(sorted_targets([h.target for h in targets]))}
    return Catalog(tuple(sorted(targets, key=lambda h: order[h.target.name])), offered)


def _timers_exist(hass: HomeAssistant) -> bool:
    """Whether HA has timers at all. The timer target is always shown then, so the prompt
    prefix is the same for every satellite; a device that cannot ring gets an honest answer
    (the tools are offered only to one that can)."""
    return any(handler.intent_type in TIMER_TOOLS for handler in intent.async_get(hass))


def _timer_targets() -> list[HomeTarget]:
    made = []
    for name, verbs in ((TIMER, TIMER_VERBS), (ALL_TIMERS, ALL_TIMERS_VERBS)):
        actions = tuple(Action(v.action, v.value, v.read_only) for v in verbs)
        made.append(
            HomeTarget(Target(name, actions), Kind.TIMERS, "timer", {v.action: v for v in verbs})
        )
    return made


def _entity(
    hass: HomeAssistant, state: State, offered: dict[str, str], schemas: Mapping[str, object]
) -> HomeTarget | None:
    if not async_should_expose(hass, ASSISTANT, state.entity_id):
        return None
    entry = er.async_get(hass).async_get(state.entity_id)
    names = [n.strip() for n in intent.async_get_entity_aliases(hass, entry, state=state)]
    # A call is "[name] action": a name with a bracket or a line break cannot be written, and
    # "no device" (and the timers' names) are the calls' own words.
    reserved = {UNKNOWN, TIMER, ALL_TIMERS}
    names = [
        n
        for n in dict.fromkeys(names)
        if n and not set(n) & set("[]\n") and n.casefold() not in reserved
    ]
    if not names:
        return None
    area = _area(hass, entry)
    verbs = _verbs(state, offered, schemas)
    actions = [Action(v.action, _value(v, state, schemas), v.read_only) for v in verbs.values()]
    if state.domain != "todo":  # a list's state is a count: its items are read instead
        actions.append(Action(STATE, read_only=True))
    target = Target(names[0], tuple(actions), tuple(names[1:]), area.name if area else None)
    return HomeTarget(
        target,
        Kind.ENTITY,
        state.domain,
        verbs,
        state.entity_id,
        match_name=names[0],
        area_aliases=tuple(sorted(area.aliases)) if area else (),
        device_class=str(state.attributes.get("device_class") or "") or None,
    )


def _area(hass: HomeAssistant, entry: er.RegistryEntry | None) -> ar.AreaEntry | None:
    if entry is None:
        return None
    area_id = entry.area_id
    if area_id is None and entry.device_id:
        device = dr.async_get(hass).async_get(entry.device_id)
        area_id = device.area_id if device else None
    return ar.async_get(hass).async_get_area(area_id) if area_id else None


def area_floor(hass: HomeAssistant, area_name: str | None) -> fr.FloorEntry | None:
    """The floor of the area called `area_name`, if it has one."""
    area = ar.async_get(hass).async_get_area_by_name(area_name) if area_name else None
    return fr.async_get(hass).async_get_floor(area.floor_id) if area and area.floor_id else None


def _verbs(state: State, offered: dict[str, str], schemas: Mapping[str, object]) -> dict[str, Verb]:
    """The actions of this entity that an offered tool performs, by action word."""
    features = int(state.attributes.get("supported_features") or 0)
    found: dict[str, Verb] = {}
    for verb in (*ENTITY_VERBS, *LIST_VERBS):
        if state.domain not in verb.domains or verb.tool not in offered:
            continue
        if verb.feature and features & verb.feature != verb.feature:
            continue
        if verb.action == "brightness" and not _dims(state.attributes):
            continue
        if verb.action == "color" and not _colors(state.attributes):
            continue
        found.setdefault(verb.action, verb)
    return found


def _value(verb: Verb, state: State, schemas: Mapping[str, object]) -> Value | None:
    """The verb's value, its range narrowed to the tool's schema and the entity's own limits
    (a thermostat's min and max temperature)."""
    value = verb.value
    if value is None or value.kind not in (ValueKind.NUMBER, ValueKind.DECIMAL):
        return value
    low, high = schema_range(schemas.get(verb.tool), verb.slot or "") or (value.low, value.high)
    if verb.action == "temperature":
        low, high = _entity_range(state.attributes, (low, high))
    return Value(value.kind, low, high)


def _entity_range(attributes: dict[str, Any], default: tuple[int, int]) -> tuple[int, int]:
    try:
        low, high = round(float(attributes["min_temp"])), round(float(attributes["max_temp"]))
    except KeyError, TypeError, ValueError:
        return default
    return (low, high) if low < high else default


def _dims(attributes: dict[str, Any]) -> bool:
    modes = attributes.get("supported_color_modes") or []
    return any(str(mode) not in ("onoff", "unknown") for mode in modes)


def _colors(attributes: dict[str, Any]) -> bool:
    modes = attributes.get("supported_color_modes") or []
    return any(str(mode) in ("hs", "rgb", "rgbw", "rgbww", "xy") for mode in modes)


def _unique_names(found: list[HomeTarget]) -> list[HomeTarget]:
    """Entities sharing a name get what tells them apart in it: their areas ("Ceiling Light"
    in two rooms: "Kitchen Ceiling Light"), else their kinds (a cover and a light both called
    "Garage Door Opener": "Garage Door Opener (light)", which HA tells apart by the domain
    each call sends). A name shared between entities is no alias of either."""
    counts: dict[str, int] = {}
    by_name: dict[str, list[HomeTarget]] = {}
    for home in found:
        for name in home.target.spoken_names:
            counts[name.casefold()] = counts.get(name.casefold(), 0) + 1
            by_name.setdefault(name.casefold(), []).append(home)
    result: list[HomeTarget] = []
    for home in found:
        target = home.target
        sharing = by_name[target.name.casefold()]
        areas = [h.target.area for h in sharing]
        by_area = len(sharing) > 1 and None not in areas and len(set(areas)) == len(areas)
        name, match_area = target.name, None
        if by_area and target.area and target.area.casefold() not in name.casefold():
            name, match_area = f"{target.area} {target.name}", target.area
        elif len(sharing) > 1:
            name, match_area = f"{target.name} ({home.domain})", target.area if by_area else None
        aliases = tuple(a for a in target.aliases if counts[a.casefold()] == 1)
        result.append(
            replace(
                home,
                target=Target(name, target.actions, aliases, target.area),
                match_area=match_area,
            )
        )
    return result
