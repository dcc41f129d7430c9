"""The container image (the Home Assistant add-on and the Docker image) built and run here.

The Dockerfile is built with podman on a Debian base bootstrapped on this machine
(harness/container_image.py), then started as the Supervisor starts an add-on: /data with its
options.json, SUPERVISOR_TOKEN set. The Supervisor itself cannot run here: its discovery API is
a stand-in (harness/supervisor_standin.py). What is checked is what a user gets: the Wyoming
server answers `describe` with wake word, STT and TTS, llama-server answers `/health` and a
question, the options change what runs, and both services are announced for discovery.
"""

import json
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import pytest_socket

from harness import container_image as image
from harness.supervisor_standin import SupervisorStandIn
from launcher.llama_server import server_is_healthy
from launcher.llm_models import MODELS, resolve_model
from launcher.process import free_port
from launcher.wyoming_server import describe

TOKEN = "stand-in-supervisor-token"
HOSTNAME = "heisenberg-test"

pytestmark = pytest.mark.skipif(
    (reason := image.why_podman_cannot_run()) is not None,
    reason=f"the image test needs podman: {reason}",
)


@pytest.fixture(scope="module")
def built() -> tuple[str, Path]:
    """The image, built from the Dockerfile as it is now (layers cached between runs)."""
    wheels = image.ensure_wheels()
    return image.build(image.ensure_base(), wheels), wheels


class Started:
    """One container run: its ports, its stand-in Supervisor, and how to read it."""

    def __init__(self, name: str, supervisor: SupervisorStandIn) -> None:
        self.name = name
        self.supervisor = supervisor
        self.llama_port = free_port()
        self.wyoming_port = free_port()
        self.info: dict[str, Any] | None = None

    @property
    def llama_url(self) -> str:
        return f"http://127.0.0.1:{self.llama_port}"

    def wait_ready(self, seconds: float = 420) -> None:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            running, code = image.container_state(self.name)
            if not running:
                pytest.fail(f"the container ended ({code}):\n{image.container_logs(self.name)}")
            logs = image.container_logs(self.name)
            if "ready" in logs and len(self.supervisor.messages) >= 2:
                self.info = describe("127.0.0.1", self.wyoming_port)
                return
            time.sleep(2)
        pytest.fail(f"not ready in {seconds:.0f} s:\n{image.container_logs(self.name)}")


def start(
    built: tuple[str, Path], name: str, data: Path, options: dict[str, Any], share: Path | None
) -> Iterator[Started]:
    tag, wheels = built
    pytest_socket.enable_socket()  # module fixtures start before the per-test switch
    (data / "options.json").write_text(json.dumps(options))
    with SupervisorStandIn(TOKEN) as supervisor:
        run = Started(name, supervisor)
        args = ["--host", "127.0.0.1", "--llama-port", str(run.llama_port)]
        args += ["--wyoming-port", str(run.wyoming_port)]
        env = {"SUPERVISOR_TOKEN": TOKEN, "SUPERVISOR_API": supervisor.url}
        image.run_container(
            tag, name, data, wheels, args=args, env=env, share=share, hostname=HOSTNAME
        )
        try:
            run.wait_ready()
            yield run
        finally:
            image.podman("rm", "--force", "--time", "30", name, check=False)


def names(info: dict[str, Any], kind: str) -> list[str]:
    programs = info.get(kind) or []
    return [m["name"] for p in programs for m in (p.get("models") or p.get("voices") or [])]


def get_json(url: str) -> Any:
    with urllib.request.urlopen(url, timeout=30) as response:
        return json.loads(response.read())


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The add-on's /data, shared by the first start and the restart after it."""
    return tmp_path_factory.mktemp("addon-data")


@pytest.fixture(scope="module")
def first_start(built: tuple[str, Path], data_dir: Path) -> Iterator[Started]:
    options = {
        "model": "gemma3-270m",
        "stt_models": ["tiny.en"],
        "language": "en",
        "wake_words": ["okay_nabu", "hey_jarvis_mww"],
        "pico_voices": True,
        "debug": False,
    }
    yield from start(built, "heisenberg-image-test-1", data_dir, options, share=None)


