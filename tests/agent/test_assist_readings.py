"""What the agent says when it reads (groups, lists, timers, weather), how a group is asked for,
and the arguments HA's timer tools get: the pure parts."""

import pytest

from custom_components.heisenberg.assist_tools.calls import ToolCall
from custom_components.heisenberg.assist_tools.execute import timer_args
from custom_components.heisenberg.assist_tools.readings import (
    group_sentence,
    list_sentence,
    state_sentence,
    timers_sentence,
)
from custom_components.heisenberg.assist_tools.relevance import group_mentions

LIGHTS = [("the kitchen light", "on"), ("the porch light", "off"), ("the bedroom lamp", "on")]


@pytest.mark.parametrize(
    ("question", "members", "lang", "expected"),
    [
        ("Which lights are on?", LIGHTS, "en", "The kitchen light and the bedroom lamp are on."),
        ("Which lights are off?", LIGHTS, "en", "The porch light is off."),
        ("Quelles lumières sont allumées ?", [("lumière de la cuisine", "on"),
         ("lumière du porche", "off")], "fr", "Lumière de la cuisine est en marche."),
        ("Which lights are on?", [("the porch light", "off")], "en", "None of them is on."),
        ("Are the doors locked?", [("the front door", "locked"), ("the back door", "locked")],
         "en", "All of them are locked."),
        # No state asked: each one doing something, with its state.
        ("What about the blinds?", [("the blinds", "open"), ("the shutter", "closed")], "en",
         "The blinds open."),
    ],
)  # fmt: skip
def test_a_group_question_names_the_members_in_the_state_asked_about(
    question: str, members: list[tuple[str, str]], lang: str, expected: str
) -> None:
    assert group_sentence(members, question, lang) == expected


def test_a_list_is_read_item_by_item() -> None:
    items = [{"summary": "milk", "status": "needs_action"}, {"summary": "eggs"}]
    assert list_sentence("your shopping list", items, "en") == (
        "On your shopping list: milk and eggs."
    )
    assert list_sentence("la liste de courses", [], "fr") == "La liste de courses est vide."


def test_timers_say_how_long_is_left_and_tell_unnamed_ones_apart() -> None:
    one = {"name": "pasta", "total_seconds_left": 125, "is_active": True}
    assert timers_sentence([one], "en") == "The pasta timer has 2 minutes 5 seconds left."
    five = {"total_seconds_left": 290, "start_minutes": 5, "is_active": True}
    ten = {"total_seconds_left": 600, "start_minutes": 10, "is_active": False}
    assert timers_sentence([five, ten], "fr") == (
        "Le minuteur de 5 minutes a encore 4 minutes 50 secondes et le minuteur de 10 minutes "
        "a encore 10 minutes (en pause)."
    )
    assert timers_sentence([], "en") == "There are no timers."


def test_the_weather_is_its_condition_and_temperature() -> None:
    attributes = {"temperature": 18.5, "temperature_unit": "°C"}
    assert state_sentence("Home", "sunny", attributes, "en") == "It's sunny and 18.5 degrees."
    assert state_sentence("Maison", "rainy", attributes, "fr") == (
        "Le temps est pluvieux et il fait 18,5 degrés."
    )


@pytest.mark.parametrize(
    ("request_text", "place", "satellite", "expected"),
    [
        ("Turn off all the lights", (), (), True),
        ("Éteins toutes les lumières", (), (), True),
        ("Turn off the lights in the kitchen", ("Kitchen",), (), True),
        ("Éteins les lumières de la cuisine", ("Kitchen",), (), True),
        ("Turn off the lights in the bedroom", ("Kitchen",), (), False),
        # No place said: the satellite's own place.
        ("Turn on the lights", ("Kitchen",), ("Kitchen",), True),
        ("Turn on the lights", ("Bedroom",), ("Kitchen",), False),
        # A place said: the whole home is not what was asked.
        ("Turn off the lights in the kitchen", (), (), False),
        # Another kind of device.
        ("Close all the blinds", (), (), False),
    ],
)
def test_a_group_is_asked_for_by_its_kind_and_place(
    request_text: str, place: tuple[str, ...], satellite: tuple[str, ...], expected: bool
) -> None:
    assert group_mentions(("light",), place, request_text, satellite_area=satellite) is expected


@pytest.mark.parametrize(
    ("request_text", "expected"),
    [
        ("Allume la lumière ici", False),
        ("Turn on the light", False),
        ("Turn off all the lights", True),
        ("Éteins toutes les lumières", True),
    ],
)
def test_an_order_from_a_satellite_reaches_the_whole_home_only_when_it_says_all(
    request_text: str, expected: bool
) -> None:
    whole_home = group_mentions(
        ("light",), (), request_text, satellite_area=("Kitchen",), order=True
    )
    assert whole_home is expected
    # A question from the same satellite is about the whole home ("which lights are on?").
    assert group_mentions(("light",), (), "Which lights are on?", satellite_area=("Kitchen",))


@pytest.mark.parametrize(
    ("call", "args"),
    [
        (ToolCall("timer", "start", 5400, "pasta"), {"hours": 1, "minutes": 30, "name": "pasta"}),
        (ToolCall("timer", "start", 45), {"seconds": 45}),
        (ToolCall("timer", "cancel", None, "pasta"), {"name": "pasta"}),
        (ToolCall("timer", "cancel", 600), {"start_minutes": 10}),
        (ToolCall("timer", "add", 120), {"minutes": 2}),
        (ToolCall("timer", "pause", "tea"), {"name": "tea"}),
        (ToolCall("timer", "status"), {}),
    ],
)
def test_a_timer_call_becomes_ha_s_timer_slots(call: ToolCall, args: dict[str, object]) -> None:
    assert timer_args(call) == args
