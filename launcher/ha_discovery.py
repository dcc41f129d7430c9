"""Announce the add-on's services to Home Assistant through the Supervisor's discovery API.

An add-on that lists a service under `discovery:` in its config.yaml may POST
`{"service": ..., "config": {...}}` to `http://supervisor/discovery` with its SUPERVISOR_TOKEN;
the Supervisor tells Home Assistant, which offers the integration of that name with the config
(HA core, homeassistant/components/hassio/discovery.py). Two services are announced:

- `wyoming` with `{"uri": "tcp://HOST:PORT"}`, as the official Whisper, Piper and openWakeWord
  add-ons do: HA's Wyoming integration then offers wake word, STT and TTS without a host typed.
- `heisenberg` with `{"url": "http://HOST:PORT"}`: the Heisenberg integration (installed from
  HACS) offers to add that llama-server.

HOST is the add-on's host name on the Supervisor's network, which HA resolves. SUPERVISOR_API
overrides the API's address (bashio reads the same variable); the image test points it at a
stand-in for the Supervisor, which cannot run outside HA OS.
"""

import json
import os
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass

DEFAULT_API = "http://supervisor"


@dataclass(frozen=True, slots=True)
class Announcement:
    service: str
    config: dict[str, str]


def announcements(host: str, llama_url: str, wyoming_ports: list[int]) -> list[Announcement]:
    """What to announce for a back end reachable at `host`."""
    found = [Announcement("wyoming", {"uri": f"tcp://{host}:{port}"}) for port in wyoming_ports]
    if llama_url:
        found.append(Announcement("heisenberg", {"url": llama_url}))
    return found


def send(
    announcement: Announcement,
    token: str,
    api: str | None = None,
    attempts: int = 5,
    timeout: float = 10.0,
) -> str:
    """POST one announcement; returns the discovery message's uuid. Retries while the
    Supervisor cannot be reached; an answer other than ok is an error at once."""
    url = f"{(api or os.environ.get('SUPERVISOR_API') or DEFAULT_API).rstrip('/')}/discovery"
    body = json.dumps({"service": announcement.service, "config": announcement.config}).encode()
    request = urllib.request.Request(
        url,
        data=body,
        method="POST",
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
    )
    for attempt in range(1, attempts + 1):
        try:
            with urllib.request.urlopen(request, timeout=timeout) as response:
                answer = json.loads(response.read() or b"{}")
            break
        except urllib.error.HTTPError as err:
            detail = err.read().decode(errors="replace")[:200]
            raise RuntimeError(f"the Supervisor refused it (HTTP {err.code}: {detail})") from err
        except (urllib.error.URLError, OSError) as err:
            if attempt == attempts:
                raise RuntimeError(f"the Supervisor cannot be reached at {url}: {err}") from err
            time.sleep(min(2.0**attempt, 10.0))
    if answer.get("result") != "ok":
        raise RuntimeError(f"the Supervisor answered {answer!r}")
    return str((answer.get("data") or {}).get("uuid", ""))


def announce_all(
    found: list[Announcement], token: str, say: Callable[[str], None], api: str | None = None
) -> int:
    """Send each announcement, saying how each went; returns how many were accepted."""
    accepted = 0
    for announcement in found:
        try:
            send(announcement, token, api)
        except RuntimeError as err:
            say(f"could not announce {announcement.service} to Home Assistant: {err}")
            continue
        accepted += 1
        say(f"announced to Home Assistant: {announcement.service} {announcement.config}")
    return accepted
