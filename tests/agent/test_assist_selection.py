"""Which targets a turn shows in a home too large to list: the pure selection."""

import pytest

from custom_components.heisenberg.assist_tools.calls import Action, Target
from custom_components.heisenberg.assist_tools.choice import satellite_group, which_target
from custom_components.heisenberg.assist_tools.home_target import Catalog, HomeTarget, Kind
from custom_components.heisenberg.assist_tools.request import TurnRequest, analyse
from custom_components.heisenberg.assist_tools.selection import MAX_DEVICES, select_targets

ACTIONS = (Action("on"), Action("off"), Action("state", read_only=True))
ROOMS = {
    "Bedroom": ("chambre",),
    "Guest Room": ("chambre d'amis",),
    "Kids Room": ("chambre des enfants",),
    "Kitchen": ("cuisine",),
    "Living Room": ("salon",),
    "Office": ("bureau",),
    "Garage": (),
    "Hallway": ("couloir",),
}
FRENCH = {"Light": "lumière", "Fan": "ventilateur", "Lamp": "lampe"}


def device(room: str, kind: str, domain: str) -> HomeTarget:
    french = f"{FRENCH[kind]} {'de la ' if room != 'Garage' else 'du '}{ROOMS[room][0] if ROOMS[room] else 'garage'}"
    target = Target(f"{room} {kind}", ACTIONS, (french,), room)
    return HomeTarget(
        target, Kind.ENTITY, domain, entity_id=f"{domain}.{room}_{kind}".lower().replace(" ", "_"),
        match_name=target.name, area_aliases=ROOMS[room],
    )  # fmt: skip


HOME = [
    *(device(room, kind, domain) for room in ROOMS for kind, domain in
      (("Light", "light"), ("Lamp", "light"), ("Fan", "fan"))),
]  # fmt: skip
CATALOG = Catalog(tuple(HOME))
DOMAINS = CATALOG.domains


def request(text: str, language: str = "en", area: tuple[str, ...] = ()) -> TurnRequest:
    devices = [h.target for h in HOME]
    return analyse(text, language, targets=devices, domains=DOMAINS, area=area)


def names(
    text: str, language: str = "en", area: tuple[str, ...] = (), recent: str = ""
) -> list[str]:
    chosen = select_targets(CATALOG, request(text, language, area), recent)
    return [h.target.name for h in chosen]


@pytest.mark.parametrize(
    ("text", "language", "expected", "not_expected"),
    [
        ("Turn on the bedroom fan", "en", "Bedroom Fan", "Garage Fan"),
        ("Turn on the guest room fan", "en", "Guest Room Fan", "Office Fan"),
        ("Allume le ventilateur de la chambre d'amis", "fr", "Guest Room Fan", "Kitchen Fan"),
        ("Allume la lumière du couloir", "fr", "Hallway Light", "Garage Light"),
    ],
)
def test_the_devices_a_request_names_come_first(
    text: str, language: str, expected: str, not_expected: str
) -> None:
    chosen = names(text, language)
    assert chosen[0] == expected, chosen
    assert not_expected not in chosen, chosen
    assert len(chosen) <= MAX_DEVICES


def test_a_kind_alone_shows_that_kind_in_the_satellite_s_area() -> None:
    chosen = names("Turn on the fan", area=("Kitchen", "cuisine"))
    assert chosen == ["Kitchen Fan"], chosen


def test_the_device_of_the_turn_before_is_shown_for_a_follow_up() -> None:
    chosen = names("Turn it off again", recent="Turn on the office lamp\n[Office Lamp] on")
    assert "Office Lamp" in chosen


def test_a_request_about_nothing_in_the_home_shows_no_device() -> None:
    assert names("Turn on the sauna heater") == []
    assert names("What is the capital of Italy?") == []


def light(name: str, french: str, room: str, alias: str) -> HomeTarget:
    target = Target(name, ACTIONS, (french,), room)
    return HomeTarget(
        target, Kind.ENTITY, "light", entity_id=f"light.{name.lower().replace(' ', '_')}",
        match_name=name, area_aliases=(alias,),
    )  # fmt: skip


LIGHTS = {
    home.target.name: home
    for home in (
        light("Kitchen Spotlights", "spots de la cuisine", "Kitchen", "cuisine"),
        light("Living Room Light", "lumière du salon", "Living Room", "salon"),
        light("Living Room Lamp", "lampe du salon", "Living Room", "salon"),
    )
}


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("Turn on the kitchen spotlights and the living room light", "en"),
        ("Allume les spots de la cuisine et la lumière du salon", "fr"),
    ],
)
def test_a_second_call_on_a_look_alike_goes_to_the_device_named_and_not_yet_acted_on(
    text: str, language: str
) -> None:
    catalog = Catalog(tuple(LIGHTS.values()))
    targets = [h.target for h in catalog.targets]
    asked = analyse(text, language, targets=targets, domains=catalog.domains)
    # The model's second call names the living room lamp; the first went to the spotlights.
    choice = which_target(LIGHTS["Living Room Lamp"], catalog, asked, acted={"Kitchen Spotlights"})
    assert choice is LIGHTS["Living Room Light"]
    # A call on a device the request names is carried out as written.
    assert (
        which_target(LIGHTS["Kitchen Spotlights"], catalog, asked) is LIGHTS["Kitchen Spotlights"]
    )


def group(name: str, place: tuple[str, ...]) -> HomeTarget:
    target = Target(name, (Action("on"), Action("off")))
    return HomeTarget(
        target, Kind.GROUP, "light", match_name=name, place_names=place, domains=("light",)
    )


@pytest.mark.parametrize(
    ("text", "language", "area", "expected"),
    [
        ("Allume la lumière ici", "fr", ("Kitchen",), "all lights in Kitchen"),
        ("Turn on the lights", "en", ("Kitchen",), "all lights in Kitchen"),
        ("Turn on all the lights", "en", ("Kitchen",), "all lights"),  # "all" said
        ("Turn on the lights", "en", (), "all lights"),  # no satellite
    ],
)
def test_a_whole_home_group_called_for_an_order_from_a_satellite_is_its_room_s(
    text: str, language: str, area: tuple[str, ...], expected: str
) -> None:
    whole, kitchen = group("all lights", ()), group("all lights in Kitchen", ("Kitchen", "cuisine"))
    catalog = Catalog((*HOME, whole, kitchen))
    targets = [h.target for h in HOME]
    asked = analyse(text, language, targets=targets, domains=catalog.domains, area=area)
    assert satellite_group(whole, catalog, asked).target.name == expected
