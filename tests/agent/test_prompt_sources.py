"""Personas, the system prompt split and format detection rules (pure functions)."""

from datetime import datetime

import pytest

from custom_components.heisenberg.apologies import apology
from custom_components.heisenberg.context_note import asks_about_the_clock, date_note, time_note
from custom_components.heisenberg.format_detection import choose_format
from custom_components.heisenberg.personas import Persona, persona_language, persona_text
from custom_components.heisenberg.prompt_format import PromptFormat
from custom_components.heisenberg.system_prompt import split_system_prompt

BUILT_IN = [p for p in Persona if p is not Persona.CUSTOM]


@pytest.mark.parametrize("persona", BUILT_IN)
@pytest.mark.parametrize("language", ["en", "fr"])
def test_every_persona_speaks_both_languages(persona: Persona, language: str) -> None:
    text = persona_text(persona, language)
    assert "{{ ha_name }}" in text.instructions
    assert 3 <= len(text.examples) <= 5
    # The last own example follows the one before it up, as people do ("And of tall?").
    own = persona_text(persona, language, can_control=True).examples
    assert own[-1].user.startswith(("And ", "Et ")), own[-1]
    for turn in text.examples:
        for line in (turn.user, turn.assistant):
            assert "*" not in line and "#" not in line and "\n" not in line  # no markdown
            assert all(ord(ch) < 0x2190 for ch in line)  # no emoji or symbols


def test_personas_follow_the_conversation_language() -> None:
    assert "Réponds" in persona_text(Persona.DEFAULT, "fr-CA").instructions
    assert "Reply" in persona_text(Persona.DEFAULT, "en-GB").instructions
    assert (
        persona_text(Persona.FRIENDLY, "de").instructions
        == persona_text(Persona.FRIENDLY, "en").instructions
    )  # no German persona: English, which asks to reply in the user's language
    assert persona_language("fr_FR") == "fr"


def test_personas_differ() -> None:
    assert len({persona_text(p, "en").instructions for p in BUILT_IN}) == len(BUILT_IN)


def test_custom_persona_uses_the_users_prompt() -> None:
    text = persona_text(Persona.CUSTOM, "fr", "  You are a pirate.  ", can_control=True)
    assert text.instructions == "You are a pirate."
    assert text.examples == persona_text(Persona.DEFAULT, "fr", can_control=True).examples
    text = persona_text(Persona.CUSTOM, "fr", "  You are a pirate.  ")
    assert text.examples == persona_text(Persona.DEFAULT, "fr").examples


def test_custom_persona_without_prompt_and_unknown_persona_fall_back() -> None:
    default = persona_text(Persona.DEFAULT, "en")
    assert persona_text(Persona.CUSTOM, "en", "  ") == default
    assert persona_text("no-such-persona", "en") == default


def test_split_drops_has_clock_and_moves_the_extra_prompt_to_the_note() -> None:
    rendered = (
        "You are nice.\nBe brief.\n"
        "Current time is 09:05:31. Today's date is 2026-11-21.\n\nThe user is in the kitchen."
    )
    stable, note = split_system_prompt(rendered)
    assert stable == "You are nice.\nBe brief."
    assert note == "The user is in the kitchen."


@pytest.mark.parametrize(
    ("moment", "language", "date", "time"),
    [
        (datetime(2026, 11, 29, 9, 5), "en", "today is Sunday, November 29, 2026; tomorrow is Monday, November 30, 2026.)", "it is 09:05.)"),
        (datetime(2026, 12, 1, 14, 30), "fr-FR", "aujourd'hui, nous sommes le mardi 1er décembre 2026 ; demain, nous serons le mercredi 2 décembre 2026.)", "il est 14 h 30.)"),
        (datetime(2027, 2, 28, 0, 0), "fr", "aujourd'hui, nous sommes le dimanche 28 février 2027 ; demain, nous serons le lundi 1er mars 2027.)", "il est 0 h 00.)"),
        (datetime(2026, 12, 31, 23, 59), "de", "today is Thursday, December 31, 2026; tomorrow is Friday, January 1, 2027.)", "it is 23:59.)"),
    ],
)  # fmt: skip
def test_date_and_time_notes_in_the_conversation_language(
    moment: datetime, language: str, date: str, time: str
) -> None:
    assert date_note(moment, language).endswith(date)
    assert time_note(moment, language).endswith(time)
    # The date note is the same all day: the warm-up caches it.
    later = moment.replace(hour=(moment.hour + 7) % 24, minute=(moment.minute + 13) % 60)
    if later.date() == moment.date():
        assert date_note(later, language) == date_note(moment, language)


