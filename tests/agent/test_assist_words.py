"""The pure parts of the assist tools: relevance, the request record, spoken sentences, prompt
examples, history."""

from types import SimpleNamespace

import pytest

from custom_components.heisenberg.assist_tools.calls import (
    Action,
    MissingDevice,
    Target,
    ToolCall,
    Value,
    ValueKind,
    parse_calls,
)
from custom_components.heisenberg.assist_tools.grammar import build_grammar
from custom_components.heisenberg.assist_tools.prompt import examples, instructions
from custom_components.heisenberg.assist_tools.readings import state_sentence
from custom_components.heisenberg.assist_tools.relevance import device_phrase, mentions
from custom_components.heisenberg.assist_tools.request import RequestKind, analyse
from custom_components.heisenberg.assist_tools.speech import (
    Outcome,
    action_sentence,
    failure_reason,
    spoken_name,
)
from custom_components.heisenberg.history import conversation_turns
from custom_components.heisenberg.system_prompt import split_system_prompt

STATE = Action("state", read_only=True)
ON_OFF = (Action("on"), Action("off"), STATE)
PERCENT = Value(ValueKind.NUMBER, 0, 100)
CEILING_FAN = Target(
    "Ceiling Fan", (*ON_OFF, Action("speed", PERCENT)), ("ventilateur",), "Bedroom"
)
BEDROOM_LAMP = Target("Bedroom Lamp", ON_OFF, ("lampe de la chambre",), "Bedroom")
KITCHEN = Target("Kitchen Light", ON_OFF, ("lumière de la cuisine",), "Kitchen")
OUTSIDE = Target("Outside Temperature", (STATE,), ("température extérieure",), "Garden")
HOME = [CEILING_FAN, BEDROOM_LAMP, KITCHEN, OUTSIDE]
DOMAINS = {"Ceiling Fan": "fan", "Bedroom Lamp": "light", "Kitchen Light": "light",
           "Outside Temperature": "sensor"}  # fmt: skip


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
        # two devices in one order: each is about its own part
        (KITCHEN, "light", "Turn on the kitchen light and the porch light", True),
        (KITCHEN, "light", "Allume la lumière de la cuisine et celle du porche", True),
        (KITCHEN, "light", "Turn on the porch light and the attic light", False),
    ],
)
def test_a_call_must_be_about_what_the_user_said(
    device: Target, domain: str, request_text: str, expected: bool
) -> None:
    assert mentions(device, domain, request_text) is expected


def test_it_in_a_follow_up_is_the_device_the_turn_before_was_about() -> None:
    before = ["Turn on the kitchen light", "[Kitchen Light] on"]
    assert mentions(KITCHEN, "light", "Turn it off again", before)
    assert not mentions(CEILING_FAN, "fan", "Turn it off again", before)


@pytest.mark.parametrize(
    ("request_text", "expected"),
    [
        ("Turn it off again", RequestKind.ORDER),
        ("I'm cold, could you set the thermostat to 22 degrees?", RequestKind.ORDER),
        ("I'm cold, set the heating to 22", RequestKind.ORDER),
        ("Would you mind opening the kitchen light?", RequestKind.ORDER),
        ("Would you mind setting the kitchen light to 40?", RequestKind.ORDER),
        ("Could you please open the garage door?", RequestKind.ORDER),
        ("Peux-tu éteindre la lumière ?", RequestKind.ORDER),
        ("Éteins tout", RequestKind.ORDER),
        ("kitchen light on", RequestKind.ORDER),
        ("Set a timer for five minutes", RequestKind.ORDER),
        ("Ajoute du lait à la liste de courses", RequestKind.ORDER),
        # questions about the home: answered by reading, never by acting
        ("Can you tell me if the garage door is open?", RequestKind.HOME_QUESTION),
        ("Can you tell me if the kitchen light is on?", RequestKind.HOME_QUESTION),
        ("What's the outside temperature?", RequestKind.HOME_QUESTION),
        ("Quelle température fait-il dehors ?", RequestKind.HOME_QUESTION),
        ("Is the kitchen light on?", RequestKind.HOME_QUESTION),
        ("How warm is it outside right now?", RequestKind.HOME_QUESTION),
        ("Il fait combien dehors ?", RequestKind.HOME_QUESTION),
        ("Which lights are on?", RequestKind.HOME_QUESTION),
        ("Quelles lumières sont allumées ?", RequestKind.HOME_QUESTION),
        ("Is anything open?", RequestKind.HOME_QUESTION),
        # other questions: words, or reading calls, never an act
        ("How warm is it in Tokyo?", RequestKind.QUESTION),
        ("What is the capital of Japan?", RequestKind.QUESTION),
        ("Tell me a joke about kitchens", RequestKind.QUESTION),
        ("I'm cold", RequestKind.FREE),
    ],
)
def test_orders_and_questions_are_told_apart(request_text: str, expected: RequestKind) -> None:
    assert analyse(request_text, "en", targets=HOME, domains=DOMAINS).kind == expected


@pytest.mark.parametrize(
    ("request_text", "wanted"),
    [
        ("Set the heating to 19.5 degrees", {"temperature"}),
        ("Mets le chauffage à 19,5 degrés", {"temperature"}),
        ("Dim the lamp to 30%", {"brightness", "position", "speed", "volume"}),
        ("Turn on the lamp", set()),
        ("Set the volume to 20", {"volume"}),
    ],
)
def test_a_value_says_which_kind_of_action_is_meant(request_text: str, wanted: set[str]) -> None:
    assert analyse(request_text, "en", targets=HOME, domains=DOMAINS).wanted == wanted


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


