"""Wake word service (openWakeWord): `python -m wyoming_servers.wake`.

Audio is gathered into whole 80 ms steps (the models' hop) before it goes to the worker thread,
so a client sending 10 ms chunks does not pay eight thread hand-offs per step. By default two
steps (160 ms) go together: between two calls 80 ms apart, a shared CPU's caches lose the models'
weights, and the second step of a pair runs warm. That saves about 10 % of the CPU per stream
(measured) for a detection at most 80 ms later; `--steps-per-inference 1` trades back.
Refractory periods are counted in audio time, so a client streaming faster than real time gets
the same detections.

A wake word stream from Home Assistant never ends and is mostly a quiet room. Once the audio has
been quiet for longer than the models' whole context (about 2 s), the models would only keep
computing the state they start from, so inference pauses; when sound comes back, the stream
restarts from that precomputed quiet state (see `wake_engine`) and detects as usual.
"""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path

from wyoming.audio import AudioChunk, AudioStart, AudioStop
from wyoming.event import Event
from wyoming.info import Attribution, Info, WakeModel, WakeProgram
from wyoming.wake import Detect, Detection, NotDetected

from ..server import model_sources as models
from ..server.audio import RATE, SILENCE_RMS, WIDTH, AudioInput, is_silent
from ..server.connection import Connection, ServiceError, ServiceHandler
from ..server.pool import InferencePool
from ..server.runner import run_module
from .openwakeword import StreamState, Trigger, WakeEngine

NAME = "wake"
_LOGGER = logging.getLogger(__name__)
_STEP_SAMPLES = 1280  # 80 ms: one probability per wake word
# The models see 775 ms of mel frames and 16 embeddings (1.28 s): past this much quiet audio
# their state no longer depends on what came before it.
_QUIET_CONTEXT_SAMPLES = int(2.2 * RATE)


def add_arguments(parser: argparse.ArgumentParser, prefix: str) -> None:
    parser.add_argument(
        f"--{prefix}model",
        dest="wake_model",
        action="append",
        metavar="NAME_OR_FILE",
        help="wake word: an installed one (okay_nabu, hey_jarvis, hey_mycroft, alexa, "
        "hey_rhasspy) or an openWakeWord .tflite file; repeatable. Default: all installed",
    )
    parser.add_argument(
        "--custom-model-dir",
        dest="wake_custom_model_dir",
        action="append",
        type=Path,
        default=[],
        help="directory with more openWakeWord .tflite models; repeatable",
    )
    parser.add_argument(
        "--threshold",
        dest="wake_threshold",
        action="append",
        default=[],
        metavar="[NAME=]VALUE",
        help="probability above which an 80 ms step counts as activated (0-1), for all "
        "wake words or, as NAME=VALUE, for one; repeatable. Default 0.5",
    )
    parser.add_argument(
        "--trigger-level",
        dest="wake_trigger_level",
        action="append",
        default=[],
        metavar="[NAME=]N",
        help="activated steps needed for a detection, for all wake words or as NAME=N for "
        "one; repeatable. Default 1",
    )
    parser.add_argument(
        "--refractory-seconds",
        dest="wake_refractory_seconds",
        type=float,
        default=2.0,
        help="audio seconds after a detection during which the same wake word is ignored",
    )
    parser.add_argument(
        "--silence-threshold",
        dest="wake_silence_threshold",
        type=float,
        default=SILENCE_RMS,
        help="RMS (16-bit scale) under which audio counts as quiet; inference pauses after "
        "2.2 s of quiet audio. 0 = always run the models",
    )
    parser.add_argument(
        "--steps-per-inference",
        dest="wake_steps_per_inference",
        type=int,
        default=2,
        choices=range(1, 5),
        metavar="N",
        help="80 ms steps computed together (1-4): 1 detects soonest, 2 (default) costs "
        "about 10%% less CPU for a detection at most 80 ms later",
    )
    parser.add_argument(
        "--max-streams",
        dest="wake_max_streams",
        type=int,
        default=32,
        help="wake word streams processed at once before new ones get a 'busy' error",
    )


