"""A real Home Assistant process (`hass`, with its frontend) on a free port, onboarded through its
own API, for checks that need what a user sees (harness/ui_check.py).

Traps that were checked (HA 2026.10): without the `home-assistant-frontend` package hass starts
in recovery mode; after onboarding, YAML `http:` settings must be confirmed over the websocket
(`http/config/promote`) or HA stops after five minutes.
"""

import json
import os
import subprocess
import tempfile
import time
import urllib.parse
import urllib.request
from pathlib import Path
from typing import Any, Self

import aiohttp

from launcher.process import free_port

ROOT = Path(__file__).resolve().parent.parent
USER, PASSWORD = "heisenberg", "heisenberg-ui-check"

CONFIGURATION = """\
http:
  server_host: 127.0.0.1
  server_port: {port}
frontend:
config:
conversation:
repairs:
person:
logger:
  default: warning
  logs:
    custom_components.heisenberg: info
"""


class RealHass:
    """`with RealHass(language="fr") as hass:` starts, onboards and stops Home Assistant."""

    def __init__(self, language: str = "fr") -> None:
        self.language = language
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.client_id = f"{self.url}/"
        self._dir = tempfile.TemporaryDirectory(prefix="heisenberg-real-hass-")
        self.config_dir = Path(self._dir.name)
        self.tokens: dict[str, Any] = {}
        self._process: subprocess.Popen[bytes] | None = None

    def __enter__(self) -> Self:
        (self.config_dir / "configuration.yaml").write_text(CONFIGURATION.format(port=self.port))
        (self.config_dir / "custom_components").mkdir()
        (self.config_dir / "custom_components" / "heisenberg").symlink_to(
            ROOT / "custom_components" / "heisenberg"
        )
        log = (self.config_dir / "hass-output.log").open("wb")
        hass = Path(os.environ.get("VIRTUAL_ENV") or ROOT / ".venv") / "bin" / "hass"
        self._process = subprocess.Popen(
            [str(hass), "-c", str(self.config_dir), "--skip-pip"],
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        self._wait_for_onboarding()
        self._onboard()
        return self

    def __exit__(self, *exc: object) -> None:
        if self._process is not None:
            self._process.terminate()
            try:
                self._process.wait(60)
            except subprocess.TimeoutExpired:
                self._process.kill()
        self._dir.cleanup()

    def log_tail(self, lines: int = 40) -> str:
        text = (self.config_dir / "home-assistant.log").read_text(errors="replace")
        return "\n".join(text.splitlines()[-lines:])

    def _wait_for_onboarding(self, seconds: float = 240) -> None:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(f"{self.url}/api/onboarding", timeout=5):
                    return
            except OSError:
                time.sleep(1)
        raise RuntimeError(f"hass did not answer within {seconds:.0f} s")

    def _post(self, path: str, body: dict[str, Any], form: bool = False) -> Any:
        headers = {}
        if self.tokens:
            headers["Authorization"] = f"Bearer {self.tokens['access_token']}"
        if form:
            data = urllib.parse.urlencode(body).encode()
        else:
            data = json.dumps(body).encode()
            headers["Content-Type"] = "application/json"
        request = urllib.request.Request(f"{self.url}{path}", data=data, headers=headers)
        with urllib.request.urlopen(request, timeout=60) as response:
            return json.loads(response.read() or b"{}")

    def _onboard(self) -> None:
        code = self._post(
            "/api/onboarding/users",
            {
                "client_id": self.client_id,
                "name": "Heisenberg",
                "username": USER,
                "password": PASSWORD,
                "language": self.language,
            },
        )["auth_code"]
        self.tokens = self._post(
            "/auth/token",
            {"grant_type": "authorization_code", "code": code, "client_id": self.client_id},
            form=True,
        )
        self._post("/api/onboarding/core_config", {})
        self._post("/api/onboarding/analytics", {})
        self._post(
            "/api/onboarding/integration",
            {"client_id": self.client_id, "redirect_uri": f"{self.url}/?auth_callback=1"},
        )

    async def websocket(self, *messages: dict[str, Any]) -> list[dict[str, Any]]:
        """Send each message (an id is added) and return each result."""
        results = []
        async with (
            aiohttp.ClientSession() as session,
            session.ws_connect(f"{self.url}/api/websocket") as ws,
        ):
            await ws.receive_json()  # auth_required
            await ws.send_json({"type": "auth", "access_token": self.tokens["access_token"]})
            await ws.receive_json()  # auth_ok
            for number, message in enumerate(messages, start=1):
                await ws.send_json({"id": number, **message})
                while (answer := await ws.receive_json()).get("id") != number:
                    pass
                results.append(answer)
        return results

    def rest(self, path: str, body: dict[str, Any]) -> Any:
        return self._post(path, body)

    def browser_storage(self) -> dict[str, str]:
        """What the frontend keeps in localStorage: the tokens and the chosen language."""
        tokens = {
            "hassUrl": self.url,
            "clientId": self.client_id,
            "expires": int(time.time() * 1000) + int(self.tokens["expires_in"]) * 1000,
            **self.tokens,
        }
        return {"hassTokens": json.dumps(tokens), "selectedLanguage": json.dumps(self.language)}
