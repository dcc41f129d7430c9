"""What the agent says when it reads: a state, a group's states, the weather, a list's items, the
timers (no HA imports). Every sentence is built from what HA holds, never guessed.
"""

from collections.abc import Mapping, Sequence
from typing import Any

from .speech import duration_words, spoken_value
from .words import words

_UNITS = {"°C": ("degrees Celsius", "degrés Celsius"), "°F": ("degrees Fahrenheit", "degrés Fahrenheit"), "%": ("percent", "pour cent")}  # fmt: skip
_STATES = {
    "on": ("on", "en marche"), "off": ("off", "à l'arrêt"),
    "open": ("open", "en position ouverte"), "closed": ("closed", "en position fermée"),
    "opening": ("opening", "en train de s'ouvrir"), "closing": ("closing", "en train de se fermer"),
    "locked": ("locked", "verrouillé"), "unlocked": ("unlocked", "déverrouillé"),
    "playing": ("playing", "en lecture"), "paused": ("paused", "en pause"),
    "idle": ("idle", "inactif"), "heat": ("heating", "en chauffe"), "cool": ("cooling", "en refroidissement"),
    "auto": ("in automatic mode", "en mode automatique"), "home": ("at home", "à la maison"),
    "not_home": ("away", "absent"), "cleaning": ("cleaning", "en train de nettoyer"),
    "docked": ("docked", "sur sa base"), "returning": ("returning to its base", "en retour à sa base"),
}  # fmt: skip
_WEATHER = {
    "clear-night": ("clear", "dégagé"), "cloudy": ("cloudy", "nuageux"),
    "exceptional": ("exceptional", "exceptionnel"), "fog": ("foggy", "brumeux"),
    "hail": ("hailing", "à la grêle"), "lightning": ("stormy", "orageux"),
    "lightning-rainy": ("stormy and rainy", "orageux et pluvieux"),
    "partlycloudy": ("partly cloudy", "partiellement nuageux"), "pouring": ("pouring", "très pluvieux"),
    "rainy": ("rainy", "pluvieux"), "snowy": ("snowy", "neigeux"),
    "snowy-rainy": ("sleety", "à la neige fondue"), "sunny": ("sunny", "ensoleillé"),
    "windy": ("windy", "venteux"), "windy-variant": ("windy and cloudy", "venteux et nuageux"),
}  # fmt: skip
# Words of a question that say which state it asks about ("which lights are ON?").
_ASKED = {
    "on": ("on", "allume", "allumee", "allumes", "allumees", "marche"),
    "off": ("off", "eteint", "eteinte", "eteints", "eteintes"),
    "open": ("open", "opened", "ouvert", "ouverte", "ouverts", "ouvertes"),
    "closed": ("closed", "shut", "ferme", "fermee", "fermes", "fermees"),
    "locked": ("locked", "verrouille", "verrouillee", "verrouilles", "verrouillees"),
    "unlocked": ("unlocked", "deverrouille", "deverrouillee", "deverrouilles"),
    "playing": ("playing", "lecture"),
}
# What "which ones?" means without a state word: the ones that are doing something.
_ACTIVE = ("on", "open", "opening", "unlocked", "playing", "heat", "cool", "cleaning")


# A binary sensor's "on" and "off" in words, by its device class.
_BINARY = {
    "door": ("open", "closed"), "window": ("open", "closed"), "garage_door": ("open", "closed"),
    "opening": ("open", "closed"), "lock": ("unlocked", "locked"),
}  # fmt: skip


def member_state(domain: str, device_class: str | None, state: str) -> str:
    """A state as a group question means it: a door sensor's "on" is "open"."""
    if domain == "binary_sensor" and state in ("on", "off"):
        found = _BINARY.get(device_class or "")
        if found is not None:
            return found[0] if state == "on" else found[1]
    return state


def _number(value: Any, lang: str) -> str:
    return spoken_value(float(value), lang)


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]


def state_sentence(name: str, state: str, attributes: Mapping[str, Any], lang: str) -> str:
    """A spoken report of a live state, read from HA (never guessed)."""
    fr = lang == "fr"
    if state in ("unknown", "unavailable", ""):
        return (
            f"Je ne connais pas l'état de {name} pour l'instant."
            if fr
            else f"I don't know the state of {name} right now."
        )
    if state in _WEATHER and "temperature" in attributes:
        return weather_sentence(state, attributes, lang)
    capital = _capital(name)
    if (
        target := attributes.get("temperature")
    ) is not None and "current_temperature" in attributes:
        current = attributes.get("current_temperature")
        if fr:
            now = f", et il fait {_number(current, lang)} degrés" if current is not None else ""
            return f"La consigne de {name} est de {_number(target, lang)} degrés{now}."
        now = f", and it is {_number(current, lang)} degrees now" if current is not None else ""
        return f"{capital} is set to {_number(target, lang)} degrees{now}."
    try:
        value = _number(state, lang)
    except ValueError:
        said = _state_words(state, lang)
        return f"{capital} est {said}." if fr else f"{capital} is {said}."
    unit = str(attributes.get("unit_of_measurement") or "")
    unit_words = _UNITS.get(unit, (unit, unit))[1 if fr else 0]
    sentence = f"{capital} : {value} {unit_words}" if fr else f"{capital} is {value} {unit_words}"
    return sentence.rstrip() + "."


