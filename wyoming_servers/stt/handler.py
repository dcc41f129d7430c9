"""One connection's speech-to-text requests: `transcribe`, then audio-start/chunk/stop.

Latency after `audio-stop` is what a user feels. Besides keeping the models loaded and
decoding from memory (no WAV file), the handler decodes *speculatively*: when audio is
streamed in real time (as a satellite does) and the speaker pauses, the audio so far is
transcribed while the client's voice-activity detector is still waiting to be sure the
command ended. If nothing but silence arrives before `audio-stop`, that transcript is the
answer and is sent at once; if speech resumed, it is discarded and the full audio is decoded.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from dataclasses import dataclass, field

from wyoming.asr import Transcribe, Transcript
from wyoming.audio import AudioChunk, AudioStart, AudioStop
from wyoming.event import Event

from ..server.audio import RATE, WIDTH, AudioInput, is_silent
from ..server.connection import ClientGone, Connection, ServiceError, ServiceHandler
from ..server.pool import InferencePool
from .transcriber import Transcriber, normalize_language

_LOGGER = logging.getLogger(__name__)

# Speculate once this much trailing silence has arrived (clients end a command after more
# silence than this, typically 0.5-1 s, so the decode overlaps their wait).
SPECULATE_AFTER_SILENCE = 0.25
_SILENCE_BYTES = int(SPECULATE_AFTER_SILENCE * RATE) * WIDTH
# A voice command is seconds long; a stream that never stops must not grow without bound.
MAX_SECONDS = 120
_MAX_BYTES = MAX_SECONDS * RATE * WIDTH


@dataclass
class _Utterance:
    """One audio stream (audio-start ... audio-stop) and its speculative transcript."""

    audio: AudioInput
    started_at: float
    pcm: bytearray = field(default_factory=bytearray)
    heard_speech_since_guess: bool = False
    guess: asyncio.Task[str] | None = None  # transcript of pcm[:guess_len], maybe running
    guess_len: int = 0

    def drop_guess(self) -> None:
        if self.guess is not None:
            self.guess.add_done_callback(_ignore_result)
        self.guess = None


class SttHandler(ServiceHandler):
    OWN_TYPES = frozenset(("transcribe",))
    TAKES_AUDIO = True

    def __init__(
        self,
        transcriber: Transcriber,
        pool: InferencePool,
        conn: Connection,
        *,
        speculative: bool,
    ) -> None:
        self.transcriber = transcriber
        self.pool = pool
        self.conn = conn
        self.speculative = speculative
        self.language: str | None = None  # from the last `transcribe`
        self.utterance: _Utterance | None = None
        self._final: asyncio.Task[None] | None = None

    async def handle(self, event: Event) -> None:
        if Transcribe.is_type(event.type):
            language = normalize_language(Transcribe.from_event(event).language)
            if language is not None and not self.transcriber.knows(language):
                self.language = None
                raise ServiceError(
                    f"no installed model transcribes '{language}'", "unsupported-language"
                )
            self.language = language
        elif AudioStart.is_type(event.type):
            AudioStart.from_event(event)  # validates the format fields
            self._end_utterance()
            self.utterance = _Utterance(AudioInput(), asyncio.get_running_loop().time())
        elif AudioChunk.is_type(event.type):
            utterance = self._current(event)
            utterance.pcm += await utterance.audio.convert(AudioChunk.from_event(event))
            if len(utterance.pcm) > _MAX_BYTES:
                self._end_utterance()
                raise ServiceError(f"utterance longer than {MAX_SECONDS} s", "audio-too-long")
            self._maybe_guess(utterance)
        elif AudioStop.is_type(event.type):
            utterance = self._current(event)
            self.utterance = None
            language = self.language or self.transcriber.default_language
            # The read loop goes on (describe, ping, the next utterance) while this decodes.
            self._final = asyncio.create_task(self._finish(utterance, language))

    def _current(self, event: Event) -> _Utterance:
        if self.utterance is None:
            raise ServiceError(f"{event.type} before audio-start", "no-audio-start")
        return self.utterance

    def _maybe_guess(self, utterance: _Utterance) -> None:
        if not self.speculative:
            return
        pcm = utterance.pcm
        if not is_silent(pcm[-_SILENCE_BYTES:]):
            utterance.heard_speech_since_guess = True
            return
        if not utterance.heard_speech_since_guess or len(pcm) < _SILENCE_BYTES:
            return  # no speech since the last guess (leading silence is not a pause)
        if utterance.guess is not None and not utterance.guess.done():
            return  # one at a time; a stale one is replaced once it has finished
        # Audio arriving much faster than real time is an upload, not a microphone:
        # audio-stop is a few milliseconds away and a guess would only delay the real decode.
        received = len(pcm) / (RATE * WIDTH)
        elapsed = asyncio.get_running_loop().time() - utterance.started_at
        if received > 1.5 * elapsed + 0.5:
            return
        # Only speculate with a free worker: a guess must never delay another client.
        if self.pool.idle:
            utterance.drop_guess()  # stale: speech came after it
            utterance.heard_speech_since_guess = False
            language = self.language or self.transcriber.default_language
            utterance.guess_len = len(pcm)
            utterance.guess = asyncio.create_task(
                self.pool.run(self.transcriber.transcribe, bytes(pcm), language)
            )

    async def _finish(self, utterance: _Utterance, language: str) -> None:
        try:
            text = await self._transcript(utterance, language)
            _LOGGER.debug("%s: transcript (%s): %r", self.conn.peer, language, text)
            await self.conn.write(Transcript(text=text, language=language).event())
        except ClientGone:
            pass
        except Exception as err:  # a failed decode is this request's error, not the server's
            _LOGGER.exception("%s: transcription failed", self.conn.peer)
            await self.conn.error(f"transcription failed: {err}", err.__class__.__name__)

    async def _transcript(self, utterance: _Utterance, language: str) -> str:
        pcm = bytes(utterance.pcm)
        if is_silent(pcm):
            utterance.drop_guess()
            return ""  # nothing was said; Whisper would only hallucinate ("Thank you.")
        guess, utterance.guess = utterance.guess, None
        if guess is not None and is_silent(pcm[utterance.guess_len :]):
            with contextlib.suppress(Exception):
                text = await guess
                _LOGGER.debug("%s: speculative transcript used", self.conn.peer)
                return text
        elif guess is not None:
            guess.add_done_callback(_ignore_result)
        return await self.pool.run(self.transcriber.transcribe, pcm, language)

    def _end_utterance(self) -> None:
        if self.utterance is not None:
            self.utterance.drop_guess()
        self.utterance = None

    async def close(self) -> None:
        self._end_utterance()
        if self._final is not None and not self._final.done():
            self._final.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._final


def _ignore_result(task: asyncio.Task[str]) -> None:
    if not task.cancelled():
        task.exception()  # mark as retrieved: a stale guess failing is not worth a warning