TIMER = Target("timer", (Action("start", Value(ValueKind.DURATION, label=True)),))
ALL_LIGHTS = Target("all lights", (Action("off"), STATE))
LIST = Target(
    "Shopping List", (Action("add", Value(ValueKind.TEXT)), Action("items", read_only=True))
)
OTHERS = [TIMER, ALL_LIGHTS]


@pytest.mark.parametrize("language", ["en", "fr"])
def test_every_example_call_is_one_the_grammar_allows(language: str) -> None:
    devices = [*HOME, LIST]
    made = examples(devices, OTHERS, DOMAINS | {"Shopping List": "todo"}, language)
    assert len(made) == 8  # on, a value, a state, which lights, timer, list x2, missing
    everything = [*devices, *OTHERS]
    for example in made:
        (call,) = parse_calls(example.assistant, everything)
        assert call is not None, example
    assert isinstance(parse_calls(made[-1].assistant, everything)[0], MissingDevice)
    # Names in the list and the grammar are the same, in one order.
    text = instructions(
        devices,
        OTHERS,
        group_kinds=["lights"],
        area_example="Kitchen",
        domains=DOMAINS,
        language=language,
    )
    assert text.index("Bedroom Lamp") < text.index("Ceiling Fan") < text.index("Kitchen Light")
    assert "[all lights in Kitchen]" in text
    assert '"lampe de la chambre"' in build_grammar(everything)


def test_french_examples_use_french_names() -> None:
    users = [example.user for example in examples(HOME, [], DOMAINS, "fr")]
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


def test_timers_and_lists_are_confirmed_with_their_words() -> None:
    assert action_sentence(Outcome("start", "", "5 minutes", timer=True), "en") == (
        "I set a timer for 5 minutes."
    )
    assert action_sentence(Outcome("start", "", "10 minutes", timer=True, label="pâtes"), "fr") == (
        "J'ai lancé un minuteur « pâtes » de 10 minutes."
    )
    assert action_sentence(Outcome("add", "my shopping list", "milk"), "en") == (
        "I added milk to my shopping list."
    )


def test_names_are_said_as_the_user_said_them() -> None:
    assert spoken_name("lumière de la cuisine", "Allume la lumière de la cuisine") == (
        "la lumière de la cuisine"
    )
    assert spoken_name("Kitchen Light", "turn on the KITCHEN light") == "the KITCHEN light"
    assert spoken_name("Kitchen Light", "lights on") == "Kitchen Light"
    # « de la » before a name is « de » + « la »: the sentence says its own « de ».
    said = spoken_name("liste de courses", "Enlève les tomates de la liste de courses")
    assert said == "la liste de courses"
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


def test_a_kind_alone_means_the_satellite_s_area_for_an_order_and_the_home_for_a_question() -> None:
    groups = [
        (Target("all lights", ON_OFF), ("light",), ()),
        (Target("all lights in Kitchen", ON_OFF), ("light",), ("Kitchen", "cuisine")),
    ]
    here = ("Kitchen", "cuisine")

    def named(text: str, language: str = "en") -> set[str]:
        record = analyse(text, language, targets=HOME, domains=DOMAINS, groups=groups, area=here)
        return set(record.named)

    assert named("Turn on the lights") == {"all lights in Kitchen"}
    assert named("Éteins les lumières", "fr") == {"all lights in Kitchen"}
    assert named("Turn off all the lights") == {"all lights"}
    assert named("Which lights are on?") == {"all lights"}


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("Do I need an umbrella today?", True),
        ("Est-ce qu'il va pleuvoir ?", True),
        ("Va-t-il neiger demain ?", True),
        ("Turn on the kitchen light", False),
    ],
)
def test_weather_questions_are_about_the_weather_without_saying_weather(
    question: str, expected: bool
) -> None:
    forecast = Target("Home Forecast", (Action("state", read_only=True),), ("météo",))
    assert mentions(forecast, "weather", question) is expected


@pytest.mark.parametrize("order", ["Next song", "Skip to the next track", "Play the previous song"])
def test_next_and_previous_say_which_song_not_which_speaker(order: str) -> None:
    speaker = Target("Kitchen Speaker", (Action("next"), Action("previous")), (), "Kitchen")
    assert mentions(speaker, "media_player", order)


@pytest.mark.parametrize(
    ("text", "language", "kind"),
    [
        ("Add 10 to that.", "en", RequestKind.FREE),
        ("Ajoute 10 à ça.", "fr", RequestKind.FREE),
        ("Add 3 eggs to my shopping list", "en", RequestKind.ORDER),
        ("Ajoute 2 litres de lait à la liste de courses", "fr", RequestKind.ORDER),
    ],
)
def test_a_sum_on_the_last_answer_is_no_order_but_a_list_s_addition_is(
    text: str, language: str, kind: RequestKind
) -> None:
    shopping = Target(
        "Shopping List", (Action("add", Value(ValueKind.TEXT)),), ("liste de courses",)
    )
    found = analyse(text, language, targets=[shopping], domains={"Shopping List": "todo"})
    assert found.kind is kind
