"""Speech-to-text service (faster-whisper): `python -m wyoming_servers.stt`.

Latency after `audio-stop` is what a user feels. Besides keeping the models loaded and
decoding from memory (no WAV file), the handler decodes *speculatively*: when audio is
streamed in real time (as a satellite does) and the speaker pauses, the audio so far is
transcribed while the client's voice-activity detector is still waiting to be sure the
command ended. If nothing but silence arrives before `audio-stop`, that transcript is the
answer and is sent at once; if speech resumed, it is discarded and the full audio is decoded.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import os
import sys

from wyoming.asr import Transcribe, Transcript
from wyoming.audio import AudioChunk, AudioStart, AudioStop
from wyoming.event import Event
from wyoming.info import AsrModel, AsrProgram, Attribution, Info

from ..server import model_sources as models
from ..server.audio import RATE, WIDTH, AudioInput, is_silent
from ..server.connection import ClientGone, Connection, ServiceError, ServiceHandler
from ..server.pool import InferencePool
from ..server.runner import run_module
from .whisper import DecodeOptions, SttEngine, normalize_language, resolve_sources

NAME = "stt"
_LOGGER = logging.getLogger(__name__)

# Speculate once this much trailing silence has arrived (clients end a command after more
# silence than this, typically 0.5-1 s, so the decode overlaps their wait).
SPECULATE_AFTER_SILENCE = 0.25
_SILENCE_BYTES = int(SPECULATE_AFTER_SILENCE * RATE) * WIDTH
# A voice command is seconds long; a stream that never stops must not grow without bound.
MAX_SECONDS = 120
_MAX_BYTES = MAX_SECONDS * RATE * WIDTH


def add_arguments(parser: argparse.ArgumentParser, prefix: str) -> None:
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
    parser.add_argument(
        f"--{prefix}max-queue",
        dest="stt_max_queue",
        type=int,
        default=4,
        help="transcriptions queued or running before new ones get a 'busy' error",
    )
    parser.add_argument(
        "--no-speculative",
        dest="stt_speculative",
        action="store_false",
        help="do not decode during pauses of a real-time stream (saves CPU, adds latency)",
    )


def load(args: argparse.Namespace) -> SttService:
    builtins = {
        s.name: s
        for s in (models.whisper_tiny_en(), models.whisper_base(args.cache_dir))
        if s is not None
    }
    sources = resolve_sources(args.stt_model or list(builtins), builtins)
    engine = SttEngine(
        sources,
        args.stt_language,
        args.stt_compute_type,
        args.stt_cpu_threads,
        DecodeOptions(beam_size=args.stt_beam_size, initial_prompt=args.stt_initial_prompt),
    )
    engine.warm_up()
    pool = InferencePool("stt", workers=1, max_jobs=args.stt_max_queue)
    return SttService(engine, pool, args.stt_speculative)


class SttService:
    def __init__(self, engine: SttEngine, pool: InferencePool, speculative: bool) -> None:
        self.engine = engine
        self.pool = pool
        self.speculative = speculative

    def add_to_info(self, info: Info) -> None:
        whisper = Attribution(name="OpenAI Whisper", url="https://github.com/openai/whisper")
        info.asr.append(
            AsrProgram(
                name="heisenberg-faster-whisper",
                description="faster-whisper speech-to-text (Heisenberg)",
                attribution=Attribution(
                    name="SYSTRAN faster-whisper", url="https://github.com/SYSTRAN/faster-whisper"
                ),
                installed=True,
                version=self.engine.version,
                models=[
                    AsrModel(
                        name=m.source.name,
                        description=f"Whisper {m.source.name} ({m.source.path})",
                        attribution=whisper,
                        installed=True,
                        languages=m.languages,
                        version=m.source.version,
                    )
                    for m in self.engine.models
                ],
            )
        )

    def make_handler(self, conn: Connection) -> SttHandler:
        return SttHandler(self, conn)

    def shutdown(self) -> None:
        self.pool.shutdown()


class SttHandler(ServiceHandler):
    OWN_TYPES = frozenset(("transcribe",))
    TAKES_AUDIO = True

    def __init__(self, service: SttService, conn: Connection) -> None:
        self.service = service
        self.conn = conn
        self.language: str | None = None
        self.audio: AudioInput | None = None
        self.pcm = bytearray()
        self._heard_speech_since_guess = False
        self._guess: asyncio.Task[str] | None = None
        self._guess_len = 0
        self._final: asyncio.Task[None] | None = None
        self._started_at = 0.0

    async def handle(self, event: Event) -> None:
        if Transcribe.is_type(event.type):
            language = normalize_language(Transcribe.from_event(event).language)
            if language is not None and self.service.engine.model_for(language) is None:
                self.language = None
                raise ServiceError(
                    f"no installed model transcribes '{language}'", "unsupported-language"
                )
            self.language = language
        elif AudioStart.is_type(event.type):
            AudioStart.from_event(event)  # validates the format fields
            self._reset()
            self.audio = AudioInput()
            self._started_at = asyncio.get_running_loop().time()
        elif AudioChunk.is_type(event.type):
            if self.audio is None:
                raise ServiceError("audio-chunk before audio-start", "no-audio-start")
            self.pcm += await self.audio.convert(AudioChunk.from_event(event))
            if len(self.pcm) > _MAX_BYTES:
                self._reset()
                self.audio = None
                raise ServiceError(f"utterance longer than {MAX_SECONDS} s", "audio-too-long")
            self._maybe_guess()
        elif AudioStop.is_type(event.type):
            if self.audio is None:
                raise ServiceError("audio-stop before audio-start", "no-audio-start")
            self.audio = None
            pcm, language = bytes(self.pcm), self.language or self.service.engine.default_language
            guess, guess_len = self._guess, self._guess_len
            self._guess = None
            self.pcm = bytearray()
            # The read loop goes on (describe, ping, the next utterance) while this decodes.
            self._final = asyncio.create_task(self._finish(pcm, language, guess, guess_len))

    def _maybe_guess(self) -> None:
        if not self.service.speculative:
            return
        if not is_silent(self.pcm[-_SILENCE_BYTES:]):
            self._heard_speech_since_guess = True
            return
        if not self._heard_speech_since_guess or len(self.pcm) < _SILENCE_BYTES:
            return  # no speech since the last guess (leading silence is not a pause)
        if self._guess is not None and not self._guess.done():
            return  # one at a time; a stale one is replaced once it has finished
        # Audio arriving much faster than real time is an upload, not a microphone:
        # audio-stop is a few milliseconds away and a guess would only delay the real decode.
        received = len(self.pcm) / (RATE * WIDTH)
        elapsed = asyncio.get_running_loop().time() - self._started_at
        if received > 1.5 * elapsed + 0.5:
            return
        # Only speculate with a free worker: a guess must never delay another client.
        if self.service.pool.idle:
            if self._guess is not None:  # stale: speech came after it
                self._guess.add_done_callback(_ignore_result)
            self._heard_speech_since_guess = False
            language = self.language or self.service.engine.default_language
            self._guess_len = len(self.pcm)
            self._guess = asyncio.create_task(
                self.service.pool.run(self.service.engine.transcribe, bytes(self.pcm), language)
            )

    async def _finish(
        self, pcm: bytes, language: str, guess: asyncio.Task[str] | None, guess_len: int
    ) -> None:
        try:
            text = await self._transcript(pcm, language, guess, guess_len)
            _LOGGER.debug("%s: transcript (%s): %r", self.conn.peer, language, text)
            await self.conn.write(Transcript(text=text, language=language).event())
        except ClientGone:
            pass
        except Exception as err:  # a failed decode is this request's error, not the server's
            _LOGGER.exception("%s: transcription failed", self.conn.peer)
            await self.conn.error(f"transcription failed: {err}", err.__class__.__name__)

    async def _transcript(
        self, pcm: bytes, language: str, guess: asyncio.Task[str] | None, guess_len: int
    ) -> str:
        if is_silent(pcm):
            return ""  # nothing was said; Whisper would only hallucinate ("Thank you.")
        if guess is not None and is_silent(pcm[guess_len:]):
            with contextlib.suppress(Exception):
                text = await guess
                _LOGGER.debug("%s: speculative transcript used", self.conn.peer)
                return text
        elif guess is not None:
            guess.add_done_callback(_ignore_result)
        return await self.service.pool.run(self.service.engine.transcribe, pcm, language)

    def _reset(self) -> None:
        if self._guess is not None:
            self._guess.add_done_callback(_ignore_result)
        self._guess = None
        self._heard_speech_since_guess = False
        self.pcm = bytearray()

    async def close(self) -> None:
        self._reset()
        if self._final is not None and not self._final.done():
            self._final.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._final


def _ignore_result(task: asyncio.Task[str]) -> None:
    if not task.cancelled():
        task.exception()  # mark as retrieved: a stale guess failing is not worth a warning


def main() -> None:
    run_module(sys.modules[__name__], "Wyoming speech-to-text server (faster-whisper)")


if __name__ == "__main__":
    main()
