"""Speech-to-text service (faster-whisper): `python -m wyoming_servers.stt`.

Flags, model loading and the `info` entry; each connection gets an `SttHandler` (`handler.py`)
with the `Transcriber` (`whisper.py`) and the inference pool.
"""

from __future__ import annotations

import argparse
import os
import sys

from wyoming.info import Info

from ..server.connection import Connection
from ..server.pool import InferencePool
from ..server.runner import ArgumentSink, run_module
from .decode_speed import DecodeSpeed
from .handler import SPECULATE_AFTER_SILENCE, SttHandler
from .models import builtin_models, resolve_sources
from .transcriber import Transcriber
from .whisper import DecodeOptions, WhisperTranscriber

NAME = "stt"
MAX_QUEUE = 16  # twice the eight satellites of a large home
MAX_WAIT = 30.0  # seconds: eight French commands (Whisper base) on two slow cores take ~20 s


def add_arguments(parser: ArgumentSink, prefix: str) -> None:
    parser.add_argument(
        f"--{prefix}model",
        dest="stt_model",
        action="append",
        metavar="NAME_OR_DIR",
        help="Whisper model: an installed one (tiny.en, base) or a faster-whisper "
        "CTranslate2 directory; repeat for several (the first that knows a request's "
        "language serves it). Default: tiny.en and base, those installed",
    )
    parser.add_argument(
        "--language",
        dest="stt_language",
        default="en",
        help="language used when a request names none",
    )
    parser.add_argument(
        "--beam-size",
        dest="stt_beam_size",
        type=int,
        default=5,
        help="beam size for decoding (1 = greedy, faster, slightly less accurate)",
    )
    parser.add_argument(
        "--short-window",
        dest="stt_short_window",
        type=float,
        default=DecodeOptions.short_window_seconds,
        metavar="SECONDS",
        help="encode audio of up to half this length in a window this long instead of "
        "Whisper's 30 s (about 2.5x faster, as accurate on voice commands; 0 = always 30 s)",
    )
    parser.add_argument(
        "--initial-prompt",
        dest="stt_initial_prompt",
        help="text given to Whisper as context (names, spelling of words you use)",
    )
    parser.add_argument(
        "--compute-type",
        dest="stt_compute_type",
        default="int8",
        help="CTranslate2 compute type (int8, int8_float32, float32, ...)",
    )
    parser.add_argument(
        "--cpu-threads",
        dest="stt_cpu_threads",
        type=int,
        default=os.cpu_count() or 2,
        help="threads CTranslate2 uses for one transcription",
    )
    # Eight satellites that stop talking at once must all be answered (the last one a few
    # seconds later), not half of them refused: requests queue, and only a queue that would
    # keep a new request waiting absurdly long refuses it.
    parser.add_argument(
        f"--{prefix}max-queue",
        dest="stt_max_queue",
        type=int,
        default=MAX_QUEUE,
        help="transcriptions waiting or being decoded (speculative decodes not counted) "
        "before a new one gets a 'busy' error",
    )
    parser.add_argument(
        f"--{prefix}max-wait",
        dest="stt_max_wait",
        type=float,
        default=MAX_WAIT,
        metavar="SECONDS",
        help="a new transcription gets a 'busy' error when the decodes ahead of it are "
        "estimated to take longer than this (each one's audio times the recent decode speed; "
        "speculative decodes not counted, they give way); 0 = no limit",
    )
    parser.add_argument(
        "--no-speculative",
        dest="stt_speculative",
        action="store_false",
        help="do not decode during pauses of a real-time stream (saves CPU, adds latency)",
    )
    parser.add_argument(
        "--speculate-after",
        dest="stt_speculate_after",
        type=float,
        default=SPECULATE_AFTER_SILENCE,
        metavar="SECONDS",
        help="decode speculatively once the voice-activity model has heard this long a pause "
        "after speech; shorter leaves the decode more of the client's end-of-speech wait but "
        f"also fires within sentences (default: {SPECULATE_AFTER_SILENCE})",
    )


def load(args: argparse.Namespace) -> SttService:
    builtins = builtin_models(args.cache_dir)
    sources = resolve_sources(args.stt_model or list(builtins), builtins)
    transcriber = WhisperTranscriber(
        sources,
        args.stt_language,
        args.stt_compute_type,
        args.stt_cpu_threads,
        DecodeOptions(
            beam_size=args.stt_beam_size,
            initial_prompt=args.stt_initial_prompt,
            short_window_seconds=args.stt_short_window,
        ),
    )
    transcriber.warm_up()
    pool = InferencePool(
        "stt", workers=1, max_jobs=args.stt_max_queue, max_wait=args.stt_max_wait or None
    )
    return SttService(transcriber, pool, args.stt_speculative, args.stt_speculate_after)


class SttService:
    def __init__(
        self,
        transcriber: Transcriber,
        pool: InferencePool,
        speculative: bool,
        speculate_after: float = SPECULATE_AFTER_SILENCE,
    ) -> None:
        self.transcriber = transcriber
        self.pool = pool
        self.speculative = speculative
        self.speculate_after = speculate_after
        self.speed = DecodeSpeed()  # shared by all connections: the pool's wait estimate

    def add_to_info(self, info: Info) -> None:
        info.asr.append(self.transcriber.program())

    def make_handler(self, conn: Connection) -> SttHandler:
        return SttHandler(
            self.transcriber,
            self.pool,
            conn,
            speculative=self.speculative,
            speculate_after=self.speculate_after,
            speed=self.speed,
        )

    def shutdown(self) -> None:
        self.pool.shutdown()


def main() -> None:
    run_module(sys.modules[__name__], "Wyoming speech-to-text server (faster-whisper)")
