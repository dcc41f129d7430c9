"""A second home for plain device control: other names, rooms and devices than
`harness/fake_home.py` and `harness/everyday_home.py`, so that a device-control mechanism tuned
on the first homes can be checked on one it was not shaped to. A country house: lounge,
master bedroom, nursery, study, laundry, veranda, cellar, driveway; its voice satellite is in
the lounge. One device (the cellar freezer) is not exposed.
"""

from homeassistant.core import HomeAssistant

from .everyday_home import Satellite, async_add_satellite
from .home_builder import Area, Device, Home, async_build

SATELLITE_AREA = "Lounge"
AREAS = [
    Area("Lounge", ("séjour", "salle de séjour")),
    Area("Master Bedroom", ("chambre parentale",)),
    Area("Nursery", ("chambre du bébé",)),
    Area("Study", ("bureau",)),
    Area("Laundry", ("buanderie",)),
    Area("Veranda", ("véranda",)),
    Area("Cellar", ("cave",)),
    Area("Driveway", ("allée",)),
]
DEVICES = [
    Device("light.chandelier", "Chandelier", "Lounge", "dimmer", ("lustre",)),
    Device("light.floor_lamp", "Floor Lamp", "Lounge", "light", ("lampadaire",)),
    Device("light.night_light", "Night Light", "Nursery", "dimmer", ("veilleuse",)),
    Device("light.bedside_lamp", "Bedside Lamp", "Master Bedroom", "light",
           ("lampe de chevet",), initial="on"),
    Device("light.fairy_lights", "Fairy Lights", "Veranda", "light", ("guirlande lumineuse",)),
    Device("light.cellar_bulb", "Cellar Bulb", "Cellar", "light", ("ampoule de la cave",)),
    Device("light.driveway_spotlights", "Driveway Spotlights", "Driveway", "light",
           ("projecteurs de l'allée",)),
    Device("switch.washing_machine", "Washing Machine", "Laundry", "switch",
           ("machine à laver",)),
    Device("switch.dehumidifier", "Dehumidifier", "Cellar", "switch", ("déshumidificateur",)),
    Device("switch.towel_warmer", "Towel Warmer", "Laundry", "switch", ("sèche-serviettes",),
           initial="on"),
    Device("switch.chest_freezer", "Chest Freezer", "Cellar", "switch", ("congélateur",),
           initial="on", exposed=False),
    Device("fan.desk_fan", "Desk Fan", "Study", "fan", ("ventilateur de bureau",)),
    Device("cover.awning", "Awning", "Veranda", "blind", ("store banne",), initial="closed"),
    Device("cover.driveway_gate", "Driveway Gate", "Driveway", "cover", ("portail",),
           initial="closed", device_class="gate"),
    Device("cover.nursery_curtains", "Nursery Curtains", "Nursery", "blind",
           ("rideaux de la chambre du bébé",), initial="open", device_class="curtain"),
    Device("lock.back_door", "Back Door", "Laundry", "lock", ("porte de derrière",),
           initial="locked"),
    Device("climate.nursery_radiator", "Nursery Radiator", "Nursery", "climate",
           ("radiateur de la chambre du bébé",), initial="19.5"),
    Device("media_player.stereo", "Stereo", "Lounge", "media", ("chaîne hi-fi",),
           initial="playing"),
    Device("sensor.cellar_humidity", "Cellar Humidity", "Cellar", "sensor",
           ("humidité de la cave",), initial="72", device_class="humidity", unit="%"),
    Device("sensor.veranda_temperature", "Veranda Temperature", "Veranda", "sensor",
           ("température de la véranda",), initial="23.5", device_class="temperature",
           unit="°C"),
]  # fmt: skip
HOME = Home(DEVICES, AREAS)


async def async_build_second_home(hass: HomeAssistant) -> Satellite:
    await async_build(hass, HOME)
    return await async_add_satellite(hass, SATELLITE_AREA)
