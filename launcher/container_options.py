"""The add-on's options (`/data/options.json`, written by the Home Assistant Supervisor from the
add-on's Configuration tab, or by hand for Docker) as the launcher's own command-line flags.

Every option maps onto a flag that `scripts/run.sh` takes too, so the add-on runs exactly what
a developer runs; `launcher_args` is the whole mapping. Values are checked here as well as by
the Supervisor (a hand-written file for Docker is not), and a wrong one is a LaunchError that
names the option.
"""

from pathlib import Path
from typing import Any

from .llm_models import DEFAULT_MODEL, MODELS
from .process import LaunchError

# microWakeWord's wake words are served as NAME_mww (wyoming_servers/wake); openWakeWord's as NAME.
MICRO_SUFFIX = "_mww"

# Folders under /share that the official Wyoming add-ons use for the user's own models; when one
# exists, its models are served too.
SHARED_FOLDERS = {
    "--custom-model-dir": "openwakeword",  # openWakeWord .tflite files
    "--data-dir": "piper",  # Piper voices: NAME.onnx + NAME.onnx.json
}


def _text(options: dict[str, Any], key: str) -> str:
    value = options.get(key)
    if value is None:
        return ""
    if not isinstance(value, str):
        raise LaunchError(f"Option {key!r} must be text, not {value!r}")
    return value.strip()


def _names(options: dict[str, Any], key: str) -> list[str]:
    value = options.get(key)
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise LaunchError(f"Option {key!r} must be a list of names, not {value!r}")
    return [v.strip() for v in value if v.strip()]


def _model_args(options: dict[str, Any]) -> list[str]:
    if model_file := _text(options, "model_file"):
        if not Path(model_file).is_file():
            raise LaunchError(
                f"Option 'model_file': no file at {model_file} (put your GGUF in /share or "
                "/media and give its full path)"
            )
        return ["--model", model_file]
    model = _text(options, "model") or DEFAULT_MODEL
    if model not in MODELS:
        raise LaunchError(f"Option 'model': {model!r} is not one of {', '.join(MODELS)}")
    return ["--model", model]


def _threads_args(options: dict[str, Any]) -> list[str]:
    args: list[str] = []
    for option, flag in (("threads", "--threads"), ("prompt_threads", "--prompt-threads")):
        threads = options.get(option)
        if threads in (None, 0):
            continue  # the launcher's default: one less than the cores
        if not isinstance(threads, int) or isinstance(threads, bool) or threads < 0:
            raise LaunchError(f"Option '{option}' must be a whole number, not {threads!r}")
        args += [flag, str(threads)]
    return args


def _wake_args(options: dict[str, Any]) -> list[str]:
    """Chosen wake words as each engine's flag; an engine with none chosen is left out."""
    words = _names(options, "wake_words")
    if not words:
        return []  # every installed wake word of both engines
    open_words = [w for w in words if not w.endswith(MICRO_SUFFIX)]
    micro_words = [w.removesuffix(MICRO_SUFFIX) for w in words if w.endswith(MICRO_SUFFIX)]
    args: list[str] = []
    for word in open_words or ["none"]:
        args += ["--wake-model", word]
    for word in micro_words or ["none"]:
        args += ["--micro-model", word]
    return args


def launcher_args(options: dict[str, Any], share: Path = Path("/share")) -> list[str]:
    """The launcher's flags for these options (the Wyoming ones pass through to its server)."""
    if not isinstance(options, dict):
        raise LaunchError(f"The options must be a JSON object, not {type(options).__name__}")
    args = _model_args(options) + _threads_args(options)
    for name in _names(options, "stt_models"):
        args += ["--stt-model", name]
    if language := _text(options, "language"):
        args += ["--language", language]
    args += _wake_args(options)
    if voice := _text(options, "voice"):
        args += ["--voice", voice]
    if options.get("pico_voices") is False:
        args.append("--no-pico")
    for flag, folder in SHARED_FOLDERS.items():
        if (share / folder).is_dir():
            args += [flag, str(share / folder)]
    if options.get("debug") is True:
        args.append("--debug")
    return args


def model_name(args: list[str]) -> str | None:
    """The model chosen by name in `args` (None for a GGUF file)."""
    chosen = args[args.index("--model") + 1] if "--model" in args else DEFAULT_MODEL
    return chosen if chosen in MODELS else None
