"""Follow-ups on a spoken answer are free speech, not requests about the home: "on" and « on »
are not always a state, "whole" is not always "everything", and a model's own sentence is never
quoted back as a device the user named."""

import pytest

from custom_components.heisenberg.assist_tools.calls import Action, Target
from custom_components.heisenberg.assist_tools.home import HomeView
from custom_components.heisenberg.assist_tools.home_target import Catalog, HomeTarget, Kind
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


def _view() -> HomeView:
    homes = tuple(
        HomeTarget(
            target, Kind.ENTITY, DOMAINS[target.name], entity_id=f"x.{index}",
            match_name=target.name,
        )
        for index, target in enumerate(HOME)
    )  # fmt: skip
    return HomeView(Catalog(homes), "", ())


@pytest.mark.parametrize(
    ("text", "language", "context"),
    [
        ("And in which country?", "en", ["Which city is the Colosseum in?", "Rome."]),
        ("Which country was she from?", "en", ["Who painted this?", "Frida Kahlo."]),
        ("Et dans quelle région ?", "fr", ["Où est le Mont Blanc ?", "Dans les Alpes."]),
    ],
)
def test_a_question_about_nothing_of_the_home_can_only_be_answered_in_words(
    text: str, language: str, context: list[str]
) -> None:
    view = _view()
    record = view.request(text, language)
    assert record.kind is RequestKind.QUESTION
    grammar = view.grammar_for(record, None, context)
    assert "Kitchen Light" not in grammar and "unknown" not in grammar
    assert grammar.startswith('root ::= " "? say')


def test_a_question_that_goes_on_about_a_device_may_still_read_it() -> None:
    view = _view()
    record = view.request("And what about later?", "en")
    grammar = view.grammar_for(record, None, ["Is the kitchen light on?", "[Kitchen Light] state"])
    assert "Kitchen Light" in grammar
    assert '"Front Door"' not in grammar


def test_timers_are_read_by_a_question_only_when_it_is_about_them() -> None:
    timers = HomeTarget(Target("timer", (Action("status", read_only=True),)), Kind.TIMERS, "timer")
    view = HomeView(Catalog((*_view().catalog.targets, timers)), "", ())
    follow_up = view.request("And in which country?", "en")
    assert view.grammar_for(follow_up, None, ["Where is Rome?", "In Italy."]).startswith(
        'root ::= " "? say\nsay'
    )
    asked = view.request("How long is left on the timer?", "en")
    assert '"timer"' in view.grammar_for(asked, None, [])
