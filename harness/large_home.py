"""Deterministic homes of 15, 60, 150 or 300 exposed entities, for the large-home benchmark (#24).

Every size holds the same 15-entity core (kitchen, bedroom, guest bedroom, living room, hall),
so the same commands mean the same devices at every size; larger homes add rooms in a fixed
order, each with the same kinds of devices and names built the same way, so that names look
alike ("Bedroom Light", "Guest Bedroom Light", "Kids' Bedroom Light"; « lumière de la
chambre », « … de la chambre d'amis », « … de la chambre des enfants »). Every entity has a
French alias and every area French aliases. The voice satellite is in the hall. Nothing is
random: the same size always gives the same home.
"""

from .home_builder import Area, Device, Home

SIZES = (15, 60, 150, 300)
SATELLITE_AREA = "Hall"

CORE_AREAS = [
    Area("Kitchen", ("cuisine",)),
    Area("Bedroom", ("chambre",)),
    Area("Guest Bedroom", ("chambre d'amis",)),
    Area("Living Room", ("salon",)),
    Area("Hall", ("entrée",)),
]
CORE = [
    Device("light.kitchen_light", "Kitchen Light", "Kitchen", "light",
           ("lumière de la cuisine",)),
    Device("light.kitchen_spotlights", "Kitchen Spotlights", "Kitchen", "light",
           ("spots de la cuisine",)),
    Device("switch.kitchen_plug", "Kitchen Plug", "Kitchen", "switch", ("prise de la cuisine",)),
    Device("sensor.kitchen_temperature", "Kitchen Temperature", "Kitchen", "sensor",
           ("température de la cuisine",), initial="21.5", device_class="temperature",
           unit="°C"),
    Device("light.bedroom_light", "Bedroom Light", "Bedroom", "light",
           ("lumière de la chambre",), initial="on"),
    Device("cover.bedroom_blind", "Bedroom Blind", "Bedroom", "blind", ("store de la chambre",),
           initial="open"),
    Device("sensor.bedroom_temperature", "Bedroom Temperature", "Bedroom", "sensor",
           ("température de la chambre",), initial="19.0", device_class="temperature",
           unit="°C"),
    Device("light.guest_bedroom_light", "Guest Bedroom Light", "Guest Bedroom", "light",
           ("lumière de la chambre d'amis",)),
    Device("cover.guest_bedroom_blind", "Guest Bedroom Blind", "Guest Bedroom", "blind",
           ("store de la chambre d'amis",), initial="closed"),
    Device("light.living_room_light", "Living Room Light", "Living Room", "light",
           ("lumière du salon",)),
    Device("light.living_room_lamp", "Living Room Lamp", "Living Room", "dimmer",
           ("lampe du salon",)),
    Device("switch.living_room_plug", "Living Room Plug", "Living Room", "switch",
           ("prise du salon",), initial="on"),
    Device("media_player.living_room_tv", "Living Room TV", "Living Room", "media",
           ("télé du salon",), initial="playing"),
    Device("climate.thermostat", "Thermostat", "Living Room", "climate",
           ("thermostat du salon",), initial="20.5"),
    Device("lock.front_door", "Front Door", "Hall", "lock", ("porte d'entrée",),
           initial="unlocked"),
]  # fmt: skip

# Rooms added in this order: (English name, French name, French "of the room" form).
ROOMS = [
    ("Kids' Bedroom", "chambre des enfants", "de la chambre des enfants"),
    ("Office", "bureau", "du bureau"),
    ("Bathroom", "salle de bain", "de la salle de bain"),
    ("Dining Room", "salle à manger", "de la salle à manger"),
    ("Master Bedroom", "chambre parentale", "de la chambre parentale"),
    ("Guest Bathroom", "salle de bain des invités", "de la salle de bain des invités"),
    ("Laundry", "buanderie", "de la buanderie"),
    ("Garage", "garage", "du garage"),
    ("Attic", "grenier", "du grenier"),
    ("Basement", "sous-sol", "du sous-sol"),
    ("Playroom", "salle de jeux", "de la salle de jeux"),
    ("Library", "bibliothèque", "de la bibliothèque"),
    ("Gym", "salle de sport", "de la salle de sport"),
    ("Patio", "terrasse", "de la terrasse"),
    ("Porch", "porche", "du porche"),
    ("Nursery", "chambre du bébé", "de la chambre du bébé"),
    ("Upstairs Hallway", "couloir de l'étage", "du couloir de l'étage"),
    ("Pantry", "cellier", "du cellier"),
    ("Sunroom", "véranda", "de la véranda"),
    ("Second Office", "deuxième bureau", "du deuxième bureau"),
    ("Kids' Bathroom", "salle de bain des enfants", "de la salle de bain des enfants"),
    ("Music Room", "salle de musique", "de la salle de musique"),
    ("Home Cinema", "salle de cinéma", "de la salle de cinéma"),
    ("Workshop", "atelier", "de l'atelier"),
    ("Guest Suite", "suite des invités", "de la suite des invités"),
    ("Dressing Room", "dressing", "du dressing"),
    ("Mudroom", "vestiaire", "du vestiaire"),
    ("Wine Cellar", "cave à vin", "de la cave à vin"),
    ("Garden Shed", "abri de jardin", "de l'abri de jardin"),
    ("Studio", "studio", "du studio"),
    ("Greenhouse", "serre", "de la serre"),
    ("Loft", "mezzanine", "de la mezzanine"),
    ("Downstairs Toilet", "toilettes du bas", "des toilettes du bas"),
    ("Upstairs Toilet", "toilettes du haut", "des toilettes du haut"),
]
# Per added room, in this order: (kind, English suffix, French noun, starting state, class, unit).
ROOM_DEVICES = [
    ("dimmer", "Ceiling Light", "plafonnier", "off", None, None),
    ("light", "Lamp", "lampe", "on", None, None),
    ("switch", "Plug", "prise", "off", None, None),
    ("sensor", "Temperature", "température", "20.0", "temperature", "°C"),
    ("blind", "Blind", "store", "open", None, None),
    ("sensor", "Humidity", "humidité", "48", "humidity", "%"),
    ("climate", "Radiator", "radiateur", "19.5", None, None),
    ("media", "Speaker", "enceinte", "paused", None, None),
    ("binary_sensor", "Motion", "mouvement", "off", "motion", None),
]


def _slug(text: str) -> str:
    return "".join(c if c.isalnum() else "_" for c in text.lower().replace("'", "")).strip("_")


def build_home(size: int) -> Home:
    """The home of `size` exposed entities (15 ≤ size ≤ 300)."""
    if not len(CORE) <= size <= len(CORE) + len(ROOMS) * len(ROOM_DEVICES):
        raise ValueError(f"size {size} is out of range")
    devices, areas = list(CORE), list(CORE_AREAS)
    for room, french, of_room in ROOMS:
        if len(devices) >= size:
            break
        areas.append(Area(room, (french,)))
        for kind, suffix, noun, initial, device_class, unit in ROOM_DEVICES:
            if len(devices) >= size:
                break
            name = f"{room} {suffix}"
            domain = {"dimmer": "light", "blind": "cover", "media": "media_player"}.get(kind, kind)
            devices.append(Device(
                f"{domain}.{_slug(name)}", name, room, kind, (f"{noun} {of_room}",),
                initial=initial, device_class=device_class, unit=unit,
            ))  # fmt: skip
    return Home(devices, areas)
