"""Follow-ups on a spoken answer are free speech, not requests about the home: "on" and « on »
are not always a state, "whole" is not always "everything", and a model's own sentence is never
quoted back as a device the user named."""

import pytest

from custom_components.heisenberg.assist_tools.calls import Action, Target
from custom_components.heisenberg.assist_tools.relevance import said_by_user
from custom_components.heisenberg.assist_tools.request import RequestKind, analyse

STATE = Action("state", read_only=True)
ON_OFF = (Action("on"), Action("off"), STATE)
HOME = [
    Target("Kitchen Light", ON_OFF, ("lumière de la cuisine",), "Kitchen"),
    Target("Front Door", (Action("lock"), Action("unlock"), STATE), ("porte d'entrée",), "Hall"),
]
DOMAINS = {"Kitchen Light": "light", "Front Door": "lock"}
GROUPS = [
    (Target("everything", ON_OFF), ("light", "lock"), ()),
    (Target("all lights", ON_OFF), ("light",), ()),
]


def _analysed(text: str, language: str):  # type: ignore[no-untyped-def]
    return analyse(text, language, targets=HOME, domains=DOMAINS, groups=GROUPS)


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("On what day was he born?", "en"),
        ("And on the other side of the river?", "en"),
        ("What about the whole year?", "en"),
        ("And in the entire country?", "en"),
        ("Que mange-t-on là-bas ?", "fr"),
        ("Comment dit-on bonjour en japonais ?", "fr"),
        ("Et sur toute l'année ?", "fr"),
    ],
)
def test_a_follow_up_that_names_nothing_of_the_home_is_a_plain_question(
    text: str, language: str
) -> None:
    record = _analysed(text, language)
    assert record.kind is RequestKind.QUESTION
    assert not record.named


@pytest.mark.parametrize(
    ("text", "language", "named"),
    [
        ("Is anything on?", "en", {"everything"}),
        ("Is everything locked?", "en", {"everything"}),
        ("Which lights are on right now?", "en", {"all lights"}),
        ("Est-ce que tout est éteint ?", "fr", {"everything"}),
        ("Turn everything off", "en", {"everything"}),
        ("Éteins tout", "fr", {"everything"}),
    ],
)
def test_everything_is_still_named_by_an_order_or_a_state(
    text: str, language: str, named: set[str]
) -> None:
    record = _analysed(text, language)
    assert record.kind in (RequestKind.HOME_QUESTION, RequestKind.ORDER)
    assert set(record.named) == named


@pytest.mark.parametrize(
    ("phrase", "request_text", "expected"),
    [
        ("attic fan", "Turn on the attic fan", True),
        ("the lights upstairs", "Turn off the lights upstairs please", True),
        ("lumière de la cave", "Allume la lumière de la cave", True),
        ("Mount Everest is in Asia.", "On which continent is it?", False),
        ("On parle japonais à Tokyo", "Quelle langue parle-t-on là-bas ?", False),
        ("", "Turn on the attic fan", False),
    ],
)
def test_only_the_users_own_words_are_quoted_as_a_missing_device(
    phrase: str, request_text: str, expected: bool
) -> None:
    assert said_by_user(phrase, request_text) is expected
