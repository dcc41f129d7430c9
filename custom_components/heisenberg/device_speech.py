"""What the agent says after acting or reading a state, in English or French (no HA imports).

These sentences are built from what HA reported, never by the model, so the agent cannot claim
an action that did not happen or a state it did not read. Names are spoken the way the user
said them, with the user's own article ("the kitchen light", « la lumière de la cuisine »).
"""

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from .personas import persona_language

# action: (English past, English infinitive, French past participle phrase, French infinitive)
_VERBS: dict[str, tuple[str, str, str, str]] = {
    "on": ("I turned on {n}", "turn on {n}", "J'ai allumé {n}", "allumer {n}"),
    "off": ("I turned off {n}", "turn off {n}", "J'ai éteint {n}", "éteindre {n}"),
    "brightness": ("I set {n} to {v} percent", "set {n} to {v} percent",
                       "J'ai réglé {n} à {v} pour cent", "régler {n} à {v} pour cent"),
    "position": ("I opened {n} to {v} percent", "open {n} to {v} percent",
                     "J'ai ouvert {n} à {v} pour cent", "ouvrir {n} à {v} pour cent"),
    "temperature": ("I set {n} to {v} degrees", "set {n} to {v} degrees",
                        "J'ai réglé {n} sur {v} degrés", "régler {n} sur {v} degrés"),
    "speed": ("I set {n} to {v} percent", "set {n} to {v} percent",
                  "J'ai réglé {n} à {v} pour cent", "régler {n} à {v} pour cent"),
    "volume": ("I set the volume of {n} to {v} percent",
                   "set the volume of {n} to {v} percent",
                   "J'ai réglé le volume de {n} à {v} pour cent",
                   "régler le volume de {n} à {v} pour cent"),
    "open": ("I opened {n}", "open {n}", "J'ai ouvert {n}", "ouvrir {n}"),
    "close": ("I closed {n}", "close {n}", "J'ai fermé {n}", "fermer {n}"),
    "lock": ("I locked {n}", "lock {n}", "J'ai verrouillé {n}", "verrouiller {n}"),
    "unlock": ("I unlocked {n}", "unlock {n}", "J'ai déverrouillé {n}", "déverrouiller {n}"),
    "pause": ("I paused {n}", "pause {n}", "J'ai mis {n} en pause", "mettre {n} en pause"),
    "resume": ("I resumed {n}", "resume {n}", "J'ai relancé {n}", "relancer {n}"),
    "next": ("I skipped to the next track on {n}", "skip to the next track on {n}",
                   "J'ai passé {n} au morceau suivant", "passer {n} au morceau suivant"),
    "activate": ("I activated {n}", "activate {n}", "J'ai activé {n}", "activer {n}"),
    "run": ("I started {n}", "start {n}", "J'ai lancé {n}", "lancer {n}"),
}  # fmt: skip

_ARTICLES = r"(?:the|my|la|le|les|l'|l\u2019|du|de la|des|mon|ma|mes)"


def spoken_name(name: str, user_text: str) -> str:
    """`name` as the user said it, with their article; `name` alone when they did not say it."""
    match = re.search(rf"(?:\b{_ARTICLES}\s*)?{re.escape(name)}", user_text, re.IGNORECASE)
    if match is None:
        return name
    return match.group(0)


@dataclass(frozen=True, slots=True)
class Outcome:
    """What one call did: the action, the name as spoken, its value, and an error or None."""

    action: str
    name: str
    value: int | None = None
    error: str | None = None


def action_sentence(outcome: Outcome, language: str | None) -> str:
    """ "I turned on the kitchen light." or "I couldn't turn on the kitchen light: …"."""
    lang = persona_language(language)
    past_en, infinitive_en, past_fr, infinitive_fr = _VERBS.get(
        outcome.action, ("I did {n}", "do {n}", "J'ai agi sur {n}", "agir sur {n}")
    )
    fields = {"n": outcome.name, "v": outcome.value}
    if outcome.error is None:
        return (past_fr if lang == "fr" else past_en).format(**fields) + "."
    if lang == "fr":
        return f"Je n'ai pas pu {infinitive_fr.format(**fields)} : {outcome.error}"
    return f"I couldn't {infinitive_en.format(**fields)}: {outcome.error}"


