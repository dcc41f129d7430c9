"""What the model cannot know, said in the conversation's language: the date and the time.

A model cannot work out the weekday from a date (small ones guess), and it has no clock. So the
notes give the weekday, the date and the time, written out the way people say them in the
conversation's language, from Home Assistant's own clock and time zone.

Where they go (see prompt_format): the date is the same all day, so it opens the conversation
note, after the cached instructions and before the history; the warm-up caches it, and a turn of
a long conversation evaluates only what is new. The time changes every minute: it is a turn note
just before the question, given only when the question may be about the clock, because a note
between the previous answer and a follow-up ("multiply that by two") is what a small model
takes "that" to mean. No Home Assistant imports: the caller passes the time.
"""

import re
from datetime import datetime, timedelta

from .personas import persona_language

WEEKDAYS = {
    "en": ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"),
    "fr": ("lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche"),
}
MONTHS = {
    "en": ("January", "February", "March", "April", "May", "June", "July", "August",
           "September", "October", "November", "December"),
    "fr": ("janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août",
           "septembre", "octobre", "novembre", "décembre"),
}  # fmt: skip


def date_note(now: datetime, language: str | None) -> str:
    """Today's and tomorrow's weekday and date, framed as a reference: the same all day.

    The framing matters: a bare "The time is 14:18." before the question made small models
    read "add 4 to that" as "add 4 to the time" (1 right of 12 in a trial, 7 of 12 with the
    framing). Today and tomorrow are each named as such (measured: "(demain : jeudi)" after
    today's date made the 1.5B model answer "Quelle est la date d'aujourd'hui ?" with
    "Demain, jeudi." 3 times in 4). Nor can a model count weekdays or month ends on.
    """
    lang = persona_language(language)
    tomorrow = now + timedelta(days=1)
    if lang == "fr":
        return (
            "(Seulement si on demande la date : "
            f"aujourd'hui, nous sommes le {_written_date(now, lang)} ; "
            f"demain, nous serons le {_written_date(tomorrow, lang)}.)"
        )
    return (
        "(Only if asked about the date: "
        f"today is {_written_date(now, lang)}; tomorrow is {_written_date(tomorrow, lang)}.)"
    )


def time_note(now: datetime, language: str | None) -> str:
    """The time, framed as a reference like the date."""
    if persona_language(language) == "fr":
        return f"(Seulement si on demande l'heure : il est {now.hour} h {now.minute:02d}.)"
    return f"(Only if asked about the time: it is {now:%H:%M}.)"


# Words of a question that may be about the clock. Generous on purpose: a time note given for
# nothing costs a few tokens; one missing leaves the model guessing the time.
_CLOCK_WORDS = {
    "en": r"time|clock|o'clock|noon|midnight|late|early|how long|until|till|\d+ ?[ap]\.?m\.?",
    "fr": r"midi|minuit|tard|t[ôo]t|combien de temps|jusqu'?[àa]|\d+ ?h(?: ?\d+)?",
}
# Hours and minutes are the clock's too ("what hour is it?", « l'heure »), except counted: a
# duration ("in two hours", « combien de minutes dans une heure ») asks for no clock, and a note
# of the time before it made the 1.5B model answer « Et dans deux heures ? », after the minutes
# in an hour, with the time in two hours.
_UNITS = {"en": r"hours?|minutes?", "fr": r"heures?|minutes?"}
_COUNTS = {
    "en": r"\d+(?:[.,]\d+)?|an?|one|two|three|four|five|six|seven|eight|nine|ten|eleven|"
    r"twelve|fifteen|twenty|thirty|forty|forty-five|fifty|sixty|ninety|hundred|few|several|"
    r"many|more|fewer|half an?|quarter of an?",
    "fr": r"\d+(?:[.,]\d+)?|une?|deux|trois|quatre|cinq|six|sept|huit|neuf|dix|onze|douze|"
    r"quinze|vingt|trente|quarante|quarante-cinq|cinquante|soixante|quatre-vingt-dix|cent|"
    r"quelques|plusieurs|combien d[e']|demi-?|quart d'",
}

_HOW_MANY = {"en": r"how many|how much", "fr": r"combien"}


def asks_about_the_clock(text: str, language: str | None) -> bool:
    """Whether a question may need the time (always, in a language without a word list)."""
    lang = (language or "en").replace("_", "-").split("-")[0].lower()
    words = _CLOCK_WORDS.get(lang)
    if words is None:
        return True
    text = text.replace("\u2019", "'")
    if re.search(rf"(?<!\w)(?:{words})(?!\w)", text, re.I):
        return True
    # Right after a number, or anywhere after "how many" (« combien y a-t-il de minutes »).
    counted = re.compile(rf"(?<!\w)(?:(?:{_COUNTS[lang]})\s*$|{_HOW_MANY[lang]})", re.I)
    units = re.finditer(rf"(?<!\w)(?:{_UNITS[lang]})(?!\w)", text, re.I)
    return any(not counted.search(text[: unit.start()]) for unit in units)


# Where the examples end and the real conversation begins: both are user and assistant turns,
# and without it small models take "there" or "it" for what an example named (« Quelle langue
# parle-t-on là-bas ? » after the capital of Japan → Italian, the examples' country).
_CONVERSATION_STARTS = {
    "en": "(The conversation with the user starts here.)",
    "fr": "(La conversation avec l'utilisateur commence ici.)",
}


def conversation_note_start(now: datetime, language: str | None) -> str:
    """The start of every conversation's note that day: what the warm-up caches."""
    return f"{_CONVERSATION_STARTS[persona_language(language)]} {date_note(now, language)}"


def conversation_note(now: datetime, language: str | None, *more: str) -> str:
    """The note before a conversation's history: `conversation_note_start` (the date), then
    what else stays the same for the conversation (the satellite's room, HA's extra system
    prompt)."""
    return " ".join(note for note in (conversation_note_start(now, language), *more) if note)


def turn_note(now: datetime, question: str, language: str | None) -> str:
    """The note just before this question: the time when it may be asked for, else none."""
    return time_note(now, language) if asks_about_the_clock(question, language) else ""


def _written_date(day: datetime, lang: str) -> str:
    """'Wednesday, December 2, 2026' or 'mercredi 2 décembre 2026' ('1er' on the first)."""
    weekday, month = WEEKDAYS[lang][day.weekday()], MONTHS[lang][day.month - 1]
    if lang == "fr":
        return f"{weekday} {'1er' if day.day == 1 else day.day} {month} {day.year}"
    return f"{weekday}, {month} {day.day}, {day.year}"
