"""What the assistant says when it cannot answer, in the conversation's language.

These are spoken by the satellite, so they are short and have no technical detail; the log
line written next to them carries the cause.
"""

from .personas import persona_language

_APOLOGIES: dict[str, dict[str, str]] = {
    "cannot_connect": {
        "en": "Sorry, I can't reach the language model right now.",
        "fr": "Désolé, je n'arrive pas à joindre le modèle de langage pour le moment.",
    },
    "loading": {
        "en": "Sorry, the language model is still starting. Please try again in a moment.",
        "fr": "Désolé, le modèle de langage démarre encore. Réessayez dans un instant.",
    },
    "timeout": {
        "en": "Sorry, the language model took too long to answer.",
        "fr": "Désolé, le modèle de langage a mis trop de temps à répondre.",
    },
    "server_error": {
        "en": "Sorry, the language model ran into a problem.",
        "fr": "Désolé, le modèle de langage a rencontré un problème.",
    },
    "empty_answer": {
        "en": "Sorry, I don't have an answer to that.",
        "fr": "Désolé, je n'ai pas de réponse à cela.",
    },
}


# Longer than the 60 characters after which HA starts streaming an answer to the satellite:
# a shorter phrase would wait, unheard, for the rest of the answer.
_HOLDING = {
    "en": "One moment, please: the language model is taking a little longer to answer.",
    "fr": "Un instant, s'il vous plaît : le modèle de langage met un peu plus de temps à répondre.",
}


# Said at once when every slot of the server is writing another of our answers (several
# satellites asked together): the question waits for a slot, and the user hears why.
_WAITING_FOR_SLOT = {
    "en": "One moment, please: the language model is finishing another answer first.",
    "fr": "Un instant, s'il vous plaît : le modèle de langage termine d'abord une autre réponse.",
}


def holding_phrase(language: str | None, *, waits_for_slot: bool = False) -> str:
    """What the assistant says while the model has not answered yet (the answer follows):
    why it waits, when it knows (another answer holds the server), else that it is slow."""
    phrases = _WAITING_FOR_SLOT if waits_for_slot else _HOLDING
    return phrases[persona_language(language)]


def without_holding_phrase(text: str) -> str:
    """An answer as the model gave it: the history must not teach the model to say "one
    moment" itself."""
    for phrase in (*_HOLDING.values(), *_WAITING_FOR_SLOT.values()):
        if text.startswith(phrase):
            return text[len(phrase) :].lstrip()
    return text


def apology(reason: str, language: str | None) -> str:
    """A short spoken apology for `reason` (a LlamaServerError.reason) in `language`."""
    messages = _APOLOGIES.get(reason, _APOLOGIES["server_error"])
    return messages[persona_language(language)]
