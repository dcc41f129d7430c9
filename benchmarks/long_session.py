"""A long bilingual conversation at one satellite, through Home Assistant's real Assist pipeline.

    .venv/bin/python -m benchmarks.long_session [--first en,fr] [--model NAME]
        [--save results.jsonl] [--prefer-local]
    .venv/bin/python -m benchmarks.long_session --report results.jsonl

The setup of benchmarks/voice_e2e.py (the HA test harness's instance, HA's `wyoming` integration
against our all-in-one Wyoming server, the Heisenberg agent with its default settings against
llama-server with the default model and the launcher's command line), in the harness home
(`harness/fake_home.py`, every device exposed), Home Assistant's language English, and two
Assist pipelines made as HA's form makes them: English and French. One satellite that detects
its wake word itself asks the 22 turns of `long_session_script.py` (questions, follow-ups,
commands), a few in one language then a few in the other, in ONE conversation, as a Voice PE
with two wake words does; each `--first` language starts one session (a fresh conversation).

Per turn: the time from HA's end-of-speech decision (stt-vad-end) to the first byte of answer
audio, and to the model's first word (its text, after a holding phrase if one came first);
llama-server's prompt tokens evaluated / reused for the turn (@ its slot); whether the holding
phrase was said; whether the answer was right (expected words; a command by the device's state);
then where the time went: end of speech → transcript (STT), llama-server's own prompt
evaluation time, end of speech → whole answer text (HA speaks a short answer only then), and
→ HA's tts-end (the audio URL handed to the satellite, which fetches it then), and the
generation speed in tokens per second.
`--save` appends every turn to a JSON-lines file and `--report` summarizes such files (medians
over sessions per turn and language), so sessions can run one exclusive-lock run at a time.
"""

import argparse
import asyncio
import json
import os
import statistics
import sys
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from homeassistant import loader
from homeassistant.components.assist_pipeline import PipelineEventType, PipelineStage
from homeassistant.core import HomeAssistant
from homeassistant.setup import async_setup_component
from homeassistant.util import dt as dt_util
from pytest_homeassistant_custom_component.common import async_test_home_assistant
from wyoming.tts import SynthesizeVoice

import custom_components.heisenberg  # noqa: F401 - HA finds the integration once imported
from custom_components.heisenberg.apologies import without_holding_phrase
from harness.assist_pipeline import add_pipeline, add_voice_assistant, of_type, run_pipeline
from harness.audio_clip import AudioClip
from harness.fake_home import async_build_home
from harness.servers import ours, running
from harness.spoken_requests import spoken_question
from launcher.llama_server import LlamaServerProcess, find_llama_server
from launcher.llm_models import resolve_model
from launcher.process import cache_dir, free_port

from .answer_quality import score
from .completion_log import watch_completions
from .long_session_script import STEPS, languages
from .questions import HOME_NAME, Question
from .satellites import answer_text_at

HA_LANGUAGE = "en"
FULL_FROM_TURN = 7  # with 5 remembered exchanges (the default) the window is full from here


@dataclass
class Turn:
    """What one turn measured (ms; None when the mark is missing)."""

    session: str
    turn: int
    language: str
    asked: str
    heard: str = ""
    answer: str = ""
    to_audio_ms: float | None = None
    to_first_word_ms: float | None = None
    # Where the time went: end of speech → transcript, → whole answer text; llama-server's
    # prompt evaluation (ms) and generation speed (tokens/s) for the turn.
    stt_ms: float | None = None
    text_done_ms: float | None = None
    # → HA's tts-end (the answer's audio URL handed to the satellite, which fetches it then).
    tts_end_ms: float | None = None
    prompt_ms: float | None = None
    tokens_per_second: float | None = None
    prompt_tokens: int | None = None
    cached_tokens: int | None = None
    slot: int | None = None
    held: bool = False
    right: bool = False
    error: str = ""


