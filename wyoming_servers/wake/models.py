"""The openWakeWord models: those shipped with `pyopen-wakeword`, and .tflite files given."""

from __future__ import annotations

import importlib
from pathlib import Path

from ..server.model_sources import ModelSource, package_version


def openwakeword_builtin() -> list[ModelSource]:
    """The openWakeWord models that ship inside `pyopen-wakeword`."""
    try:
        module = importlib.import_module("pyopen_wakeword")
    except ImportError:
        return []
    models_dir = Path(module.__file__ or "").parent / "models"
    version = package_version("pyopen-wakeword")
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


def resolve_models(specs: list[str], directories: list[Path]) -> list[ModelSource]:
    """Installed names or .tflite files (default: all installed), then the models of each
    custom directory not already named."""
    builtins = {s.name: s for s in openwakeword_builtin()}
    sources: dict[str, ModelSource] = {}
    for spec in specs or list(builtins):
        if spec in builtins:
            sources[spec] = builtins[spec]
            continue
        path = Path(spec).expanduser()
        if not path.is_file():
            raise FileNotFoundError(
                f"'{spec}' is neither an installed wake word "
                f"({', '.join(builtins)}) nor a .tflite file"
            )
        sources[path.stem] = ModelSource(path.stem, path.resolve())
    for directory in directories:
        for source in tflite_models_in(directory):
            sources.setdefault(source.name, source)
    return list(sources.values())
