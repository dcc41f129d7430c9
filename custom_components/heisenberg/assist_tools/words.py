"""The words of requests, in English and French (no HA imports).

Requests are compared as plain words (case, accents and punctuation folded) cut to their first
five letters, which makes plurals and most verb forms one word ("lights"/"light",
« lumières »/« lumière »). The lists here are the few words the agent must know by heart: kinds of
devices, rooms in both languages, filler words, verbs of orders and words of questions.
"""

import re
import unicodedata
from collections.abc import Iterable, Sequence


def word_set(text: str) -> frozenset[str]:
    """A set of words written as one string (long lists read better that way)."""
    return frozenset(text.split())


def words(text: str) -> list[str]:
    """The plain words of `text`: lower case, no accents, letters and digits only."""
    plain = unicodedata.normalize("NFKD", text.casefold())
    plain = "".join(c for c in plain if not unicodedata.combining(c))
    return re.findall(r"[a-z0-9]+", plain)


def stem(word: str) -> str:
    return word[:5]


def singular(word: str) -> str:
    """A plain word without its plural's s or x ("lights", « œufs », « bateaux » → …)."""
    return word[:-1] if len(word) > 3 and word.endswith(("s", "x")) else word


# Words people use for a kind of device, by the HA domain (English and French).
KIND_WORDS: dict[str, tuple[str, ...]] = {
    "light": ("light", "lights", "lamp", "lumiere", "lampe", "eclairage", "plafonnier"),
    "switch": ("switch", "plug", "socket", "prise", "interrupteur"),
    "input_boolean": ("switch", "toggle", "interrupteur"),
    "fan": ("fan", "ventilateur", "ventilo"),
    "cover": ("blind", "blinds", "shutter", "shade", "curtain", "door", "garage", "store",
              "stores", "volet", "rideau", "porte", "window", "fenetre", "gate", "portail"),
    "lock": ("lock", "door", "serrure", "verrou", "porte"),
    "climate": ("heating", "heater", "thermostat", "temperature", "chauffage", "clim",
                "radiateur", "air"),
    "media_player": ("tv", "television", "music", "speaker", "tele", "musique", "enceinte",
                     "radio", "song", "track", "chanson", "morceau", "volume"),
    "sensor": ("temperature", "humidity", "humidite", "sensor", "capteur"),
    "binary_sensor": ("sensor", "capteur", "door", "window", "porte", "fenetre", "motion"),
    "valve": ("valve", "vanne", "robinet", "water", "eau"),
    "vacuum": ("vacuum", "robot", "aspirateur", "hoover", "clean", "nettoyer"),
    "lawn_mower": ("mower", "tondeuse", "lawn", "pelouse"),
    "humidifier": ("humidifier", "humidificateur", "dehumidifier", "deshumidificateur"),
    "weather": ("weather", "meteo", "forecast", "temps", "rain", "raining", "rainy", "pluie",
                "pleut", "pleuvoir", "sunny", "soleil", "umbrella", "parapluie", "snow",
                "snowing", "neige", "neiger"),
    "todo": ("list", "liste", "shopping", "courses", "todo", "taches"),
    "scene": ("scene", "ambiance", "mode"),
    "script": ("script", "routine"),
    "timer": ("timer", "timers", "minuteur", "minuterie", "chrono", "compte"),
}  # fmt: skip
# Words that ask for what a kind of device measures ("how WARM is it outside?", « il fait
# COMBIEN dehors ? »): they say which device a question is about, but name no device.
ASKING_WORDS: dict[str, tuple[str, ...]] = {
    "climate": ("warm", "cold", "hot", "degrees", "chaud", "froid", "degres", "combien"),
    "sensor": ("warm", "cold", "hot", "degrees", "chaud", "froid", "degres", "combien"),
    "weather": ("warm", "cold", "hot", "degrees", "chaud", "froid", "degres", "outside",
                "dehors", "fait"),
}  # fmt: skip
# The same room or place in English and French: a French request about an English-named room.
PLACES = (
    ("living", "salon", "sejour"), ("bedroom", "chambre"), ("kitchen", "cuisine"),
    ("bathroom", "bain"), ("garden", "jardin"), ("basement", "cave", "sous"),
    ("attic", "grenier"), ("office", "bureau"), ("hall", "hallway", "entree", "couloir"),
    ("dining", "manger"), ("laundry", "buanderie"), ("outside", "outdoor", "exterieur",
    "exterieure", "dehors"), ("porch", "porche"), ("garage",), ("terrace", "patio", "terrasse"),
    ("kids", "enfants"), ("guest", "amis"), ("upstairs", "etage"), ("downstairs", "bas"),
)  # fmt: skip
ALL_PLACES = frozenset(stem(word) for group in PLACES for word in group)
FILLER = word_set(
    "the a an my our your this that these those all please now again too also it them "
    "and or to of in on at off up down for with from by is are be was what whats how "
    "which where who when thanks thank you any anything every everything "
    "le la les l un une mon ma mes ton ta tes notre nos ce cet cette ces tout tous toute "
    "toutes de du des d et ou a au aux en dans sur pour par avec est il elle ils s te plait "
    "stp maintenant encore aussi svp merci quel quelle quels quelles combien comment qui "
    "quand y"
)
# Words that start a request: before a kind word they are no qualifier ("pause the TV").
VERBS = word_set(
    "turn switch set put make dim brighten raise lower open close shut lock unlock start stop "
    "pause resume play run activate kill boost skip mute unmute add remove cancel return send "
    "dock "
    # Media orders: the "next" song is no particular song.
    "next previous"
)
CLAUSES = re.compile(r"[,;]|\b(?:and|then|also|et|puis|aussi)\b", re.IGNORECASE)
LINK = frozenset(["de", "du", "des", "d", "in", "of", "on", "at"])
# Requests that can only be answered by acting: speaking instead would be a false claim.
COMMAND_VERBS = word_set(
    "turn switch set open close shut lock unlock dim brighten raise lower start stop pause "
    "resume activate skip mute unmute add put cancel remove increase decrease play "
    "allume allumer eteins eteindre ouvre ouvrir ferme fermer mets mettre regle regler baisse "
    "baisser monte monter lance lancer demarre demarrer arrete arreter verrouille verrouiller "
    "deverrouille deverrouiller active activer ajoute ajouter enleve enlever retire retirer "
    "annule annuler supprime supprimer coupe couper passe passer augmente augmenter diminue "
    "diminuer joue jouer reprends reprendre programme programmer return send dock renvoie "
    "renvoyer ramene ramener"
)
# "could you SET", « peux-tu ALLUMER »: the word just before the verb of a polite order.
ADDRESSEE = word_set("you tu vous")
POLITE = word_set(
    "please can could would will you hey ok okay now just mind "
    "peux pourrais pouvez pourriez tu vous veux voulez est ce que s il te plait stp"
)
# The first word of a question, or of a request to be told something (a read, never an act).
QUESTION_WORDS = word_set(
    "is are was were does do did what whats which how who where when why will has have "
    "tell read list say give check "
    "est quel quelle quels quelles combien comment ou quand pourquoi qui que qu quoi y "
    "dis dites lis donne indique"
)
PHRASE_END = word_set("to at and please a au et s sur en pour svp stp with avec")
PARTICLES = word_set("on off up down")
# Words after a number that say what the number sets: "to 19.5 DEGREES" is a temperature.
VALUE_WORDS: dict[str, tuple[str, ...]] = {
    "temperature": ("degree", "degrees", "degre", "degres", "celsius", "fahrenheit"),
    "brightness": ("percent", "pourcent", "cent", "brightness", "luminosite"),
    "position": ("percent", "pourcent", "cent"),
    "speed": ("percent", "pourcent", "cent", "speed", "vitesse"),
    "volume": ("percent", "pourcent", "cent", "volume"),
}
# Numbers said as words (Whisper writes small ones so): a request without any says no value.
NUMBER_WORDS = word_set(
    "one two three four five six seven eight nine ten eleven twelve fifteen twenty thirty "
    "forty fifty sixty half quarter hour hours minute minutes second seconds a an "
    "un une deux trois quatre cinq six sept huit neuf dix onze douze quinze vingt trente "
    "quarante cinquante soixante demi demie quart heure heures"
)
ALL_WORDS = word_set(
    "all every everything any anything tout tous toute toutes partout entire whole quelque rien"
)


