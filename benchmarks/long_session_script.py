"""The conversation of `long_session.py`: 22 turns, each written in English and in French.

A bilingual household at one satellite: a few turns in one language, then a few in the other
(the satellite's two wake words start the English or the French pipeline, and Home Assistant
keeps one conversation for the satellite across both). Questions, follow-ups on the previous
answer, and commands to the harness home's devices (`harness/fake_home.py`). A session starts in
either language (`languages`): the blocks alternate from there, so turn 1 and turn 20 are in the
first language, and two sessions (one starting in each) put both languages at both turns.
"""

from collections.abc import Sequence
from dataclasses import dataclass

from .questions import Expected, time_of_day, weekday_of

# Turns per block; the blocks alternate between the session's first language and the other.
BLOCKS = (4, 3, 3, 4, 3, 2, 1, 2)


@dataclass(frozen=True, slots=True)
class Step:
    """One turn in both languages. A command names the entity and the state it must end in;
    a question what its answer must contain (either word; checked by answer_quality.score)."""

    en: str
    fr: str
    expect: Expected = ()
    entity: str = ""
    state: str = ""

    def text(self, language: str) -> str:
        return self.fr if language == "fr" else self.en


def _say(en: str, fr: str, *expected: str) -> Step:
    return Step(en, fr, expected)


def _do(en: str, fr: str, entity: str, state: str) -> Step:
    return Step(en, fr, entity=entity, state=state)


STEPS: tuple[Step, ...] = (
    # block 1 (first language)
    _say("What is the capital of Japan?", "Quelle est la capitale du Japon ?", "Tokyo"),
    _say("And what about Italy?", "Et celle de l'Italie ?", "Rome"),
    _do("Turn on the kitchen light.", "Allume la lumière de la cuisine.", "light.kitchen_light", "on"),
    Step("What day is it today?", "Quel jour sommes-nous aujourd'hui ?", weekday_of(0)),
    # block 2 (the other language)
    _say("What is seven times eight?", "Combien font sept fois huit ?", "56", "fifty-six", "cinquante-six"),
    _say("Add ten to that.", "Ajoute dix à ça.", "66", "sixty-six", "soixante-six"),
    _say("How many legs does a spider have?", "Combien de pattes a une araignée ?", "8", "eight", "huit"),
    # block 3
    _do("Turn off the kitchen light.", "Éteins la lumière de la cuisine.", "light.kitchen_light", "off"),
    _say("Who wrote Romeo and Juliet?", "Qui a écrit Roméo et Juliette ?", "Shakespeare"),
    Step("What time is it?", "Quelle heure est-il ?", time_of_day),
    # block 4
    _do("Open the garage door.", "Ouvre la porte du garage.", "cover.garage_door", "open"),
    _say("Which ocean is the largest?", "Quel est le plus grand océan ?", "Pacific", "Pacifique"),
    _say("How many days are there in a week?", "Combien de jours y a-t-il dans une semaine ?", "7", "seven", "sept"),
    _say("And in two weeks?", "Et dans deux semaines ?", "14", "fourteen", "quatorze"),
    # block 5
    _do("Close the garage door.", "Ferme la porte du garage.", "cover.garage_door", "closed"),
    _say("What color is the sky on a clear day?", "De quelle couleur est le ciel par beau temps ?", "blue", "bleu"),
    _say("At what temperature does water boil, in Celsius?", "À quelle température l'eau bout-elle, en degrés Celsius ?", "100", "hundred", "cent"),
    # block 6
    _do("Turn on the coffee maker.", "Allume la machine à café.", "switch.coffee_maker", "on"),
    _say("Which planet is closest to the sun?", "Quelle planète est la plus proche du soleil ?", "Mercury", "Mercure"),
    # block 7
    _say("What is twelve plus nine?", "Combien font douze plus neuf ?", "21", "twenty-one", "vingt et un", "vingt-et-un"),
    # block 8
    _do("Turn off the coffee maker.", "Éteins la machine à café.", "switch.coffee_maker", "off"),
    _say("What is the capital of Canada?", "Quelle est la capitale du Canada ?", "Ottawa"),
)  # fmt: skip


def languages(first: str, other: str) -> Sequence[str]:
    """The language of each turn of a session that starts in `first`."""
    turns: list[str] = []
    for index, size in enumerate(BLOCKS):
        turns += [first if index % 2 == 0 else other] * size
    assert len(turns) == len(STEPS)
    return turns
