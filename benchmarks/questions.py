"""The questions of `answer_quality.py`: half English, half French, scored by expected words.

Categories: facts, arithmetic, date and time (checked against Home Assistant's clock), the home's
own context (its name; what the agent cannot know must be admitted, not invented) and two-turn
follow-ups (the second question only makes sense with the first).

`expect` is a list of alternatives: the answer is right when it contains one of them, as a whole
word or number, ignoring case and accents. A callable builds them from the moment of asking
(date/time questions). `reject` lists words that make an answer wrong even when an expected one
is present (for example "no" in an answer that must say yes).
"""

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from custom_components.heisenberg.context_note import MONTHS, WEEKDAYS

type Expected = Sequence[str] | Callable[[datetime, str], Sequence[str]]

HOME_NAME = "Maple Cottage"

CANNOT_KNOW = {
    "en": (
        "can't",
        "cannot",
        "can not",
        "don't have",
        "do not have",
        "don't know",
        "unable",
        "not able",
        "no access",
        "not sure",
        "no way",
        "don't have access",
        "not connected",
    ),
    "fr": (
        "ne peux pas",
        "ne sais pas",
        "pas accès",
        "impossible",
        "pas en mesure",
        "n'ai pas",
        "je ne peux",
        "pas d'accès",
        "aucun moyen",
        "aucune information",
        "pas la possibilité",
        "ne dispose pas",
    ),
}


@dataclass(frozen=True, slots=True)
class Question:
    """One question (or a follow-up, asked after `after` in the same conversation)."""

    language: str
    category: str
    text: str
    expect: Expected
    reject: Sequence[str] = ()
    after: tuple[str, ...] = field(default_factory=tuple)


def weekday_of(offset_days: int) -> Expected:
    def expected(now: datetime, lang: str) -> Sequence[str]:
        return [WEEKDAYS[lang][(now + timedelta(days=offset_days)).weekday()]]

    return expected


def _month(now: datetime, lang: str) -> Sequence[str]:
    return [MONTHS[lang][now.month - 1]]


def _year(now: datetime, _lang: str) -> Sequence[str]:
    return [str(now.year)]


def _date(now: datetime, lang: str) -> Sequence[str]:
    """Day and month together, as people say them in either language."""
    day, month = now.day, MONTHS[lang][now.month - 1]
    first = "1er" if lang == "fr" and day == 1 else None
    forms = [
        f"{day} {month}",
        f"{month} {day}",
        f"{day}{_ordinal(day)} of {month}",
        f"{month} {day}{_ordinal(day)}",
        f"{now:%Y-%m-%d}",
        f"{day}/{now.month}",
    ]
    if first:
        forms.append(f"{first} {month}")
    return forms


def _ordinal(day: int) -> str:
    if day in (11, 12, 13):
        return "th"
    return {1: "st", 2: "nd", 3: "rd"}.get(day % 10, "th")


def time_of_day(now: datetime, _lang: str) -> Sequence[str]:
    """The time within a minute, 24-hour or 12-hour, with ':' or French 'h'."""
    forms: list[str] = []
    for moment in (now - timedelta(minutes=1), now, now + timedelta(minutes=1)):
        hour12 = moment.hour % 12 or 12
        # "06:35" as the note writes it, and "6:35" as people do.
        for hour in {str(moment.hour), f"{moment.hour:02d}", str(hour12)}:
            forms += [
                f"{hour} heures et {moment.minute:02d}",
                f"{hour} heures et {moment.minute}",
                f"{hour}:{moment.minute:02d}",
                f"{hour} h {moment.minute:02d}",
                f"{hour}h{moment.minute:02d}",
                f"{hour} heures {moment.minute:02d}",
            ]
            if moment.minute == 0:
                forms += [
                    f"{hour} h",
                    f"{hour} heures",
                    f"{hour} o'clock",
                    f"{hour} am",
                    f"{hour} pm",
                ]
    return forms


EN, FR = "en", "fr"