def _per_model(
    values: list[str], cast: type[float] | type[int], default: float, flag: str
) -> dict[str, float]:
    result: dict[str, float] = {"*": default}
    for value in values:
        name, _, number = value.rpartition("=")
        try:
            result[name or "*"] = cast(number)
        except ValueError as err:
            raise ValueError(f"{flag}: '{value}' is not [NAME=]NUMBER") from err
    return result


def load(args: argparse.Namespace) -> WakeService:
    builtins = {s.name: s for s in models.openwakeword_builtin()}
    sources: dict[str, models.ModelSource] = {}
    for spec in args.wake_model or list(builtins):
        if spec in builtins:
            sources[spec] = builtins[spec]
            continue
        path = Path(spec).expanduser()
        if not path.is_file():
            raise FileNotFoundError(
                f"'{spec}' is neither an installed wake word "
                f"({', '.join(builtins)}) nor a .tflite file"
            )
        sources[path.stem] = models.ModelSource(path.stem, path.resolve())
    for directory in args.wake_custom_model_dir:
        for source in models.tflite_models_in(directory):
            sources.setdefault(source.name, source)
    thresholds = _per_model(args.wake_threshold, float, 0.5, "--threshold")
    levels = _per_model(args.wake_trigger_level, int, 1, "--trigger-level")
    for name in (set(thresholds) | set(levels)) - {"*"} - set(sources):
        raise ValueError(f"--threshold/--trigger-level name a wake word not loaded: {name}")
    triggers = {
        name: Trigger(thresholds.get(name, thresholds["*"]), int(levels.get(name, levels["*"])))
        for name in [*sources, "*"]
    }
    engine = WakeEngine(list(sources.values()), triggers)
    # One worker: the interpreters are shared, calls are serialised anyway.
    pool = InferencePool("wake", workers=1, max_jobs=args.wake_max_streams)
    return WakeService(
        engine,
        pool,
        args.wake_refractory_seconds,
        args.wake_silence_threshold,
        args.wake_steps_per_inference,
    )


class WakeService:
    def __init__(
        self,
        engine: WakeEngine,
        pool: InferencePool,
        refractory_seconds: float,
        silence_threshold: float,
        steps_per_inference: int = 2,
    ) -> None:
        self.engine = engine
        self.batch_bytes = steps_per_inference * _STEP_SAMPLES * WIDTH
        self.pool = pool
        self.refractory_seconds = refractory_seconds
        self.silence_threshold = silence_threshold

    def add_to_info(self, info: Info) -> None:
        info.wake.append(
            WakeProgram(
                name="heisenberg-openwakeword",
                description="openWakeWord wake word detection (Heisenberg)",
                attribution=Attribution(
                    name="David Scripka (openWakeWord)",
                    url="https://github.com/dscripka/openWakeWord",
                ),
                installed=True,
                version=next((s.version for s in self.engine.sources.values() if s.version), None),
                models=[
                    WakeModel(
                        name=name,
                        description=name.replace("_", " "),
                        phrase=name.replace("_", " "),
                        attribution=Attribution(
                            name="openWakeWord", url="https://github.com/dscripka/openWakeWord"
                        ),
                        installed=True,
                        languages=["en"],
                        version=source.version,
                    )
                    for name, source in self.engine.sources.items()
                ],
            )
        )

    def make_handler(self, conn: Connection) -> WakeHandler:
        return WakeHandler(self, conn)

    def shutdown(self) -> None:
        # The interpreters are freed by hand (C library): no job may still be using them.
        self.pool.shutdown(wait=True)
        self.engine.close()


