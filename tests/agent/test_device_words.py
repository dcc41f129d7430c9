"""The pure parts of device control: relevance, spoken sentences, prompt examples, history."""

from types import SimpleNamespace

import pytest

from custom_components.heisenberg.device_prompt import device_examples, device_instructions
from custom_components.heisenberg.device_relevance import (
    Request,
    device_phrase,
    mentions,
    request_kind,
)
from custom_components.heisenberg.device_speech import (
    Outcome,
    action_sentence,
    failure_reason,
    spoken_name,
    state_sentence,
)
from custom_components.heisenberg.history import conversation_turns
from custom_components.heisenberg.system_prompt import split_system_prompt
from custom_components.heisenberg.tool_grammar import (
    Action,
    Device,
    MissingDevice,
    ToolCall,
    build_grammar,
    parse_calls,
)

ON_OFF = (Action("on"), Action("off"), Action("state"))
CEILING_FAN = Device(
    "Ceiling Fan", (*ON_OFF, Action("speed", (0, 100))), ("ventilateur",), "Bedroom"
)
BEDROOM_LAMP = Device("Bedroom Lamp", ON_OFF, ("lampe de la chambre",), "Bedroom")
KITCHEN = Device("Kitchen Light", ON_OFF, ("lumière de la cuisine",), "Kitchen")
OUTSIDE = Device("Outside Temperature", (Action("state"),), ("température extérieure",), "Garden")
HOME = [CEILING_FAN, BEDROOM_LAMP, KITCHEN, OUTSIDE]


@pytest.mark.parametrize(
    ("device", "domain", "request_text", "expected"),
    [
        (KITCHEN, "light", "Turn on the kitchen light", True),
        (KITCHEN, "light", "Allume la lumière de la cuisine", True),
        (KITCHEN, "light", "turn on the light in the kitchen please", True),
        (CEILING_FAN, "fan", "Turn off the fan in the bedroom", True),
        (KITCHEN, "light", "Close the blinds and turn on the kitchen light", True),
        (KITCHEN, "light", "I'm cold, could you turn on the kitchen light?", True),
        (KITCHEN, "light", "Allume la lumière de la cuisine et ferme la porte d'entrée", True),
        (CEILING_FAN, "fan", "Éteins le ventilateur de la chambre", True),  # a room's French name
        (OUTSIDE, "sensor", "Quelle température fait-il dehors ?", True),
        (OUTSIDE, "sensor", "Il fait combien dehors ?", True),
        (OUTSIDE, "sensor", "How warm is it outside right now?", True),
        # another device of the same kind, in a place the home does not have
        (CEILING_FAN, "fan", "Turn on the attic fan", False),
        (KITCHEN, "light", "Allume la lumière de la cave", False),
        (KITCHEN, "light", "turn on the light in the basement", False),
        # another kind of device, in the same room
        (BEDROOM_LAMP, "light", "Turn off the fan in the bedroom", False),
        # nothing in common at all
        (KITCHEN, "light", "Open the pool cover", False),
    ],
)
def test_a_call_must_be_about_what_the_user_said(
    device: Device, domain: str, request_text: str, expected: bool
) -> None:
    assert mentions(device, domain, request_text) is expected


def test_it_in_a_follow_up_is_the_device_the_turn_before_was_about() -> None:
    before = ["Turn on the kitchen light", "[Kitchen Light] on"]
    assert mentions(KITCHEN, "light", "Turn it off again", before)
    assert not mentions(CEILING_FAN, "fan", "Turn it off again", before)


@pytest.mark.parametrize(
    ("request_text", "expected"),
    [
        ("Turn it off again", Request.ORDER),
        ("I'm cold, could you set the thermostat to 22 degrees?", Request.ORDER),
        ("I'm cold, set the heating to 22", Request.ORDER),
        ("Would you mind opening the kitchen light?", Request.ORDER),
        ("Would you mind setting the kitchen light to 40?", Request.ORDER),
        ("Can you tell me if the garage door is open?", Request.FREE),  # names no device...
        ("Can you tell me if the kitchen light is on?", Request.QUESTION),  # ...this one does
        ("Could you please open the garage door?", Request.ORDER),
        ("Peux-tu éteindre la lumière ?", Request.ORDER),
        ("Éteins tout", Request.ORDER),
        ("What's the outside temperature?", Request.QUESTION),  # names a device in full
        ("Quelle température fait-il dehors ?", Request.QUESTION),  # « dehors »: outside
        ("Is the kitchen light on?", Request.QUESTION),
        ("kitchen light on", Request.ORDER),
        ("How warm is it outside right now?", Request.QUESTION),  # a kind and its own word
        ("Il fait combien dehors ?", Request.QUESTION),
        ("How warm is it in Tokyo?", Request.FREE),
        ("What is the capital of Japan?", Request.FREE),
        ("Tell me a joke about kitchens", Request.FREE),
    ],
)
def test_orders_and_questions_about_devices_are_told_apart(
    request_text: str, expected: str
) -> None:
    domains = {"Ceiling Fan": "fan", "Bedroom Lamp": "light", "Kitchen Light": "light"}
    assert request_kind(request_text, HOME, domains | {"Outside Temperature": "sensor"}) == (
        expected
    )