def _ms(marks: dict[str, float], start: str, end: str) -> float | None:
    if start in marks and end in marks:
        return (marks[end] - marks[start]) * 1000
    return None


async def one_turn(
    hass: HomeAssistant,
    pipeline_id: str,
    clip: AudioClip,
    conversation_id: str | None,
    *,
    turn: Turn,
    completions: list[dict[str, Any]],
) -> str | None:
    """Ask one turn; fill `turn`; the conversation id HA answered in."""
    first = len(completions)
    run = await run_pipeline(
        hass, pipeline_id, clip, conversation_id, turn.language, start_stage=PipelineStage.STT
    )
    marks = run.marks
    if (at := answer_text_at(run.events)) is not None and "stt-end" in marks:
        marks["answer_text"] = marks["stt-end"] + at
    turn.to_audio_ms = _ms(marks, "stt-vad-end", "first_audio")
    turn.to_first_word_ms = _ms(marks, "stt-vad-end", "answer_text")
    turn.stt_ms = _ms(marks, "stt-vad-end", "stt-end")
    turn.text_done_ms = _ms(marks, "stt-vad-end", "intent-end")
    turn.tts_end_ms = _ms(marks, "stt-vad-end", "tts-end")
    if stt := of_type(run.events, PipelineEventType.STT_END):
        turn.heard = stt[0].get("stt_output", {}).get("text", "")
    turn.error = "; ".join(
        f"{e.get('code')}: {e.get('message')}" for e in of_type(run.events, PipelineEventType.ERROR)
    )
    answers = [p for p in completions[first:] if (p.get("timings") or {}).get("predicted_n")]
    if answers:
        timings = [p["timings"] for p in answers]
        turn.prompt_tokens = sum(t.get("prompt_n", 0) for t in timings)
        turn.cached_tokens = timings[0].get("cache_n")
        turn.slot = answers[0].get("id_slot")
        turn.prompt_ms = sum(t.get("prompt_ms", 0.0) for t in timings)
        turn.tokens_per_second = timings[0].get("predicted_per_second")
    intent = of_type(run.events, PipelineEventType.INTENT_END)
    if not intent:
        return conversation_id
    output = intent[0]["intent_output"]
    turn.answer = output["response"]["speech"].get("plain", {}).get("speech", "")
    turn.held = without_holding_phrase(turn.answer) != turn.answer
    return str(output["conversation_id"])


async def session(
    hass: HomeAssistant,
    pipelines: dict[str, str],
    clips: dict[tuple[int, str], AudioClip],
    first: str,
    completions: list[dict[str, Any]],
) -> list[Turn]:
    """The whole script in one conversation, starting in `first`."""
    other = "fr" if first == "en" else "en"
    name = f"{first}-first {dt_util.now():%H:%M}"
    conversation_id: str | None = None
    turns: list[Turn] = []
    for index, (step, language) in enumerate(zip(STEPS, languages(first, other), strict=True)):
        turn = Turn(name, index + 1, language, step.text(language))
        asked_at = dt_util.now()
        conversation_id = await one_turn(
            hass,
            pipelines[language],
            clips[index, language],
            conversation_id,
            turn=turn,
            completions=completions,
        )
        if step.entity:
            state = hass.states.get(step.entity)
            turn.right = state is not None and state.state == step.state
        else:
            question = Question(language, "session", turn.asked, step.expect)
            turn.right = score(question, without_holding_phrase(turn.answer), asked_at)
        turns.append(turn)
        print_turn(turn)
        await asyncio.sleep(1.0)  # a person's pause before the next request
    return turns


