"""Plain device control in a second home (`harness/second_home.py`): 30 commands, half French,
kept apart from `device_commands.py` and its holdout so that device control is also measured
on names, rooms and devices it was not shaped to. Same case format as `everyday_cases.py`.
"""

from .everyday_cases import Case, _c

STEREO, RADIATOR = "media_player.stereo", "climate.nursery_radiator"
NOT_FOUND = ("can't|cannot|couldn't|not find|no device|don't have|doesn't",)
PAS_TROUVE = ("pas|aucun",)

SECOND_CASES: tuple[Case, ...] = (
    Case("Turn on the chandelier", "en", "on-off", states={"light.chandelier": "on"}),
    Case("Switch on the floor lamp", "en", "on-off", states={"light.floor_lamp": "on"}),
    Case("Turn off the bedside lamp", "en", "on-off", states={"light.bedside_lamp": "off"}),
    Case("Dim the night light to 30 percent", "en", "value",
         calls=(_c("light", "turn_on", "light.night_light", brightness_pct=30),)),
    Case("Start the washing machine", "en", "on-off",
         states={"switch.washing_machine": "on"}),
    Case("Turn on the dehumidifier in the cellar", "en", "on-off",
         states={"switch.dehumidifier": "on"}),
    Case("Open the awning", "en", "cover", states={"cover.awning": "open"}),
    Case("Close the nursery curtains", "en", "cover",
         states={"cover.nursery_curtains": "closed"}),
    Case("Unlock the back door", "en", "lock", states={"lock.back_door": "unlocked"}),
    Case("Set the nursery radiator to 21 degrees", "en", "value",
         calls=(_c("climate", "set_temperature", RADIATOR, temperature=21),)),
    Case("Pause the stereo", "en", "media", states={STEREO: "paused"}),
    Case("Turn on the fairy lights and the driveway spotlights", "en", "two",
         states={"light.fairy_lights": "on", "light.driveway_spotlights": "on"}),
    Case("How humid is the cellar?", "en", "question", answer=("72",), question=True),
    Case("Turn on the garage light", "en", "missing", answer=NOT_FOUND, question=True),
    Case("Switch off the chest freezer", "en", "hidden", question=True),
    Case("Allume le lustre", "fr", "on-off", states={"light.chandelier": "on"}),
    Case("Allume le lampadaire du séjour", "fr", "on-off", states={"light.floor_lamp": "on"}),
    Case("Éteins la lampe de chevet", "fr", "on-off", states={"light.bedside_lamp": "off"}),
    Case("Mets la veilleuse à 30 pour cent", "fr", "value",
         calls=(_c("light", "turn_on", "light.night_light", brightness_pct=30),)),
    Case("Lance la machine à laver", "fr", "on-off", states={"switch.washing_machine": "on"}),
    Case("Éteins le sèche-serviettes", "fr", "on-off", states={"switch.towel_warmer": "off"}),
    Case("Ouvre le portail", "fr", "cover", states={"cover.driveway_gate": "open"}),
    Case("Descends le store banne à moitié", "fr", "value",
         calls=(_c("cover", "set_cover_position", "cover.awning", position=50),)),
    Case("Ferme les rideaux de la chambre du bébé", "fr", "cover",
         states={"cover.nursery_curtains": "closed"}),
    Case("Verrouille la porte de derrière", "fr", "lock", states={"lock.back_door": "locked"},
         before=(("lock", "unlock", "lock.back_door"),)),
    Case("Mets le radiateur de la chambre du bébé à 20,5 degrés", "fr", "value",
         calls=(_c("climate", "set_temperature", RADIATOR, temperature=20.5),)),
    Case("Allume le ventilateur de bureau", "fr", "on-off", states={"fan.desk_fan": "on"}),
    Case("Mets la chaîne hi-fi en pause", "fr", "media", states={STEREO: "paused"}),
    Case("Quelle température fait-il dans la véranda ?", "fr", "question",
         answer=("23,5|23.5",), question=True),
    Case("Allume la lumière du grenier", "fr", "missing", answer=PAS_TROUVE, question=True),
)  # fmt: skip