class WakeHandler(ServiceHandler):
    OWN_TYPES = frozenset(("detect",))
    TAKES_AUDIO = True

    def __init__(self, service: WakeService, conn: Connection) -> None:
        self.service = service
        self.conn = conn
        self.names: list[str] = list(service.engine.sources)
        self.audio: AudioInput | None = None
        self.state: StreamState | None = None
        self.pending = bytearray()
        self.samples = 0  # audio time of this stream, in samples
        self.activations: dict[str, int] = {}
        self.quiet_until: dict[str, int] = {}  # refractory end per wake word, in samples
        self.detected = False
        self.timestamp: int | None = None
        self.quiet_samples = 0  # consecutive quiet audio, in samples
        self.paused = False  # inference paused on a long quiet stretch

    async def handle(self, event: Event) -> None:
        if Detect.is_type(event.type):
            names = Detect.from_event(event).names or list(self.service.engine.sources)
            unknown = [n for n in names if n not in self.service.engine.sources]
            if unknown:
                raise ServiceError(
                    f"unknown wake word(s) {unknown}; installed: "
                    f"{sorted(self.service.engine.sources)}",
                    "unknown-wake-word",
                )
            self.names = list(dict.fromkeys(names))
        elif AudioStart.is_type(event.type):
            AudioStart.from_event(event)
            self.audio = AudioInput()
            self.state = self.service.engine.new_stream(self.names)
            self.pending = bytearray()
            self.samples = 0
            self.activations = dict.fromkeys(self.names, 0)
            self.quiet_until = dict.fromkeys(self.names, 0)
            self.detected = False
            self.quiet_samples = 0
            self.paused = False
        elif AudioChunk.is_type(event.type):
            if self.audio is None:
                raise ServiceError("audio-chunk before audio-start", "no-audio-start")
            chunk = AudioChunk.from_event(event)
            self.pending += await self.audio.convert(chunk)
            self.timestamp = chunk.timestamp
            if len(self.pending) >= self.service.batch_bytes:
                await self._process()
        elif AudioStop.is_type(event.type):
            if self.audio is None:
                raise ServiceError("audio-stop before audio-start", "no-audio-start")
            if len(self.pending) >= WIDTH:
                await self._process()
            self.audio = None
            self.state = None
            if not self.detected:
                await self.conn.write(NotDetected().event())

    async def _process(self) -> None:
        assert self.state is not None
        pcm = bytes(self.pending[: len(self.pending) - len(self.pending) % WIDTH])
        del self.pending[: len(pcm)]
        start = self.samples
        self.samples += len(pcm) // WIDTH
        threshold = self.service.silence_threshold
        if threshold > 0 and is_silent(pcm, threshold):
            self.quiet_samples += len(pcm) // WIDTH
            if self.quiet_samples > _QUIET_CONTEXT_SAMPLES:
                self.paused = True
                return
        else:
            self.quiet_samples = 0
            if self.paused:  # sound again after a long quiet stretch
                self.state = self.service.engine.new_stream(self.names)
                self.activations = dict.fromkeys(self.names, 0)
                self.paused = False
        results = await self.service.pool.run(self.service.engine.process, self.state, pcm)
        for name, probabilities in results.items():
            trigger = self.service.engine.trigger(name)
            for i, probability in enumerate(probabilities):
                if probability <= trigger.threshold:
                    self.activations[name] = max(0, self.activations[name] - 1)
                    continue
                self.activations[name] += 1
                # Each probability covers one 80 ms step of this batch, in order.
                now = min(self.samples, start + (i + 1) * _STEP_SAMPLES)
                if (
                    self.activations[name] >= trigger.trigger_level
                    and now >= self.quiet_until[name]
                ):
                    self.activations[name] = 0
                    self.quiet_until[name] = now + int(self.service.refractory_seconds * RATE)
                    self.detected = True
                    timestamp = self.timestamp if self.timestamp is not None else now * 1000 // RATE
                    _LOGGER.debug("%s: detected %s (p=%.2f)", self.conn.peer, name, probability)
                    await self.conn.write(Detection(name=name, timestamp=timestamp).event())


def main() -> None:
    run_module(sys.modules[__name__], "Wyoming wake word server (openWakeWord)")


if __name__ == "__main__":
    main()
