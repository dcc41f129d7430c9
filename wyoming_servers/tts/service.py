"""Text-to-speech service (Piper): `python -m wyoming_servers.tts`.

Flags, voice loading and the `info` entries; each connection gets a `TtsHandler`
(`handler.py`) with the voices of every `Synthesizer` (`voice_choice.py`), the inference pool
and the settings.
"""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path

from wyoming.info import Attribution, Info, TtsProgram

from ..server.connection import Connection
from ..server.pool import InferencePool
from ..server.runner import ArgumentSink, run_module
from .handler import TtsHandler
from .pico import PicoSynthesizer, find_pico
from .piper_voice import PiperSynthesizer
from .synthesizer import Synthesizer
from .utterance import TtsSettings
from .voice_choice import VoiceChoice
from .voices import piper_joe, resolve_voices

NAME = "tts"
_LOGGER = logging.getLogger(__name__)
# Where scripts/bootstrap.sh unpacks what is not on PyPI (the Pico voices).
PROJECT_CACHE = Path(__file__).resolve().parents[2] / ".cache"
PROJECT_URL = "https://github.com/heisenberg-assistant/heisenberg"


def add_arguments(parser: ArgumentSink, prefix: str) -> None:
    parser.add_argument(
        "--voice",
        dest="tts_voice",
        help="default voice (for requests that name no voice and no language): an installed "
        "voice name (en_US-joe-medium, fr_FR-pico, ...) or a Piper .onnx file with its "
        ".onnx.json next to it. Default: the first Piper voice found",
    )
    parser.add_argument(
        "--pico-dir",
        dest="tts_pico_dir",
        type=Path,
        help="SVOX Pico voices (French, German, Spanish, Italian, English): a directory with "
        "lib/libttspico.so.0 and lang/*.bin. Default: .cache/pico (scripts/run.sh fetches it), "
        "else a system-wide libttspico",
    )
    parser.add_argument(
        "--no-pico",
        dest="tts_pico",
        action="store_false",
        help="do not load the Pico voices",
    )
    parser.add_argument(
        "--data-dir",
        dest="tts_data_dir",
        action="append",
        type=Path,
        default=[],
        help="directory with more Piper voices (NAME.onnx + NAME.onnx.json); repeatable",
    )
    parser.add_argument(
        "--speaker",
        dest="tts_speaker",
        help="default speaker of a multi-speaker voice",
    )
    parser.add_argument(
        "--samples-per-chunk",
        dest="tts_samples_per_chunk",
        type=int,
        default=1024,
        help="audio samples per audio-chunk event",
    )
    parser.add_argument(
        "--fast-start-words",
        dest="tts_fast_start_words",
        type=int,
        default=0,
        help="the first sentence is always cut at its first natural pause (comma, "
        "conjunction) so audio starts sooner; with N > 0 a first sentence without one is "
        "also cut after N words (sooner audio, but the seam can be misheard). 0 = off",
    )
    parser.add_argument(
        f"--{prefix}max-queue",
        dest="tts_max_queue",
        type=int,
        default=8,
        help="synthesis jobs queued or running before new requests get a 'busy' error",
    )


def load(args: argparse.Namespace) -> TtsService:
    builtin = [s for s in (piper_joe(),) if s is not None]
    specs = [args.tts_voice] if args.tts_voice else []
    sources = resolve_voices(specs, args.tts_data_dir, builtin)
    default = args.tts_voice.removesuffix(".onnx").rsplit("/", 1)[-1] if args.tts_voice else None
    # Piper first: a user's own Piper voice for a language is preferred over Pico's.
    synthesizers: list[Synthesizer] = [PiperSynthesizer(sources)]
    if args.tts_pico:
        synthesizers += _pico(args.tts_pico_dir)
    voices = VoiceChoice(synthesizers, default, args.tts_speaker)
    for synthesizer in synthesizers:
        synthesizer.warm_up()
    pool = InferencePool("tts", workers=1, max_jobs=args.tts_max_queue)
    settings = TtsSettings(args.tts_samples_per_chunk, args.tts_fast_start_words)
    return TtsService(voices, pool, settings)


def _pico(directory: Path | None) -> list[Synthesizer]:
    """The Pico voices, when installed; a directory the user named must hold them."""
    if directory is not None:
        library, lang_dir = directory / "lib" / "libttspico.so.0", directory / "lang"
        if not library.is_file():
            raise FileNotFoundError(f"--pico-dir {directory}: no lib/libttspico.so.0 in it")
        return [PicoSynthesizer(library, lang_dir)]
    found = find_pico(PROJECT_CACHE)
    if found is None:
        _LOGGER.info("No Pico voices (no French voice): scripts/run.sh fetches them on Debian")
        return []
    return [PicoSynthesizer(*found)]


class TtsService:
    def __init__(self, voices: VoiceChoice, pool: InferencePool, settings: TtsSettings) -> None:
        self.voices = voices
        self.pool = pool
        self.settings = settings

    def add_to_info(self, info: Info) -> None:
        # One program with every engine's voices: Home Assistant reads only the first one.
        synthesizers = self.voices.synthesizers
        engines = " and ".join(s.engine_name for s in synthesizers)
        info.tts.append(
            TtsProgram(
                name="heisenberg-tts",
                description=f"{engines} text-to-speech (Heisenberg)",
                attribution=Attribution(name="Heisenberg", url=PROJECT_URL),
                installed=True,
                version=synthesizers[0].version,
                supports_synthesize_streaming=True,
                voices=[voice for s in synthesizers for voice in s.info_voices()],
            )
        )

    def make_handler(self, conn: Connection) -> TtsHandler:
        return TtsHandler(self.voices, self.pool, conn, self.settings)

    def shutdown(self) -> None:
        self.pool.shutdown()


def main() -> None:
    run_module(sys.modules[__name__], "Wyoming text-to-speech server (Piper)")
