"""The context note: what the model cannot know, said in the conversation's language.

A model cannot work out the weekday from a date (small ones guess), and it has no clock. So the
note gives the weekday, the date and the time, written out the way people say them in the
conversation's language, from Home Assistant's own clock and time zone. It goes after the cached
prefix, just before the new message, so the prefix stays byte-stable (see prompt_format).
No Home Assistant imports: the caller passes the time.
"""

from datetime import datetime

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
    """The weekday, date and time in the conversation's language, framed as a reference.

    The framing matters: the note sits right before the question, and a bare "The time is
    14:18." made small models read "add 4 to that" as "add 4 to the time" (1 right of 12 in a
    trial, 7 of 12 with the framing; the rest were the model's own knowledge).
    """
    lang = persona_language(language)
    weekday, month = WEEKDAYS[lang][now.weekday()], MONTHS[lang][now.month - 1]
    tomorrow = WEEKDAYS[lang][(now.weekday() + 1) % 7]  # nor can it count weekdays on
    if lang == "fr":
        day = "1er" if now.day == 1 else str(now.day)
        return (
            "(Seulement si on demande la date ou l'heure : "
            f"nous sommes le {weekday} {day} {month} {now.year} (demain : {tomorrow}), "
            f"il est {now.hour} h {now.minute:02d}.)"
        )
    return (
        "(Only if asked about the date or time: "
        f"today is {weekday}, {month} {now.day}, {now.year} (tomorrow: {tomorrow}), "
        f"the time is {now:%H:%M}.)"
    )