def missing_sentence(said: str, language: str | None) -> str:
    if persona_language(language) == "fr":
        return f"Je ne trouve pas « {said} » parmi les appareils que je peux commander."
    return f"I can't find {said} among the devices I can control."


def no_control_sentence(question: bool, language: str | None) -> str:
    """Without an HA API the agent neither acts nor reads states: it says so."""
    fr = persona_language(language) == "fr"
    if question:
        if fr:
            return "Je ne peux pas consulter les appareils de la maison avec mes réglages actuels."
        return "I can't check the home's devices with my current settings."
    if fr:
        return "Je ne peux pas commander les appareils avec mes réglages actuels."
    return "I can't control devices with my current settings."


def failure_reason(error_text: str | None, language: str | None) -> str:
    """HA's reason, as a sentence (HA's messages are English; French gets its own words)."""
    if persona_language(language) == "fr":
        return "Home Assistant a signalé une erreur."
    text = (error_text or "Home Assistant reported an error").strip()
    # HA's matcher adds what it was given: "(given name 'TV', domains media_player, …)".
    text = re.sub(r"\s*\(given [^)]*\)", "", text).strip().rstrip(".")
    return f"{text}."


def not_understood(language: str | None) -> str:
    """When the model's call names nothing the agent can act on (a server ignoring the grammar)."""
    if persona_language(language) == "fr":
        return "Je ne sais pas de quel appareil tu parles, alors je n'ai rien fait."
    return "I'm not sure which device you mean, so I did nothing."


_UNITS = {"°C": ("degrees Celsius", "degrés Celsius"), "°F": ("degrees Fahrenheit", "degrés Fahrenheit"), "%": ("percent", "pour cent")}  # fmt: skip
_STATES = {
    "on": ("on", "en marche"), "off": ("off", "à l'arrêt"),
    "open": ("open", "en position ouverte"), "closed": ("closed", "en position fermée"),
    "opening": ("opening", "en train de s'ouvrir"), "closing": ("closing", "en train de se fermer"),
    "locked": ("locked", "verrouillé"), "unlocked": ("unlocked", "déverrouillé"),
    "playing": ("playing", "en lecture"), "paused": ("paused", "en pause"),
    "idle": ("idle", "inactif"), "heat": ("heating", "en chauffe"), "cool": ("cooling", "en refroidissement"),
    "auto": ("in automatic mode", "en mode automatique"), "home": ("at home", "à la maison"),
    "not_home": ("away", "absent"),
}  # fmt: skip


def _number(value: Any, lang: str) -> str:
    text = f"{float(value):g}"
    return text.replace(".", ",") if lang == "fr" else text


def state_sentence(
    name: str, state: str, attributes: Mapping[str, Any], language: str | None
) -> str:
    """A spoken report of a live state, read from HA (never guessed)."""
    lang = persona_language(language)
    fr = lang == "fr"
    if state in ("unknown", "unavailable", ""):
        return (
            f"Je ne connais pas l'état de {name} pour l'instant."
            if fr
            else f"I don't know the state of {name} right now."
        )
    capital = name[:1].upper() + name[1:]
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
        words = _STATES.get(state, (state.replace("_", " "), state.replace("_", " ")))
        return f"{capital} est {words[1]}." if fr else f"{capital} is {words[0]}."
    unit = str(attributes.get("unit_of_measurement") or "")
    unit_words = _UNITS.get(unit, (unit, unit))[1 if fr else 0]
    sentence = f"{capital} : {value} {unit_words}" if fr else f"{capital} is {value} {unit_words}"
    return sentence.rstrip() + "."
