"""The everyday-requests benchmark's cases (#23), over `harness/everyday_home.py`.

About half French, written as people speak. Every request comes from the kitchen satellite
(timer-capable). A case says what HA must end with: entity states, service calls with their key
data, a timer (read through HA's timer manager), items on the shopping list, a scene or script
run; or, for a question, words the answer must hold (each entry of `answer` must be found; "a|b"
accepts either) and that nothing may change. Everything a case does not name must stay as it was.
"""

from dataclasses import dataclass, field
from typing import Any

type Call = tuple[str, str, str, dict[str, Any]]


@dataclass(frozen=True)
class Timer:
    """A timer outcome. kind: start (a new timer of `seconds`, named `name` when given),
    cancel, add / remove (`seconds` more / less left on the running timer), pause, resume."""

    kind: str
    seconds: int = 0
    name: str | None = None


@dataclass(frozen=True)
class Case:
    text: str
    language: str
    category: str
    states: dict[str, str] = field(default_factory=dict)
    calls: tuple[Call, ...] = ()
    timer: Timer | None = None
    added: tuple[str, ...] = ()  # words of items that must be on the list, not done
    removed: tuple[str, ...] = ()  # words of items that must be done or gone
    triggered: tuple[str, ...] = ()  # scenes / scripts that must have run
    answer: tuple[str, ...] = ()
    question: bool = False  # nothing may change
    follow_up: bool = False  # must ask back (HA keeps listening: continue_conversation)
    # Before the case: a running timer (seconds, name, paused) and service calls.
    running_timer: tuple[int, str | None, bool] | None = None
    before: tuple[tuple[str, str, str], ...] = ()

    @property
    def acts(self) -> bool:
        return bool(self.states or self.calls or self.timer or self.added or self.removed
                    or self.triggered)  # fmt: skip


def _c(domain: str, service: str, entity: str, **data: Any) -> Call:
    return (domain, service, entity, data)


SPEAKER, HEAT = "media_player.kitchen_speaker", "climate.thermostat"
CEILING, COUNTER, LAMP = "light.kitchen_ceiling", "light.counter_lights", "light.living_room_lamp"
READING, BEDROOM, DESK = "light.reading_light", "light.bedroom_light", "light.desk_lamp"
HALL, TERRACE = "light.hallway_light", "light.terrace_lights"
LIGHTS = (CEILING, COUNTER, LAMP, READING, BEDROOM, DESK, HALL, TERRACE)
ALL_OFF = dict.fromkeys(LIGHTS, "off")
TEN_MINUTES = (600, None, False)
ON_LIST = ("eggs", "bread", "tomat")

