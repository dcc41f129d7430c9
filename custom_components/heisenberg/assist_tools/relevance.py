"""Did the user talk about this target? A guard against acting on the wrong one (no HA imports).

Under the grammar a model that wants to act must name an existing target, and a small one
sometimes names the nearest one when the user asked for a device the home does not have ("turn
on the attic fan" → "Ceiling Fan"). Before acting, the agent checks the request (and, for "turn
it off again", the turn before it):
- it must share a word with the device's names, its area or its kind ("light", « lampe »);
- a word that qualifies a kind word ("attic" in "the attic fan", « cave » in « la lumière de
  la cave ») must belong to the device, its area, or their translation (rooms in English and
  French), else the user meant another device;
- a group ("all lights in Kitchen") must be asked for by its kind, and by its place unless the
  request names no place and comes from a satellite in that place.
"""

import re
from collections.abc import Iterable

from .calls import Target
from .words import (
    ALL_PLACES,
    ALL_WORDS,
    ASKING_WORDS,
    CLAUSES,
    COMMAND_VERBS,
    FILLER,
    KIND_WORDS,
    LINK,
    PARTICLES,
    PHRASE_END,
    PLACES,
    POLITE,
    VERBS,
    kind_stems,
    stem,
    stems,
    with_places,
    words,
)


def _qualifiers(said: list[str], kinds: set[str]) -> set[str]:
    """Words that say which one of a kind: the "attic" fan, la lumière de la "cave"."""
    found: set[str] = set()
    for index, word in enumerate(said):
        if stem(word) not in kinds:
            continue
        before = said[index - 1] if index else ""
        if len(before) > 2 and before not in FILLER | VERBS and not before.isdigit():
            found.add(stem(before))
        # After it, only through "of/in/de/du": French puts verbs right after the noun too
        # (« quelle température fait-il »).
        after = index + 1
        if after < len(said) and said[after] in LINK:
            while after < len(said) and (said[after] in LINK or said[after] in FILLER):
                after += 1
            if after < len(said):
                nxt = said[after]
                if not nxt.isdigit() and stem(nxt) not in kinds and nxt not in VERBS:
                    found.add(stem(nxt))
    return found


def mentions(
    target: Target,
    domain: str,
    request: str,
    context: Iterable[str] = (),
    areas: Iterable[str] = (),
) -> bool:
    """Whether `request` (or the turn before, `context`) is about this device; `areas` are
    other names of its area."""
    kinds = kind_stems(domain)
    own = with_places(stems([*target.spoken_names, target.area or "", *areas]))
    said = stems([request])
    if not said & (own | kinds):
        # "turn it off again": the device must be the one the turn before was about.
        return bool(stems(context) & own)
    # A kind word of another kind of device: "the fan in the bedroom" is no bedroom lamp.
    other_kinds = stems(w for group in KIND_WORDS.values() for w in group) - kinds
    own_words = stems(target.spoken_names) - ALL_PLACES  # "Lamp" of "Bedroom Lamp"
    if said & other_kinds and not said & (kinds | own_words):
        return False
    # Only the part of the request about this device: in "close the blinds and lock the front
    # door", "front" qualifies another device's kind word.
    # The parts that say which one this is ("kitchen" in "the kitchen light and the porch
    # light"), else any part with one of its words.
    distinct = own - kinds
    clauses = [p for p in CLAUSES.split(request) if p]
    parts = [p for p in clauses if stems([p]) & distinct] or [
        p for p in clauses if stems([p]) & own
    ]
    stray = set().union(*(_qualifiers(words(p), kinds) for p in parts or [request]))
    return not stray - own - kinds


def group_mentions(
    domains: Iterable[str],
    place_names: Iterable[str],
    request: str,
    *,
    context: Iterable[str] = (),
    satellite_area: Iterable[str] = (),
    everything: bool = False,
    order: bool = False,
) -> bool:
    """Whether `request` asks for a group of these kinds in this place (`place_names`: the
    area's or floor's names, none for the whole home): "turn off all the lights", « éteins
    les lumières de la cuisine », "turn on the lights" from a kitchen satellite; or, for
    `everything` in a place, « éteins tout dans la cuisine ». An `order` from a satellite
    reaches the whole home only when it says so ("all", « tout »): « allume la lumière ici »
    is the satellite's room, never every light of the house (a question, "which lights are
    on?", is about the whole home)."""
    said = stems([request])
    kinds = set().union(*(kind_stems(d) for d in domains))
    every = {stem(w) for w in words(request)} & {stem(w) for w in ALL_WORDS}
    if everything:
        if not every:
            return False
    elif not said & kinds:
        # "Turn them off again": the turn before asked for this kind, and nothing else is said.
        return bool(stems(context) & kinds) and not said - kinds - ALL_PLACES - VERBS
    place = with_places(stems(place_names))
    if place:
        if said & place:
            return True
        # No place said: the satellite's own place ("turn on the lights" in the kitchen).
        return not said & ALL_PLACES and bool(with_places(stems(satellite_area)) & place)
    # The whole home: no place named (and, for an order from a satellite, "all" said).
    if order and not every and with_places(stems(satellite_area)):
        return False
    return not said & ALL_PLACES


