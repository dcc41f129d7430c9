"""What the agent says after acting, in English or French (no HA imports).

These sentences are built from what HA reported, never by the model, so the agent cannot claim
an action that did not happen. Names are spoken the way the user said them, with the user's own
article ("the kitchen light", « la lumière de la cuisine »). Reading a state is `readings.py`.
"""

import re
from dataclasses import dataclass

# action: (English past, English infinitive, French past, French infinitive); {n} the name,
# {v} the value.
_VERBS: dict[str, tuple[str, str, str, str]] = {
    "on": ("I turned on {n}", "turn on {n}", "J'ai allumé {n}", "allumer {n}"),
    "off": ("I turned off {n}", "turn off {n}", "J'ai éteint {n}", "éteindre {n}"),
    "brightness": ("I set {n} to {v} percent", "set {n} to {v} percent",
                   "J'ai réglé {n} à {v} pour cent", "régler {n} à {v} pour cent"),
    "color": ("I made {n} {v}", "make {n} {v}", "J'ai mis {n} en {v}", "mettre {n} en {v}"),
    "position": ("I opened {n} to {v} percent", "open {n} to {v} percent",
                 "J'ai ouvert {n} à {v} pour cent", "ouvrir {n} à {v} pour cent"),
    "temperature": ("I set {n} to {v} degrees", "set {n} to {v} degrees",
                    "J'ai réglé {n} sur {v} degrés", "régler {n} sur {v} degrés"),
    "speed": ("I set {n} to {v} percent", "set {n} to {v} percent",
              "J'ai réglé {n} à {v} pour cent", "régler {n} à {v} pour cent"),
    "humidity": ("I set {n} to {v} percent humidity", "set {n} to {v} percent humidity",
                 "J'ai réglé {n} à {v} pour cent d'humidité", "régler {n} à {v} pour cent d'humidité"),
    "volume": ("I set the volume of {n} to {v} percent", "set the volume of {n} to {v} percent",
               "J'ai réglé le volume de {n} à {v} pour cent",
               "régler le volume de {n} à {v} pour cent"),
    "louder": ("I turned up {n}", "turn up {n}", "J'ai monté le son de {n}", "monter le son de {n}"),
    "quieter": ("I turned down {n}", "turn down {n}", "J'ai baissé le son de {n}",
                "baisser le son de {n}"),
    "mute": ("I muted {n}", "mute {n}", "J'ai coupé le son de {n}", "couper le son de {n}"),
    "unmute": ("I unmuted {n}", "unmute {n}", "J'ai remis le son de {n}", "remettre le son de {n}"),
    "open": ("I opened {n}", "open {n}", "J'ai ouvert {n}", "ouvrir {n}"),
    "close": ("I closed {n}", "close {n}", "J'ai fermé {n}", "fermer {n}"),
    "stop": ("I stopped {n}", "stop {n}", "J'ai arrêté {n}", "arrêter {n}"),
    "lock": ("I locked {n}", "lock {n}", "J'ai verrouillé {n}", "verrouiller {n}"),
    "unlock": ("I unlocked {n}", "unlock {n}", "J'ai déverrouillé {n}", "déverrouiller {n}"),
    "pause": ("I paused {n}", "pause {n}", "J'ai mis {n} en pause", "mettre {n} en pause"),
    "resume": ("I resumed {n}", "resume {n}", "J'ai relancé {n}", "relancer {n}"),
    "next": ("I skipped to the next track on {n}", "skip to the next track on {n}",
             "J'ai passé {n} au morceau suivant", "passer {n} au morceau suivant"),
    "previous": ("I went back to the previous track on {n}", "go back a track on {n}",
                 "J'ai remis le morceau précédent sur {n}", "remettre le morceau précédent sur {n}"),
    "activate": ("I activated {n}", "activate {n}", "J'ai activé {n}", "activer {n}"),
    "run": ("I started {n}", "start {n}", "J'ai lancé {n}", "lancer {n}"),
    "press": ("I pressed {n}", "press {n}", "J'ai appuyé sur {n}", "appuyer sur {n}"),
    "start": ("I started {n}", "start {n}", "J'ai démarré {n}", "démarrer {n}"),
    "dock": ("I sent {n} back to its base", "send {n} back to its base",
             "J'ai renvoyé {n} à sa base", "renvoyer {n} à sa base"),
    "add": ("I added {v} to {n}", "add {v} to {n}", "J'ai ajouté {v} à {n}", "ajouter {v} à {n}"),
    "done": ("I checked off {v} on {n}", "check off {v} on {n}", "J'ai coché {v} sur {n}",
             "cocher {v} sur {n}"),
    "remove": ("I removed {v} from {n}", "remove {v} from {n}", "J'ai retiré {v} de {n}",
               "retirer {v} de {n}"),
}  # fmt: skip
_TIMERS: dict[str, tuple[str, str, str, str]] = {
    "start": ("I set a timer{l} for {v}", "set a timer{l} for {v}",
              "J'ai lancé un minuteur{l} de {v}", "lancer un minuteur{l} de {v}"),
    "cancel": ("I cancelled the timer{l}", "cancel the timer{l}", "J'ai annulé le minuteur{l}",
               "annuler le minuteur{l}"),
    "add": ("I added {v} to the timer{l}", "add {v} to the timer{l}",
            "J'ai ajouté {v} au minuteur{l}", "ajouter {v} au minuteur{l}"),
    "remove": ("I took {v} off the timer{l}", "take {v} off the timer{l}",
               "J'ai retiré {v} du minuteur{l}", "retirer {v} du minuteur{l}"),
    "pause": ("I paused the timer{l}", "pause the timer{l}", "J'ai mis le minuteur{l} en pause",
              "mettre le minuteur{l} en pause"),
    "resume": ("I resumed the timer{l}", "resume the timer{l}", "J'ai relancé le minuteur{l}",
               "relancer le minuteur{l}"),
    "cancel all": ("I cancelled all the timers", "cancel the timers",
                   "J'ai annulé tous les minuteurs", "annuler les minuteurs"),
}  # fmt: skip