CASES: tuple[Case, ...] = (
    # Timers (from the kitchen satellite, which supports them)
    Case("Set a timer for five minutes", "en", "timer", timer=Timer("start", 300)),
    Case("Mets un minuteur de dix minutes", "fr", "timer", timer=Timer("start", 600)),
    Case("Set a pasta timer for 12 minutes", "en", "timer", timer=Timer("start", 720, "pasta")),
    Case("Lance un minuteur de 3 minutes pour les œufs", "fr", "timer",
         timer=Timer("start", 180, "uf")),
    Case("Cancel the timer", "en", "timer", timer=Timer("cancel"), running_timer=TEN_MINUTES),
    Case("Annule le minuteur", "fr", "timer", timer=Timer("cancel"), running_timer=TEN_MINUTES),
    Case("How much time is left on the timer?", "en", "timer", answer=("9|10",),
         question=True, running_timer=TEN_MINUTES),
    Case("Il reste combien de temps sur le minuteur ?", "fr", "timer", answer=("9|10",),
         question=True, running_timer=TEN_MINUTES),
    Case("Add two minutes to the timer", "en", "timer", timer=Timer("add", 120),
         running_timer=(300, None, False)),
    Case("Enlève une minute au minuteur", "fr", "timer", timer=Timer("remove", 60),
         running_timer=(300, None, False)),
    Case("Pause the timer", "en", "timer", timer=Timer("pause"), running_timer=TEN_MINUTES),
    Case("Relance le minuteur", "fr", "timer", timer=Timer("resume"),
         running_timer=(600, None, True)),
    # To-do: the shopping list starts with eggs, bread and tomatoes
    Case("Add milk to my shopping list", "en", "todo", added=("milk",)),
    Case("Put coffee on the shopping list", "en", "todo", added=("coffee",)),
    Case("Ajoute des pommes à ma liste de courses", "fr", "todo", added=("pomme",)),
    Case("Rajoute du beurre sur la liste des courses", "fr", "todo", added=("beurre",)),
    Case("What's on my shopping list?", "en", "todo", answer=ON_LIST, question=True),
    Case("Qu'est-ce qu'il y a sur ma liste de courses ?", "fr", "todo", answer=ON_LIST,
         question=True),
    Case("I got the eggs, check them off my shopping list", "en", "todo", removed=("eggs",)),
    Case("Enlève les tomates de la liste de courses", "fr", "todo", removed=("tomat",)),
    # Weather (a template weather entity: rainy, 14 °C)
    Case("What's the weather like?", "en", "weather", answer=("rain", "14"), question=True),
    Case("Quel temps fait-il ?", "fr", "weather", answer=("pluie|pluvieux|pleu", "14"),
         question=True),
    Case("Do I need an umbrella today?", "en", "weather", answer=("yes|rain",), question=True),
    Case("Il fait combien dehors ?", "fr", "weather", answer=("14",), question=True),
    # Which … / is anything …
    Case("Which lights are on?", "en", "which",
         answer=("counter", "living room", "desk"), question=True),
    Case("Quelles lumières sont allumées ?", "fr", "which",
         answer=("plan de travail|counter", "salon|living", "bureau|desk"), question=True),
    Case("Is anything open?", "en", "which", answer=("shutter", "window"), question=True),
    Case("Est-ce que la porte d'entrée est fermée à clé ?", "fr", "which",
         answer=("non|déverrouill",), question=True),
    Case("Are any doors unlocked?", "en", "which", answer=("front door",), question=True),
    # Temperatures
    Case("What's the temperature in the bedroom?", "en", "temperature",
         answer=("18.5",), question=True),
    Case("Quelle température fait-il dans la chambre ?", "fr", "temperature",
         answer=("18,5|18.5",), question=True),
    Case("Il fait combien dans le salon ?", "fr", "temperature",
         answer=("20,5|20.5",), question=True),
    # All the lights, a floor, an area (the aquarium light is not exposed: never touched)
    Case("Turn off all the lights", "en", "all", states=ALL_OFF),
    Case("Éteins toutes les lumières", "fr", "all", states=ALL_OFF),
    Case("Turn off the lights in the living room", "en", "all",
         states={LAMP: "off", READING: "off"}),
    Case("Allume toutes les lumières de l'étage", "fr", "all",
         states={BEDROOM: "on", DESK: "on"}),
    Case("Turn on the lights upstairs", "en", "all", states={BEDROOM: "on", DESK: "on"}),
    Case("Turn off the aquarium light", "en", "all", question=True),
    # The satellite's own area (the kitchen)
    Case("Turn on the light", "en", "here", states={CEILING: "on", COUNTER: "on"}),
    Case("Éteins la lumière", "fr", "here", states={CEILING: "off", COUNTER: "off"}),
    Case("Allume la lumière ici", "fr", "here", states={CEILING: "on", COUNTER: "on"}),
    # Two devices in one order
    Case("Turn on the hallway light and the terrace lights", "en", "two",
         states={HALL: "on", TERRACE: "on"}),
    Case("Allume la liseuse et la lumière de la chambre", "fr", "two",
         states={READING: "on", BEDROOM: "on"}),
    Case("Éteins la lampe du salon et la lampe du bureau", "fr", "two",
         states={LAMP: "off", DESK: "off"}),
    # The thermostat (beside a switch called « Chauffage de la terrasse »)
    Case("Set the heating to 19.5 degrees", "en", "heating",
         calls=(_c("climate", "set_temperature", HEAT, temperature=19.5),)),
    Case("Mets le chauffage à 19,5 degrés", "fr", "heating",
         calls=(_c("climate", "set_temperature", HEAT, temperature=19.5),)),
    Case("Monte le chauffage à 21", "fr", "heating",
         calls=(_c("climate", "set_temperature", HEAT, temperature=21),)),
    # Scenes and scripts
    Case("Activate movie night", "en", "scene", triggered=("scene.movie_night",)),
    Case("Lance la scène soirée cinéma", "fr", "scene", triggered=("scene.movie_night",)),
    Case("Run the good night script", "en", "scene", triggered=("script.good_night",)),
    Case("Lance le script bonne nuit", "fr", "scene", triggered=("script.good_night",)),
    # Media (the kitchen speaker is playing)
    Case("Next song", "en", "media", calls=(_c("media_player", "media_next_track", SPEAKER),)),
    Case("Passe à la chanson suivante", "fr", "media",
         calls=(_c("media_player", "media_next_track", SPEAKER),)),
    Case("Turn the volume to 50 percent", "en", "media",
         calls=(_c("media_player", "volume_set", SPEAKER, volume_level=0.5),)),
    Case("Mets le volume à 50 %", "fr", "media",
         calls=(_c("media_player", "volume_set", SPEAKER, volume_level=0.5),)),
    Case("Mets la musique en pause", "fr", "media", states={SPEAKER: "paused"}),
    # Covers, lock, vacuum, valve
    Case("Close the living room shutters", "en", "devices",
         states={"cover.living_room_shutters": "closed"}),
    Case("Ferme les volets du salon", "fr", "devices",
         states={"cover.living_room_shutters": "closed"}),
    Case("Lock the front door", "en", "devices", states={"lock.front_door": "locked"}),
    Case("Lance l'aspirateur", "fr", "devices", states={"vacuum.robot_vacuum": "cleaning"}),
    Case("Open the garden tap", "en", "devices", states={"valve.garden_tap": "open"}),
    Case("Ferme le robinet du jardin", "fr", "devices", states={"valve.garden_tap": "closed"},
         before=(("valve", "open_valve", "valve.garden_tap"),)),
    # Ambiguous: the agent must ask back, and change nothing
    Case("Set a timer", "en", "follow-up", question=True, follow_up=True),
    Case("Mets un minuteur", "fr", "follow-up", question=True, follow_up=True),
    Case("Turn on the fan", "en", "follow-up", question=True, follow_up=True),
    Case("Allume le ventilateur", "fr", "follow-up", question=True, follow_up=True),
)  # fmt: skip
