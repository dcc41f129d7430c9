"""What the model is told about the home: the call protocol, the targets, and examples.

No Home Assistant imports. The text goes in the stable prompt prefix (after the persona, before
the conversation), so it is evaluated once and cached until the home changes. The examples are
built from the home's own targets: an example naming a target the grammar does not allow would
teach a call the model can never write.
"""

from ..personas import persona_language
from ..prompt_format import Turn
from .calls import Target, ToolCall, call_text, missing_text, sorted_targets
from .words import name_in

# Every token here is evaluated at each warm-up and before a first question (about 40 a second
# with the default model on one core): the protocol is said once, briefly; the examples teach it.
_PROTOCOL = {
    "en": (
        "To act on the home, answer only with calls, one per line: [name] action and its "
        "value. To answer a question about the home, call a reading: state, items or status. "
        "A group is [all lights] or [all lights in Kitchen]; the timers are [timer]. A device "
        "not in the list: [no device] and its name. Never say you did something: the calls "
        "do it."
    ),
    "fr": (
        "Pour agir sur la maison, réponds uniquement par des appels, un par ligne : [nom] "
        "action et sa valeur. Pour répondre à une question sur la maison, appelle une "
        "lecture : state, items ou status. Un groupe s'écrit [all lights] ou [all lights in "
        "Kitchen] ; les minuteurs sont [timer]. Un appareil absent de la liste : [no device] "
        "et son nom. Ne dis jamais que tu as fait quelque chose : ce sont les appels qui le "
        "font."
    ),
}
_DEVICES = {
    "en": "Devices (names, area: actions; each also has state):",
    "fr": "Appareils (noms, pièce : actions ; chacun a aussi state) :",
}
# A home too large to list: the devices of each request come with it.
_LARGE = {
    "en": "The devices a request may be about come with it.",
    "fr": "Les appareils dont parle une demande viennent avec elle.",
}
_NOTE = {"en": "(Devices: {devices}.)", "fr": "(Appareils : {devices}.)"}
_GROUPS = {
    "en": "Groups: {kinds}; in an area: {example}.",
    "fr": "Groupes : {kinds} ; dans une pièce : {example}.",
}

# Requests phrased the way people say them, per action: (request, value as the call writes it).
_REQUESTS: dict[str, dict[str, tuple[str, str]]] = {
    "en": {
        "on": ("turn on the {name}", ""), "lock": ("lock the {name}", ""),
        "open": ("open the {name}", ""), "activate": ("activate {name}", ""),
        "brightness": ("dim the {name} to thirty percent", "30"),
        "position": ("open the {name} halfway", "50"),
        "temperature": ("set the {name} to nineteen and a half degrees", "19.5"),
        "speed": ("set the {name} to sixty percent", "60"),
        "volume": ("set the {name} volume to twenty", "20"),
        "state": ("what about the {name}?", ""),
    },
    "fr": {
        "on": ("allume {name}", ""), "lock": ("verrouille {name}", ""),
        "open": ("ouvre {name}", ""), "activate": ("active {name}", ""),
        "brightness": ("mets {name} à trente pour cent", "30"),
        "position": ("ouvre {name} à moitié", "50"),
        "temperature": ("règle {name} sur dix-neuf degrés et demi", "19.5"),
        "speed": ("règle {name} à soixante pour cent", "60"),
        "volume": ("mets le volume de {name} à vingt", "20"),
        "state": ("et {name}, ça donne quoi ?", ""),
    },
}  # fmt: skip
# Everyday requests on groups, timers and lists: (request, target, action, value).
_EVERYDAY = {
    "en": {
        "group state": ("which lights are on?", "all lights", "state", ""),
        "timer": ("set a timer for ten minutes", "timer", "start", "10 minutes"),
        "list add": ("add eggs to the {name}", "", "add", "eggs"),
        "list items": ("what's on the {name}?", "", "items", ""),
        "weather": ("what's the weather like?", "", "state", ""),
    },
    "fr": {
        "group state": ("quelles lumières sont allumées ?", "all lights", "state", ""),
        "timer": ("mets un minuteur de dix minutes", "timer", "start", "10 minutes"),
        "list add": ("ajoute des œufs à {name}", "", "add", "œufs"),
        "list items": ("qu'est-ce qu'il y a sur {name} ?", "", "items", ""),
        "weather": ("quel temps fait-il ?", "", "state", ""),
    },
}  # fmt: skip
# A device the home does not have, close to one it has (same kind, another place): small models
# otherwise act on the nearest device. (request, name said, the word the home must not have).
_NEAR_MISSES = {
    "en": (("turn on the attic light", "attic light", "attic"),
           ("turn on the cellar light", "cellar light", "cellar"),
           ("turn on the sauna heater", "sauna heater", "sauna")),
    "fr": (("allume la lumière du grenier", "lumière du grenier", "grenier"),
           ("allume la lumière de la cave", "lumière de la cave", "cave"),
           ("allume le chauffage du sauna", "chauffage du sauna", "sauna")),
}  # fmt: skip


# Kinds a name alone may not say: a weather entity called "Home", a list called "Groceries".
_SHOWN_KINDS = {"weather": "weather", "todo": "list"}


# Targets the protocol and the grammar know without a line ("cancel all timers").
_UNLISTED = frozenset({"all timers"})


