#!/usr/bin/env python3
"""Our STT server on real recorded speech, streamed as a satellite streams it.

    .venv/bin/python -m benchmarks.stt_recorded [--limit N] [--language fr] [--official N]
        [--show-errors] [-- OPTIONS FOR OUR SERVER]

The whole French and English sets of Debian's Asterisk prompts (`harness.recorded_speech`:
one French and one English speaker, 16 kHz, with transcripts) go one by one to
`python -m wyoming_servers.stt` as Home Assistant forwards a satellite's audio: 1024-sample
chunks in real time, room noise under the speech, 0.2 s of it before and, after the speech, the
~0.7 s of it a satellite's voice-activity detector waits for before `audio-stop` (Gaussian
noise at -60 dBFS, `--noise-dbfs`: a real microphone never sends digital zeros). Prints, per language: utterances,
word error rate (over all, and over those of 3 words or more, the sample earlier measurements
used), and median / p90 time from `audio-stop` to the transcript.

`--official N` also runs the official `wyoming-faster-whisper` (installed once by
`benchmarks.official_servers`) with the same model and beam size on N utterances of each
language, spread over the set, with our figures on that same subset beside it. Options after
`--` go to our server unchanged (`-- --beam-size 1`). This is a script, not a test.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import time
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import harness.wyoming_timing as wt
from benchmarks.official_servers import BENCH, official_python
from harness.audio_clip import RATE
from harness.recorded_speech import RecordedUtterance, recorded_speech
from harness.room_noise import in_room
from harness.scoring import word_errors
from harness.servers import MODEL_CACHE, ServerProcess, ours, running
from wyoming_servers.stt.end_of_speech import EndOfSpeech
from wyoming_servers.stt.models import builtin_models

LANGUAGES = ("fr", "en")
DEFAULT_MODEL = {"en": "tiny.en", "fr": "base"}  # what our server serves each with by default
LEAD_SECONDS = 0.2  # noise before the speech (the recordings start almost at once)
TAIL_SECONDS = 0.7  # noise after it, until the satellite's VAD sends audio-stop


@dataclass(frozen=True)
class Heard:
    """One utterance through one server."""

    utterance: RecordedUtterance
    text: str
    errors: int
    words: int
    latency: float  # audio-stop -> transcript, seconds


def row(server: str, heard: list[Heard]) -> str:
    """A table row: utterances, WER (all; 3+ words), median and p90 latency."""
    long = [h for h in heard if h.words >= 3]
    latencies = sorted(h.latency for h in heard)
    p90 = latencies[min(len(latencies) - 1, int(0.9 * len(latencies)))]
    return (
        f"| {server} | {len(heard)} | {_wer(heard):.3f} | {_wer(long):.3f} | "
        f"{statistics.median(latencies) * 1000:.0f} ms | {p90 * 1000:.0f} ms |"
    )


def _wer(heard: Iterable[Heard]) -> float:
    errors = words = 0
    for h in heard:
        errors, words = errors + h.errors, words + h.words
    return errors / max(1, words)


def spread(utterances: list[RecordedUtterance], count: int | None) -> list[RecordedUtterance]:
    """`count` utterances evenly over the name-sorted set (all when None)."""
    if count is None or count >= len(utterances):
        return utterances
    return [utterances[i * len(utterances) // count] for i in range(count)]


async def measure(
    port: int, label: str, language: str, utterances: list[RecordedUtterance], dbfs: float
) -> list[Heard]:
    await wt.stt(port, utterances[0].clip, realtime=False, language=language)  # warm-up
    heard = []
    for i, utterance in enumerate(utterances, 1):
        # The same noise for every server: seeded by the utterance.
        clip = in_room(utterance.clip, LEAD_SECONDS, TAIL_SECONDS, dbfs, seed=i)
        run = await wt.stt(port, clip, realtime=True, language=language)
        errors, words = word_errors(utterance.transcript, run.text)
        heard.append(Heard(utterance, run.text, errors, words, run.latency))
        if i % 50 == 0:
            print(f"  {label} {language}: {i}/{len(utterances)}", flush=True)
    return heard


def official_server(language: str, beam_size: str) -> ServerProcess | None:
    """The official server with the model ours uses for `language`, or None."""
    model = builtin_models(MODEL_CACHE).get(DEFAULT_MODEL[language])
    python = official_python("faster-whisper")
    if python is None or model is None:
        return None
    command = [
        str(python), "-m", "wyoming_faster_whisper", "--model", str(model.path),
        "--data-dir", str(BENCH / "fw-data"), "--local-files-only", "--language", language,
        "--compute-type", "int8", "--beam-size", beam_size,
    ]  # fmt: skip
    return ServerProcess(f"official-faster-whisper-{language}", command)


def vad_cpu_per_audio_second(utterances: list[RecordedUtterance]) -> float:
    """CPU seconds our end-of-speech model takes per second of one stream's audio."""
    speech = EndOfSpeech()
    audio_bytes = 0
    start = time.process_time()
    for utterance in utterances:
        speech.reset()
        speech.feed(utterance.clip.audio)
        audio_bytes += len(utterance.clip.audio)
    return (time.process_time() - start) / (audio_bytes / (2 * RATE))