@pytest.mark.parametrize(
    ("question", "language", "asks"),
    [
        ("What time is it?", "en", True),
        ("How long until noon?", "en-GB", True),
        ("Quelle heure est-il ?", "fr", True),
        ("Il est quelle heure ?", "fr-CA", True),
        ("Is it late?", "en", True),
        ("What is seven times eight?", "en", False),
        ("Now multiply that by two.", "en", False),
        ("Quel jour sommes-nous ?", "fr", False),
        ("Et dans quel pays ?", "fr", False),
        ("Wie spät ist es?", "de", True),  # no word list for German: always the time
        ("What hour is it?", "en", True),
        ("Is the shop open at 7 pm?", "en", True),
        ("Tu as l'heure ?", "fr", True),
        ("Dans combien de minutes est-il 18 h 30 ?", "fr", True),
        # Counted hours and minutes are durations, not the clock.
        ("How many minutes are in an hour?", "en", False),
        ("And in twenty-four hours?", "en", False),
        ("Combien y a-t-il de minutes dans une heure ?", "fr", False),
        ("Et dans deux heures ?", "fr", False),
        ("Et dans 3 heures ?", "fr", False),
        ("C'est combien d'heures, une demi-journée ?", "fr", False),
        ("I am hungry.", "en", False),
    ],
)
def test_the_time_is_given_when_the_question_may_be_about_the_clock(
    question: str, language: str, asks: bool
) -> None:
    assert asks_about_the_clock(question, language) is asks


def test_without_device_access_the_persona_says_so() -> None:
    blind = persona_text(Persona.DEFAULT, "en")
    assert "can't" in blind.instructions and "devices" in blind.instructions
    assert any("can't" in turn.assistant for turn in blind.examples)
    able = persona_text(Persona.DEFAULT, "en", can_control=True)
    assert "devices" not in able.instructions
    assert len(able.examples) == len(blind.examples) - 2
    custom = persona_text(Persona.CUSTOM, "fr", "Tu es un pirate.")
    assert custom.instructions.startswith("Tu es un pirate. Tu ne peux ni voir ni commander")


def test_split_without_clock_keeps_everything_stable() -> None:
    assert split_system_prompt("  Just this.\n") == ("Just this.", "")


@pytest.mark.parametrize(
    ("template", "single", "expected"),
    [
        ("", {"<|im_start|>": True, "<|im_end|>": True}, PromptFormat.CHATML),
        # llama-server's ChatML fallback template, but the model has no such tokens:
        ("<|im_start|>{{ role }}", {}, PromptFormat.PLAIN),
        ("{% if x %}[INST] {{ c }} [/INST]{% endif %}", {}, PromptFormat.LLAMA2),
        ("", {"[INST]": True}, PromptFormat.LLAMA2),
        ("<start_of_turn>user", {}, PromptFormat.PLAIN),
    ],
)
def test_format_choice(template: str, single: dict[str, bool], expected: PromptFormat) -> None:
    assert choose_format(template, single) is expected


def test_apologies_are_translated() -> None:
    assert apology("cannot_connect", "fr").startswith("Désolé")
    assert apology("cannot_connect", "en").startswith("Sorry")
    assert apology("no-such-reason", "en") == apology("server_error", "en")
