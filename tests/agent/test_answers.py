"""What the agent says: ended where a spoken answer should, dated by HA's clock, in French.

Real llama-server, real models. To make a real model invent a next turn on demand, a GBNF
grammar forces its output (the server still streams it token by token through its own stop
sequences, exactly as for a free answer).
"""

import dataclasses
import re
from typing import Any

import pytest
from homeassistant.core import HomeAssistant
from homeassistant.util import dt as dt_util

from custom_components.heisenberg.context_note import date_note, time_note
from custom_components.heisenberg.llama_client import CompletionRequest, LlamaServerClient
from launcher.llama_server import LlamaServerProcess

from .conftest import EntryFactory, converse, speech
from .spy import PromptSpy
from .test_llama_client import gbnf_literal

ANSWER = "Paris is the capital of France."


@pytest.fixture
def force_output(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Set `forced[0]` to make the real model say exactly that (through a grammar)."""
    forced: list[str] = []
    real = LlamaServerClient.stream_completion

    def constrained(self: LlamaServerClient, request: CompletionRequest, **kwargs: Any) -> Any:
        if forced:
            request = dataclasses.replace(request, grammar=gbnf_literal(forced[0]))
        return real(self, request, **kwargs)

    monkeypatch.setattr(LlamaServerClient, "stream_completion", constrained)
    return forced


@pytest.mark.parametrize(
    "case",
    [
        # One per format, each with a spelling its own stop sequences do not know.
        ("plain", f"{ANSWER} Question 3: What is the capital of Spain? Answer: Madrid."),
        ("chatml", f"{ANSWER}\nHeisenberg: And Spain?\nUser: Madrid."),
        ("llama2", f"{ANSWER}\nUtilisateur : Et l'Espagne ?\nRéponse : Madrid."),
    ],
)
async def test_an_invented_next_turn_is_never_spoken(
    hass: HomeAssistant,
    setup_entry: EntryFactory,
    llama_url: str,
    force_output: list[str],
    case: tuple[str, str],
) -> None:
    prompt_format, invented = case
    await setup_entry(llama_url, prompt_format=prompt_format)
    force_output.append(invented)
    result = await converse(hass, "What is the capital of France?")
    assert speech(result) == ANSWER


async def test_a_monologue_ends_after_a_few_sentences(
    hass: HomeAssistant, setup_entry: EntryFactory, llama_url: str, force_output: list[str]
) -> None:
    await setup_entry(llama_url)
    force_output.append(" ".join(f"This is sentence number {n}." for n in range(1, 9)))
    result = await converse(hass, "Are you there?")
    assert speech(result) == "This is sentence number 1. This is sentence number 2. " + (
        "This is sentence number 3."
    )


async def test_the_date_and_time_notes_follow_home_assistants_clock(
    hass: HomeAssistant, setup_entry: EntryFactory, llama_url: str, prompt_spy: PromptSpy
) -> None:
    # A time zone far from the machine's, so a note written from the system clock would differ.
    await hass.config.async_update(time_zone="Pacific/Kiritimati")
    await setup_entry(llama_url, max_tokens=8)
    for language, question in (("en", "What time is it?"), ("fr", "Quelle heure est-il ?")):
        before = dt_util.now()
        await converse(hass, question, language=language)
        after = dt_util.now()
        prompt = prompt_spy.prompts[-1]
        assert any(date_note(moment, language) in prompt for moment in (before, after)), prompt
        assert any(time_note(moment, language) in prompt for moment in (before, after)), prompt
    weekday = dt_util.now().strftime("%A")
    prompt = prompt_spy.prompts[0]
    # The date after the cached instructions and examples; the time just before the question.
    # Both notes open alike ("(Only if asked about"): find the time note whole.
    time_at = max(prompt.find(time_note(moment, "en")) for moment in (before, after))
    assert prompt.index("Italy") < prompt.index(weekday) < time_at
    assert prompt.endswith("What time is it?<|im_end|>\n<|im_start|>assistant\n")


FRENCH_WORDS = {"le", "la", "les", "est", "de", "des", "du", "une", "un", "et", "en", "il",
                "elle", "à", "au", "sont", "dans", "pour", "c'est", "a", "y"}  # fmt: skip
ENGLISH_WORDS = {"the", "is", "of", "and", "an", "in", "it", "are", "to", "there", "has"}


def looks_french(text: str) -> bool:
    words = re.findall(r"[\w']+", text.lower().replace("\u2019", "'"))
    return sum(w in FRENCH_WORDS for w in words) > sum(w in ENGLISH_WORDS for w in words)


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("Quelle est la capitale de l'Allemagne ?", "Berlin"),
        ("Dans quel pays se trouve la ville de Madrid ?", "Espagne"),
    ],
)
async def test_french_questions_get_french_answers_from_the_default_model(
    hass: HomeAssistant,
    setup_entry: EntryFactory,
    default_llama_server: LlamaServerProcess,
    question: str,
    expected: str,
) -> None:
    # A French home: the warm-up caches the French prompt, as it would for its users.
    await hass.config.async_update(language="fr")
    await setup_entry(default_llama_server.url, temperature=0.0)
    await hass.async_block_till_done(wait_background_tasks=True)
    answer = speech(await converse(hass, question, language="fr"))
    assert looks_french(answer), answer
    assert expected.lower() in answer.lower(), answer
