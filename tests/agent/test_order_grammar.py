"""What an order and a question about the home may write: an order is carried out, never
answered with a state; a question that asks what something measures reads that thing."""

import re

import pytest

from custom_components.heisenberg.assist_tools.calls import Action, Target, Value, ValueKind
from custom_components.heisenberg.assist_tools.choice import is_about
from custom_components.heisenberg.assist_tools.home import HomeView
from custom_components.heisenberg.assist_tools.home_target import Catalog, HomeTarget, Kind
from custom_components.heisenberg.assist_tools.relevance import named_targets
from custom_components.heisenberg.assist_tools.request import RequestKind

STATE = Action("state", read_only=True)
LIGHT = (Action("on"), Action("off"), Action("brightness", Value(ValueKind.NUMBER, 0, 100)), STATE)
TARGETS = {
    Target("Bedroom Light", LIGHT, ("lumière de la chambre",), "Bedroom"): "light",
    Target("Desk Lamp", LIGHT, ("lampe du bureau",), "Office"): "light",
    Target("Outside Temperature", (STATE,), ("température extérieure",), "Garden"): "sensor",
    Target("Living Room Temperature", (STATE,), ("température du salon",), "Living Room"): "sensor",
    Target("Kitchen Speaker", (Action("next"), Action("pause"), STATE), ("enceinte",), "Kitchen"): (
        "media_player"
    ),
}


def _view(targets: dict[Target, str] = TARGETS) -> HomeView:
    homes = tuple(
        HomeTarget(target, Kind.ENTITY, domain, entity_id=f"x.{n}", match_name=target.name)
        for n, (target, domain) in enumerate(targets.items())
    )
    return HomeView(Catalog(homes), "", ())


def _first_rule(grammar: str) -> str:
    return next((line for line in grammar.splitlines() if line.startswith("first ::=")), "")


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("Turn on the lights upstairs", "en"),
        ("Switch off the desk lamp", "en"),
        ("Allume la lumière de la chambre", "fr"),
    ],
)
def test_an_order_cannot_be_answered_with_a_state(text: str, language: str) -> None:
    view = _view()
    grammar = view.grammar_for(view.request(text, language))
    assert '"state"' not in grammar
    assert '"on"' in grammar


def test_an_order_that_also_asks_may_read() -> None:
    view = _view()
    request = view.request("Turn off the desk lamp and tell me the outside temperature", "en")
    assert '"state"' in view.grammar_for(request)


@pytest.mark.parametrize(
    ("text", "language", "target"),
    [
        ("Il fait combien dehors ?", "fr", "Outside Temperature"),
        ("Il fait combien dans le salon ?", "fr", "Living Room Temperature"),
        ("How warm is it outside?", "en", "Outside Temperature"),
    ],
)
def test_a_question_reads_what_it_asks_about_first(text: str, language: str, target: str) -> None:
    view = _view()
    first = _first_rule(view.grammar_for(view.request(text, language)))
    assert target in first
    assert "Bedroom Light" not in first and "Desk Lamp" not in first


@pytest.mark.parametrize(
    ("text", "language"),
    [("Passe à la chanson suivante", "fr"), ("Skip this song", "en")],
)
def test_an_order_fitting_one_device_by_its_kind_acts_on_it(text: str, language: str) -> None:
    view = _view()
    assert "Kitchen Speaker" in _first_rule(view.grammar_for(view.request(text, language)))


def test_an_order_fitting_many_devices_is_not_forced_onto_them() -> None:
    hall = HomeTarget(
        Target("Hall Light", LIGHT, (), "Hall"), Kind.ENTITY, "light", entity_id="x.h"
    )
    view = HomeView(Catalog((*_view().catalog.targets, hall)), "", ())
    assert _first_rule(view.grammar_for(view.request("Turn on the light", "en"))) == ""


def test_two_devices_joined_in_one_order_are_each_named_in_their_own_part() -> None:
    spots = Target("Kitchen Spots", LIGHT, ("spots de la cuisine",), "Kitchen")
    kitchen = Target("Kitchen Light", LIGHT, ("lumière de la cuisine",), "Kitchen")
    living = Target("Living Room Light", LIGHT, ("lumière du salon",), "Living Room")
    request = "Allume les spots de la cuisine et la lumière du salon"
    assert named_targets(request, [spots, kitchen, living]) == {
        "Kitchen Spots",
        "Living Room Light",
    }
    salt = Target("Salt and Pepper Lamp", LIGHT, (), "Kitchen")
    assert named_targets("Turn on the salt and pepper lamp", [salt]) == {"Salt and Pepper Lamp"}


