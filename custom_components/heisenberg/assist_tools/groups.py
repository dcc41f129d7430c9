"""Groups of devices a request can name at once: "all lights", "all lights in Kitchen", "all
blinds in Upstairs", "everything in Kitchen" (needs HA's registries for areas and floors).

A group is a target like a device. Its actions are the ones every member has (a dimming action
only when every light dims; reading the state always); a group's call is carried out as one call
per member, each with the member's own tool, so HA reports each device's outcome. "Turn off the
lights" from a kitchen satellite is "[all lights in Kitchen] off": `relevance.group_mentions`
checks that the request (or the satellite's place) asked for that group.
"""

from collections.abc import Iterable
from dataclasses import dataclass

from homeassistant.core import HomeAssistant
from homeassistant.helpers import area_registry as ar
from homeassistant.helpers import floor_registry as fr

from .calls import Action, Target, Value
from .home_target import HomeTarget, Kind
from .relevance import device_phrase
from .verbs import STATE
from .words import ALL_WORDS, kind_stems, stem, words

EVERYTHING = "everything"
# Actions "everything in Kitchen" has: each member does it with its own tool, where it can.
_EVERYTHING_ACTIONS = ("on", "off")


@dataclass(frozen=True, slots=True)
class GroupKind:
    """A kind of device as a group names it: the word in calls, and in speech."""

    word: str  # in calls: "lights"
    english: str  # in speech: "lights"
    french: str  # in speech: "lumières"


def _k(word: str, french: str, english: str = "") -> GroupKind:
    return GroupKind(word, english or word, french)


_BY_DOMAIN = {
    "light": _k("lights", "lumières"), "switch": _k("switches", "interrupteurs"),
    "input_boolean": _k("switches", "interrupteurs"), "fan": _k("fans", "ventilateurs"),
    "lock": _k("locks", "serrures"), "climate": _k("thermostats", "thermostats"),
    "valve": _k("valves", "vannes"), "vacuum": _k("vacuums", "aspirateurs"),
    "humidifier": _k("humidifiers", "humidificateurs"), "cover": _k("covers", "volets"),
    "media_player": _k("media players", "lecteurs"),
}  # fmt: skip
_BY_DEVICE_CLASS = {
    ("cover", "blind"): _k("blinds", "stores"), ("cover", "shade"): _k("shades", "stores"),
    ("cover", "shutter"): _k("shutters", "volets"), ("cover", "curtain"): _k("curtains", "rideaux"),
    ("cover", "garage"): _k("garage doors", "portes de garage"),
    ("cover", "door"): _k("doors", "portes"), ("cover", "gate"): _k("gates", "portails"),
    ("cover", "window"): _k("windows", "fenêtres"), ("cover", "awning"): _k("awnings", "stores"),
    ("binary_sensor", "door"): _k("doors", "portes"),
    ("binary_sensor", "window"): _k("windows", "fenêtres"),
    ("binary_sensor", "garage_door"): _k("garage doors", "portes de garage"),
    ("media_player", "tv"): _k("tvs", "télés", "TVs"),
    ("media_player", "speaker"): _k("speakers", "enceintes"),
}  # fmt: skip
KINDS_BY_WORD = {kind.word: kind for kind in (*_BY_DOMAIN.values(), *_BY_DEVICE_CLASS.values())}


def group_kind(domain: str, device_class: object) -> GroupKind | None:
    """The group a device of this domain and class belongs to (None: it is in none)."""
    return _BY_DEVICE_CLASS.get((domain, str(device_class))) or _BY_DOMAIN.get(domain)


