"""Did the user talk about this device? A guard against acting on the wrong one.

No Home Assistant imports. Under the grammar a model that wants to act must name an exposed
device, and a small one sometimes names the nearest one when the user asked for a device the
home does not have ("turn on the attic fan" → "Ceiling Fan"). Before acting, the agent checks
the request (and, for "turn it off again", the turn before it):
- it must share a word with the device's names, its area or its kind ("light", « lampe »);
- a word that qualifies a kind word ("attic" in "the attic fan", « cave » in « la lumière de
  la cave ») must belong to the device, its area, or their translation (rooms in English and
  French), else the user meant another device.
"""

import re
import unicodedata
from collections.abc import Iterable, Mapping

from .tool_grammar import Device


def _word_set(text: str) -> frozenset[str]:
    """A set of words written as one string (long lists read better that way)."""
    return frozenset(text.split())


# Words people use for a kind of device, by the HA domain (English and French).
KIND_WORDS: dict[str, tuple[str, ...]] = {
    "light": ("light", "lights", "lamp", "lumiere", "lampe", "eclairage", "plafonnier"),
    "switch": ("switch", "plug", "socket", "prise", "interrupteur"),
    "fan": ("fan", "ventilateur", "ventilo"),
    "cover": ("blind", "blinds", "shutter", "shade", "curtain", "door", "garage", "store",
              "stores", "volet", "rideau", "porte"),
    "lock": ("lock", "door", "serrure", "verrou", "porte"),
    "climate": ("heating", "heater", "thermostat", "temperature", "chauffage", "clim"),
    "media_player": ("tv", "television", "music", "speaker", "tele", "musique", "enceinte"),
    "sensor": ("temperature", "humidity", "humidite", "sensor", "capteur"),
    "valve": ("valve", "vanne"),
}  # fmt: skip
# Words that ask for what a kind of device measures ("how WARM is it outside?", « il fait
# COMBIEN dehors ? »): they say which device a question is about, but name no device.
_ASKING_WORDS: dict[str, tuple[str, ...]] = {
    "climate": ("warm", "cold", "hot", "degrees", "chaud", "froid", "degres"),
    "sensor": ("warm", "cold", "hot", "degrees", "chaud", "froid", "degres", "combien"),
}
# The same room or place in English and French: a French request about an English-named room.
_PLACES = (
    ("living", "salon", "sejour"), ("bedroom", "chambre"), ("kitchen", "cuisine"),
    ("bathroom", "bain"), ("garden", "jardin"), ("basement", "cave", "sous"),
    ("attic", "grenier"), ("office", "bureau"), ("hall", "hallway", "entree", "couloir"),
    ("dining", "manger"), ("laundry", "buanderie"), ("outside", "outdoor", "exterieur",
    "exterieure", "dehors"), ("porch", "porche"), ("garage",), ("terrace", "patio", "terrasse"),
    ("kids", "enfants"), ("guest", "amis"), ("upstairs", "etage"), ("downstairs", "bas"),
)  # fmt: skip
_ALL_PLACES = frozenset(word[:5] for group in _PLACES for word in group)
_FILLER = _word_set(
    "the a an my our your this that these those all please now again too also it them "
    "and or to of in on at off up down for with from by is are be was what whats how "
    "which where who when thanks thank you "
    "le la les l un une mon ma mes ton ta tes notre nos ce cet cette ces tout tous toute "
    "de du des d et ou a au aux en dans sur pour par avec est il elle ils s te plait stp "
    "maintenant encore aussi svp merci quel quelle quels quelles combien comment qui quand"
)
# Words that start a request: before a kind word they are no qualifier ("pause the TV").
_VERBS = _word_set(
    "turn switch set put make dim brighten raise lower open close shut lock unlock start stop "
    "pause resume play run activate kill boost"
)
_CLAUSES = re.compile(r"[,;]|\b(?:and|then|also|et|puis|aussi)\b", re.IGNORECASE)
_LINK = frozenset(["de", "du", "des", "d", "in", "of", "on", "at"])


