"""The commands said to the real satellite (benchmarks/real_satellite.py), over the small home of
harness/fake_home.py: each one device, in English or French, and the state it must end in.

Each command first puts its device in the other state (a "turn off" finds the light on), so
the state after it shows what the command did.
"""

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class SpokenCommand:
    text: str
    entity_id: str
    state: str  # the entity's state after the command
    before: str  # the service (of the entity's domain) that sets the other state first


def _on(text: str, entity_id: str) -> SpokenCommand:
    return SpokenCommand(text, entity_id, "on", "turn_off")


def _off(text: str, entity_id: str) -> SpokenCommand:
    return SpokenCommand(text, entity_id, "off", "turn_on")


KITCHEN, PORCH, LAMP = "light.kitchen_light", "light.porch_light", "light.bedroom_lamp"
GARAGE, BLINDS, DOOR = "cover.garage_door", "cover.living_room_blinds", "lock.front_door"
COFFEE, WATER, FAN = "switch.coffee_maker", "switch.garden_sprinkler", "fan.ceiling_fan"

COMMANDS: dict[str, list[SpokenCommand]] = {
    "en": [
        _on("Turn on the kitchen light.", KITCHEN),
        _off("Turn off the kitchen light.", KITCHEN),
        _on("Switch on the porch light.", PORCH),
        _on("Turn on the bedroom lamp.", LAMP),
        SpokenCommand("Open the garage door.", GARAGE, "open", "close_cover"),
        SpokenCommand("Close the garage door.", GARAGE, "closed", "open_cover"),
        SpokenCommand("Lock the front door.", DOOR, "locked", "unlock"),
        SpokenCommand("Unlock the front door.", DOOR, "unlocked", "lock"),
        _on("Turn on the coffee maker.", COFFEE),
        _off("Turn off the ceiling fan.", FAN),
        SpokenCommand("Close the living room blinds.", BLINDS, "closed", "open_cover"),
        _on("Start the garden sprinkler.", WATER),
    ],
    "fr": [
        _on("Allume la lumière de la cuisine.", KITCHEN),
        _off("Éteins la lumière de la cuisine.", KITCHEN),
        _on("Allume la lumière du porche.", PORCH),
        _on("Allume la lampe de la chambre.", LAMP),
        SpokenCommand("Ouvre la porte du garage.", GARAGE, "open", "close_cover"),
        SpokenCommand("Ferme la porte du garage.", GARAGE, "closed", "open_cover"),
        SpokenCommand("Verrouille la porte d'entrée.", DOOR, "locked", "unlock"),
        SpokenCommand("Déverrouille la porte d'entrée.", DOOR, "unlocked", "lock"),
        _on("Allume la machine à café.", COFFEE),
        _off("Éteins le ventilateur.", FAN),
        SpokenCommand("Ferme les stores du salon.", BLINDS, "closed", "open_cover"),
        _on("Démarre l'arrosage du jardin.", WATER),
    ],
}

# Per language: the wake word the satellite listens for, what is said for it, and the voice of
# our TTS that says the wake word and the command (French: Pico's, the one French voice here).
# Said by Pico's French voice, "Okay Nabu" is found by microWakeWord's okay_nabu (trained on
# French among others), not by openWakeWord's (checked: 3 phrasings, 0 detections).
WAKE = {"en": ("hey_jarvis", "Hey Jarvis."), "fr": ("okay_nabu_mww", "Okay Nabu.")}
VOICE = {"en": None, "fr": "fr_FR-pico"}