def _state_words(state: str, lang: str) -> str:
    found = _STATES.get(state, (state.replace("_", " "), state.replace("_", " ")))
    return found[1] if lang == "fr" else found[0]


def weather_sentence(condition: str, attributes: Mapping[str, Any], lang: str) -> str:
    """ "It's sunny and 18 degrees." / « Le temps est ensoleillé et il fait 18 degrés. »"""
    said = _WEATHER.get(condition, (condition, condition))[1 if lang == "fr" else 0]
    temperature = attributes.get("temperature")
    if lang == "fr":
        degrees = (
            f" et il fait {_number(temperature, lang)} degrés" if temperature is not None else ""
        )
        return f"Le temps est {said}{degrees}."
    degrees = f" and {_number(temperature, lang)} degrees" if temperature is not None else ""
    return f"It's {said}{degrees}."


def group_sentence(members: Sequence[tuple[str, str]], question: str, lang: str) -> str:
    """Which members are in the state the question asks about ("which lights are on?"), or
    doing something: `members` are (name as said, state)."""
    said = set(words(question))
    asked = [state for state, found in _ASKED.items() if said & set(found)]
    wanted = set(asked) or set(_ACTIVE)
    chosen = [name for name, state in members if state in wanted]
    state_words = _state_words(asked[0] if asked else "on", lang)
    if not chosen:
        if lang == "fr":
            return f"Aucun n'est {state_words}." if asked else "Aucun n'est en marche."
        return f"None of them is {state_words}." if asked else "None of them is on."
    if len(chosen) == len(members) and len(members) > 1:
        return f"Tous sont {state_words}." if lang == "fr" else f"All of them are {state_words}."
    names = _joined(chosen, lang)
    if not asked:  # each with its own state
        parts = [f"{name} {_state_words(state, lang)}" for name, state in members if name in chosen]
        return _capital(_joined(parts, lang)) + "."
    verb = (
        ("est" if len(chosen) == 1 else "sont")
        if lang == "fr"
        else ("is" if len(chosen) == 1 else "are")
    )
    return f"{_capital(names)} {verb} {state_words}."


def list_sentence(name: str, items: Sequence[Mapping[str, Any]], lang: str) -> str:
    """The items of a to-do list (those still to do), or that it is empty."""
    found = [str(item.get("summary") or "").strip() for item in items]
    found = [item for item in found if item]
    if not found:
        return f"{_capital(name)} est vide." if lang == "fr" else f"{_capital(name)} is empty."
    listed = _joined(found, lang)
    return f"Sur {name} : {listed}." if lang == "fr" else f"On {name}: {listed}."


def timers_sentence(timers: Sequence[Mapping[str, Any]], lang: str) -> str:
    """How long each timer has left (HA's timer status), or that there is none."""
    if not timers:
        return "Il n'y a aucun minuteur." if lang == "fr" else "There are no timers."
    parts = []
    for timer in timers:
        left = duration_words(int(timer.get("total_seconds_left") or 0), lang)
        label = str(timer.get("name") or "")
        paused = not timer.get("is_active", True)
        # Several timers without a name are told apart by how long they were set for.
        length = "" if label or len(timers) == 1 else duration_words(_set_for(timer), lang)
        if lang == "fr":
            named = f"le minuteur « {label} »" if label else "le minuteur"
            named += f" de {length}" if length else ""
            parts.append(f"{named} a encore {left}{' (en pause)' if paused else ''}")
        else:
            named = f"the {label} timer" if label else "the timer"
            named += f" of {length}" if length else ""
            parts.append(f"{named} has {left} left{' (paused)' if paused else ''}")
    return _capital(_joined(parts, lang)) + "."


def _set_for(timer: Mapping[str, Any]) -> int:
    return sum(
        int(timer.get(f"start_{unit}") or 0) * size
        for unit, size in (("hours", 3600), ("minutes", 60), ("seconds", 1))
    )


def _joined(items: Sequence[str], lang: str) -> str:
    if len(items) == 1:
        return items[0]
    last = " et " if lang == "fr" else " and "
    return ", ".join(items[:-1]) + last + items[-1]
