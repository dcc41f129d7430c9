"""The context note: what the model cannot know, said in the conversation's language.

A model cannot work out the weekday from a date (small ones guess), and it has no clock. So the
note gives the weekday, the date and the time, written out the way people say them in the
conversation's language, from Home Assistant's own clock and time zone. It goes after the cached
prefix, just before the new message, so the prefix stays byte-stable (see prompt_format).
No Home Assistant imports: the caller passes the time.
"""

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


def date_time_note(now: datetime, language: str | None) -> str:
    """The weekday, date and time in the conversation's language, framed as a reference."""
    return date_note_head(now, language) + _time_tail(now, language)


def date_note_head(now: datetime, language: str | None) -> str:
    """The note up to the time: the same all day, so the warm-up caches it (`warmup.py`) and
    a question pays only for the minutes and itself.

    The framing matters: the note sits right before the question, and a bare "The time is
    14:18." made small models read "add 4 to that" as "add 4 to the time" (1 right of 12 in a
    trial, 7 of 12 with the framing; the rest were the model's own knowledge). Today and
    tomorrow are each named as such (measured: "(demain : jeudi)" after today's date made the
    1.5B model answer "Quelle est la date d'aujourd'hui ?" with "Demain, jeudi." 3 times in 4).
    """
    lang = persona_language(language)
    tomorrow = now + timedelta(days=1)  # nor can a model count weekdays or month ends on
    if lang == "fr":
        return (
            "(Seulement si on demande la date ou l'heure : "
            f"aujourd'hui, nous sommes le {_written_date(now, lang)} ; "
            f"demain, nous serons le {_written_date(tomorrow, lang)} ; il est"
        )
    return (
        "(Only if asked about the date or time: "
        f"today is {_written_date(now, lang)}; tomorrow is {_written_date(tomorrow, lang)}; "
        "the time is"
    )


def _time_tail(now: datetime, language: str | None) -> str:
    if persona_language(language) == "fr":
        return f" {now.hour} h {now.minute:02d}.)"
    return f" {now:%H:%M}.)"


def _written_date(day: datetime, lang: str) -> str:
    """'Wednesday, December 2, 2026' or 'mercredi 2 décembre 2026' ('1er' on the first)."""
    weekday, month = WEEKDAYS[lang][day.weekday()], MONTHS[lang][day.month - 1]
    if lang == "fr":
        return f"{weekday} {'1er' if day.day == 1 else day.day} {month} {day.year}"
    return f"{weekday}, {month} {day.day}, {day.year}"
