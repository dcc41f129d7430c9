"""The device-control benchmark's commands, over the fake home of `tests/home/fake_home.py`.

Half English, half French. Each says which service calls HA must make (domain, service,
entity, and a value to check in the call's data), or none: a state question (the answer must
hold the live value), a device the home does not have (the answer must say it is not found),
an ordinary question.
"""

from dataclasses import dataclass, field
from typing import Any

type Expected = tuple[str, str, str, dict[str, Any]]


@dataclass(frozen=True, slots=True)
class Command:
    text: str
    language: str
    calls: tuple[Expected, ...] = ()
    # For an answer with no action: words one of which it must contain (lower case).
    answer_words: tuple[str, ...] = ()
    # Words it must not contain ("unlocked" when it must say "locked").
    wrong_words: tuple[str, ...] = ()
    # For a yes/no question: the right answer, so a plain "Yes." / « Non » (HA's matcher) counts.
    yes: bool | None = None
    # Entities to put in a state first: (domain, service, entity_id).
    before: tuple[tuple[str, str, str], ...] = field(default_factory=tuple)

    @property
    def kind(self) -> str:
        if self.calls:
            return "action"
        return "no action"


def _do(domain: str, service: str, entity: str, **data: Any) -> Expected:
    return (domain, service, entity, data)


KITCHEN, PORCH, LAMP = "light.kitchen_light", "light.porch_light", "light.bedroom_lamp"
GARAGE, BLINDS = "cover.garage_door", "cover.living_room_blinds"
FAN, DOOR, HEAT = "fan.ceiling_fan", "lock.front_door", "climate.thermostat"
TV, COFFEE, WATER = "media_player.living_room_tv", "switch.coffee_maker", "switch.garden_sprinkler"
TV_PLAYING = (("input_boolean", "turn_on", "input_boolean.tv_power"),
              ("input_boolean", "turn_on", "input_boolean.tv_playing"))  # fmt: skip
NOT_FOUND_EN, NOT_FOUND_FR = ("can't find",), ("trouve pas",)

COMMANDS: tuple[Command, ...] = (
    Command("Turn on the kitchen light", "en", (_do("light", "turn_on", KITCHEN),)),
    Command("Switch off the porch light please", "en", (_do("light", "turn_off", PORCH),),
            before=(("light", "turn_on", PORCH),)),
    Command("Dim the bedroom lamp to 20 percent", "en",
            (_do("light", "turn_on", LAMP, brightness_pct=20),)),
    Command("Open the garage door", "en", (_do("cover", "open_cover", GARAGE),)),
    Command("Close the living room blinds", "en", (_do("cover", "close_cover", BLINDS),)),
    Command("Set the blinds in the living room to 60 percent", "en",
            (_do("cover", "set_cover_position", BLINDS, position=60),)),
    Command("Lock the front door", "en", (_do("lock", "lock", DOOR),)),
    Command("Unlock the front door", "en", (_do("lock", "unlock", DOOR),)),
    Command("Make it 22 degrees on the thermostat", "en",
            (_do("climate", "set_temperature", HEAT, temperature=22),)),
    Command("Set the ceiling fan to 50 percent", "en",
            (_do("fan", "turn_on", FAN, percentage=50),)),
    Command("Turn off the fan in the bedroom", "en", (_do("fan", "turn_off", FAN),),
            before=(("fan", "turn_on", FAN),)),
    Command("Pause the TV", "en", (_do("media_player", "media_pause", TV),), before=TV_PLAYING),
    Command("Start the coffee maker", "en", (_do("switch", "turn_on", COFFEE),)),
    Command("Start watering the garden", "en", (_do("switch", "turn_on", WATER),)),
    Command("Turn on the kitchen light and the coffee maker", "en",
            (_do("light", "turn_on", KITCHEN), _do("switch", "turn_on", COFFEE))),
    Command("Is the front door locked?", "en", answer_words=("locked",), wrong_words=("unlocked",), yes=True,
            before=(("lock", "lock", DOOR),)),
    Command("What's the temperature outside?", "en", answer_words=("12.5",)),
    Command("Is the garage door open?", "en", answer_words=("closed",), wrong_words=("open",), yes=False,
            before=(("cover", "close_cover", GARAGE),)),
    Command("Turn on the basement light", "en", answer_words=NOT_FOUND_EN),
    Command("Open the pool cover", "en", answer_words=NOT_FOUND_EN),
    Command("What is the capital of Japan?", "en", answer_words=("tokyo",)),
    Command("Allume la lumière de la cuisine", "fr", (_do("light", "turn_on", KITCHEN),)),
    Command("Éteins la lumière du porche s'il te plaît", "fr", (_do("light", "turn_off", PORCH),),
            before=(("light", "turn_on", PORCH),)),
    Command("Mets la lampe de la chambre à 20 pour cent", "fr",
            (_do("light", "turn_on", LAMP, brightness_pct=20),)),
    Command("Ouvre la porte du garage", "fr", (_do("cover", "open_cover", GARAGE),)),
    Command("Ferme les stores du salon", "fr", (_do("cover", "close_cover", BLINDS),)),
    Command("Règle les stores du salon à 60 pour cent", "fr",
            (_do("cover", "set_cover_position", BLINDS, position=60),)),
    Command("Verrouille la porte d'entrée", "fr", (_do("lock", "lock", DOOR),)),
    Command("Déverrouille la porte d'entrée", "fr", (_do("lock", "unlock", DOOR),)),
    Command("Mets le chauffage à 22 degrés", "fr",
            (_do("climate", "set_temperature", HEAT, temperature=22),)),
    Command("Règle le ventilateur à 50 pour cent", "fr",
            (_do("fan", "turn_on", FAN, percentage=50),)),
    Command("Éteins le ventilateur de la chambre", "fr", (_do("fan", "turn_off", FAN),),
            before=(("fan", "turn_on", FAN),)),
    Command("Mets la télé du salon en pause", "fr", (_do("media_player", "media_pause", TV),),
            before=TV_PLAYING),
    Command("Lance la machine à café", "fr", (_do("switch", "turn_on", COFFEE),)),
    Command("Démarre l'arrosage du jardin", "fr", (_do("switch", "turn_on", WATER),)),
    Command("Allume la lumière de la cuisine et la machine à café", "fr",
            (_do("light", "turn_on", KITCHEN), _do("switch", "turn_on", COFFEE))),
    Command("Est-ce que la porte d'entrée est verrouillée ?", "fr", answer_words=("verrouill",),
            wrong_words=("déverrouill",), yes=True,
            before=(("lock", "lock", DOOR),)),
    Command("Quelle est la température extérieure ?", "fr", answer_words=("12,5", "12.5")),
    Command("La porte du garage est-elle ouverte ?", "fr", answer_words=("fermée",), wrong_words=("ouverte",), yes=False,
            before=(("cover", "close_cover", GARAGE),)),
    Command("Allume la lumière de la cave", "fr", answer_words=NOT_FOUND_FR),
    Command("Ouvre le portail", "fr", answer_words=NOT_FOUND_FR),
    Command("Quelle est la capitale du Japon ?", "fr", answer_words=("tokyo",)),
)  # fmt: skip