# The words that join two orders or two devices in one request.
_JOINED = re.compile(r"\b(?:and|then|et|puis)\b", re.IGNORECASE)


def named_targets(request: str, targets: Iterable[Target]) -> frozenset[str]:
    """The targets the request names in full, by one of their names ("the light in the
    kitchen" names "Kitchen Light"; « dehors » names "Outside Temperature"). When one name
    said is part of a longer one also said, the longer wins: « la chambre d'amis » names the
    guest room's fan, not the bedroom's (« ventilateur de la chambre »). A request joining
    several with "and" / « et » names each within its own part: « les spots de la cuisine et
    la lumière du salon » does not name the kitchen LIGHT (« lumière » is the living room's)."""
    said = with_places(stems([request]))
    parts = [with_places(stems([p])) for p in _JOINED.split(request) if p.strip()]
    found: dict[str, set[str]] = {}
    for target in targets:
        for name in target.spoken_names:
            words_of_name = stems([name])
            whole = _JOINED.search(name) is not None  # "Salt and Pepper Lamp"
            if words_of_name and (
                any(words_of_name <= part for part in parts) or (whole and words_of_name <= said)
            ):
                best = found.get(target.name, set())
                found[target.name] = words_of_name if len(words_of_name) > len(best) else best
    return frozenset(
        name
        for name, matched in found.items()
        if not any(matched < other for other_name, other in found.items() if other_name != name)
    )


def asked_about(request: str, targets: Iterable[Target], domains: dict[str, str]) -> frozenset[str]:
    """The targets whose kind and one of whose own words the request says ("how warm is it
    outside": a temperature, and "outside" of "Outside Temperature")."""
    said = with_places(stems([request]))
    every_word = {stem(w) for w in words(request)}  # « combien » is a filler elsewhere
    found: set[str] = set()
    for target in targets:
        domain = domains.get(target.name, "")
        kinds = {stem(w) for w in (*KIND_WORDS.get(domain, ()), *ASKING_WORDS.get(domain, ()))}
        own = with_places(stems([*target.spoken_names, target.area or ""])) - kinds
        if every_word & kinds and said & own:
            found.add(target.name)
    if not found and said & _OUTSIDE:
        # The weather is outside, and a weather entity names no place ("Home Forecast"): « il
        # fait combien dehors ? » with no outdoor sensor asks the forecast.
        weather = [t for t in targets if domains.get(t.name) == "weather"]
        asking = {stem(w) for w in ASKING_WORDS["weather"]} - _OUTSIDE
        if every_word & asking:
            found.update(t.name for t in weather)
    return frozenset(found)


# The words of the place "outside" (`PLACES`).
_OUTSIDE = frozenset(stem(w) for w in next(p for p in PLACES if "outside" in p))


def device_phrase(request: str) -> str:
    """The words a request names its device with: "the pool cover" in "Open the pool cover
    please", « la lumière de la cave » in « Allume la lumière de la cave »."""
    tokens = re.findall(r"[\w'\u2019-]+", request)
    plain = [words(token)[0] if words(token) else "" for token in tokens]
    start = 0
    while start < len(tokens) and (
        plain[start] in POLITE
        or plain[start] in COMMAND_VERBS
        or plain[start] in VERBS
        or plain[start] in PARTICLES
    ):
        start += 1
    end = start
    while end < len(tokens) and plain[end] not in PHRASE_END and not plain[end].isdigit():
        end += 1
    return " ".join(tokens[start:end])


def said_by_user(phrase: str, request: str) -> bool:
    """Whether `phrase` is mostly the user's own words (a name the model copied from the
    request, maybe without its article or plural), not a sentence of the model's."""
    phrase_words = [stem(w) for w in words(phrase)]
    if not phrase_words:
        return False
    request_words = {stem(w) for w in words(request)}
    return 2 * sum(w in request_words for w in phrase_words) >= len(phrase_words)
