"""The name a request gives its timer, when the model's call leaves it out (no HA imports).

Small models write "[timer] start 12 minutes" for "set a pasta timer for 12 minutes": the
length is in the call, the name often is not. The phrasings HA's own sentences accept name it
the same way in every request — "a pasta timer", "a timer for the pasta", "a timer called
pasta", « un minuteur pour les pâtes », « un minuteur appelé pâtes » — so it is read from
the request itself; a duration ("a five minute timer", "for 5 minutes") is never a name.
"""

import re

from .words import says_a_number, word_set, words

_PATTERNS = (
    re.compile(r"\b(?:a|an|the|my)\s+([^\W\d_][\w'-]*)\s+timer\b", re.IGNORECASE),
    re.compile(
        r"\btimer\s+(?:called\s+|named\s+|for\s+(?:the\s+|my\s+)?)([^\W\d_][\w'-]*)", re.IGNORECASE
    ),
    re.compile(r"\bminut(?:eur|erie)\s+(?:appel[ée]e?|nomm[ée]e?)\s+([^\W\d_][\w'-]*)", re.I),
    re.compile(
        r"\bminut(?:eur|erie)\b.*?\bpour\s+(?:les\s+|le\s+|la\s+|l'|l\u2019|des\s+|mes\s+|mon\s+|ma\s+)?"
        r"([^\W\d_][\w'-]*)",
        re.IGNORECASE,
    ),
)
# Words that say how long or which kind of timer, not its name.
_NOT_A_NAME = word_set(
    "minute minutes second seconds hour hours min sec new quick short long another "
    "heure heures seconde secondes nouveau autre"
)


def timer_name(request: str) -> str:
    """The timer's name in `request` as the user said it ("pasta", « œufs »), or ""."""
    for pattern in _PATTERNS:
        for found in pattern.finditer(request):
            name = found.group(1)
            plain = words(name)
            if plain and plain[0] not in _NOT_A_NAME and not says_a_number(name):
                return name
    return ""