QUESTIONS: tuple[Question, ...] = (
    # --- facts ----------------------------------------------------------------------------
    Question(EN, "fact", "How many legs does a spider have?", ["eight", "8"]),
    Question(EN, "fact", "What is the largest planet in our solar system?", ["Jupiter"]),
    Question(
        EN,
        "fact",
        "At what temperature in Celsius does water boil at sea level?",
        ["100", "one hundred", "a hundred"],
    ),
    Question(EN, "fact", "What is the capital of Spain?", ["Madrid"]),
    Question(EN, "fact", "Who wrote Romeo and Juliet?", ["Shakespeare"]),
    Question(EN, "fact", "What gas do plants absorb from the air?", ["carbon dioxide", "CO2"]),
    Question(EN, "fact", "How many continents are there?", ["seven", "7"]),
    Question(EN, "fact", "What color is a ripe banana?", ["yellow"]),
    Question(EN, "fact", "Which ocean is the largest?", ["Pacific"]),
    Question(EN, "fact", "What is the chemical symbol for gold?", ["Au"]),
    Question(EN, "fact", "How many hours are in a day?", ["24", "twenty-four", "twenty four"]),
    Question(EN, "fact", "What is the capital of Japan?", ["Tokyo"]),
    Question(EN, "fact", "How many sides does a triangle have?", ["three", "3"]),
    # --- arithmetic -----------------------------------------------------------------------
    Question(EN, "arithmetic", "What is 7 times 8?", ["56", "fifty-six", "fifty six"]),
    Question(EN, "arithmetic", "What is 15 plus 27?", ["42", "forty-two", "forty two"]),
    Question(EN, "arithmetic", "What is 100 minus 37?", ["63", "sixty-three", "sixty three"]),
    Question(EN, "arithmetic", "What is half of 50?", ["25", "twenty-five", "twenty five"]),
    Question(
        EN,
        "arithmetic",
        "How many minutes are in two hours?",
        ["120", "one hundred twenty", "one hundred and twenty"],
    ),
    # --- date and time --------------------------------------------------------------------
    Question(EN, "date/time", "What day of the week is it today?", weekday_of(0)),
    Question(EN, "date/time", "What day of the week will it be tomorrow?", weekday_of(1)),
    Question(EN, "date/time", "What is today's date?", _date),
    Question(EN, "date/time", "What time is it?", time_of_day),
    Question(EN, "date/time", "Which month are we in?", _month),
    Question(EN, "date/time", "What year is it?", _year),
    # --- the home's own context -------------------------------------------------------------
    Question(EN, "home", "What is the name of this home?", ["Maple"]),
    Question(
        EN,
        "home",
        "Is the front door locked right now?",
        CANNOT_KNOW[EN],
        reject=("is locked", "it's locked", "is unlocked", "yes, "),
    ),
    Question(
        EN,
        "home",
        "What is the temperature in the living room?",
        CANNOT_KNOW[EN],
        reject=("degrees",),
    ),
    # --- two-turn follow-ups --------------------------------------------------------------
    Question(
        EN,
        "follow-up",
        "And what about Portugal?",
        ["Lisbon"],
        after=("What is the capital of France?",),
    ),
    Question(
        EN,
        "follow-up",
        "And if you add 4 to that?",
        ["40", "forty"],
        after=("What is 12 times 3?",),
    ),
    Question(
        EN,
        "follow-up",
        "How many moons does it have?",
        ["two", "2"],
        after=("Which planet is called the red planet?",),
    ),
    Question(
        EN,
        "follow-up",
        "Who painted it?",
        ["Leonardo", "da Vinci", "Vinci"],
        after=("What is the most famous painting in the Louvre?",),
    ),
    Question(
        EN,
        "fact",
        "How many days are there in a leap year?",
        ["366", "three hundred sixty-six", "three hundred and sixty-six"],
    ),
    # --- faits ----------------------------------------------------------------------------
    Question(FR, "fact", "Combien de pattes a une araignée ?", ["huit", "8"]),
    Question(FR, "fact", "Quelle est la plus grande planète du système solaire ?", ["Jupiter"]),
    Question(
        FR, "fact", "À quelle température l'eau gèle-t-elle, en degrés Celsius ?", ["0", "zéro"]
    ),
    Question(FR, "fact", "Quelle est la capitale de l'Allemagne ?", ["Berlin"]),
    Question(FR, "fact", "Qui a écrit Les Misérables ?", ["Hugo"]),
    Question(FR, "fact", "De quelle couleur est l'herbe ?", ["verte", "vert"]),
    Question(FR, "fact", "Combien y a-t-il de mois dans une année ?", ["douze", "12"]),
    Question(FR, "fact", "Quel est le plus long fleuve de France ?", ["Loire"]),
    Question(FR, "fact", "Quelle est la capitale du Canada ?", ["Ottawa"]),
    Question(
        FR,
        "fact",
        "Combien de joueurs y a-t-il dans une équipe de football sur le terrain ?",
        ["onze", "11"],
    ),
    Question(FR, "fact", "Quel animal est le roi de la jungle ?", ["lion"]),
    Question(FR, "fact", "Dans quelle ville se trouve la tour Eiffel ?", ["Paris"]),
    Question(FR, "fact", "Combien de secondes y a-t-il dans une minute ?", ["soixante", "60"]),
    # --- calcul ---------------------------------------------------------------------------
    Question(FR, "arithmetic", "Combien font 9 fois 6 ?", ["54", "cinquante-quatre"]),
    Question(FR, "arithmetic", "Combien font 48 plus 25 ?", ["73", "soixante-treize"]),
    Question(FR, "arithmetic", "Combien font 81 divisé par 9 ?", ["9", "neuf"]),
    Question(FR, "arithmetic", "Combien font 200 moins 55 ?", ["145", "cent quarante-cinq"]),
    Question(FR, "arithmetic", "Quel est le double de 35 ?", ["70", "soixante-dix"]),
    # --- date et heure --------------------------------------------------------------------
    Question(FR, "date/time", "Quel jour de la semaine sommes-nous ?", weekday_of(0)),
    Question(FR, "date/time", "Quel jour serons-nous demain ?", weekday_of(1)),
    Question(FR, "date/time", "Quelle est la date d'aujourd'hui ?", _date),
    Question(FR, "date/time", "Quelle heure est-il ?", time_of_day),
    Question(FR, "date/time", "En quel mois sommes-nous ?", _month),
    Question(FR, "date/time", "En quelle année sommes-nous ?", _year),
    # --- la maison ------------------------------------------------------------------------
    Question(FR, "home", "Comment s'appelle cette maison ?", ["Maple"]),
    Question(
        FR,
        "home",
        "La porte d'entrée est-elle fermée à clé ?",
        CANNOT_KNOW[FR],
        reject=("est fermée à clé", "est verrouillée", "oui,"),
    ),
    Question(
        FR,
        "home",
        "Quelle température fait-il dans le salon ?",
        CANNOT_KNOW[FR],
        reject=("degrés",),
    ),
    # --- questions de suivi ---------------------------------------------------------------
    Question(
        FR,
        "follow-up",
        "Et celle de l'Espagne ?",
        ["Madrid"],
        after=("Quelle est la capitale du Portugal ?",),
    ),
    Question(
        FR,
        "follow-up",
        "Et si on y ajoute 5 ?",
        ["25", "vingt-cinq"],
        after=("Combien font 4 fois 5 ?",),
    ),
    Question(
        FR,
        "follow-up",
        "Quelle est sa couleur ?",
        ["rouge"],
        after=("Quelle planète appelle-t-on la planète rouge ?",),
    ),
    Question(
        FR,
        "follow-up",
        "Qui l'a écrit ?",
        ["Saint-Exupéry", "Exupéry", "Exupery"],
        after=("Quel livre français raconte l'histoire d'un petit prince venu d'un astéroïde ?",),
    ),
    Question(
        FR,
        "fact",
        "Combien de jours y a-t-il dans une année bissextile ?",
        ["366", "trois cent soixante-six"],
    ),
)