def print_turn(turn: Turn) -> None:
    def ms(value: float | None) -> str:
        return "-" if value is None else f"{value:.0f}"

    tokens = f"{turn.prompt_tokens}/{turn.cached_tokens}@{turn.slot}"
    speed = "-" if turn.tokens_per_second is None else f"{turn.tokens_per_second:.1f}"
    print(
        f"{turn.turn:>4} {turn.language:<4}{ms(turn.to_audio_ms):>8}{ms(turn.to_first_word_ms):>9}"
        f"{tokens:>17}{'held' if turn.held else '':>6}{'ok' if turn.right else 'BAD':>5}"
        f"{ms(turn.stt_ms):>6}{ms(turn.prompt_ms):>7}{ms(turn.text_done_ms):>7}"
        f"{ms(turn.tts_end_ms):>7}{speed:>6}  "
        f"{turn.heard!r} → {turn.answer!r} {turn.error}",
        flush=True,
    )


async def measure(
    firsts: list[str], wyoming_port: int, llama_url: str, prefer_local: bool, persona: str
) -> list[Turn]:
    print("synthesizing the spoken requests...", file=sys.stderr)
    clips: dict[tuple[int, str], AudioClip] = {}
    for index, step in enumerate(STEPS):
        for language in ("en", "fr"):
            voice = SynthesizeVoice(language=language)
            clips[index, language] = await spoken_question(wyoming_port, step.text(language), voice)
    completions = watch_completions()
    turns: list[Turn] = []
    async with async_test_home_assistant() as hass:
        hass.data.pop(loader.DATA_CUSTOM_COMPONENTS, None)  # let HA load custom integrations
        await hass.config.async_update(
            location_name=HOME_NAME, time_zone="Europe/Paris", language=HA_LANGUAGE
        )
        assert await async_setup_component(hass, "homeassistant", {})
        await async_build_home(hass)  # before the agent, so its warm-up lists the devices
        pipelines = {
            "en": await add_voice_assistant(
                hass,
                wyoming_port,
                llama_url,
                prefer_local,
                "en",
                deterministic=False,
                persona=persona,
            )
        }
        pipelines["fr"] = await add_pipeline(hass, "fr", "Heisenberg (français)", prefer_local)
        await hass.async_block_till_done(wait_background_tasks=True)
        await asyncio.sleep(2)
        warm_ups = sum(1 for p in completions if not (p.get("timings") or {}).get("predicted_n"))
        print(f"warm-up completions before the first turn: {warm_ups}", file=sys.stderr)
        print(
            f"\n{'turn':>4} {'lang':<4}{'audio':>8}{'1st word':>9}{'eval/reused@slot':>17}"
            f"{'':>6}{'':>5}{'STT':>6}{'prompt':>7}{'text':>7}{'tts':>7}{'tok/s':>6}  heard → answer"
        )
        for first in firsts:
            turns += await session(hass, pipelines, clips, first, completions)
        await hass.async_stop(force=True)
    return turns


def median(values: list[float]) -> str:
    return f"{statistics.median(values):.0f}" if values else "-"


