"""Are the agent's answers right, short and clean? Each candidate model, English and French.

    .venv/bin/python -m benchmarks.answer_quality [--models qwen2.5-1.5b,qwen2.5-0.5b,gemma3-270m]
                                                  [--runs 2] [--threads N] [--show wrong|all]
                                                  [--home] [--set questions|two-turn]
                                                  [--ha-language en|fr|other]

Every question of `benchmarks/questions.py` is asked through the real Heisenberg agent in Home
Assistant's harness (a real HA core, the agent's default settings: temperature 0.7, automatic
prompt format, default persona), against a real llama-server with each model, `--runs` times,
each time in a new conversation (a follow-up first asks its earlier question in the same one).
Scoring is automatic, by expected words (see questions.py). Printed per model and language:
% right, answers with a leaked label (a role label, "Question 3:", a prompt-format marker),
answers over 40 words, median time to the first streamed text and to the end of the answer.
`--set two-turn` asks the dialogs of two_turn.py instead (scored on the follow-up; the first
answers' own score beside). `--ha-language other` asks each language's questions of a new
agent while Home Assistant's own language is the other one (a bilingual home: the warm-up
knows the language only from HA's setting or a pipeline, and here there is no pipeline).
"""

import argparse
import asyncio
import re
import statistics
import sys
import time
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from homeassistant import loader
from homeassistant.components import conversation
from homeassistant.core import Context, HomeAssistant
from homeassistant.helpers import chat_session
from homeassistant.setup import async_setup_component
from homeassistant.util import dt as dt_util
from pytest_homeassistant_custom_component.common import (
    async_test_home_assistant,
)

import custom_components.heisenberg  # noqa: F401 - HA finds the integration once imported
from harness.fake_home import async_build_home
from launcher.llama_server import LlamaServerProcess, find_llama_server
from launcher.llm_models import MODELS, resolve_model
from launcher.process import cache_dir, free_port

from .ha_agent import async_add_agent
from .questions import HOME_NAME, QUESTIONS, Question
from .two_turn import DIALOGS, FIRST_ANSWERS

# What a leaked turn looks like in any format: a role or Q/A label at the start of a line or
# sentence, or a control marker of a prompt format.
LEAK = re.compile(
    r"(?:^|\n|[.!?]\s+)\s*(?:user|assistant|system|human|ai|bot|question|answer|response|q|a|"
    r"utilisateur|réponse|reponse)(?:\s*\d+)?\s*:"
    r"|<\||\|>|\[/?INST\]|<</?SYS>>|</s>|<start_of_turn>|<end_of_turn>",
    re.IGNORECASE,
)
LONG_WORDS = 40


@dataclass
class Outcome:
    """One asked question."""

    question: Question
    answer: str
    right: bool
    leaked: bool
    words: int
    first_text_s: float | None
    total_s: float
    first_right: bool | None = None  # a follow-up's first answer, when its words are known


@dataclass
class Tally:
    """The outcomes of one model in one language."""

    outcomes: list[Outcome] = field(default_factory=list)

    def row(self) -> str:
        n = len(self.outcomes)
        right = sum(o.right for o in self.outcomes)
        leaks = sum(o.leaked for o in self.outcomes)
        long = sum(o.words > LONG_WORDS for o in self.outcomes)
        firsts = [o.first_text_s for o in self.outcomes if o.first_text_s is not None]
        ttft = statistics.median(firsts) * 1000 if firsts else float("nan")
        end = statistics.median(o.total_s for o in self.outcomes) * 1000
        firsts = [o.first_right for o in self.outcomes if o.first_right is not None]
        first = f"{100 * sum(firsts) / len(firsts):>8.1f}%" if firsts else ""
        return (
            f"{n:>5}{100 * right / n:>8.1f}%{leaks:>7}{100 * long / n:>9.1f}%"
            f"{ttft:>10.0f}{end:>10.0f}{first}"
        )


