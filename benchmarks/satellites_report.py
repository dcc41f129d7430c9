"""What benchmarks/satellites.py measured, and its report: each satellite's outcome, each count's
results, and the printed tables (medians, stage staircases, llama-server's own figures)."""

from __future__ import annotations

import statistics
from dataclasses import dataclass, field
from typing import Any

from custom_components.heisenberg.apologies import apology, without_holding_phrase

# (column, start mark, end mark) of PipelineRun.marks; "tts" starts when HA has text to speak:
# when it started streaming a long answer, else at intent-end. "answer_text" is the first text
# of the model's answer (after the agent's holding phrase, if it said one).
STAGES = [
    ("STT", "stt-vad-end", "stt-end"),
    ("LLM 1st text", "stt-end", "answer_text"),
    ("text done", "stt-end", "intent-end"),
    ("TTS", "tts", "first_audio"),
]
TOTAL = ("stt-vad-end", "first_audio")
WORST_TARGET_MS = 4000  # 8 at once: all answered, the worst within 4 s
TWO_VS_ONE_TARGET = 1.5  # 2 at once: within 1.5 x one


APOLOGIES = [
    apology(reason, "en")
    for reason in ("cannot_connect", "loading", "timeout", "server_error", "empty_answer")
]


@dataclass
class Outcome:
    """One satellite's run."""

    question: str
    heard: str = ""
    answer: str = ""
    marks: dict[str, float] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)
    audio_bytes: int = 0

    @property
    def spoke(self) -> bool:
        """The satellite got answer audio and no error event."""
        return not self.errors and self.audio_bytes > 44 and "first_audio" in self.marks

    @property
    def apologized(self) -> bool:
        """The agent gave up (its spoken apology: a timeout, an unreachable server...)."""
        return any(text in self.answer for text in APOLOGIES)

    @property
    def answered(self) -> bool:
        """Answer audio of a real answer, not an apology."""
        return self.spoke and not self.apologized

    @property
    def held(self) -> bool:
        """The agent said a holding phrase first (llama-server silent for a while, or every
        slot busy with the other satellites' answers)."""
        return without_holding_phrase(self.answer) != self.answer

    def span_ms(self, start: str, end: str) -> float | None:
        if start == "tts":
            start = "tts_start_streaming" if "tts_start_streaming" in self.marks else "intent-end"
        if start in self.marks and end in self.marks:
            return (self.marks[end] - self.marks[start]) * 1000
        return None


@dataclass
class Completion:
    """What llama-server reported at the end of one of the agent's completions."""

    at: float
    timings: dict[str, Any]
    slot: int


def ms(value: float | None) -> str:
    return "-" if value is None else f"{value:.0f}"


def median(values: list[float]) -> float | None:
    return statistics.median(values) if values else None


@dataclass
class CountResult:
    count: int
    outcomes: list[Outcome] = field(default_factory=list)
    rounds: list[list[Outcome]] = field(default_factory=list)
    completions: list[list[Completion]] = field(default_factory=list)
    loads: list[str] = field(default_factory=list)

    def spans(self, start: str, end: str) -> list[float]:
        """The span in every run that has both marks."""
        return [t for o in self.outcomes if (t := o.span_ms(start, end)) is not None]