def group_targets(hass: HomeAssistant, entities: list[HomeTarget]) -> list[HomeTarget]:
    """Every group of these entities: per kind, in the whole home, per area and per floor;
    and everything in each area. A group named like an entity is left out (the entity wins)."""
    areas, floors = ar.async_get(hass), fr.async_get(hass)
    places: dict[tuple[str, ...], list[HomeTarget]] = {}  # place names -> its entities
    kinds: dict[str, list[HomeTarget]] = {}
    for home in entities:
        state = hass.states.get(home.entity_id or "")
        kind = group_kind(home.domain, state.attributes.get("device_class") if state else None)
        if kind is not None:
            kinds.setdefault(kind.word, []).append(home)
        area = areas.async_get_area_by_name(home.target.area) if home.target.area else None
        if area is None:
            continue
        places.setdefault((area.name, *sorted(area.aliases)), []).append(home)
        if area.floor_id and (floor := floors.async_get_floor(area.floor_id)):
            places.setdefault((floor.name, *sorted(floor.aliases)), []).append(home)
    taken = {n.casefold() for home in entities for n in home.target.spoken_names}
    made: list[HomeTarget] = []
    for word, members in sorted(kinds.items()):
        made.append(_group(f"all {word}", (), members))
        for place, inside in sorted(places.items()):
            chosen = [m for m in members if m in inside]
            if chosen:
                made.append(_group(f"all {word} in", place, chosen))
    for place, inside in sorted(places.items()):
        made.append(_everything(place, inside))
    # "Is anything open?": the whole home, for reading only.
    made.append(
        HomeTarget(
            Target(EVERYTHING, (Action(STATE, read_only=True),)),
            Kind.GROUP,
            "",
            members=tuple(entities),
            domains=tuple(sorted({e.domain for e in entities})),
        )
    )
    return [
        group
        for group in made
        if group.target.actions and not {n.casefold() for n in group.target.spoken_names} & taken
    ]


def _group(head: str, place: tuple[str, ...], members: list[HomeTarget]) -> HomeTarget:
    names = [f"{head} {name}" for name in place] if place else [head]
    actions = _common_actions([m.target for m in members])
    verbs = {a.name: members[0].verbs[a.name] for a in actions if a.name in members[0].verbs}
    domains = tuple(sorted({m.domain for m in members}))
    return HomeTarget(
        Target(names[0], actions, tuple(names[1:])),
        Kind.GROUP,
        domains[0],
        verbs,
        members=tuple(members),
        place_names=place,
        domains=domains,
    )


def _everything(place: tuple[str, ...], members: list[HomeTarget]) -> HomeTarget:
    actions = tuple(
        Action(name) for name in _EVERYTHING_ACTIONS if any(name in m.verbs for m in members)
    )
    names = [f"{EVERYTHING} in {name}" for name in place]
    return HomeTarget(
        Target(names[0], actions, tuple(names[1:])),
        Kind.GROUP,
        "",
        {},
        members=tuple(m for m in members if any(a.name in m.verbs for a in actions)),
        place_names=place,
        domains=tuple(sorted({m.domain for m in members})),
    )


def _common_actions(targets: Iterable[Target]) -> tuple[Action, ...]:
    """The actions every target has, values narrowed to the range they all accept."""
    targets = list(targets)
    common: list[Action] = []
    for action in targets[0].actions:
        others = [t.action(action.name) for t in targets[1:]]
        if any(o is None or (o.value is None) != (action.value is None) for o in others):
            continue
        value = action.value
        for other in others:
            if value is not None and other is not None and other.value is not None:
                if other.value.kind is not value.kind:
                    break
                value = Value(
                    value.kind, max(value.low, other.value.low), min(value.high, other.value.high),
                    value.words, value.optional, value.label,
                )  # fmt: skip
        else:
            if value is None or value.low <= value.high:
                common.append(Action(action.name, value, action.read_only))
    return tuple(common)


def group_phrase(request: str, group: HomeTarget, lang: str) -> str:
    """The group as the user said it ("all the lights", « les lumières de la cuisine »), else
    as the agent names it."""
    said = device_phrase(request)
    kinds = set().union(*(kind_stems(d) for d in group.domains))
    if said and ({stem(w) for w in words(said)} & kinds or set(words(said)) & ALL_WORDS):
        return said
    kind = next(
        (KINDS_BY_WORD[w] for w in KINDS_BY_WORD if group.target.name.startswith(f"all {w}")),
        None,
    )
    place = group.place_names[0] if group.place_names else ""
    if lang == "fr":
        noun = f"les {kind.french}" if kind else "tout"
        return f"{noun} ({place})" if place else noun
    noun = f"the {kind.english}" if kind else "everything"
    return f"{noun} in the {place}" if place else noun