def normalize(text: str) -> str:
    """Lower case, no accents, straight apostrophes, single spaces."""
    text = text.replace("\u2019", "'").replace("\u00a0", " ").replace("\u202f", " ")
    decomposed = unicodedata.normalize("NFKD", text.lower())
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    return re.sub(r"\s+", " ", plain)


def contains(answer: str, phrase: str) -> bool:
    """`phrase` in `answer` as whole words or numbers."""
    pattern = r"(?<![a-z0-9])" + re.escape(normalize(phrase)) + r"(?![a-z0-9])"
    return re.search(pattern, normalize(answer)) is not None


def score(question: Question, answer: str, asked_at: Any) -> bool:
    expected: Sequence[str] = (
        question.expect(asked_at, question.language)
        if callable(question.expect)
        else question.expect
    )
    if any(contains(answer, word) for word in question.reject):
        return False
    return any(contains(answer, word) for word in expected)


async def ask(
    hass: HomeAssistant, agent_id: str, text: str, language: str, conversation_id: str | None
) -> tuple[str, str, float | None, float]:
    """One turn as the Assist pipeline runs it (streaming listener attached)."""
    first_text: list[float] = []

    def listener(_log: conversation.ChatLog, delta: dict[str, Any]) -> None:
        if delta.get("content") and not first_text:
            first_text.append(time.monotonic())

    started = time.monotonic()
    with chat_session.async_get_chat_session(hass, conversation_id) as session:
        user_input = conversation.ConversationInput(
            text=text, context=Context(), conversation_id=session.conversation_id,
            device_id=None, satellite_id=None, language=language, agent_id=agent_id,
        )  # fmt: skip
        with conversation.async_get_chat_log(
            hass, session, user_input, chat_log_delta_listener=listener
        ):
            result = await conversation.async_converse(
                hass, text, session.conversation_id, Context(), language=language,
                agent_id=agent_id,
            )  # fmt: skip
    total = time.monotonic() - started
    speech = str(result.response.speech.get("plain", {}).get("speech", ""))
    first = first_text[0] - started if first_text else None
    return speech, str(result.conversation_id), first, total


async def ask_all(
    hass: HomeAssistant, url: str, questions: tuple[Question, ...], runs: int, show: str
) -> dict[str, Tally]:
    """All questions, `runs` times, through a new agent against the server at `url`."""
    tallies = {"en": Tally(), "fr": Tally()}
    entry, agent_id = await async_add_agent(hass, url)
    for _run in range(runs):
        for question in questions:
            conversation_id, first_right = None, None
            for earlier in question.after:
                first_answer, conversation_id, _, _ = await ask(
                    hass, agent_id, earlier, question.language, conversation_id
                )
                if earlier in FIRST_ANSWERS:
                    first_right = any(contains(first_answer, w) for w in FIRST_ANSWERS[earlier])
            asked_at = dt_util.now()
            answer, _, first, total = await ask(
                hass, agent_id, question.text, question.language, conversation_id
            )
            outcome = Outcome(
                question, answer, score(question, answer, asked_at),
                LEAK.search(answer) is not None, len(answer.split()), first, total, first_right,
            )  # fmt: skip
            tallies[question.language].outcomes.append(outcome)
            if show == "all" or (show == "wrong" and not (outcome.right and not outcome.leaked)):
                mark = "ok " if outcome.right else "BAD"
                print(
                    f"  {mark} [{question.category}] {question.text} → {answer!r}", file=sys.stderr
                )
    await hass.config_entries.async_remove(entry.entry_id)
    return tallies


async def ask_in_languages(
    hass: HomeAssistant,
    url: str,
    questions: tuple[Question, ...],
    runs: int,
    show: str,
    *,
    ha_language: str,
) -> dict[str, Tally]:
    """All questions with HA's language `ha_language`; with "other", each language's
    questions of an agent added while HA's language is the other one."""
    if ha_language != "other":
        await hass.config.async_update(language=ha_language)
        return await ask_all(hass, url, questions, runs, show)
    tallies: dict[str, Tally] = {}
    for language, other in (("en", "fr"), ("fr", "en")):
        mine = tuple(q for q in questions if q.language == language)
        if mine:
            await hass.config.async_update(language=other)
            tallies[language] = (await ask_all(hass, url, mine, runs, show))[language]
    return tallies


