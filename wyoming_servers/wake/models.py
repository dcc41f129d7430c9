"""The wake word models: openWakeWord's (shipped with `pyopen-wakeword`, or .tflite files given)
and microWakeWord's (shipped with `pymicro-wakeword`, or their .json configs given).

A microWakeWord model's name is its file's stem plus `_mww` (`okay_nabu_mww`), so that both
engines' "okay_nabu" can be served side by side and a client picks one by name.
"""

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
    """Installed names or .tflite files (default: all installed; `none`: none of them), then
    the models of each custom directory not already named."""
    builtins = {s.name: s for s in openwakeword_builtin()}
    sources: dict[str, ModelSource] = {}
    for spec in _chosen(specs, list(builtins)):
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


MICRO_SUFFIX = "_mww"


def microwakeword_builtin() -> list[ModelSource]:
    """The microWakeWord models that ship inside `pymicro-wakeword` (their .json configs)."""
    try:
        module = importlib.import_module("pymicro_wakeword")
    except ImportError:
        return []
    models_dir = Path(module.__file__ or "").parent / "models"
    version = package_version("pymicro-wakeword")
    return [
        ModelSource(
            m.value + MICRO_SUFFIX, models_dir / f"{m.value}.json", "pymicro-wakeword", version
        )
        for m in module.Model
        if (models_dir / f"{m.value}.json").is_file()
    ]


def resolve_micro_models(specs: list[str]) -> list[ModelSource]:
    """Installed microWakeWord names (`okay_nabu` or `okay_nabu_mww`) or .json config files
    (the .tflite they name beside them); default: all installed; `none`: none."""
    builtins = {s.name: s for s in microwakeword_builtin()}
    sources: dict[str, ModelSource] = {}
    for spec in _chosen(specs, list(builtins)):
        name = spec if spec.endswith(MICRO_SUFFIX) else spec + MICRO_SUFFIX
        if name in builtins:
            sources[name] = builtins[name]
            continue
        path = Path(spec).expanduser()
        if path.suffix != ".json" or not path.is_file():
            raise FileNotFoundError(
                f"'{spec}' is neither an installed microWakeWord model "
                f"({', '.join(builtins)}) nor a microWakeWord .json config"
            )
        sources[path.stem + MICRO_SUFFIX] = ModelSource(path.stem + MICRO_SUFFIX, path.resolve())
    return list(sources.values())


def _chosen(specs: list[str], default: list[str]) -> list[str]:
    """What a repeatable model flag asks for: nothing given = the default, `none` = nothing."""
    if not specs:
        return default
    return [] if specs == ["none"] else specs
