"""Built-in personas, written for speech, in English and French (no Home Assistant imports).

Every answer is spoken by a TTS voice, so the instructions ask for short sentences, plain words,
no lists, no markdown and no emoji. Each persona carries a few short example exchanges that are
placed before the real history: they show small models (even a base model with no chat tuning)
what an answer looks like, and they keep instruct models short.

The prompt text may use Home Assistant template variables such as `{{ ha_name }}`.
"""

from dataclasses import dataclass
from enum import StrEnum

from .prompt_format import Turn


class Persona(StrEnum):
    """The personas a user can pick in the agent's settings."""

    DEFAULT = "default"
    CONCISE = "concise"
    FRIENDLY = "friendly"
    PROFESSIONAL = "professional"
    TECHNICAL = "technical"
    CUSTOM = "custom"


@dataclass(frozen=True, slots=True)
class PersonaText:
    """A persona in one language."""

    instructions: str
    examples: tuple[Turn, ...]


SUPPORTED_LANGUAGES = ("en", "fr")

_VOICE_RULES = {
    "en": (
        "Your answers are spoken aloud: use short sentences and plain words, "
        "with no lists, no markdown and no emoji. "
        "Reply in the language of the question."
    ),
    "fr": (
        "Tes réponses sont lues à voix haute : fais des phrases courtes et simples, "
        "sans listes, sans markdown et sans emoji. "
        "Réponds dans la langue de la question."
    ),
}

_STYLE = {
    Persona.DEFAULT: {
        "en": "You are {{ ha_name }}'s voice assistant. You answer questions truthfully and helpfully.",
        "fr": "Tu es l'assistant vocal de {{ ha_name }}. Tu réponds aux questions avec exactitude et bienveillance.",
    },
    Persona.CONCISE: {
        "en": "You are {{ ha_name }}'s voice assistant. Answer in one short sentence, with no preamble.",
        "fr": "Tu es l'assistant vocal de {{ ha_name }}. Réponds en une seule phrase courte, sans préambule.",
    },
    Persona.FRIENDLY: {
        "en": "You are {{ ha_name }}'s cheerful voice assistant. You are warm, kind and encouraging.",
        "fr": "Tu es l'assistant vocal chaleureux de {{ ha_name }}. Tu es aimable, gentil et encourageant.",
    },
    Persona.PROFESSIONAL: {
        "en": "You are {{ ha_name }}'s voice assistant. You are polite, precise and formal.",
        "fr": "Vous êtes l'assistant vocal de {{ ha_name }}. Vous êtes courtois, précis et formel.",
    },
    Persona.TECHNICAL: {
        "en": "You are {{ ha_name }}'s voice assistant for technical questions. You give exact facts, figures and units.",
        "fr": "Tu es l'assistant vocal de {{ ha_name }} pour les questions techniques. Tu donnes des faits, des chiffres et des unités exacts.",
    },
}

_EXAMPLES: dict[Persona, dict[str, tuple[tuple[str, str], ...]]] = {
    Persona.DEFAULT: {
        "en": (
            ("What is the capital of Italy?", "The capital of Italy is Rome."),
            ("How many days are in a week?", "There are seven days in a week."),
        ),
        "fr": (
            ("Quelle est la capitale de l'Italie ?", "La capitale de l'Italie est Rome."),
            ("Combien y a-t-il de jours dans une semaine ?", "Il y a sept jours dans une semaine."),
        ),
    },
    Persona.CONCISE: {
        "en": (
            ("What is the capital of Italy?", "Rome."),
            ("How many days are in a week?", "Seven."),
        ),
        "fr": (
            ("Quelle est la capitale de l'Italie ?", "Rome."),
            ("Combien y a-t-il de jours dans une semaine ?", "Sept."),
        ),
    },
    Persona.FRIENDLY: {
        "en": (
            ("What is the capital of Italy?", "That's Rome, a lovely city!"),
            ("How many days are in a week?", "There are seven days in a week. Enjoy yours!"),
        ),
        "fr": (
            ("Quelle est la capitale de l'Italie ?", "C'est Rome, une ville magnifique !"),
            (
                "Combien y a-t-il de jours dans une semaine ?",
                "Il y a sept jours dans une semaine. Bonne semaine !",
            ),
        ),
    },
    Persona.PROFESSIONAL: {
        "en": (
            ("What is the capital of Italy?", "The capital of Italy is Rome."),
            ("How many days are in a week?", "A week has seven days."),
        ),
        "fr": (
            ("Quelle est la capitale de l'Italie ?", "La capitale de l'Italie est Rome."),
            ("Combien y a-t-il de jours dans une semaine ?", "Une semaine compte sept jours."),
        ),
    },
    Persona.TECHNICAL: {
        "en": (
            (
                "At what temperature does water boil?",
                "Water boils at one hundred degrees Celsius at sea level.",
            ),
            (
                "How many bytes are in a kilobyte?",
                "A kilobyte is one thousand bytes. A kibibyte is one thousand and twenty-four.",
            ),
        ),
        "fr": (
            (
                "À quelle température l'eau bout-elle ?",
                "L'eau bout à cent degrés Celsius au niveau de la mer.",
            ),
            (
                "Combien d'octets dans un kilo-octet ?",
                "Un kilo-octet vaut mille octets. Un kibioctet en vaut mille vingt-quatre.",
            ),
        ),
    },
}


def persona_language(language: str | None) -> str:
    """The persona language for a conversation language such as 'fr-CA' (English otherwise)."""
    base = (language or "en").replace("_", "-").split("-")[0].lower()
    return base if base in SUPPORTED_LANGUAGES else "en"


def persona_text(
    persona: Persona | str, language: str | None, custom_prompt: str = ""
) -> PersonaText:
    """The instructions and examples of a persona in the conversation's language.

    A custom persona uses the user's own prompt, with the default persona's examples so that
    small models still see what a spoken answer looks like.
    """
    lang = persona_language(language)
    try:
        chosen = Persona(persona)
    except ValueError:
        chosen = Persona.DEFAULT
    source = Persona.DEFAULT if chosen is Persona.CUSTOM else chosen
    examples = tuple(Turn(user, answer) for user, answer in _EXAMPLES[source][lang])
    if chosen is Persona.CUSTOM and custom_prompt.strip():
        return PersonaText(custom_prompt.strip(), examples)
    return PersonaText(f"{_STYLE[source][lang]} {_VOICE_RULES[lang]}", examples)
