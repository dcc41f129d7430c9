"""One connection's wake word streams: `detect`, then audio, until `audio-stop` or the next
`detect`.

Clients differ in how they frame a stream, and each is served as it is (being liberal in what
we accept): Home Assistant sends `detect`, `audio-start`, chunks, and never `audio-stop`;
wyoming-satellite's local-wake mode sends `detect` and then chunks with no `audio-start`, and a
new `detect` after each command. A chunk with no open stream opens one in the chunk's own
format, and a `detect` ends the stream before it. A stream gets at most one `error` (a format
or chunk that makes no sense), never one per chunk.

Audio is gathered into whole steps before it goes to the worker thread, so a client sending
10 ms chunks does not pay a thread hand-off per chunk. By default two openWakeWord steps
(160 ms) go together: between two calls 80 ms apart, a shared CPU's caches lose the models'
weights, and the second step of a pair runs warm. That saves about 10 % of the CPU per stream
(measured) for a detection at most 80 ms later; `--steps-per-inference 1` trades back.
Refractory periods are counted in audio time, so a client streaming faster than real time gets
the same detections.

A wake word stream from Home Assistant never ends and is mostly a quiet room. Once the audio has
been quiet for longer than the detectors' whole context, they would only keep computing the
state they start from, so inference pauses; when sound comes back, the stream restarts from a
fresh state (precomputed: cheap) and detects as usual.

Fairness: every connection's inference goes through one worker, first come first served, in
jobs of at most `MAX_JOB_SAMPLES` of audio, and a connection's next event is read only once its
audio is processed. A stream listening only to cheap models (microWakeWord's, about 2 ms per
job with all four) runs them on the event loop instead: the thread hand-offs would cost more.
So one connection has at most one job queued, and at most one chunk of
unprocessed audio (bounded by `--max-event-bytes`, and by the front door once converted); a
client sending faster than that is held back by TCP, not served before the others. A stream's
job waits for at most one job of each other stream (17 ms of CPU with every wake word,
measured). Nothing is dropped and no error is sent for speed: a client streaming a recording
faster than real time, or a satellite catching up after a network stall, wants every detection
in it, and a real-time stream never has more than a chunk waiting. A format that makes no
sense is refused once (an `error`, the only answer to that stream) and the rest of the stream
is skipped, at the pace of a real-time stream.
"""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from wyoming.audio import AudioChunk, AudioStart, AudioStop
from wyoming.event import Event
from wyoming.wake import Detect, Detection, NotDetected

from ..server.audio import RATE, WIDTH, AudioFormatError, AudioInput, check_format, is_silent
from ..server.connection import Connection, ServiceError, ServiceHandler
from ..server.pool import InferencePool
from .detector import WakeDetector

_LOGGER = logging.getLogger(__name__)
_VERSION_SUFFIX = re.compile(r"_v\d+(\.\d+)*$")
_OFFICIAL_NAMES = {"ok_nabu": "okay_nabu"}  # the official server's spelling of ours
# The most audio one inference job takes (four 80 ms steps): 17 ms of CPU with every wake word
# of both engines (measured), which is how long another stream may wait behind it. Larger backlogs (a chunk of a minute)
# go in several jobs, each queued behind the other streams' (see the module doc).
MAX_JOB_SAMPLES = 4 * 1280
# A refused stream's audio is skipped no faster than a satellite streams (16 kHz s16). Skipping
# costs nothing per byte, so it gives the sender no backpressure: a rate=1 flood was read at
# 130 MB/s, and the event loop busy with it kept the inference worker waiting for the GIL
# (another stream's detection came 1.4 s late, measured).
_SKIP_BYTES_PER_SECOND = RATE * WIDTH


@dataclass(frozen=True)
class WakeSettings:
    batch_samples: int  # audio gathered before one inference
    refractory_seconds: float  # audio time after a detection when the same word is ignored
    silence_threshold: float  # RMS under which audio is quiet; 0 = never pause