def _words(text: str) -> list[str]:
    plain = unicodedata.normalize("NFKD", text.casefold())
    plain = "".join(c for c in plain if not unicodedata.combining(c))
    return re.findall(r"[a-z0-9]+", plain)


def _stem(word: str) -> str:
    return word[:5]


def _stems(texts: Iterable[str]) -> set[str]:
    return {_stem(w) for t in texts for w in _words(t) if w not in _FILLER and len(w) > 1}


def _with_places(stems: set[str]) -> set[str]:
    """`stems` plus the other language's words for the rooms among them."""
    extra = {_stem(w) for group in _PLACES if stems & {_stem(p) for p in group} for w in group}
    return stems | extra


def _qualifiers(words: list[str], kinds: set[str]) -> set[str]:
    """Words that say which one of a kind: the "attic" fan, la lumière de la "cave"."""
    found: set[str] = set()
    for index, word in enumerate(words):
        if _stem(word) not in kinds:
            continue
        before = words[index - 1] if index else ""
        if len(before) > 2 and before not in _FILLER | _VERBS and not before.isdigit():
            found.add(_stem(before))
        # After it, only through "of/in/de/du": French puts verbs right after the noun too
        # (« quelle température fait-il »).
        after = index + 1
        if after < len(words) and words[after] in _LINK:
            while after < len(words) and (words[after] in _LINK or words[after] in _FILLER):
                after += 1
            if after < len(words):
                nxt = words[after]
                if not nxt.isdigit() and _stem(nxt) not in kinds and nxt not in _VERBS:
                    found.add(_stem(nxt))
    return found


def mentions(
    device: Device,
    domain: str,
    request: str,
    context: Iterable[str] = (),
    areas: Iterable[str] = (),
) -> bool:
    """Whether `request` (or the turn before, `context`) is about this device."""
    kinds = {_stem(w) for w in KIND_WORDS.get(domain, ())}
    own = _with_places(_stems([*device.spoken_names, device.area or "", *areas]))
    said = _stems([request])
    if not said & (own | kinds):
        # "turn it off again": the device must be the one the turn before was about.
        return bool(_stems(context) & own)
    # A kind word of another kind of device: "the fan in the bedroom" is no bedroom lamp.
    other_kinds = _stems(w for words in KIND_WORDS.values() for w in words) - kinds
    own_words = _stems(device.spoken_names) - _ALL_PLACES  # "Lamp" of "Bedroom Lamp"
    if said & other_kinds and not said & (kinds | own_words):
        return False
    # Only the part of the request about this device: in "close the blinds and lock the front
    # door", "front" qualifies another device's kind word.
    parts = [p for p in _CLAUSES.split(request) if p and _stems([p]) & own]
    stray = set().union(*(_qualifiers(_words(p), kinds) for p in parts or [request]))
    return not stray - own - kinds


# Requests that can only be answered by acting: speaking instead would be a false claim.
_COMMAND_VERBS = _word_set(
    "turn switch set open close shut lock unlock dim brighten raise lower start stop pause "
    "resume activate "
    "allume allumer eteins eteindre ouvre ouvrir ferme fermer mets mettre regle regler baisse "
    "baisser monte monter lance lancer demarre demarrer arrete arreter verrouille verrouiller "
    "deverrouille deverrouiller active activer"
)
# "could you SET", « peux-tu ALLUMER »: the word just before the verb of a polite order.
_ADDRESSEE = _word_set("you tu vous")
_POLITE = _word_set(
    "please can could would will you hey ok okay now just mind "
    "peux pourrais pouvez pourriez tu vous veux voulez est ce que s il te plait stp"
)


_QUESTION_WORDS = _word_set(
    "is are was were does do did what whats which how est quel quelle quels quelles combien"
)
_PHRASE_END = _word_set("to at and please a au et s sur en pour svp stp with avec")
_PARTICLES = _word_set("on off up down")


class Request:
    """What a request is, for choosing how the model may answer it."""

    ORDER = "order"  # only calls are honest
    QUESTION = "question"  # about a named device: only its state is honest
    FREE = "free"  # anything: speech or calls