def print_report(results: list[CountResult], rounds: int, setup: str) -> None:
    print(f"\nSatellites asking at once — {setup}, {rounds} rounds per count")
    print(
        "ms, medians over the runs (worst = the slowest run). answered: real answers with "
        "audio; apology: the agent's spoken apology instead (e.g. its timeout); error: a pipeline "
        "error event or no audio; held: a holding phrase came first ('One moment, please…': "
        "after 0.75 s when every slot is busy with the other satellites' answers, after 3 s "
        "without a token otherwise).\n"
        "first audio: audio-stop → first byte of answer audio (the holding phrase, if one), "
        "fetched as a streaming satellite does; answer text: audio-stop → the model's first "
        "answer text; STT: audio-stop → transcript; LLM 1st text: transcript → the model's "
        "first answer text; text done: transcript → whole answer; TTS: text HA can speak "
        "(stream start or whole answer) → first audio byte.\n"
    )
    header = (
        f"{'N':>2}{'answered':>9}{'apology':>8}{'error':>6}{'held':>5}"
        f"{'first audio':>12}{'worst':>7}{'answer text':>12}{'worst':>7}"
        + "".join(f"{name:>13}" for name, _, _ in STAGES)
    )
    print(header)
    print("-" * len(header))
    for r in results:
        first_audio = r.spans(*TOTAL)
        answer_text = r.spans("stt-vad-end", "answer_text")
        n = len(r.outcomes)
        print(
            f"{r.count:>2}{f'{sum(o.answered for o in r.outcomes)}/{n}':>9}"
            f"{sum(o.apologized for o in r.outcomes):>8}"
            f"{sum(not o.spoke for o in r.outcomes):>6}{sum(o.held for o in r.outcomes):>5}"
            f"{ms(median(first_audio)):>12}{ms(max(first_audio, default=None)):>7}"
            f"{ms(median(answer_text)):>12}{ms(max(answer_text, default=None)):>7}"
            + "".join(f"{ms(median(r.spans(a, b))):>13}" for _, a, b in STAGES)
        )
    print("\nTargets (the issue):")
    by_count = {r.count: r for r in results}
    if (eight := by_count.get(8)) is not None:
        answered = sum(o.answered for o in eight.outcomes)
        worst_audio = max(eight.spans(*TOTAL), default=None)
        worst_answer = max(eight.spans("stt-vad-end", "answer_text"), default=None)
        ok = (
            answered == len(eight.outcomes)
            and worst_audio is not None
            and worst_audio <= WORST_TARGET_MS
        )
        print(
            f"  8 at once, all answered and worst ≤ {WORST_TARGET_MS} ms: "
            f"{answered}/{len(eight.outcomes)} answered, worst first audio {ms(worst_audio)} ms, "
            f"worst answer text {ms(worst_answer)} ms → {'met' if ok else 'NOT met'}"
        )
    if (one := by_count.get(1)) and (two := by_count.get(2)):
        one_median = median(one.spans(*TOTAL))
        two_spans = two.spans(*TOTAL)
        if one_median and two_spans:
            ratio = statistics.median(two_spans) / one_median
            worst_ratio = max(two_spans) / one_median
            ok = all(o.answered for o in two.outcomes) and worst_ratio <= TWO_VS_ONE_TARGET
            print(
                f"  2 at once ≤ {TWO_VS_ONE_TARGET}x one (first audio): median {ratio:.2f}x, "
                f"worst {worst_ratio:.2f}x of one's median {one_median:.0f} ms "
                f"→ {'met' if ok else 'NOT met'} (judged on the worst, all answered)"
            )

    print("\nPer round, each stage sorted over the satellites (a staircase is a queue):")
    for r in results:
        for index, outcomes in enumerate(r.rounds):
            parts = []
            for name, a, b in [*STAGES, ("TOTAL", *TOTAL)]:
                values = sorted(t for o in outcomes if (t := o.span_ms(a, b)) is not None)
                parts.append(f"{name} " + "/".join(f"{v:.0f}" for v in values))
            print(f"  N={r.count} round {index + 1}: " + " | ".join(parts))
            errors = [e for o in outcomes for e in o.errors]
            if errors:
                print(f"      errors: {'; '.join(sorted(set(errors)))[:300]}")

    print("\nllama-server's own figures for the agent's completions that finished, per round")
    print(
        "(evaluated/reused prompt tokens @ slot, prompt ms, generated tokens at tokens/s; a "
        "request the agent gave up on reports nothing):"
    )
    for r in results:
        for index, done in enumerate(r.completions):
            parts = [
                f"{c.timings.get('prompt_n', '?')}/{c.timings.get('cache_n', '?')}@{c.slot} "
                f"{c.timings.get('prompt_ms', 0):.0f} ms, {c.timings.get('predicted_n', '?')} "
                f"at {c.timings.get('predicted_per_second', 0):.1f}/s"
                for c in done
            ]
            print(f"  N={r.count} round {index + 1} ({len(done)}): " + "; ".join(parts))

    print("\nLoad average (1, 5, 15 min) before → after each round:")
    for r in results:
        print(f"  N={r.count}: " + " | ".join(r.loads))