def load_average() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


async def run(args: argparse.Namespace, server_args: list[str]) -> None:
    print(f"load average at start: {load_average()}", flush=True)
    sets = {lang: spread(recorded_speech(lang), args.limit) for lang in args.language}
    tables: dict[str, list[str]] = {lang: [] for lang in args.language}
    ours_stt = ours("ours-stt", "wyoming_servers.stt", *server_args, debug=args.debug)
    results: dict[str, list[Heard]] = {}
    with running(ours_stt, BENCH) as server:
        for language, utterances in sets.items():
            print(f"ours, {language}: {len(utterances)} utterances ...", flush=True)
            results[language] = await measure(
                server.port, "ours", language, utterances, args.noise_dbfs
            )
            tables[language].append(row("ours", results[language]))
    beam = (
        server_args[server_args.index("--beam-size") + 1] if "--beam-size" in server_args else "5"
    )
    for language, utterances in sets.items() if args.official else ():
        subset = spread(utterances, args.official)
        official = official_server(language, beam)
        if official is None:
            print(f"  (no official server or no model for {language}: skipped)")
            continue
        with running(official, BENCH) as server:
            print(f"official, {language}: {len(subset)} utterances ...", flush=True)
            theirs = await measure(server.port, "official", language, subset, args.noise_dbfs)
        names = {u.name for u in subset}
        mine = [h for h in results[language] if h.utterance.name in names]
        tables[language] += [row("ours, same subset", mine), row("official", theirs)]
    for language, rows in tables.items():
        print(f"\n{language} ({args.noise_dbfs:g} dBFS room noise):")
        print(
            "| server | utterances | WER | WER, 3+ words | audio-stop → transcript, median | p90 |"
        )
        print("|---|---|---|---|---|---|")
        print("\n".join(rows))
        if args.show_errors:
            for h in results[language]:
                if h.errors:
                    print(f"  {h.utterance.name}: {h.utterance.transcript!r} -> {h.text!r}")
    cpu = vad_cpu_per_audio_second(recorded_speech("en")[:100])
    print(f"\nend-of-speech VAD CPU per audio second (one stream): {cpu * 1000:.1f} ms")
    print(f"load average at end: {load_average()}")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--language", action="append", choices=LANGUAGES, help="default: both")
    parser.add_argument("--limit", type=int, help="N utterances per language, spread over it")
    parser.add_argument(
        "--official", type=int, default=0, metavar="N",
        help="also run the official wyoming-faster-whisper on N utterances per language",
    )  # fmt: skip
    parser.add_argument("--noise-dbfs", type=float, default=-60.0, help="room noise level")
    parser.add_argument("--show-errors", action="store_true", help="print what was misheard")
    parser.add_argument("--debug", action="store_true", help="run our server with --debug")
    args, server_args = parser.parse_known_args()
    args.language = args.language or list(LANGUAGES)
    server_args = [a for a in server_args if a != "--"]
    BENCH.mkdir(parents=True, exist_ok=True)
    asyncio.run(run(args, server_args))


if __name__ == "__main__":
    main()