@dataclass
class _Stream:
    """One audio stream (audio-start ... audio-stop) of a connection."""

    audio: AudioInput
    states: dict[int, object]  # detector index -> its state for this stream
    activations: dict[str, int]  # activated steps in a row, per wake word
    pending: bytearray = field(default_factory=bytearray)
    samples: int = 0  # audio time of this stream, in samples
    quiet_until: dict[str, int] = field(default_factory=dict)  # refractory end, in samples
    detected: bool = False
    timestamp: int | None = None  # of the last chunk, as the client sent it
    quiet_samples: int = 0  # consecutive quiet audio, in samples
    paused: bool = False  # inference paused on a long quiet stretch
    refused: bool = False  # its format was refused: the rest of it is skipped


class WakeHandler(ServiceHandler):
    OWN_TYPES = frozenset(("detect",))
    TAKES_AUDIO = True

    def __init__(
        self,
        detectors: Sequence[WakeDetector],
        pool: InferencePool,
        conn: Connection,
        settings: WakeSettings,
    ) -> None:
        self.detectors = list(detectors)
        self.pool = pool
        self.conn = conn
        self.settings = settings
        self.owner: dict[str, int] = {}  # wake word -> index of the detector serving it
        for i, detector in enumerate(self.detectors):
            for name in detector.names:
                self.owner.setdefault(name, i)
        self.names: list[str] = list(self.owner)  # from the last `detect`
        self.asked_as: dict[str, str] = {}  # our name -> the client's, where they differ
        self.stream: _Stream | None = None

    async def handle(self, event: Event) -> None:
        if Detect.is_type(event.type):
            # A new request: whatever stream was open ends here (wyoming-satellite sends a new
            # `detect` after each command, with no `audio-stop` before it).
            self.stream = None
            try:
                asked = _asked_names(event.data.get("names"))
            except ServiceError:
                self.names, self.asked_as = [], {}  # the stream after it listens for nothing
                raise
            self._detect(asked)
        elif AudioStart.is_type(event.type):
            start = AudioStart.from_event(event)
            self.stream = self._new_stream()
            try:
                check_format(start.rate, start.width, start.channels)
            except AudioFormatError:
                self.stream.refused = True
                raise
        elif AudioChunk.is_type(event.type):
            # Audio with no `audio-start` opens a stream in the chunk's own format: the
            # local-wake mode of wyoming-satellite streams that way, and so does the official
            # openWakeWord server accept it.
            stream = self.stream = self.stream or self._new_stream()
            if stream.refused:
                await asyncio.sleep(len(event.payload or b"") / _SKIP_BYTES_PER_SECOND)
                return
            try:
                chunk = AudioChunk.from_event(event)
                stream.pending += await stream.audio.convert(chunk)
            except AudioFormatError:
                stream.refused = True
                raise
            except (KeyError, TypeError, ValueError) as err:
                # One error for the stream, then its audio is skipped: never one per chunk.
                stream.refused = True
                raise ServiceError(f"invalid 'audio-chunk' event: {err}", "bad-event") from err
            stream.timestamp = chunk.timestamp
            while len(stream.pending) >= self.settings.batch_samples * WIDTH:
                await self._process(stream)
        elif AudioStop.is_type(event.type):
            ended, self.stream = self.stream, None
            if ended is not None and ended.refused:
                return  # its error was the answer
            while ended is not None and len(ended.pending) >= WIDTH:
                await self._process(ended)
            if ended is None or not ended.detected:
                await self.conn.write(NotDetected().event())

    def _detect(self, asked: list[str]) -> None:
        """Listen for the `asked` wake words (all installed ones when none is named)."""
        ours = {name: self._installed_name(name) for name in asked or list(self.owner)}
        unknown = [name for name, found in ours.items() if found is None]
        if unknown:
            # One answer per request: this error, and no detection for what follows.
            self.names, self.asked_as = [], {}
            raise ServiceError(
                f"unknown wake word(s) {unknown}; installed: {sorted(self.owner)}",
                "unknown-wake-word",
            )
        # A detection carries the name the client asked for (HA checks it).
        self.asked_as = {found: name for name, found in ours.items() if found is not None}
        self.names = list(self.asked_as)

    def _new_stream(self) -> _Stream:
        return _Stream(
            AudioInput(),
            self._new_states(),
            activations=dict.fromkeys(self.names, 0),
            quiet_until=dict.fromkeys(self.names, 0),
        )

    def _installed_name(self, name: str) -> str | None:
        """Our name for a wake word; the official server's names (`hey_jarvis_v0.1`,
        `ok_nabu_v0.1`) are accepted too, so pipelines made with it keep working."""
        if name in self.owner:
            return name
        base = _VERSION_SUFFIX.sub("", name)
        base = _OFFICIAL_NAMES.get(base, base)
        return base if base in self.owner else None

    def _new_states(self) -> dict[int, object]:
        wanted: dict[int, list[str]] = {}
        for name in self.names:
            wanted.setdefault(self.owner[name], []).append(name)
        return {i: self.detectors[i].new_stream(names) for i, names in wanted.items()}

    def _infer(self, states: dict[int, object], pcm: bytes) -> list[tuple[int, str, list[float]]]:
        """Blocking, in the pool: every detector of the stream on this audio."""
        return [
            (i, name, probabilities)
            for i, state in states.items()
            for name, probabilities in self.detectors[i].process(state, pcm).items()
        ]

    async def _process(self, stream: _Stream) -> None:
        """One inference job on the oldest pending audio, at most `MAX_JOB_SAMPLES` of it."""
        pending = stream.pending
        job_bytes = max(MAX_JOB_SAMPLES, self.settings.batch_samples) * WIDTH
        pcm = bytes(pending[: min(len(pending) - len(pending) % WIDTH, job_bytes)])
        del pending[: len(pcm)]
        start = stream.samples
        stream.samples += len(pcm) // WIDTH
        threshold = self.settings.silence_threshold
        if threshold > 0 and is_silent(pcm, threshold):
            stream.quiet_samples += len(pcm) // WIDTH
            context = max((self.detectors[i].context_samples for i in stream.states), default=0)
            if stream.quiet_samples > context:
                stream.paused = True
                return
        else:
            stream.quiet_samples = 0
            if stream.paused:  # sound again after a long quiet stretch
                stream.states = self._new_states()
                stream.activations = dict.fromkeys(self.names, 0)
                stream.paused = False
        if not stream.states:
            return  # nothing to listen for (the `detect` was refused)
        if all(self.detectors[i].runs_inline for i in stream.states):
            results = self._infer(stream.states, pcm)
            # A backlog (a minute of audio in one chunk) is many jobs: the other streams'
            # events and jobs go between them, as they would through the pool.
            await asyncio.sleep(0)
        else:
            results = await self.pool.run(self._infer, stream.states, pcm)
        for i, name, probabilities in results:
            detector = self.detectors[i]
            trigger = detector.trigger(name)
            for step, probability in enumerate(probabilities):
                if probability <= trigger.threshold:
                    stream.activations[name] = max(0, stream.activations[name] - 1)
                    continue
                stream.activations[name] += 1
                # Each probability covers one step of this batch, in order.
                now = min(stream.samples, start + (step + 1) * detector.step_samples)
                if (
                    stream.activations[name] >= trigger.trigger_level
                    and now >= stream.quiet_until[name]
                ):
                    stream.activations[name] = 0
                    stream.quiet_until[name] = now + int(self.settings.refractory_seconds * RATE)
                    stream.detected = True
                    timestamp = stream.timestamp
                    if timestamp is None:
                        timestamp = now * 1000 // RATE
                    _LOGGER.debug("%s: detected %s (p=%.2f)", self.conn.peer, name, probability)
                    said = self.asked_as.get(name, name)
                    await self.conn.write(Detection(name=said, timestamp=timestamp).event())


def _asked_names(names: object) -> list[str]:
    """The wake words a `detect` asks for: a list of names, or one name written as a string
    (read as that name, not letter by letter); none means every installed one."""
    if names is None:
        return []
    if isinstance(names, str):
        return [names]
    if isinstance(names, list) and all(isinstance(name, str) for name in names):
        return names
    raise ServiceError(
        f"invalid 'detect' event: 'names' must be a list of wake word names, not {names!r:.80}",
        "bad-event",
    )