def request_kind(
    request: str, devices: Iterable[Device], domains: Mapping[str, str] | None = None
) -> str:
    """An order ("turn it off", « ouvre … »), a question about a device, or free.

    A question is about a device when it names it in full ("is the front door locked?",
    « quelle température fait-il dehors ? » for "Outside Temperature"), or says its kind and
    one of its own words ("how warm is it outside?": warm, a temperature; outside, its name);
    `domains` gives each device's HA domain, by name.
    """
    if any(_is_order(clause) for clause in re.split(r"[,.;:!?]", request)):
        return Request.ORDER
    devices = list(devices)
    words = _words(request)
    asks = request.rstrip().endswith("?") or (bool(words) and words[0] in _QUESTION_WORDS)
    if named_devices(request, devices):
        return Request.QUESTION if asks else Request.ORDER
    if asks and domains and asked_about(request, devices, domains):
        return Request.QUESTION
    return Request.FREE


def asked_about(
    request: str, devices: Iterable[Device], domains: Mapping[str, str]
) -> frozenset[str]:
    """The devices whose kind and one of whose own words the request says ("how warm is it
    outside": a temperature, and "outside" of "Outside Temperature")."""
    said = _with_places(_stems([request]))
    every_word = {_stem(w) for w in _words(request)}  # « combien » is a filler elsewhere
    found: set[str] = set()
    for device in devices:
        domain = domains.get(device.name, "")
        kinds = {_stem(w) for w in (*KIND_WORDS.get(domain, ()), *_ASKING_WORDS.get(domain, ()))}
        own = _with_places(_stems([*device.spoken_names, device.area or ""])) - kinds
        if every_word & kinds and said & own:
            found.add(device.name)
    return frozenset(found)


def _is_order(clause: str) -> bool:
    """A clause that opens with an order ("set …", "please set …", « allume … »), or asks for
    one ("could you set …", « peux-tu allumer … »); "can you tell me if it is open" is none."""
    words = _words(clause)
    while words and words[0] in _POLITE and words[0] not in _ADDRESSEE:
        words = words[1:]
    if words and words[0] in _COMMAND_VERBS:
        return True
    for index, word in enumerate(words):
        if word in _ADDRESSEE:
            rest = [w for w in words[index + 1 :] if w not in _POLITE]
            if rest and _command_verb(rest[0]):
                return True
    return False


def _command_verb(word: str) -> bool:
    """An order's verb, also as "would you mind openING / closING / settING"."""
    if word in _COMMAND_VERBS:
        return True
    if not word.endswith("ing"):
        return False
    base = word[:-3]
    return base in _COMMAND_VERBS or f"{base}e" in _COMMAND_VERBS or base[:-1] in _COMMAND_VERBS


def asks_for_several(request: str) -> bool:
    """Whether a request may be about more than one device ("… and the coffee maker")."""
    return len(_CLAUSES.split(request)) > 1 or "all" in _words(request) or "tout" in _words(request)


def named_devices(request: str, devices: Iterable[Device]) -> frozenset[str]:
    """The devices the request names in full, by one of their names ("the light in the
    kitchen" names "Kitchen Light"; « dehors » names "Outside Temperature")."""
    said = _with_places(_stems([request]))
    return frozenset(
        device.name
        for device in devices
        if any((stems := _stems([name])) and stems <= said for name in device.spoken_names)
    )


def device_phrase(request: str) -> str:
    """The words a request names its device with: "the pool cover" in "Open the pool cover
    please", « la lumière de la cave » in « Allume la lumière de la cave »."""
    tokens = re.findall(r"[\w'\u2019-]+", request)
    plain = [_words(token)[0] if _words(token) else "" for token in tokens]
    start = 0
    while start < len(tokens) and (
        plain[start] in _POLITE
        or plain[start] in _COMMAND_VERBS
        or plain[start] in _VERBS
        or plain[start] in _PARTICLES
    ):
        start += 1
    end = start
    while end < len(tokens) and plain[end] not in _PHRASE_END and not plain[end].isdigit():
        end += 1
    return " ".join(tokens[start:end])
