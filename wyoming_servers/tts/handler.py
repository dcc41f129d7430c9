"""One connection's TTS requests: `synthesize`, or a `synthesize-start/chunk/stop` stream."""

from __future__ import annotations

import asyncio
import contextlib

from wyoming.event import Event
from wyoming.tts import Synthesize, SynthesizeChunk, SynthesizeStart, SynthesizeVoice

from ..server.connection import Connection, ServiceError, ServiceHandler
from ..server.pool import InferencePool
from .utterance import TtsSettings, Utterance
from .voice_choice import LanguageError, VoiceChoice, VoiceError

# One request's text: about 25 minutes of speech. Longer is a runaway automation, not an
# answer; it is refused with an error instead of keeping the voice busy for hours.
MAX_TEXT_CHARS = 25_000


class TtsHandler(ServiceHandler):
    OWN_TYPES = frozenset(("synthesize", "synthesize-start", "synthesize-chunk", "synthesize-stop"))

    def __init__(
        self, voices: VoiceChoice, pool: InferencePool, conn: Connection, settings: TtsSettings
    ) -> None:
        self.voices = voices
        self.pool = pool
        self.conn = conn
        self.settings = settings
        self.stream: Utterance | None = None  # the open synthesize-start ... stop stream
        # A stream refused at synthesize-start (unknown voice): its chunks are dropped quietly,
        # the client already has its one error event.
        self.refused_stream = False
        self.utterances: list[Utterance] = []

    async def handle(self, event: Event) -> None:
        self.utterances = [u for u in self.utterances if not u.task.done()]
        if self.refused_stream and event.type != "synthesize-start":
            self.refused_stream = event.type != "synthesize-stop"
            return
        if Synthesize.is_type(event.type):
            if self.stream is not None:
                return  # the full text, sent for old servers inside a stream: already streamed
            request = Synthesize.from_event(event)
            _check_text(request.text, 0)
            utterance = self._start(request.voice, streaming=False)
            utterance.add_text(request.text)
            utterance.end_text()
        elif SynthesizeStart.is_type(event.type):
            if self.stream is not None:
                raise ServiceError("synthesize-start inside an open stream", "stream-open")
            self.refused_stream = True
            self.stream = self._start(SynthesizeStart.from_event(event).voice, streaming=True)
            self.refused_stream = False
        elif SynthesizeChunk.is_type(event.type):
            if self.stream is None:
                raise ServiceError("synthesize-chunk without synthesize-start", "no-stream")
            text = SynthesizeChunk.from_event(event).text
            try:
                _check_text(text, self.stream.received_chars)
            except ServiceError:
                self.stream.end_text()  # what came before is still spoken; the rest is refused
                self.stream, self.refused_stream = None, True
                raise
            self.stream.add_text(text)
        elif event.type == "synthesize-stop":
            if self.stream is None:
                raise ServiceError("synthesize-stop without synthesize-start", "no-stream")
            self.stream.end_text()
            self.stream = None

    def _start(self, voice: SynthesizeVoice | None, streaming: bool) -> Utterance:
        try:
            chosen = self.voices.choose(
                voice.name if voice else None,
                voice.language if voice else None,
                voice.speaker if voice else None,
            )
        except LanguageError as err:
            raise ServiceError(str(err), "unsupported-language") from err
        except VoiceError as err:
            raise ServiceError(str(err), "unknown-voice") from err
        previous = self.utterances[-1].task if self.utterances else None
        utterance = Utterance(
            self.pool,
            self.conn,
            self.settings,
            voice=chosen,
            streaming=streaming,
            previous=previous,
        )
        self.utterances.append(utterance)
        return utterance

    async def close(self) -> None:
        for utterance in self.utterances:
            utterance.task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await utterance.task


def _check_text(text: object, before: int) -> None:
    """A string, and with the `before` characters already received, within the limit."""
    if not isinstance(text, str):
        raise ServiceError("'text' must be a string", "bad-event")
    if before + len(text) > MAX_TEXT_CHARS:
        raise ServiceError(
            f"text of {before + len(text)} characters is longer than the limit of "
            f"{MAX_TEXT_CHARS}; split it into several requests",
            "text-too-long",
        )
