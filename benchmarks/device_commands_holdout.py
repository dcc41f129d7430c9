"""Held-out voice commands (EN/FR) for the device-control benchmark."""

from .device_commands import NOT_FOUND_EN, NOT_FOUND_FR, TV_PLAYING, Command, _do

KITCHEN_LIGHT = "light.kitchen_light"
BEDROOM_LAMP = "light.bedroom_lamp"
PORCH_LIGHT = "light.porch_light"
COFFEE_MAKER = "switch.coffee_maker"
SPRINKLER = "switch.garden_sprinkler"
SAUNA = "switch.sauna_heater"
GARAGE = "cover.garage_door"
BLINDS = "cover.living_room_blinds"
FAN = "fan.ceiling_fan"
FRONT_DOOR = "lock.front_door"
THERMOSTAT = "climate.thermostat"
TV = "media_player.living_room_tv"

HOLDOUT = (
    # ---------------- English ----------------
    # actions
    Command(
        "Can you turn off the porch light please?", "en", (_do("light", "turn_off", PORCH_LIGHT),)
    ),
    Command(
        "Set the kitchen light to 75 percent brightness",
        "en",
        (_do("light", "turn_on", KITCHEN_LIGHT, brightness_pct=75),),
    ),
    Command(
        "I'd love a coffee, start the coffee maker", "en", (_do("switch", "turn_on", COFFEE_MAKER),)
    ),
    Command("Shut the garage door", "en", (_do("cover", "close_cover", GARAGE),)),
    Command(
        "Put the ceiling fan on 40 percent", "en", (_do("fan", "turn_on", FAN, percentage=40),)
    ),
    Command("Please lock the front door", "en", (_do("lock", "lock", FRONT_DOOR),)),
    Command(
        "I'm cold, could you set the thermostat to 22 degrees?",
        "en",
        (_do("climate", "set_temperature", THERMOSTAT, temperature=22),),
    ),
    Command(
        "Pause the living room TV",
        "en",
        (_do("media_player", "media_pause", TV),),
        before=TV_PLAYING,
    ),
    Command(
        "Turn the TV volume down to 20 percent",
        "en",
        (_do("media_player", "volume_set", TV, volume_level=0.2),),
    ),
    Command(
        "Would you mind opening the living room blinds?",
        "en",
        (_do("cover", "open_cover", BLINDS),),
    ),
    Command(
        "Turn off the kitchen light and the coffee maker",
        "en",
        (
            _do("light", "turn_off", KITCHEN_LIGHT),
            _do("switch", "turn_off", COFFEE_MAKER),
        ),
    ),
    Command(
        "Start the garden sprinkler and open the garage door",
        "en",
        (
            _do("switch", "turn_on", SPRINKLER),
            _do("cover", "open_cover", GARAGE),
        ),
    ),
    # state questions
    Command(
        "What's the status of the garage door?",
        "en",
        answer_words=("closed",),
        wrong_words=("open",),
        before=(("cover", "close_cover", GARAGE),),
    ),
    Command("How warm is it outside right now?", "en", answer_words=("12.5",)),
    Command(
        "Is the sauna heater still running?",
        "en",
        answer_words=("off",),
        yes=False,
        before=(("switch", "turn_off", SAUNA),),
    ),
    Command(
        "Did I leave the kitchen light on?",
        "en",
        answer_words=("on",),
        wrong_words=("off",),
        yes=True,
        before=(("light", "turn_on", KITCHEN_LIGHT),),
    ),
    # devices the home does not have
    Command("Switch on the bathroom light", "en", answer_words=NOT_FOUND_EN),
    Command("Start the dishwasher", "en", answer_words=NOT_FOUND_EN),
    Command("Turn off the bedroom TV", "en", answer_words=NOT_FOUND_EN),
    # general knowledge
    Command("How many days are there in a leap year?", "en", answer_words=("366",)),
    # ---------------- French ----------------
    # actions
    Command(
        "Allume la lumière de la cuisine s'il te plaît",
        "fr",
        (_do("light", "turn_on", KITCHEN_LIGHT),),
    ),
    Command(
        "Tu peux baisser la lampe de la chambre à 20 pour cent ?",
        "fr",
        (_do("light", "turn_on", BEDROOM_LAMP, brightness_pct=20),),
    ),
    Command("Lance l'arrosage du jardin", "fr", (_do("switch", "turn_on", SPRINKLER),)),
    Command("Coupe le chauffage du sauna", "fr", (_do("switch", "turn_off", SAUNA),)),
    Command(
        "Ouvre la porte du garage, s'il vous plaît", "fr", (_do("cover", "open_cover", GARAGE),)
    ),
    Command(
        "Mets les stores du salon à 30 pour cent",
        "fr",
        (_do("cover", "set_cover_position", BLINDS, position=30),),
    ),
    Command("Arrête le ventilateur", "fr", (_do("fan", "turn_off", FAN),)),
    Command("Déverrouille la porte d'entrée", "fr", (_do("lock", "unlock", FRONT_DOOR),)),
    Command(
        "Règle le chauffage sur 19 degrés",
        "fr",
        (_do("climate", "set_temperature", THERMOSTAT, temperature=19),),
    ),
    Command(
        "Passe à la chanson suivante sur la télé du salon",
        "fr",
        (_do("media_player", "media_next_track", TV),),
        before=TV_PLAYING,
    ),
    Command(
        "Ferme les stores du salon et verrouille la porte d'entrée",
        "fr",
        (
            _do("cover", "close_cover", BLINDS),
            _do("lock", "lock", FRONT_DOOR),
        ),
    ),
    Command(
        "Allume la télé du salon et la machine à café",
        "fr",
        (
            _do("media_player", "turn_on", TV),
            _do("switch", "turn_on", COFFEE_MAKER),
        ),
    ),
    # state questions
    Command(
        "Est-ce que la porte d'entrée est bien verrouillée ?",
        "fr",
        answer_words=("verrouill",),
        wrong_words=("déverrouill",),
        yes=True,
        before=(("lock", "lock", FRONT_DOOR),),
    ),
    Command("Il fait combien dehors ?", "fr", answer_words=("12,5", "12.5")),
    Command(
        "Dans quel état est la porte du garage ?",
        "fr",
        answer_words=("ouverte",),
        wrong_words=("fermée",),
        before=(("cover", "open_cover", GARAGE),),
    ),
    Command(
        "Est-ce que la machine à café est allumée ?",
        "fr",
        answer_words=("en marche",),
        wrong_words=("à l'arrêt",),
        yes=True,
        before=(("switch", "turn_on", COFFEE_MAKER),),
    ),
    # devices the home does not have
    Command("Allume la lumière du garage", "fr", answer_words=NOT_FOUND_FR),
    Command("Mets en route l'aspirateur robot", "fr", answer_words=NOT_FOUND_FR),
    Command("Ouvre les stores de la chambre", "fr", answer_words=NOT_FOUND_FR),
    # general knowledge
    Command("Quelle est la capitale de l'Italie ?", "fr", answer_words=("rome",)),
)
