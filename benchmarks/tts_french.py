"""Which French voice: the candidates reachable offline, heard back by our speech-to-text.

    .venv/bin/python -m benchmarks.tts_french [--sentences 90]

No French Piper voice exists in any package reachable here. The candidates: SVOX Pico `fr-FR`
(what our TTS server serves, measured through it over Wyoming) and espeak-ng with the MBROLA
diphone voices fr1 (male) and fr4 (female) (Debian contrib/non-free, fetched by this script into
.cache/bench/mbrola, run as `espeak-ng -v mb-fr1`). Each says the same French sentences: answers
an assistant gives and the real French speaker's prompts (harness.recorded_speech); our STT
server (Whisper base, French) transcribes them. Printed: word error rate (lower = easier to
understand), real-time factor, time to the first audio.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import subprocess
import time
import wave
from collections.abc import Awaitable, Callable
from pathlib import Path

from wyoming.tts import SynthesizeVoice

from harness.audio_clip import AudioClip
from harness.recorded_speech import pick, recorded_speech
from harness.scoring import word_errors
from harness.servers import ROOT, ours, running
from harness.wyoming_client import transcript_text
from harness.wyoming_timing import tts

MBROLA = ROOT / ".cache" / "bench" / "mbrola"
ANSWERS = [
    "Il est quinze heures trente.",
    "La lumière de la cuisine est allumée.",
    "Paris est la capitale de la France.",
    "Il fait douze degrés dehors et le ciel est nuageux.",
    "J'ai éteint toutes les lumières du salon.",
    "La porte d'entrée est verrouillée.",
    "Une araignée a huit pattes.",
    "Nous sommes lundi premier décembre.",
    "Le chauffage de la chambre est réglé sur vingt degrés.",
    "Je n'ai trouvé aucun appareil de ce nom.",
    "La plus grande planète du système solaire est Jupiter.",
    "Le volet du bureau est fermé à moitié.",
    "L'eau bout à cent degrés au niveau de la mer.",
    "Je ne peux pas contrôler cet appareil.",
    "Bonne nuit, à demain matin.",
]


def fetch_mbrola() -> Path | None:
    """espeak-ng and the MBROLA fr1/fr4 voices unpacked under .cache/bench/mbrola (once)."""
    root = MBROLA / "root"
    if (root / "usr" / "bin" / "espeak-ng").is_file():
        return root
    debs = MBROLA / "debs"
    debs.mkdir(parents=True, exist_ok=True)
    packages = (
        "espeak-ng libespeak-ng1 espeak-ng-data libpcaudio0 libsonic0 mbrola mbrola-fr1 mbrola-fr4"
    )
    script = (
        f'source scripts/bootstrap.sh && release_apt && cd "{debs}" && '
        f'apt-get "${{RELEASE_APT[@]}}" download -qq {packages}'
    )
    fetched = subprocess.run(["bash", "-c", script], cwd=ROOT, capture_output=True, check=False)
    if fetched.returncode:
        print("  (MBROLA could not be fetched: Debian's apt-get and network are needed)")
        return None
    for deb in debs.glob("*.deb"):
        subprocess.run(["dpkg", "-x", str(deb), str(root)], check=True)
    data = root / "usr" / "lib" / "x86_64-linux-gnu" / "espeak-ng-data"
    (data / "mbrola").mkdir(exist_ok=True)
    for voice in ("fr1", "fr4"):  # espeak-ng looks for MBROLA voices beside its own data
        (data / "mbrola" / voice).symlink_to(root / "usr" / "share" / "mbrola" / voice / voice)
    return root


def espeak(root: Path, voice: str, text: str, out: Path) -> AudioClip:
    lib = root / "usr" / "lib" / "x86_64-linux-gnu"
    env = dict(os.environ, LD_LIBRARY_PATH=str(lib), ESPEAK_DATA_PATH=str(lib))
    env["PATH"] = f"{root / 'usr' / 'bin'}:{env['PATH']}"  # espeak-ng runs `mbrola`
    command = [str(root / "usr" / "bin" / "espeak-ng"), "-v", voice, "-w", str(out), text]
    subprocess.run(command, env=env, check=True, capture_output=True)
    with wave.open(str(out)) as wav:
        return AudioClip(wav.readframes(wav.getnframes()), wav.getframerate())


Say = Callable[[str], Awaitable[tuple[AudioClip, float, float]]]  # clip, synthesis s, first s


async def score(port: int, sentences: list[str], say: Say) -> tuple[float, float, float]:
    """(word error rate, real-time factor, median time to first audio) of one voice."""
    errors = words = 0
    synthesis = audio = 0.0
    firsts: list[float] = []
    for text in sentences:
        clip, seconds, first = await say(text)
        synthesis, audio = synthesis + seconds, audio + clip.seconds
        firsts.append(first)
        wrong, count = word_errors(text, await transcript_text(port, clip, "fr"))
        errors, words = errors + wrong, words + count
    firsts.sort()
    return errors / words, synthesis / audio, firsts[len(firsts) // 2]


def mbrola_voice(root: Path, voice: str) -> Say:
    async def say(text: str) -> tuple[AudioClip, float, float]:
        started = time.perf_counter()
        clip = espeak(root, voice, text, MBROLA / "out.wav")
        took = time.perf_counter() - started
        return clip, took, took  # a whole file at once: the first audio is all of it

    return say


async def run(port: int, sentences: list[str], mbrola: Path | None) -> None:
    rows: list[tuple[str, tuple[float, float, float]]] = []

    async def pico(text: str) -> tuple[AudioClip, float, float]:
        result = await tts(port, text, streaming=False, voice=SynthesizeVoice(name="fr_FR-pico"))
        return result.clip, result.total, result.first_audio

    rows.append(("SVOX Pico fr-FR (our server, over Wyoming)", await score(port, sentences, pico)))
    for voice in ("mb-fr1", "mb-fr4") if mbrola is not None else ():
        label = f"espeak-ng + MBROLA {voice[3:]} (a program per sentence)"
        assert mbrola is not None
        rows.append((label, await score(port, sentences, mbrola_voice(mbrola, voice))))
    words = sum(len(s.split()) for s in sentences)
    print(f"\nFrench voices — {len(sentences)} sentences ({words} words), heard by Whisper base\n")
    print(f"{'voice':<48}{'WER':>7}{'RTF':>8}{'first audio':>13}")
    for name, (wer, rtf, first) in rows:
        print(f"{name:<48}{wer:>7.3f}{rtf:>8.3f}{first * 1000:>10.0f} ms")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--sentences", type=int, default=90, help="how many sentences (15-200)")
    args = parser.parse_args()
    prompts = pick(recorded_speech("fr"), max(0, args.sentences - len(ANSWERS)), min_words=4)
    sentences = (ANSWERS + [u.transcript for u in prompts])[: args.sentences]
    mbrola = fetch_mbrola()
    logs = ROOT / ".cache" / "bench"
    with running(ours("bench-tts-french", "wyoming_servers", debug=False), logs) as server:
        asyncio.run(run(server.port, sentences, mbrola))


if __name__ == "__main__":
    main()
