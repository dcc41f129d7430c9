"""One TTS request: its text pieces synthesized in order, their audio written as it is made.

One request = one `Utterance` task that synthesizes pieces (see `text_pieces`) in order, one
pool job per part of a piece, and writes each part's audio as soon as it exists. With streaming
(`synthesize-start/chunk/stop`) pieces are fed while text is still arriving, so the first
sentence is heard while the agent is still writing the rest.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from dataclasses import dataclass

from wyoming.audio import AudioChunk, AudioStart, AudioStop
from wyoming.tts import SynthesizeStopped

from ..server.connection import ClientGone, Connection
from ..server.pool import InferencePool, PoolBusy
from .memory import release_free_memory
from .text_pieces import TextSplitter
from .voice_choice import ChosenVoice

_LOGGER = logging.getLogger(__name__)
_END = None  # end-of-text marker in an utterance's queue


@dataclass(frozen=True)
class TtsSettings:
    samples_per_chunk: int  # audio samples per audio-chunk event
    fast_start_words: int  # see TextSplitter


class Utterance:
    """Synthesizes the pieces of one request in order and writes their audio."""

    def __init__(
        self,
        pool: InferencePool,
        conn: Connection,
        settings: TtsSettings,
        *,
        voice: ChosenVoice,
        streaming: bool,
        previous: asyncio.Task[None] | None,
    ) -> None:
        self.pool = pool
        self.conn = conn
        self.settings = settings
        self.voice = voice
        self.streaming = streaming
        self.previous = previous  # answers on one connection must not interleave
        self.splitter = TextSplitter(settings.fast_start_words)
        self.received_chars = 0
        self.queue: asyncio.Queue[str | None] = asyncio.Queue()
        self._release: asyncio.Future[None] | None = None  # kept: not garbage mid-run
        self.task = asyncio.create_task(self._run())

    def add_text(self, text: str) -> None:
        self.received_chars += len(text)
        for piece in self.splitter.add(text):
            self.queue.put_nowait(piece)

    def end_text(self) -> None:
        for piece in self.splitter.finish():
            self.queue.put_nowait(piece)
        self.queue.put_nowait(_END)

    async def _run(self) -> None:
        rate = self.voice.voice.sample_rate
        started = False
        pieces = 0
        try:
            if self.previous is not None:
                with contextlib.suppress(Exception):
                    await asyncio.shield(self.previous)
            step = self.settings.samples_per_chunk * 2
            while (piece := await self.queue.get()) is not _END:
                pieces += 1
                # One pool job per part of the piece (see piper_stream): the first part is
                # written while the rest is made, and other clients' jobs interleave.
                parts = self.voice.synthesizer.stream(
                    self.voice.voice.name, piece, self.voice.speaker_id
                )
                while (pcm := await self.pool.run(next, parts, None)) is not None:
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
        finally:
            if pieces > 1:  # a long answer (also one cut short): give its memory back
                self._release = asyncio.get_running_loop().run_in_executor(
                    None, release_free_memory
                )