def test_wyoming_describe_lists_wake_stt_and_tts_as_the_options_say(first_start: Started) -> None:
    info = first_start.info
    assert info is not None
    assert names(info, "asr") == ["tiny.en"]
    assert set(names(info, "wake")) == {"okay_nabu", "hey_jarvis_mww"}
    voices = names(info, "tts")
    assert "en_US-joe-medium" in voices
    assert "fr_FR-pico" in voices  # Debian's Pico voices, installed in the image


def test_llama_server_answers_health_and_a_question(first_start: Started) -> None:
    assert server_is_healthy(first_start.llama_url)
    props = get_json(f"{first_start.llama_url}/props")
    assert props["model_path"] == f"/data/cache/models/{MODELS['gemma3-270m'].file_name}"
    request = urllib.request.Request(
        f"{first_start.llama_url}/completion",
        data=json.dumps({"prompt": "The capital of France is", "n_predict": 8}).encode(),
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=60) as response:
        answer = json.loads(response.read())
    assert answer["content"].strip()


def test_services_are_announced_to_the_supervisor(first_start: Started) -> None:
    """What the Supervisor passes to HA: the Wyoming URI and the llama-server URL, under the
    add-on's host name (HA reaches add-ons by name on the Supervisor's network)."""
    assert first_start.supervisor.refused == []
    assert {
        "service": "wyoming",
        "config": {"uri": f"tcp://{HOSTNAME}:{first_start.wyoming_port}"},
    } in first_start.supervisor.messages
    assert {
        "service": "heisenberg",
        "config": {"url": f"http://{HOSTNAME}:{first_start.llama_port}"},
    } in first_start.supervisor.messages


def test_models_are_kept_in_data_and_the_log_says_what_to_enter(
    first_start: Started, data_dir: Path
) -> None:
    assert (data_dir / "cache" / "models" / MODELS["gemma3-270m"].file_name).is_file()
    assert (data_dir / "packages" / "voice-models").is_dir()
    # The model's parts are removed once joined: one copy of the weights, not two.
    assert not (data_dir / "packages" / "llm-gemma").exists()
    logs = image.container_logs(first_start.name)
    assert f"llama-server URL: http://{HOSTNAME}:{first_start.llama_port}" in logs
    assert f"Wyoming Protocol — host {HOSTNAME}, port {first_start.wyoming_port}" in logs


def test_a_restart_with_other_options_runs_what_they_say(
    built: tuple[str, Path], data_dir: Path, first_start: Started, tmp_path: Path
) -> None:
    """Same /data, new options: another model (a GGUF under /share), other STT models, wake
    words and no Pico voices; nothing is downloaded again."""
    image.podman("stop", "--time", "30", first_start.name)
    running, code = image.container_state(first_start.name)
    assert (running, code) == (False, 0)
    assert "stopped" in image.container_logs(first_start.name)
    share = tmp_path / "share"
    (share / "models").mkdir(parents=True)
    gguf = resolve_model("qwen2.5-0.5b")
    (share / "models" / gguf.name).hardlink_to(gguf)
    options = {
        "model": "gemma3-270m",
        "model_file": f"/share/models/{gguf.name}",
        "stt_models": ["base"],
        "language": "fr",
        "wake_words": ["hey_jarvis"],
        "pico_voices": False,
        "debug": False,
    }
    for run in start(built, "heisenberg-image-test-2", data_dir, options, share=share):
        assert run.info is not None
        assert names(run.info, "asr") == ["base"]
        assert names(run.info, "wake") == ["hey_jarvis"]
        assert not [v for v in names(run.info, "tts") if v.endswith("-pico")]
        props = get_json(f"{run.llama_url}/props")
        assert props["model_path"] == f"/share/models/{gguf.name}"
        assert "downloading" not in image.container_logs(run.name)
