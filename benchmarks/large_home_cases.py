"""The large-home benchmark's requests (#24): the same 16 per language at every size, all on the
15-entity core of `harness/large_home.py` (so present at every size), with look-alike traps
(bedroom / guest bedroom, « chambre » / « chambre d'amis ») and a device no home has.
Same case format as `everyday_cases.py`: whatever a case does not name must stay unchanged.
"""

from .everyday_cases import Case, _c

BEDROOM, GUEST = "light.bedroom_light", "light.guest_bedroom_light"
BLIND, GUEST_BLIND = "cover.bedroom_blind", "cover.guest_bedroom_blind"
LAMP, HEAT, TV = "light.living_room_lamp", "climate.thermostat", "media_player.living_room_tv"
NOT_FOUND = ("can't|cannot|couldn't|not find|no device|don't have|doesn't|not found",)
PAS_TROUVE = ("pas|aucun",)
PROBE = Case("What's the temperature in the kitchen?", "en", "question", answer=("21.5",),
             question=True)  # fmt: skip

LARGE_CASES: tuple[Case, ...] = (
    Case("Turn on the kitchen light", "en", "action", states={"light.kitchen_light": "on"}),
    Case("Turn off the bedroom light", "en", "trap", states={BEDROOM: "off"}),
    Case("Turn on the guest bedroom light", "en", "trap", states={GUEST: "on"}),
    Case("Close the bedroom blind", "en", "trap", states={BLIND: "closed"}),
    Case("Open the blind in the guest bedroom", "en", "trap", states={GUEST_BLIND: "open"}),
    Case("Set the thermostat to 21 degrees", "en", "value",
         calls=(_c("climate", "set_temperature", HEAT, temperature=21),)),
    Case("Switch on the kitchen plug", "en", "action", states={"switch.kitchen_plug": "on"}),
    Case("Turn off the living room plug", "en", "action",
         states={"switch.living_room_plug": "off"}),
    Case("Pause the living room TV", "en", "action", states={TV: "paused"}),
    Case("Lock the front door", "en", "action", states={"lock.front_door": "locked"}),
    Case("Dim the living room lamp to 40 percent", "en", "value",
         calls=(_c("light", "turn_on", LAMP, brightness_pct=40),)),
    Case("Turn on the kitchen spotlights and the living room light", "en", "two",
         states={"light.kitchen_spotlights": "on", "light.living_room_light": "on"}),
    PROBE,
    Case("What's the temperature in the bedroom?", "en", "question", answer=("19",),
         question=True),
    Case("Is the front door locked?", "en", "question", answer=("no|unlocked",), question=True),
    Case("Turn on the sauna light", "en", "missing", answer=NOT_FOUND, question=True),
    Case("Allume la lumière de la cuisine", "fr", "action", states={"light.kitchen_light": "on"}),
    Case("Éteins la lumière de la chambre", "fr", "trap", states={BEDROOM: "off"}),
    Case("Allume la lumière de la chambre d'amis", "fr", "trap", states={GUEST: "on"}),
    Case("Ferme le store de la chambre", "fr", "trap", states={BLIND: "closed"}),
    Case("Ouvre le store de la chambre d'amis", "fr", "trap", states={GUEST_BLIND: "open"}),
    Case("Règle le thermostat du salon sur 21 degrés", "fr", "value",
         calls=(_c("climate", "set_temperature", HEAT, temperature=21),)),
    Case("Allume la prise de la cuisine", "fr", "action", states={"switch.kitchen_plug": "on"}),
    Case("Coupe la prise du salon", "fr", "action", states={"switch.living_room_plug": "off"}),
    Case("Mets la télé du salon en pause", "fr", "action", states={TV: "paused"}),
    Case("Verrouille la porte d'entrée", "fr", "action", states={"lock.front_door": "locked"}),
    Case("Mets la lampe du salon à 40 pour cent", "fr", "value",
         calls=(_c("light", "turn_on", LAMP, brightness_pct=40),)),
    Case("Allume les spots de la cuisine et la lumière du salon", "fr", "two",
         states={"light.kitchen_spotlights": "on", "light.living_room_light": "on"}),
    Case("Quelle est la température de la cuisine ?", "fr", "question",
         answer=("21,5|21.5",), question=True),
    Case("Quelle température fait-il dans la chambre ?", "fr", "question", answer=("19",),
         question=True),
    Case("Est-ce que la porte d'entrée est verrouillée ?", "fr", "question",
         answer=("non|déverrouill",), question=True),
    Case("Allume la lumière du sauna", "fr", "missing", answer=PAS_TROUVE, question=True),
)  # fmt: skip