@pytest.mark.parametrize(
    ("request_text", "phrase"),
    [
        ("Open the pool cover please", "the pool cover"),
        ("Could you turn off the light in the basement?", "the light in the basement"),
        ("Allume la lumière de la cave", "la lumière de la cave"),
        ("Mets la télé du grenier en pause", "la télé du grenier"),
        ("Set the attic fan to 40 percent", "the attic fan"),
    ],
)
def test_the_device_a_request_names_is_found_in_its_words(request_text: str, phrase: str) -> None:
    assert device_phrase(request_text) == phrase


@pytest.mark.parametrize("language", ["en", "fr"])
def test_every_example_call_is_one_the_grammar_allows(language: str) -> None:
    examples = device_examples(HOME, language)
    assert len(examples) == 4
    for example in examples:
        (call,) = parse_calls(example.assistant, HOME)
        assert call is not None, example
    assert isinstance(parse_calls(examples[-1].assistant, HOME)[0], MissingDevice)
    # Names in the list and the grammar are the same, in one order.
    text = device_instructions(HOME, language)
    assert text.index("Bedroom Lamp") < text.index("Ceiling Fan") < text.index("Kitchen Light")
    assert '"lampe de la chambre"' in build_grammar(HOME)


def test_french_examples_use_french_names() -> None:
    users = [example.user for example in device_examples(HOME, "fr")]
    assert users[0] == "allume lampe de la chambre"


@pytest.mark.parametrize(
    ("outcome", "language", "expected"),
    [
        (Outcome("on", "the kitchen light"), "en", "I turned on the kitchen light."),
        (Outcome("brightness", "la lampe", 40), "fr", "J'ai réglé la lampe à 40 pour cent."),
        (Outcome("lock", "Front Door", None, "it is jammed."), "en",
         "I couldn't lock Front Door: it is jammed."),
        (Outcome("off", "la télé", None, "Home Assistant a signalé une erreur."), "fr",
         "Je n'ai pas pu éteindre la télé : Home Assistant a signalé une erreur."),
    ],
)  # fmt: skip
def test_what_was_done_is_said_in_the_users_language(
    outcome: Outcome, language: str, expected: str
) -> None:
    assert action_sentence(outcome, language) == expected


def test_names_are_said_as_the_user_said_them() -> None:
    assert spoken_name("lumière de la cuisine", "Allume la lumière de la cuisine") == (
        "la lumière de la cuisine"
    )
    assert spoken_name("Kitchen Light", "turn on the KITCHEN light") == "the KITCHEN light"
    assert spoken_name("Kitchen Light", "lights on") == "Kitchen Light"
    assert failure_reason(
        "No entities matched the name (given name 'TV', domains media_player)", "en"
    ) == ("No entities matched the name.")


@pytest.mark.parametrize(
    ("state", "attributes", "language", "expected"),
    [
        ("on", {}, "en", "The kitchen light is on."),
        ("12.5", {"unit_of_measurement": "°C"}, "fr", "The kitchen light : 12,5 degrés Celsius."),
        ("unavailable", {}, "en", "I don't know the state of the kitchen light right now."),
        ("heat", {"temperature": 21, "current_temperature": 19.5}, "en",
         "The kitchen light is set to 21 degrees, and it is 19.5 degrees now."),
    ],
)  # fmt: skip
def test_a_state_is_reported_as_read(
    state: str, attributes: dict[str, object], language: str, expected: str
) -> None:
    assert state_sentence("the kitchen light", state, attributes, language) == expected


def test_a_turn_that_acted_is_remembered_as_its_calls() -> None:
    tool_call = SimpleNamespace(id="abc")
    messages = [
        SimpleNamespace(role="user", content="Turn on the kitchen light"),
        SimpleNamespace(role="assistant", content=None, tool_calls=[tool_call]),
        SimpleNamespace(role="tool_result", tool_calls=None),
        SimpleNamespace(role="assistant", content="I turned on the kitchen light."),
        SimpleNamespace(role="user", content="Thanks"),
        SimpleNamespace(role="assistant", content="You're welcome."),
    ]
    turns = conversation_turns(messages, {"abc": "[Kitchen Light] on"})
    assert [(t.user, t.assistant) for t in turns] == [
        ("Turn on the kitchen light", "[Kitchen Light] on"),
        ("Thanks", "You're welcome."),
    ]
    # Without the call's text (an agent restarted), the spoken answer stays.
    assert conversation_turns(messages)[0].assistant == "I turned on the kitchen light."


def test_has_api_prompt_is_left_out_of_the_stable_prefix() -> None:
    api = "You ARE equipped to answer questions.\nYou are in area Kitchen."
    rendered = f"You are Heisenberg.\n{api}\nThe user is Ada."
    assert split_system_prompt(rendered, api) == ("You are Heisenberg.", "The user is Ada.")
    assert ToolCall("A", "on") == ToolCall("A", "on", said="a")  # said is not identity
