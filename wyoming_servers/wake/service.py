"""Wake word service (openWakeWord and microWakeWord): `python -m wyoming_servers.wake`.

Flags, model loading and the `info` entries (one program per engine); each connection gets a
`WakeHandler` (`handler.py`) with the `WakeDetector`s (`openwakeword.py`, `micro_wakeword.py`),
the inference pool and the settings.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from wyoming.info import Attribution, Info, WakeProgram

from ..server.audio import SILENCE_RMS
from ..server.connection import Connection
from ..server.pool import InferencePool
from ..server.runner import ArgumentSink, run_module
from .detector import Trigger, WakeDetector
from .handler import WakeHandler, WakeSettings
from .micro_wakeword import MicroWakeWordDetector
from .models import resolve_micro_models, resolve_models
from .openwakeword import OpenWakeWordDetector

NAME = "wake"
PROJECT_URL = "https://github.com/heisenberg-assistant/heisenberg"


def add_arguments(parser: ArgumentSink, prefix: str) -> None:
    parser.add_argument(
        f"--{prefix}model",
        dest="wake_model",
        action="append",
        metavar="NAME_OR_FILE",
        help="openWakeWord wake word: an installed one (okay_nabu, hey_jarvis, hey_mycroft, "
        "alexa, hey_rhasspy) or an openWakeWord .tflite file; repeatable; 'none' for none "
        "(only --custom-model-dir ones, if any). Default: all installed",
    )
    parser.add_argument(
        "--micro-model",
        dest="wake_micro_model",
        action="append",
        metavar="NAME_OR_FILE",
        help="microWakeWord wake word, served as NAME_mww: an installed one (okay_nabu, "
        "hey_jarvis, hey_mycroft, alexa) or a microWakeWord .json config; repeatable; 'none' "
        "for no microWakeWord. Default: all installed",
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
        help="probability above which a step (80 ms openWakeWord, 30 ms microWakeWord) counts "
        "as activated (0-1), as NAME=VALUE for one wake word or as VALUE for all openWakeWord "
        "ones; repeatable. Default: 0.5 for openWakeWord, each microWakeWord model's own "
        "cutoff (okay_nabu_mww 0.85)",
    )
    parser.add_argument(
        "--trigger-level",
        dest="wake_trigger_level",
        action="append",
        default=[],
        metavar="[NAME=]N",
        help="activated steps in a row needed for a detection, as NAME=N for one wake word or "
        "as N for all openWakeWord ones; repeatable. Default 1 (microWakeWord already "
        "averages 5 steps)",
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
    sources = resolve_models(args.wake_model or [], args.wake_custom_model_dir)
    micro_sources = resolve_micro_models(args.wake_micro_model or [])
    thresholds = _per_model(args.wake_threshold, float, 0.5, "--threshold")
    levels = _per_model(args.wake_trigger_level, int, 1, "--trigger-level")
    names = {s.name for s in sources}
    micro_names = {s.name for s in micro_sources}
    if not names | micro_names:
        raise ValueError("no wake word to serve: --model none and --micro-model none")
    for name in names & micro_names:
        raise ValueError(f"an openWakeWord model is named like a microWakeWord one: {name}")
    for name in (set(thresholds) | set(levels)) - {"*"} - names - micro_names:
        raise ValueError(f"--threshold/--trigger-level name a wake word not loaded: {name}")
    detectors: list[WakeDetector] = []
    if sources:
        triggers = {
            name: Trigger(thresholds.get(name, thresholds["*"]), int(levels.get(name, levels["*"])))
            for name in [*names, "*"]
        }
        detectors.append(OpenWakeWordDetector(sources, triggers))
    if micro_sources:
        # A bare --threshold is openWakeWord's scale; microWakeWord models keep their own
        # calibrated cutoffs unless named.
        detectors.append(
            MicroWakeWordDetector(
                micro_sources,
                {n: v for n, v in thresholds.items() if n in micro_names},
                {n: int(v) for n, v in levels.items() if n in micro_names},
            )
        )
    # One worker: the interpreters are shared, calls are serialised anyway.
    pool = InferencePool("wake", workers=1, max_jobs=args.wake_max_streams)
    settings = WakeSettings(
        # Counted in openWakeWord's 80 ms steps whatever the engines: microWakeWord's 30 ms
        # steps go along in the same call (what is left over waits in its stream's state).
        batch_samples=args.wake_steps_per_inference * OpenWakeWordDetector.step_samples,
        refractory_seconds=args.wake_refractory_seconds,
        silence_threshold=args.wake_silence_threshold,
    )
    return WakeService(detectors, pool, settings)


class WakeService:
    def __init__(
        self, detectors: list[WakeDetector], pool: InferencePool, settings: WakeSettings
    ) -> None:
        self.detectors = detectors
        self.pool = pool
        self.settings = settings

    def add_to_info(self, info: Info) -> None:
        # One program with every engine's words: Home Assistant offers only the first one.
        engines = " and ".join(d.engine_name for d in self.detectors)
        info.wake.append(
            WakeProgram(
                name="heisenberg-wake",
                description=f"{engines} wake word detection (Heisenberg)",
                attribution=Attribution(name="Heisenberg", url=PROJECT_URL),
                installed=True,
                version=self.detectors[0].version,
                models=[model for d in self.detectors for model in d.info_models()],
            )
        )

    def make_handler(self, conn: Connection) -> WakeHandler:
        return WakeHandler(self.detectors, self.pool, conn, self.settings)

    def shutdown(self) -> None:
        # The interpreters are freed by hand (C library): no job may still be using them.
        self.pool.shutdown(wait=True)
        for detector in self.detectors:
            detector.close()


def main() -> None:
    run_module(sys.modules[__name__], "Wyoming wake word server (openWakeWord, microWakeWord)")
