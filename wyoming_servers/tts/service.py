"""Text-to-speech service (Piper): `python -m wyoming_servers.tts`.

One request = one `Utterance` task that synthesizes pieces (see `tts_text`) in order, one pool
job per piece, and writes each piece's audio as soon as it exists. With streaming
(`synthesize-start/chunk/stop`) pieces are fed while text is still arriving, so the first
sentence is heard while the agent is still writing the rest.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import sys
from pathlib import Path

from wyoming.audio import AudioChunk, AudioStart, AudioStop
from wyoming.event import Event
from wyoming.info import Attribution, Info, TtsProgram, TtsVoice, TtsVoiceSpeaker
from wyoming.tts import Synthesize, SynthesizeChunk, SynthesizeStart, SynthesizeStopped

from ..server import model_sources as models
from ..server.connection import ClientGone, Connection, ServiceError, ServiceHandler
from ..server.pool import InferencePool, PoolBusy
from ..server.runner import run_module
from .piper_voice import LoadedVoice, TtsEngine, VoiceError, resolve_voices
from .text_pieces import TextSplitter

NAME = "tts"
_LOGGER = logging.getLogger(__name__)
_END = None  # end-of-text marker in an utterance's queue


def add_arguments(parser: argparse.ArgumentParser, prefix: str) -> None:
    parser.add_argument(
        "--voice",
        dest="tts_voice",
        help="default voice: an installed voice name (en_US-joe-medium) or a Piper .onnx "
        "file with its .onnx.json next to it. Default: the first voice found",
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
    builtin = [s for s in (models.piper_joe(),) if s is not None]
    specs = [args.tts_voice] if args.tts_voice else []
    sources = resolve_voices(specs, args.tts_data_dir, builtin)
    default = args.tts_voice.removesuffix(".onnx").rsplit("/", 1)[-1] if args.tts_voice else None
    engine = TtsEngine(sources, default, args.tts_speaker)
    engine.warm_up()
    pool = InferencePool("tts", workers=1, max_jobs=args.tts_max_queue)
    return TtsService(engine, pool, args.tts_samples_per_chunk, args.tts_fast_start_words)


class TtsService:
    def __init__(
        self, engine: TtsEngine, pool: InferencePool, samples_per_chunk: int, fast_start_words: int
    ) -> None:
        self.engine = engine
        self.pool = pool
        self.samples_per_chunk = samples_per_chunk
        self.fast_start_words = fast_start_words

    def add_to_info(self, info: Info) -> None:
        info.tts.append(
            TtsProgram(
                name="heisenberg-piper",
                description="Piper text-to-speech (Heisenberg)",
                attribution=Attribution(
                    name="Piper (Open Home Foundation)",
                    url="https://github.com/OHF-Voice/piper1-gpl",
                ),
                installed=True,
                version=self.engine.version,
                supports_synthesize_streaming=True,
                voices=[
                    TtsVoice(
                        name=name,
                        description=v.description,
                        attribution=Attribution(
                            name="Piper voices", url="https://huggingface.co/rhasspy/piper-voices"
                        ),
                        installed=True,
                        version=v.source.version,
                        languages=[v.language],
                        speakers=[TtsVoiceSpeaker(name=s) for s in v.speakers] or None,
                    )
                    for name, v in self.engine.voices.items()
                ],
            )
        )

    def make_handler(self, conn: Connection) -> TtsHandler:
        return TtsHandler(self, conn)

    def shutdown(self) -> None:
        self.pool.shutdown()


class Utterance:
    """Synthesizes the pieces of one request in order and writes their audio."""

    def __init__(
        self,
        service: TtsService,
        conn: Connection,
        *,
        voice: LoadedVoice,
        speaker_id: int | None,
        streaming: bool,
        previous: asyncio.Task[None] | None,
    ) -> None:
        self.service = service
        self.previous = previous  # answers on one connection must not interleave
        self.conn = conn
        self.voice = voice
        self.speaker_id = speaker_id
        self.streaming = streaming
        self.splitter = TextSplitter(service.fast_start_words)
        self.queue: asyncio.Queue[str | None] = asyncio.Queue()
        self.task = asyncio.create_task(self._run())

    def add_text(self, text: str) -> None:
        for piece in self.splitter.add(text):
            self.queue.put_nowait(piece)

    def end_text(self) -> None:
        for piece in self.splitter.finish():
            self.queue.put_nowait(piece)
        self.queue.put_nowait(_END)

    async def _run(self) -> None:
        rate = self.voice.sample_rate
        started = False
        try:
            if self.previous is not None:
                with contextlib.suppress(Exception):
                    await asyncio.shield(self.previous)
            step = self.service.samples_per_chunk * 2
            while (piece := await self.queue.get()) is not _END:
                # One pool job per part of the piece (see tts_stream): the first part is
                # written while the rest is made, and other clients' jobs interleave.
                parts = self.service.engine.stream(self.voice, piece, self.speaker_id)
                while (pcm := await self.service.pool.run(next, parts, None)) is not None:
                    if not started:
                        await self.conn.write(AudioStart(rate=rate, width=2, channels=1).event())
                        started = True
                    for offset in range(0, len(pcm), step):
                        await self.conn.write(
                            AudioChunk(
                                rate=rate, width=2, channels=1, audio=pcm[offset : offset + step]
                            ).event()
                        )
            if not started:  # no text at all: still a well-formed (empty) answer
                await self.conn.write(AudioStart(rate=rate, width=2, channels=1).event())
            await self.conn.write(AudioStop().event())
            if self.streaming:
                await self.conn.write(SynthesizeStopped().event())
        except ClientGone:
            pass
        except PoolBusy as err:
            await self.conn.error(str(err), "busy")
        except Exception as err:
            _LOGGER.exception("%s: synthesis failed", self.conn.peer)
            await self.conn.error(f"synthesis failed: {err}", err.__class__.__name__)


class TtsHandler(ServiceHandler):
    OWN_TYPES = frozenset(("synthesize", "synthesize-start", "synthesize-chunk", "synthesize-stop"))

    def __init__(self, service: TtsService, conn: Connection) -> None:
        self.service = service
        self.conn = conn
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
            _check_text(request.text)
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
            _check_text(text)
            self.stream.add_text(text)
        elif event.type == "synthesize-stop":
            if self.stream is None:
                raise ServiceError("synthesize-stop without synthesize-start", "no-stream")
            self.stream.end_text()
            self.stream = None

    def _start(self, voice: object, streaming: bool) -> Utterance:
        name = getattr(voice, "name", None)
        language = getattr(voice, "language", None)
        speaker = getattr(voice, "speaker", None)
        try:
            loaded = self.service.engine.choose(name, language)
            speaker_id = self.service.engine.speaker_id(loaded, speaker)
        except VoiceError as err:
            raise ServiceError(str(err), "unknown-voice") from err
        previous = self.utterances[-1].task if self.utterances else None
        utterance = Utterance(
            self.service,
            self.conn,
            voice=loaded,
            speaker_id=speaker_id,
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


def _check_text(text: object) -> None:
    if not isinstance(text, str):
        raise ServiceError("'text' must be a string", "bad-event")


def main() -> None:
    run_module(sys.modules[__name__], "Wyoming text-to-speech server (Piper)")


if __name__ == "__main__":
    main()