def _line(target: Target, domain: str) -> str:
    names = ", ".join(target.spoken_names)
    about = [target.area] if target.area else []
    if kind := _SHOWN_KINDS.get(domain):
        about.insert(0, kind)
    where = f" ({', '.join(about)})" if about else ""
    # Reading is said once for all; a timer's values are in the grammar and the examples.
    actions = [
        a.name if target.name == "timer" else a.describe()
        for a in target.actions
        if a.name != "state"
    ]
    return f"- {names}{where}: {', '.join(actions) or 'state'}"


def instructions(
    devices: list[Target],
    others: list[Target],
    *,
    group_kinds: list[str],
    area_example: str,
    domains: dict[str, str],
    language: str | None,
    large: bool = False,
) -> str:
    """The call protocol, the sorted devices (and lists), the timers and the group kinds, in
    the conversation's language. For a home too large to list (`large`), neither its devices
    nor its areas: each turn shows the devices it is about (`devices_note`) and its grammar
    holds the groups of the places it names. Every token here is evaluated at each warm-up, in
    each language: listing 37 areas with their French names cost 350 of them (18 s here)."""
    lang = persona_language(language)
    lines = [_PROTOCOL[lang]]
    if large:
        lines.append(_LARGE[lang])
        devices = [t for t in devices if domains.get(t.name) in _SHOWN_KINDS]
    shown = [t for t in sorted_targets([*devices, *others]) if t.name not in _UNLISTED]
    if shown:
        lines += [_DEVICES[lang], *(_line(t, domains.get(t.name, "")) for t in shown)]
    if group_kinds:
        kinds = ", ".join(f"all {kind}" for kind in group_kinds)
        example = f"all {group_kinds[0]} in {area_example}" if area_example else "-"
        lines.append(_GROUPS[lang].format(kinds=kinds, example=example))
    return "\n".join(lines)


def devices_note(targets: list[Target], language: str | None) -> str:
    """The devices a request may be about, for a home too large to list: each by its name (and
    in French by a French one too) and its area when the name does not say it; nothing more,
    each token is evaluated every turn, and the grammar holds the actions."""
    if not targets:
        return ""
    lang = persona_language(language)
    shown = []
    for target in targets:
        names = [target.name]
        french = name_in(target.spoken_names, "fr") if lang == "fr" else target.name
        if french != target.name:
            names.append(french)
        area = target.area or ""
        said = " ".join(names).casefold()
        where = f" ({area})" if area and area.casefold() not in said else ""
        shown.append(f"{' / '.join(names)}{where}")
    return _NOTE[lang].format(devices="; ".join(shown))


def examples(
    devices: list[Target], others: list[Target], domains: dict[str, str], language: str | None
) -> tuple[Turn, ...]:
    """Calls on this home's own targets: a command, a command with a value, a state question,
    two devices at once, the everyday requests the home has targets for (groups, timers,
    lists, weather), and a device the home does not have."""
    lang = persona_language(language)
    ordered = sorted_targets(devices)
    made: list[Turn] = []
    # The weather and the lists have examples of their own.
    used = {t.name for t in devices if domains.get(t.name) in ("weather", "todo")}
    for kinds in (
        ("on", "lock", "open", "activate"),
        ("brightness", "position", "temperature", "speed", "volume"),
        ("state",),
    ):
        found = _first_with(ordered, kinds, skip=used)
        if found is None:
            continue
        device, action = found
        used.add(device.name)
        template, value = _REQUESTS[lang][action]
        said = _name_in(device, lang)
        call = ToolCall(device.name, action, said=said, written=value)
        made.append(
            Turn(template.format(name=said.lower() if lang == "en" else said), call_text(call))
        )
    made += _everyday(ordered, sorted_targets(others), domains, lang)
    taken = " ".join(n.casefold() for d in devices for n in (*d.spoken_names, d.area or ""))
    for request, said, place in _NEAR_MISSES[lang]:
        if place not in taken:
            made.append(Turn(request, missing_text(said)))
            break
    return tuple(made)


def _everyday(
    devices: list[Target], others: list[Target], domains: dict[str, str], lang: str
) -> list[Turn]:
    by_name = {t.name: t for t in others}
    lists = [t for t in devices if domains.get(t.name) == "todo"]
    weather = next((t for t in devices if domains.get(t.name) == "weather"), None)
    made: list[Turn] = []
    for key, (request, name, action, value) in _EVERYDAY[lang].items():
        target = by_name.get(name) if name else None
        if key.startswith("list") and lists:
            target = lists[0]
        elif key == "weather":
            target = weather
        if target is None or target.action(action) is None:
            continue
        said = _name_in(target, lang)
        text = request.format(name=said.lower() if lang == "en" else said)
        made.append(Turn(text, call_text(ToolCall(target.name, action, said=said, written=value))))
    return made


def _name_in(target: Target, lang: str) -> str:
    """The target's name in the example's language: a French one of its names in French."""
    return name_in(target.spoken_names, lang)


def _first_with(
    targets: list[Target], kinds: tuple[str, ...], skip: set[str]
) -> tuple[Target, str] | None:
    """The first target with one of the actions `kinds` (in that preference), not used yet;
    for a state question, a target that has nothing else (a sensor) first."""
    if kinds == ("state",):
        targets = sorted(targets, key=lambda t: len(t.actions) > 1)
    for kind in kinds:
        for target in targets:
            if target.action(kind) is not None and target.name not in skip:
                return target, kind
    return None