def says_a_number(text: str) -> bool:
    """Whether `text` gives a number (digits, or a number word: "five", « cinq », "half")."""
    found = words(text)
    return any(w.isdigit() for w in found) or any(
        w in NUMBER_WORDS and w not in ("a", "an", "un", "une") for w in found
    )


def stems(texts: Iterable[str]) -> set[str]:
    """The stems of the meaningful words of `texts` (fillers and single letters left out)."""
    return {stem(w) for t in texts for w in words(t) if w not in FILLER and len(w) > 1}


def with_places(found: set[str]) -> set[str]:
    """`found` stems plus the other language's words for the rooms among them."""
    extra = {stem(w) for group in PLACES if found & {stem(p) for p in group} for w in group}
    return found | extra


def kind_stems(domain: str) -> set[str]:
    return {stem(w) for w in KIND_WORDS.get(domain, ())}


_FRENCH = re.compile(r"[éèêàâçùûôî]|\b(?:de|du|des|la|le|les)\b", re.IGNORECASE)


def name_in(names: Sequence[str], lang: str) -> str:
    """One of a target's names in the answer's language: a French one in French."""
    if lang == "fr":
        return next((n for n in names if _FRENCH.search(n)), names[0])
    return next((n for n in names if not _FRENCH.search(n)), names[0])


# Words that say which of a device's actions an order means, when it has several that a small
# model confuses ("SKIP the song" was answered by pausing it, "mute" too; "return the vacuum to
# its BASE" started it). Whole words, accents already removed (`plain`).
ACTION_PATTERNS: dict[str, str] = {
    "next": r"next|skip|suivante?|prochaine?",
    "previous": r"previous|precedente?",
    "mute": r"mute|muet|sourdine|coupe[rz]? le son",
    "unmute": r"unmute|remets? le son|remettre le son",
    "dock": r"dock|docking|base|recharge",
}
