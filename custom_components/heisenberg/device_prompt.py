"""What the model is told about the home: the call protocol, the devices, and examples.

No Home Assistant imports. The text goes in the stable prompt prefix (after the persona, before
the conversation), so it is evaluated once and cached until the exposed devices change. The
examples are built from the home's own devices: an example naming a device the grammar does
not allow would teach a call the model can never write.
"""

import re

from .personas import persona_language
from .prompt_format import Turn
from .tool_grammar import Device, ToolCall, call_text, missing_text, sorted_devices

_PROTOCOL = {
    "en": (
        "You can act on the home's devices and read their state. To act, answer only with "
        "calls, one line per device: [device name] action, with the number after the action "
        "when it takes one. To answer a question about a device, call its state: "
        "[device name] state. If the user names a device that is not in the list, answer "
        "[no device] and the name they said. Never say you did something: the calls do it. "
        "The devices, with their other names, their area and their actions:"
    ),
    "fr": (
        "Tu peux commander les appareils de la maison et lire leur état. Pour agir, réponds "
        "uniquement par des appels, une ligne par appareil : [nom de l'appareil] action, avec "
        "le nombre après l'action quand elle en prend un. Pour répondre à une question sur un "
        "appareil, appelle son état : [nom de l'appareil] state. Si on te parle d'un appareil "
        "qui n'est pas dans la liste, réponds [no device] et le nom qu'on a dit. Ne dis jamais "
        "que tu as fait quelque chose : ce sont les appels qui le font. Les appareils, avec "
        "leurs autres noms, leur pièce et leurs actions :"
    ),
}

# Requests phrased the way people say them, per action, with the value the example uses.
_REQUESTS: dict[str, dict[str, tuple[str, int | None]]] = {
    "en": {
        "on": ("turn on the {name}", None),
        "lock": ("lock the {name}", None),
        "open": ("open the {name}", None),
        "brightness": ("dim the {name} to thirty percent", 30),
        "position": ("open the {name} halfway", 50),
        "temperature": ("set the {name} to nineteen degrees", 19),
        "speed": ("set the {name} to sixty percent", 60),
        "volume": ("set the {name} volume to twenty", 20),
        "state": ("what about the {name}?", None),
    },
    "fr": {
        "on": ("allume {name}", None),
        "lock": ("verrouille {name}", None),
        "open": ("ouvre {name}", None),
        "brightness": ("mets {name} à trente pour cent", 30),
        "position": ("ouvre {name} à moitié", 50),
        "temperature": ("règle {name} sur dix-neuf degrés", 19),
        "speed": ("règle {name} à soixante pour cent", 60),
        "volume": ("mets le volume de {name} à vingt", 20),
        "state": ("et {name}, ça donne quoi ?", None),
    },
}
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


def _device_line(device: Device) -> str:
    names = ", ".join(device.spoken_names)
    area = f" ({device.area})" if device.area else ""
    actions = ", ".join(
        f"{a.name} {a.value_range[0]}-{a.value_range[1]}" if a.value_range else a.name
        for a in device.actions
    )
    return f"- {names}{area}: {actions}"


def device_instructions(devices: list[Device], language: str | None) -> str:
    """The call protocol and the sorted device list, in the conversation's language."""
    lang = persona_language(language)
    lines = [_PROTOCOL[lang], *(_device_line(d) for d in sorted_devices(devices))]
    return "\n".join(lines)


def device_examples(devices: list[Device], language: str | None) -> tuple[Turn, ...]:
    """A command, a command with a value, a state question and an unknown device, each on a
    device of this home where one fits."""
    lang = persona_language(language)
    ordered = sorted_devices(devices)
    examples: list[Turn] = []
    used: set[str] = set()
    for kinds in (
        ("on", "lock", "open"),
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
        name = said.lower() if lang == "en" else said
        call = ToolCall(device.name, action, value, said=said)
        examples.append(Turn(template.format(name=name), call_text(call)))
    taken = " ".join(n.casefold() for d in devices for n in (*d.spoken_names, d.area or ""))
    for request, said, place in _NEAR_MISSES[lang]:
        if place not in taken:
            examples.append(Turn(request, missing_text(said)))
            break
    return tuple(examples)


_FRENCH = re.compile(r"[éèêàâçùûôî]|\b(?:de|du|des|la|le|les)\b", re.IGNORECASE)


def _name_in(device: Device, lang: str) -> str:
    """The device's name in the example's language: a French one of its names in French."""
    if lang == "fr":
        return next((n for n in device.spoken_names if _FRENCH.search(n)), device.name)
    return next((n for n in device.spoken_names if not _FRENCH.search(n)), device.name)


def _first_with(
    devices: list[Device], kinds: tuple[str, ...], skip: set[str]
) -> tuple[Device, str] | None:
    """The first device with one of the actions `kinds` (in that preference), not used yet;
    for a state question, a device that has nothing else (a sensor) first."""
    if kinds == ("state",):
        devices = sorted(devices, key=lambda d: len(d.actions) > 1)
    for kind in kinds:
        for device in devices:
            if device.action(kind) is not None and device.name not in skip:
                return device, kind
    return None
