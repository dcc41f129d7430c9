"""`python -m launcher.container`: the start command of Heisenberg's container image, as a Home
Assistant add-on or under Docker.

1. Reads the options from /data/options.json (the Supervisor writes it from the add-on's
   Configuration tab; Docker users may write it, or pass launcher flags as the command).
2. Installs the models into /data on first start (launcher/data_packages.py).
3. Runs the launcher, exactly as `scripts/run.sh` would with the mapped flags
   (launcher/container_options.py), logs and caches in /data/cache.
4. Under the Supervisor (SUPERVISOR_TOKEN set), announces the Wyoming service and the
   llama-server once they answer (launcher/ha_discovery.py), so HA offers both.
"""

import json
import os
import socket
import sys
from pathlib import Path

from . import __main__ as launcher
from .container_options import launcher_args, model_name
from .data_packages import VOICE_MODELS_GROUP, DataPackages
from .ha_discovery import announce_all, announcements
from .process import LaunchError

say = launcher.say

# The address Docker users give HA (the machine that runs the container), for the log.
ADVERTISE_HOST_VARIABLE = "HEISENBERG_ADVERTISE_HOST"


def data_dir() -> Path:
    return Path(os.environ.get("HEISENBERG_DATA") or "/data")


def read_options(path: Path) -> dict[str, object]:
    """The options file, or no options when there is none (Docker without one)."""
    if not path.is_file():
        return {}
    try:
        options = json.loads(path.read_text())
    except (OSError, ValueError) as err:
        raise LaunchError(f"Cannot read the options in {path}: {err}") from err
    if not isinstance(options, dict):
        raise LaunchError(f"The options in {path} must be a JSON object")
    return options


def build_args(data: Path, extra: list[str]) -> list[str]:
    """The launcher's command line: the options' flags, then the command's own arguments."""
    args = launcher_args(read_options(data / "options.json")) + extra
    if "--no-wyoming" not in args:
        # Files derived from the models (Whisper base joined once) belong with them in /data.
        args += ["--cache-dir", str(data / "cache" / "wyoming")]
    if "--advertise-host" not in args:
        if os.environ.get("SUPERVISOR_TOKEN"):
            # HA reaches an add-on by its host name on the Supervisor's network.
            args += ["--advertise-host", socket.gethostname()]
        elif advertised := os.environ.get(ADVERTISE_HOST_VARIABLE, "").strip():
            # Under Docker's own network the container's address means nothing to HA: the
            # user names the machine that publishes the ports (compose.yaml).
            args += ["--advertise-host", advertised]
    return args


def prepare_models(data: Path, args: list[str]) -> None:
    """Install what the command line needs and is not in /data yet."""
    packages = DataPackages(data / "packages", say)
    if "--no-wyoming" not in args:
        packages.ensure(VOICE_MODELS_GROUP, "the voice models (Whisper, Piper)")
    if "--llama-url" not in args and (name := model_name(args)):
        packages.ensure_language_model(name)


def main(argv: list[str] | None = None) -> int:
    data = data_dir()
    os.environ.setdefault("HEISENBERG_CACHE", str(data / "cache"))
    try:
        args = build_args(data, list(sys.argv[1:] if argv is None else argv))
        say("options: " + " ".join(args))
        prepare_models(data, args)
    except LaunchError as err:
        say(f"error: {err}")
        return 1
    token = os.environ.get("SUPERVISOR_TOKEN")

    def on_ready(host: str, llama_url: str, wyoming_ports: list[int]) -> None:
        if token and announce_all(announcements(host, llama_url, wyoming_ports), token, say):
            say(
                "Home Assistant offers them under Settings → Devices & services → Discovered "
                "(Heisenberg once its integration is installed from HACS)"
            )
        else:
            say("not under the Home Assistant Supervisor: add the services above by hand")
            if "--advertise-host" not in args:
                say(
                    f"  on Docker's own network (compose.yaml), {host} is the container's address:"
                    " Home Assistant reaches these at the address of the machine that runs the"
                    f" container (set {ADVERTISE_HOST_VARIABLE} to have it printed above)"
                )

    return launcher.main(args, on_ready=on_ready)


if __name__ == "__main__":
    sys.exit(main())
