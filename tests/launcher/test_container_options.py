"""The add-on's options as launcher flags, and the flags as the launcher and its Wyoming server
really parse them (no flag that only looks right)."""

import json
import socket
from pathlib import Path

import pytest
import yaml

from launcher.__main__ import parse_args
from launcher.container import ADVERTISE_HOST_VARIABLE, build_args
from launcher.container_options import launcher_args, model_name
from launcher.llm_models import DEFAULT_MODEL, MODELS
from launcher.process import LaunchError
from wyoming_servers.server.runner import build_parser
from wyoming_servers.stt import service as stt
from wyoming_servers.tts import service as tts
from wyoming_servers.wake import service as wake

ROOT = Path(__file__).resolve().parents[2]
ADDON = yaml.safe_load((ROOT / "config.yaml").read_text())


def test_the_add_on_defaults_map_to_the_launchers_defaults(tmp_path: Path) -> None:
    args = launcher_args(ADDON["options"], share=tmp_path)
    ours, wyoming = parse_args(args)
    assert ours.model == DEFAULT_MODEL
    assert ours.threads is None and ours.prompt_threads is None  # the launcher's own default
    assert wyoming == ["--stt-model", "tiny.en", "--stt-model", "base", "--language", "en"]


def test_every_option_reaches_its_flag(tmp_path: Path) -> None:
    gguf = tmp_path / "mine.gguf"
    gguf.write_bytes(b"GGUF")
    (tmp_path / "piper").mkdir()
    (tmp_path / "openwakeword").mkdir()
    options = {
        "model": "qwen2.5-0.5b",
        "model_file": str(gguf),
        "threads": 3,
        "prompt_threads": 2,
        "stt_models": ["base"],
        "language": "fr",
        "wake_words": ["hey_jarvis", "okay_nabu_mww", "alexa_mww"],
        "voice": "fr_FR-pico",
        "pico_voices": False,
        "debug": True,
    }
    ours, wyoming = parse_args(launcher_args(options, share=tmp_path))
    assert ours.model == str(gguf)  # the file wins over the name
    assert ours.threads == 3 and ours.prompt_threads == 2
    assert wyoming == [
        "--stt-model", "base", "--language", "fr",
        "--wake-model", "hey_jarvis", "--micro-model", "okay_nabu", "--micro-model", "alexa",
        "--voice", "fr_FR-pico", "--no-pico",
        "--custom-model-dir", str(tmp_path / "openwakeword"),
        "--data-dir", str(tmp_path / "piper"),
        "--debug",
    ]  # fmt: skip


def test_wake_words_of_one_engine_leave_the_other_out(tmp_path: Path) -> None:
    args = launcher_args({"wake_words": ["okay_nabu_mww"]}, share=tmp_path)
    assert args[args.index("--wake-model") + 1] == "none"
    assert args[args.index("--micro-model") + 1] == "okay_nabu"
    assert "--wake-model" not in launcher_args({"wake_words": []}, share=tmp_path)


def test_the_wyoming_flags_are_the_servers_own(tmp_path: Path) -> None:
    """Every flag the options produce for the Wyoming server is one its parser knows."""
    options = {
        "stt_models": ["base"],
        "language": "fr",
        "wake_words": ["hey_jarvis", "okay_nabu_mww"],
        "voice": "x",
        "pico_voices": False,
        "debug": True,
    }
    _ours, wyoming = parse_args(launcher_args(options, share=tmp_path))
    parser = build_parser("python -m wyoming_servers", "", [stt, tts, wake], "heisenberg")
    parser.parse_args(wyoming)  # an unknown flag exits (SystemExit 2)


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"model": "gpt-9"}, "Option 'model': 'gpt-9' is not one of"),
        ({"model_file": "/nowhere.gguf"}, "Option 'model_file': no file at /nowhere.gguf"),
        ({"threads": "four"}, "Option 'threads' must be a whole number"),
        ({"stt_models": "base"}, "Option 'stt_models' must be a list of names"),
        ({"language": 3}, "Option 'language' must be text"),
    ],
)
def test_a_wrong_option_is_a_clear_error(options: dict[str, object], message: str) -> None:
    with pytest.raises(LaunchError, match=message.replace("(", r"\(")):
        launcher_args(options)


def test_model_name_is_the_named_model_or_none_for_a_file() -> None:
    assert model_name(["--model", "gemma3-270m"]) == "gemma3-270m"
    assert model_name(["--model", "/share/x.gguf"]) is None
    assert model_name([]) == DEFAULT_MODEL


def test_the_add_on_schema_offers_exactly_the_launchers_models() -> None:
    offered = ADDON["schema"]["model"].removeprefix("list(").removesuffix(")").split("|")
    assert offered == list(MODELS)
    assert ADDON["options"]["model"] == DEFAULT_MODEL


def test_the_add_on_version_is_the_integrations() -> None:
    manifest = json.loads((ROOT / "custom_components/heisenberg/manifest.json").read_text())
    assert ADDON["version"] == manifest["version"]


def test_the_address_to_give_home_assistant(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Under the Supervisor, the add-on's host name; under Docker, the machine the user names
    (the container's own address on Docker's network means nothing to HA); else none given."""

    def advertised() -> str | None:
        args = build_args(tmp_path, [])
        return args[args.index("--advertise-host") + 1] if "--advertise-host" in args else None

    monkeypatch.delenv("SUPERVISOR_TOKEN", raising=False)
    monkeypatch.delenv(ADVERTISE_HOST_VARIABLE, raising=False)
    assert advertised() is None
    monkeypatch.setenv(ADVERTISE_HOST_VARIABLE, " 192.168.1.20 ")
    assert advertised() == "192.168.1.20"
    monkeypatch.setenv("SUPERVISOR_TOKEN", "token")
    assert advertised() == socket.gethostname()
    # A flag the user passes wins over both.
    assert build_args(tmp_path, ["--advertise-host", "ha-box"]).count("--advertise-host") == 1