def report(turns: list[Turn]) -> None:
    """Medians over the sessions: per language, its first turn, turn 20, the turns before and
    after the history window is full; the holding phrase and right answers over all turns."""
    sessions = len({t.session for t in turns})
    print(f"\nLong session — {sessions} sessions, {len(turns)} turns; ms, medians over turns")
    print(
        f"{'lang':<5}{'':<22}{'n':>4}{'audio':>8}{'1st word':>9}{'eval tok':>9}"
        f"{'held':>6}{'right':>7}{'prompt ms':>10}{'text ms':>8}{'tok/s':>6}"
    )
    for language in ("en", "fr"):
        mine = [t for t in turns if t.language == language]
        firsts = [
            next(t for t in turns if t.session == s and t.language == language)
            for s in sorted({t.session for t in mine})
        ]
        groups = {
            "its first turn": firsts,
            "session turn 1": [t for t in mine if t.turn == 1],
            "session turn 20": [t for t in mine if t.turn == 20],
            f"turns 2-{FULL_FROM_TURN - 1}": [t for t in mine if 1 < t.turn < FULL_FROM_TURN],
            f"turns {FULL_FROM_TURN}-{len(STEPS)}": [t for t in mine if t.turn >= FULL_FROM_TURN],
            "all turns": mine,
        }
        for label, group in groups.items():
            if not group:
                continue
            audio = [t.to_audio_ms for t in group if t.to_audio_ms is not None]
            word = [t.to_first_word_ms for t in group if t.to_first_word_ms is not None]
            evaluated = [float(t.prompt_tokens) for t in group if t.prompt_tokens is not None]
            prompt = [t.prompt_ms for t in group if t.prompt_ms is not None]
            text = [t.text_done_ms for t in group if t.text_done_ms is not None]
            speed = [t.tokens_per_second for t in group if t.tokens_per_second is not None]
            print(
                f"{language:<5}{label:<22}{len(group):>4}{median(audio):>8}{median(word):>9}"
                f"{median(evaluated):>9}{sum(t.held for t in group):>6}"
                f"{sum(t.right for t in group):>4}/{len(group):<2}{median(prompt):>10}"
                f"{median(text):>8}{(statistics.median(speed) if speed else 0):>6.1f}"
            )
    print("\nPer turn (medians over sessions): turn lang audio 1st-word evaluated")
    for number in range(1, len(STEPS) + 1):
        for language in ("en", "fr"):
            group = [t for t in turns if t.turn == number and t.language == language]
            if group:
                audio = [t.to_audio_ms for t in group if t.to_audio_ms is not None]
                word = [t.to_first_word_ms for t in group if t.to_first_word_ms is not None]
                evaluated = [float(t.prompt_tokens) for t in group if t.prompt_tokens is not None]
                print(
                    f"  {number:>3} {language} {median(audio):>6} {median(word):>6} "
                    f"{median(evaluated):>5}  (n={len(group)})"
                )


def load() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--first", default="en,fr", help="one session per language, in order")
    parser.add_argument("--model", help="model name or GGUF path (default: the launcher's)")
    parser.add_argument(
        "--llama-arg", action="append", default=[], metavar="ARG",
        help="one more llama-server argument (repeat: --llama-arg=--threads-batch --llama-arg=2)",
    )  # fmt: skip
    parser.add_argument(
        "--persona", default="default", help="the agent's persona (default, concise, ...)"
    )
    parser.add_argument("--save", type=Path, help="append every turn to this JSON-lines file")
    parser.add_argument("--report", type=Path, nargs="+", help="only summarize saved turns")
    parser.add_argument(
        "--prefer-local",
        action="store_true",
        help="pipelines prefer handling commands locally (HA's matcher before the agent)",
    )
    args = parser.parse_args()
    if args.report:
        saved = [
            Turn(**json.loads(line))
            for f in args.report
            for line in f.read_text().split("\n")
            if line
        ]
        report(saved)
        return
    print(f"load average at start: {load()} ({os.cpu_count()} CPUs)")
    logs = cache_dir()
    llama = LlamaServerProcess(
        model=resolve_model(args.model), binary=find_llama_server(), port=free_port(),
        log_path=logs / "bench-long-session-llama.log", extra_args=args.llama_arg,
    )  # fmt: skip
    started = time.monotonic()
    with running(ours("bench-long-session-wyoming", "wyoming_servers", debug=False), logs) as voice:
        try:
            llama.start()
            turns = asyncio.run(
                measure(
                    args.first.split(","), voice.port, llama.url, args.prefer_local, args.persona
                )
            )
        finally:
            llama.stop()
    if args.save:
        with args.save.open("a") as out:
            out.writelines(json.dumps(asdict(t)) + "\n" for t in turns)
    report(turns)
    print(f"load average at end: {load()}; {time.monotonic() - started:.0f} s in all")


if __name__ == "__main__":
    if not Path("custom_components").is_dir():
        sys.exit("run from the repository root: .venv/bin/python -m benchmarks.long_session")
    main()
