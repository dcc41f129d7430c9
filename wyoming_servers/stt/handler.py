"""One connection's speech-to-text requests: `transcribe`, then audio-start/chunk/stop.

Audio with no `audio-start` is an utterance in the chunk's own format, and an `audio-stop`
with no audio gets an empty transcript: what the official faster-whisper server accepts.

Latency after `audio-stop` is what a user feels. Besides keeping the models loaded and
decoding from memory (no WAV file), the handler decodes *speculatively*: when audio is
streamed in real time (as a satellite does) and the speaker pauses, the audio so far is
transcribed while the client's voice-activity detector is still waiting to be sure the
command ended. Pauses are found by a voice-activity model (`end_of_speech.py`), since
satellites stream room noise, not digital silence. If no speech is heard after that decode
before `audio-stop`, its transcript is the answer and is sent at once; if speech resumed, it
is discarded and the full audio is decoded.

Every request gets one answer: a transcript, or an `error`. The audio of a refused request
(a language no model knows, audio over the length limit) is read and dropped without another
word. Work nobody will read is not done: when the client hangs up, its queued decode is taken
out of the pool's queue and a running one stops at its next 30 s window (`pool.py`).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import threading
from dataclasses import dataclass, field

from wyoming.asr import Transcribe, Transcript
from wyoming.audio import AudioChunk, AudioStart, AudioStop
from wyoming.event import Event

from ..server.audio import RATE, WIDTH, AudioFormatError, AudioInput, check_format, is_silent
from ..server.connection import ClientGone, Connection, ServiceError, ServiceHandler
from ..server.pool import InferencePool, Job, JobStopped, PoolBusy
from .decode_speed import DecodeSpeed
from .end_of_speech import EndOfSpeech
from .transcriber import Transcriber, normalize_language

_LOGGER = logging.getLogger(__name__)

# Speculate once the voice-activity model has heard this much non-speech after speech. Clients
# end a command after more (typically 0.7 s), so the decode overlaps their wait; a shorter wait
# gives the decode more of that time (a Whisper base decode takes most of a second on two
# cores) but fires on more pauses within a sentence. Measured on real French speech: 0.1 s
# answered sooner than 0.25 s at the same word error rate; 0.03 s cut words' endings.
SPECULATE_AFTER_SILENCE = 0.1
# A voice command is seconds long; a stream that never stops must not grow without bound.
MAX_SECONDS = 120
_MAX_BYTES = MAX_SECONDS * RATE * WIDTH


@dataclass
class _Utterance:
    """One audio stream (audio-start ... audio-stop) and its speculative transcript."""

    audio: AudioInput
    started_at: float
    pcm: bytearray = field(default_factory=bytearray)
    guess: Job[str] | None = None  # transcript of pcm[:guess_len], maybe running
    guess_len: int = 0
    guess_speech_end: int = 0  # where the speech it transcribed ended (EndOfSpeech offsets)

    def drop_guess(self) -> None:
        if self.guess is not None:
            self.guess.abandon()  # out of the queue, or stopped at its next window
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
        speculate_after: float = SPECULATE_AFTER_SILENCE,
        speed: DecodeSpeed | None = None,
    ) -> None:
        self.transcriber = transcriber
        self.pool = pool
        self.conn = conn
        self.speed = speed or DecodeSpeed()  # shared by the service's connections
        self.speculative = speculative
        self.speculate_after = speculate_after
        self.language: str | None = None  # from the last `transcribe`
        self.utterance: _Utterance | None = None
        # Made on the first real-time stream (10 ms): most connections never stream audio.
        self._speech: EndOfSpeech | None = None
        self._finals: set[asyncio.Task[None]] = set()  # transcripts being made
        # A refused request's audio is dropped quietly: the stream that comes next, or the
        # one under way (`_discarding`).
        self._refuse_next_stream = False
        self._discarding = False

    async def handle(self, event: Event) -> None:
        if Transcribe.is_type(event.type):
            self._transcribe(Transcribe.from_event(event).language)
        elif AudioStart.is_type(event.type):
            self._audio_start(AudioStart.from_event(event))  # validates the format fields
        elif AudioChunk.is_type(event.type):
            await self._audio_chunk(event)
        elif AudioStop.is_type(event.type):
            await self._audio_stop()

    def _transcribe(self, asked: object) -> None:
        self._refuse_next_stream = False
        if asked is not None and not isinstance(asked, str):
            self.language = None
            self._refuse_audio()
            raise ServiceError(
                f"invalid 'transcribe' event: 'language' must be a language code such as "
                f"'en' or 'fr-FR', not {asked!r:.40}",
                "bad-event",
            )
        language = normalize_language(asked)
        if language is not None and not self.transcriber.knows(language):
            self.language = None
            self._refuse_audio()
            raise ServiceError(
                f"no installed model transcribes '{language}'", "unsupported-language"
            )
        self.language = language

    def _audio_start(self, start: AudioStart) -> None:
        self._end_utterance()
        self._discarding, self._refuse_next_stream = self._refuse_next_stream, False
        if self._discarding:
            return
        try:
            check_format(start.rate, start.width, start.channels)
        except AudioFormatError:
            self._discarding = True  # one error for the stream, no transcript after it
            raise
        self._start_utterance()

    async def _audio_chunk(self, event: Event) -> None:
        if self.utterance is None and self._refuse_next_stream:
            # The refused request's audio, sent without `audio-start`.
            self._discarding, self._refuse_next_stream = True, False
        if self._discarding:
            return
        # Audio with no `audio-start` opens an utterance in the chunk's own format, as the
        # official faster-whisper server accepts.
        utterance = self.utterance or self._start_utterance()
        try:
            chunk = AudioChunk.from_event(event)
            utterance.pcm += await utterance.audio.convert(chunk)
        except (KeyError, TypeError, ValueError) as err:
            self._refuse_audio()  # one error; the rest of this stream is dropped
            raise ServiceError(f"invalid 'audio-chunk' event: {err}", "bad-event") from err
        except AudioFormatError:
            self._refuse_audio()  # one error; the rest of this stream is dropped
            raise
        if len(utterance.pcm) > _MAX_BYTES:
            self._refuse_audio()  # one error; the rest of this stream is dropped
            raise ServiceError(f"utterance longer than {MAX_SECONDS} s", "audio-too-long")
        self._maybe_guess(utterance)

    async def _audio_stop(self) -> None:
        if self._discarding:
            self._discarding = False  # the refused request ends here
            return
        utterance, self.utterance = self.utterance, None
        language = self.language or self.transcriber.default_language
        if utterance is None:
            # A stream of no audio at all: nothing was said (the official server's answer).
            await self.conn.write(Transcript(text="", language=language).event())
            return
        # Now, not in the task: the next audio-start resets the voice-activity model.
        if utterance.guess is not None and not self._no_speech_since(utterance):
            utterance.drop_guess()  # speech resumed after the guess's audio
        # The read loop goes on (describe, ping, the next utterance) while this decodes.
        final = asyncio.create_task(self._finish(utterance, language))
        self._finals.add(final)
        final.add_done_callback(self._finals.discard)

    def _refuse_audio(self) -> None:
        """The current request is refused: drop the audio it has, and what it still sends."""
        if self.utterance is not None or self._discarding:  # within a stream
            self._end_utterance()
            self._discarding = True
        else:
            self._refuse_next_stream = True

    def _start_utterance(self) -> _Utterance:
        self.utterance = _Utterance(AudioInput(), asyncio.get_running_loop().time())
        if self._speech is not None:
            self._speech.reset()
        return self.utterance

    def _maybe_guess(self, utterance: _Utterance) -> None:
        if not self.speculative:
            return
        pcm = utterance.pcm
        # Audio arriving much faster than real time is an upload, not a microphone:
        # audio-stop is a few milliseconds away and a guess would only delay the real decode
        # (and so would the voice-activity model, about 1 ms per 32 ms of audio).
        received = len(pcm) / (RATE * WIDTH)
        elapsed = asyncio.get_running_loop().time() - utterance.started_at
        if received > 1.5 * elapsed + 0.5:
            return
        if self._speech is None:
            self._speech = EndOfSpeech()
        speech = self._speech
        speech.feed(pcm)
        if speech.silence_after_speech() < self.speculate_after:
            return
        if utterance.guess is not None and utterance.guess_speech_end == speech.speech_end:
            return  # this pause is already being transcribed
        if utterance.guess is not None and not utterance.guess.finished.done():
            return  # one at a time; a stale one is replaced once it has finished
        # Only speculate with a free worker: a guess must never delay another client (and it
        # gives way to any real request submitted while it runs: see `pool.py`).
        if self.pool.idle:
            utterance.drop_guess()  # stale: speech came after it
            language = self.language or self.transcriber.default_language
            utterance.guess_len, utterance.guess_speech_end = len(pcm), speech.speech_end
            _LOGGER.debug(
                "%s: speculative decode of %.2f s (speech ended %.2f s before)",
                self.conn.peer,
                received,
                speech.silence_after_speech(),
            )
            utterance.guess = self._submit(bytes(pcm), language, optional=True)

    def _submit(self, pcm: bytes, language: str, *, optional: bool) -> Job[str]:
        """A decode in the pool (`PoolBusy` if the wait ahead is over the bound); its time
        is recorded for the next estimates."""
        seconds = len(pcm) / (RATE * WIDTH)
        transcribe = self.transcriber.transcribe

        def work(stop: threading.Event) -> str:
            return transcribe(pcm, language, stop)

        job = self.pool.submit(
            work, optional=optional, estimate=self.speed.estimate(language, seconds)
        )

        def record(_: object) -> None:
            if job.run_seconds is not None and job.finished.exception() is None:
                self.speed.record(language, seconds, job.run_seconds)

        job.finished.add_done_callback(record)
        return job

    async def _finish(self, utterance: _Utterance, language: str) -> None:
        try:
            text = await self._transcript(utterance, language)
            _LOGGER.debug("%s: transcript (%s): %r", self.conn.peer, language, text)
            await self.conn.write(Transcript(text=text, language=language).event())
        except ClientGone:
            pass
        except PoolBusy as err:  # expected under load: the client is told, no traceback
            await self.conn.error(str(err), "busy")
        except JobStopped:
            pass  # the server is stopping
        except Exception as err:  # a failed decode is this request's error, not the server's
            _LOGGER.exception("%s: transcription failed", self.conn.peer)
            await self.conn.error(f"transcription failed: {err}", err.__class__.__name__)

    async def _transcript(self, utterance: _Utterance, language: str) -> str:
        pcm = bytes(utterance.pcm)
        if is_silent(pcm):
            utterance.drop_guess()
            return ""  # nothing was said; Whisper would only hallucinate ("Thank you.")
        guess, utterance.guess = utterance.guess, None
        if guess is not None:
            guess.keep()  # it is the answer now: no longer gives way to other requests
            with contextlib.suppress(Exception):  # failed, or stopped before it was kept
                text = await guess.result()
                _LOGGER.debug("%s: speculative transcript used", self.conn.peer)
                return text
        return await self._submit(pcm, language, optional=False).result()

    def _no_speech_since(self, utterance: _Utterance) -> bool:
        """Whether the voice-activity model heard no speech after the guess's audio, up to
        the stream's last whole window."""
        if self._speech is None:
            return False
        self._speech.feed(utterance.pcm)
        return self._speech.speech_end == utterance.guess_speech_end

    def _end_utterance(self) -> None:
        if self.utterance is not None:
            self.utterance.drop_guess()
        self.utterance = None

    async def close(self) -> None:
        """The client is gone: nobody will read its transcripts, so their decodes are
        abandoned (`Job.result` does that when cancelled) and guesses too."""
        self._end_utterance()
        finals = list(self._finals)
        for final in finals:
            final.cancel()
        for final in finals:
            with contextlib.suppress(asyncio.CancelledError):
                await final
