"""Watching the llama-server between questions: warm again after a restart, say when it is gone.

A restarted (or replaced) llama-server has an empty prompt cache: the next question would pay
for the whole system prompt again (1.1 s instead of 0.2 s, measured). Every few seconds the
watch asks the server for its `/props`; a server that was unreachable and answers again, or
one whose identity changed (llama-server makes a random media marker per process, so a quick
restart between two probes shows too), is warmed again in the background. A server that stays
unreachable gets a repair issue in HA with its URL; it goes away by itself when the server is
back.
"""

import hashlib
import json
import logging
import time
from collections.abc import Callable, Coroutine
from datetime import timedelta
from typing import Any

from homeassistant.core import HomeAssistant
from homeassistant.helpers import issue_registry as ir
from homeassistant.helpers.event import async_track_time_interval

from .const import DOMAIN
from .llama_client import LlamaServerError
from .runtime import HeisenbergConfigEntry

_LOGGER = logging.getLogger(__name__)

PROBE_INTERVAL = timedelta(seconds=10)
# A restart takes a few seconds; an issue is for a server that is really gone.
ISSUE_AFTER_SECONDS = 60.0


def server_identity(props: dict[str, Any]) -> str:
    """What tells one llama-server process from another (model, build, per-process marker)."""
    keys = ("model_path", "build_info", "total_slots", "media_marker")
    text = json.dumps({key: props.get(key) for key in keys}, sort_keys=True)
    return hashlib.sha256(text.encode()).hexdigest()


class ServerWatch:
    """Probes one entry's server; `async_probe` is also called directly by tests."""

    def __init__(
        self,
        hass: HomeAssistant,
        entry: HeisenbergConfigEntry,
        warm_all: Callable[[], Coroutine[Any, Any, None]],
    ) -> None:
        self.hass = hass
        self.entry = entry
        self.warm_all = warm_all
        self.identity = server_identity(entry.runtime_data.props)
        self.down_since: float | None = None
        self.issue_id = f"server_unreachable_{entry.entry_id}"

    def start(self) -> Callable[[], None]:
        """Probe every PROBE_INTERVAL until the entry unloads; returns the stop function."""

        async def probe(_now: Any) -> None:
            await self.async_probe()

        return async_track_time_interval(
            self.hass, probe, PROBE_INTERVAL, name=f"{DOMAIN} server watch"
        )

    async def async_probe(self) -> None:
        runtime = self.entry.runtime_data
        try:
            await runtime.client.health()
            props = await runtime.client.props()
        except LlamaServerError as err:
            self._unreachable(str(err))
            return
        was_down, self.down_since = self.down_since is not None, None
        ir.async_delete_issue(self.hass, DOMAIN, self.issue_id)
        identity = server_identity(props)
        if not was_down and identity == self.identity:
            return
        _LOGGER.info(
            "llama-server at %s is back or was replaced: warming up again", runtime.client.url
        )
        self.identity, runtime.props = identity, props
        for figures in runtime.figures.values():
            figures.warmed_prefix = None  # its cache is empty: send every prefix again
        self.entry.async_create_background_task(self.hass, self.warm_all(), f"{DOMAIN} re-warm")

    def _unreachable(self, error: str) -> None:
        now = time.monotonic()
        if self.down_since is None:
            self.down_since = now
            _LOGGER.warning(
                "llama-server at %s does not answer: %s", self.entry.runtime_data.client.url, error
            )
        if now - self.down_since >= ISSUE_AFTER_SECONDS:
            ir.async_create_issue(
                self.hass,
                DOMAIN,
                self.issue_id,
                is_fixable=False,
                severity=ir.IssueSeverity.WARNING,
                translation_key="server_unreachable",
                translation_placeholders={
                    "url": str(self.entry.runtime_data.client.url),
                    "error": error,
                },
            )