# Not « du », « de la », « des »: before a name they are « de » + article, and the sentences
# put their own « de » / « à » before the name (« retirer tomates de la liste », not « de de la »).
_ARTICLES = r"(?:the|my|la|le|les|l'|l\u2019|mon|ma|mes)"


def spoken_name(name: str, user_text: str) -> str:
    """`name` as the user said it, with their article; `name` alone when they did not say it."""
    match = re.search(rf"(?:\b{_ARTICLES}\s*)?{re.escape(name)}", user_text, re.IGNORECASE)
    if match is None:
        return name
    return match.group(0)


@dataclass(frozen=True, slots=True)
class Outcome:
    """What one call did: the action, the name as spoken, its value (as said), an error or
    None; `timer` for the timers (whose name, if any, is `label`)."""

    action: str
    name: str
    value: float | str | None = None
    error: str | None = None
    timer: bool = False
    label: str = ""


def action_sentence(outcome: Outcome, lang: str) -> str:
    """ "I turned on the kitchen light." or "I couldn't turn on the kitchen light: …"."""
    table = _TIMERS if outcome.timer else _VERBS
    past_en, infinitive_en, past_fr, infinitive_fr = table.get(
        outcome.action, ("I did {n}", "do {n}", "J'ai agi sur {n}", "agir sur {n}")
    )
    fields = {
        "n": outcome.name,
        "v": spoken_value(outcome.value, lang),
        "l": _timer_label(outcome.label, lang),
    }
    if outcome.error is None:
        return (past_fr if lang == "fr" else past_en).format(**fields) + "."
    if lang == "fr":
        return f"Je n'ai pas pu {infinitive_fr.format(**fields)} : {outcome.error}"
    return f"I couldn't {infinitive_en.format(**fields)}: {outcome.error}"


def _timer_label(label: str, lang: str) -> str:
    if not label:
        return ""
    return f" « {label} »" if lang == "fr" else f" '{label}'"


def spoken_value(value: float | str | None, lang: str) -> str:
    """A number as said ("19.5", « 19,5 »); words as they are."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        text = f"{value:g}"
        return text.replace(".", ",") if lang == "fr" else text
    return str(value or "")


def duration_words(seconds: int, lang: str) -> str:
    """90 → "1 minute 30 seconds" / « 1 minute 30 secondes »."""
    units = (("heure", "hour"), ("minute", "minute"), ("seconde", "second"))
    parts = []
    for size, (fr, en) in zip((3600, 60, 1), units, strict=True):
        count, seconds = divmod(seconds, size)
        if count:
            word = fr if lang == "fr" else en
            parts.append(f"{count} {word}{'s' if count > 1 else ''}")
    return " ".join(parts) or ("0 seconde" if lang == "fr" else "0 seconds")


def missing_sentence(said: str, lang: str) -> str:
    if lang == "fr":
        return f"Je ne trouve pas « {said} » parmi les appareils que je peux commander."
    return f"I can't find {said} among the devices I can control."


def no_control_sentence(question: bool, lang: str) -> str:
    """Without an HA API the agent neither acts nor reads states: it says so."""
    if question:
        if lang == "fr":
            return "Je ne peux pas consulter les appareils de la maison avec mes réglages actuels."
        return "I can't check the home's devices with my current settings."
    if lang == "fr":
        return "Je ne peux pas commander les appareils avec mes réglages actuels."
    return "I can't control devices with my current settings."


def no_timers_sentence(lang: str) -> str:
    """Timers are offered only to a device that can ring them (a satellite, not a chat)."""
    if lang == "fr":
        return "Je ne peux pas régler de minuteur depuis cet appareil."
    return "I can't set timers from this device."


def how_long_sentence(lang: str) -> str:
    """A timer asked for without its length: asked back (HA keeps listening)."""
    return "Pour combien de temps ?" if lang == "fr" else "For how long?"


def which_one_sentence(names: list[str], lang: str) -> str:
    """A question back, when the request fits several devices equally (HA keeps listening:
    the answer ends with a question mark)."""
    if lang == "fr":
        return f"Lequel : {', '.join(names[:-1])} ou {names[-1]} ?"
    return f"Which one: {', '.join(names[:-1])} or {names[-1]}?"


def failure_reason(error_text: str | None, lang: str) -> str:
    """HA's reason, as a sentence (HA's messages are English; French gets its own words)."""
    if lang == "fr":
        return "Home Assistant a signalé une erreur."
    text = (error_text or "Home Assistant reported an error").strip()
    # HA's matcher adds what it was given: "(given name 'TV', domains media_player, …)".
    text = re.sub(r"\s*\(given [^)]*\)", "", text).strip().rstrip(".")
    return f"{text}."


def unclear_question(lang: str) -> str:
    """When a question's reading call is about nothing the question named."""
    if lang == "fr":
        return "Je ne suis pas sûr de ce que tu demandes."
    return "I'm not sure what you're asking about."


def not_understood(lang: str) -> str:
    """When the model's call names nothing the agent can act on (a server ignoring the grammar)."""
    if lang == "fr":
        return "Je ne sais pas de quel appareil tu parles, alors je n'ai rien fait."
    return "I'm not sure which device you mean, so I did nothing."