def test_how_warm_a_room_is_reads_its_thermostat() -> None:
    thermostat = Target(
        "Thermostat", (Action("temperature", Value(ValueKind.NUMBER, 7, 30)), STATE),
        ("chauffage",), "Living Room",
    )  # fmt: skip
    lamp = Target("Living Room Lamp", LIGHT, ("lampe du salon",), "Living Room")
    homes = (
        HomeTarget(thermostat, Kind.ENTITY, "climate", entity_id="climate.t", match_name="Thermostat"),
        HomeTarget(lamp, Kind.ENTITY, "light", entity_id="light.l", match_name="Living Room Lamp"),
    )  # fmt: skip
    view = HomeView(Catalog(homes), "", ())
    first = _first_rule(view.grammar_for(view.request("Il fait combien dans le salon ?", "fr")))
    assert "Thermostat" in first and "Living Room Lamp" not in first


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("Il fait combien dehors ?", "fr"),
        ("Il fait froid dehors ?", "fr"),
        ("How warm is it outside?", "en"),
    ],
)
def test_outside_with_no_outdoor_sensor_is_the_weather(text: str, language: str) -> None:
    """A weather entity names no place: a question about how it is outside reads it, not a
    device the model picks (« Il fait combien dehors ? » was answered « La lumière du
    grenier est off. », a device this home does not have)."""
    targets = {t: d for t, d in TARGETS.items() if t.name != "Outside Temperature"}
    targets[Target("Home Forecast", (STATE,), ("météo",))] = "weather"
    view = _view(targets)
    request = view.request(text, language)
    first = _first_rule(view.grammar_for(request))
    assert "Home Forecast" in first
    assert "Bedroom Light" not in first and "Living Room Temperature" not in first
    # And the reading it allows is carried out (it was refused as "not about" the forecast).
    forecast = view.catalog.by_name("Home Forecast")
    assert forecast is not None and is_about(forecast, request, [])
    # In a room, it is that room's.
    in_room_request = view.request("Il fait combien dans le salon ?", "fr")
    assert "Home Forecast" not in _first_rule(view.grammar_for(in_room_request))
    assert not is_about(forecast, in_room_request, [])


def _actions_of(grammar: str, target: str) -> set[str]:
    """The actions the grammar lets a call on `target` write."""
    known = next(line for line in grammar.splitlines() if line.startswith("known ::="))
    index = re.search(rf'"{target}"[^)]*\) "\] " actions-(\d+)', known)
    assert index is not None, known
    rule = next(r for r in grammar.splitlines() if r.startswith(f"actions-{index[1]} ::="))
    return {re.sub(r'[()"]', "", a).split()[0] for a in rule.split("::=")[1].split(" | ")}


@pytest.mark.parametrize(
    ("text", "language", "target", "action"),
    [
        ("Skip song on the living room speaker", "en", "Living Room Speaker", "next"),
        ("Skip to the next track on the living room speaker", "en", "Living Room Speaker", "next"),
        ("Passe à la chanson suivante au salon", "fr", "Living Room Speaker", "next"),
        ("Mute the living room speaker", "en", "Living Room Speaker", "mute"),
        ("Coupe le son de l'enceinte du salon", "fr", "Living Room Speaker", "mute"),
        ("Return the vacuum to base", "en", "Vacuum", "dock"),
        ("Return vacuum in the living room to base", "en", "Vacuum", "dock"),
        ("Renvoie l'aspirateur à sa base", "fr", "Vacuum", "dock"),
    ],
)
def test_an_order_s_own_verb_says_which_action(
    text: str, language: str, target: str, action: str
) -> None:
    """ "Skip song" paused the speakers and "return to base" started the vacuum: a device that
    has the action the order names is held to it."""
    media = (Action("next"), Action("pause"), Action("mute"), Action("play"), STATE)
    targets = dict(TARGETS)
    speaker = Target("Living Room Speaker", media, ("enceinte du salon",), "Living Room")
    targets[speaker] = "media_player"
    vacuum = Target(
        "Vacuum", (Action("start"), Action("dock"), STATE), ("aspirateur",), "Living Room"
    )
    targets[vacuum] = "vacuum"
    view = _view(targets)
    request = view.request(text, language)
    assert request.kind is RequestKind.ORDER  # "return …" is an order, not words to answer
    grammar = view.grammar_for(request)
    assert _actions_of(grammar, target) == {action}
    # Devices without that action keep theirs ("… and turn on the desk lamp").
    assert {"on", "off"} <= _actions_of(grammar, "Desk Lamp")
    # An order naming no such action leaves every action to the model.
    paused = view.grammar_for(view.request("Pause the living room speaker", "en"))
    assert {"next", "pause", "mute"} <= _actions_of(paused, "Living Room Speaker")