async def run_models(
    names: list[str],
    questions: tuple[Question, ...],
    runs: int,
    threads: int | None,
    show: str,
    *,
    home: bool = False,
    ha_language: str = "en",
) -> dict[str, dict[str, Tally]]:
    """One Home Assistant (the harness allows one per process), one llama-server per model."""
    results: dict[str, dict[str, Tally]] = {}
    binary = find_llama_server()
    async with async_test_home_assistant() as hass:
        hass.data.pop(loader.DATA_CUSTOM_COMPONENTS, None)
        await hass.config.async_update(location_name=HOME_NAME, time_zone="Europe/Paris")
        assert await async_setup_component(hass, "homeassistant", {})
        assert await async_setup_component(hass, "conversation", {})
        if home:
            await async_build_home(hass)
        for name in names:
            print(f"[{name}] asking {len(questions)} questions x {runs}", file=sys.stderr)
            server = LlamaServerProcess(
                model=resolve_model(name), binary=binary, port=free_port(),
                log_path=cache_dir() / "bench-answer-quality-llama.log",
            )  # fmt: skip
            if threads:
                server.threads = threads
            await asyncio.to_thread(server.start)
            try:
                results[name] = await ask_in_languages(
                    hass, server.url, questions, runs, show, ha_language=ha_language
                )
            finally:
                server.stop()
            for lang, tally in results[name].items():
                if tally.outcomes:
                    print(f"[{name}] {lang}: {tally.row()}", file=sys.stderr)
        await hass.async_stop(force=True)
    return results


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--models", default=",".join(MODELS), help="names or GGUF paths")
    parser.add_argument("--runs", type=int, default=2)
    parser.add_argument("--threads", type=int, help="llama-server threads (launcher default)")
    parser.add_argument("--show", choices=("none", "wrong", "all"), default="wrong")
    parser.add_argument("--lang", choices=("en", "fr"), help="only the questions in this language")
    parser.add_argument(
        "--set",
        choices=("questions", "two-turn"),
        default="questions",
        help="questions.py (default) or the two-turn dialogs of two_turn.py",
    )
    parser.add_argument(
        "--ha-language",
        choices=("en", "fr", "other"),
        default="en",
        help="Home Assistant's own language; other: the other one than each question's",
    )
    parser.add_argument(
        "--category",
        choices=sorted({q.category for q in (*QUESTIONS, *DIALOGS)}),
        help="only the questions of this category (a follow-up keeps its first turn)",
    )
    parser.add_argument(
        "--home",
        action="store_true",
        help="ask in a home with exposed devices (tests/home), without the questions that "
        "assume the agent cannot see the home",
    )
    args = parser.parse_args()
    asked = DIALOGS if args.set == "two-turn" else QUESTIONS
    questions = tuple(
        q
        for q in asked
        if args.lang in (None, q.language)
        and args.category in (None, q.category)
        and not (args.home and q.category == "home")
    )
    results = asyncio.run(
        run_models(
            args.models.split(","),
            questions,
            args.runs,
            args.threads,
            args.show,
            home=args.home,
            ha_language=args.ha_language,
        )
    )
    print(
        f"\nAnswer quality — {len(questions)} {args.set} x {args.runs} runs, temperature 0.7, "
        f"HA's language {args.ha_language}\n"
    )
    print(f"{'model':<16}{'lang':<6}{'n':>5}{'right':>9}{'leaks':>7}{'>40 words':>10}"
          f"{'TTFT ms':>10}{'end ms':>10}{' 1st right' if args.set == 'two-turn' else ''}")  # fmt: skip
    for name, tallies in results.items():
        for lang, tally in tallies.items():
            if tally.outcomes:
                print(f"{name:<16}{lang:<6}{tally.row()}")


if __name__ == "__main__":
    main()
