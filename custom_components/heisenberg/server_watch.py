"""Watching the llama-servers between questions: let a recovered server back in, warm it again
after a restart, and say when one is gone.

Every few seconds each server that is not in its breaker's cool-down is asked for `/health` and
`/props`. For a server whose breaker is half-open (it failed, and its cool-down is over) this is
the check that lets turns use it again. A server that was unreachable and answers again, or one
whose identity changed (llama-server makes a random media marker per process, so a quick restart
between two probes shows too), has an empty prompt cache: the next question would pay for the
whole system prompt again (1.1 s instead of 0.2 s, measured), so it is warmed again in the
background, in the prompt format of the model it now runs.

A server that stays unreachable gets its own repair issue in HA, with its URL: the user should
hear of a dead GPU box even while the CPU server behind it keeps the assistant talking (slower).
The main server's issue and a backup's have their own titles (which one is down shows in the
list of repairs), and the main one's says whether the backups answer meanwhile. An issue goes
away by itself at the first probe that reaches the server, also during its breaker's cool-down
(that probe leaves the breaker alone: turns come back to the server when the cool-down ends).
The issue has no error text: it is shown in the user's language, the log has the details.
"""

import asyncio
import logging
import time
from collections.abc import Callable, Coroutine
from datetime import timedelta
from typing import Any

from homeassistant.config_entries import ConfigEntry
from homeassistant.core import HomeAssistant
from homeassistant.helpers import issue_registry as ir
from homeassistant.helpers.event import async_track_time_interval

from .const import DOMAIN
from .llama_client import LlamaServerError
from .server_pool import LlamaServer, ServerPool

_LOGGER = logging.getLogger(__name__)

PROBE_INTERVAL = timedelta(seconds=10)
# A restart takes a few seconds; an issue is for a server that is really gone.
ISSUE_AFTER_SECONDS = 60.0


class ServerWatch:
    """Probes one entry's servers; `async_probe` is also called directly by tests."""

    def __init__(
        self,
        hass: HomeAssistant,
        entry: ConfigEntry[Any],
        pool: ServerPool,
        warm_server: Callable[[LlamaServer], Coroutine[Any, Any, None]],
    ) -> None:
        self.hass = hass
        self.entry = entry  # its id names the issues; its background tasks end with it
        self.pool = pool
        self.warm_server = warm_server

    def issue_id_for(self, server: LlamaServer) -> str:
        """The repair issue of one server (the main one keeps the id it had before backups)."""
        main = f"server_unreachable_{self.entry.entry_id}"
        return main if server.index == 0 else f"{main}_{server.index}"

    @property
    def issue_id(self) -> str:
        """The main server's repair issue."""
        return self.issue_id_for(self.pool.primary)

    def start(self) -> Callable[[], None]:
        """Probe every PROBE_INTERVAL until the entry unloads; returns the stop function."""

        async def probe(_now: Any) -> None:
            await self.async_probe()

        return async_track_time_interval(
            self.hass, probe, PROBE_INTERVAL, name=f"{DOMAIN} server watch"
        )

    def delete_issues(self) -> None:
        for server in self.pool.servers:
            ir.async_delete_issue(self.hass, DOMAIN, self.issue_id_for(server))

    async def async_probe(self) -> None:
        """Probe each server not in a cool-down, side by side, and see whether the ones in a
        cool-down with an issue are back; then update the issues."""
        servers = self.pool.servers
        await asyncio.gather(
            *(self._probe(s) for s in servers if s.breaker.due_for_probe),
            *(self._check_back(s) for s in servers if self._waits_in_cool_down(s)),
        )
        self._update_issues()

    @staticmethod
    def _waits_in_cool_down(server: LlamaServer) -> bool:
        return server.down_since is not None and not server.breaker.due_for_probe

    async def _check_back(self, server: LlamaServer) -> None:
        """A server in its cool-down answers again: its issue can go (the breaker decides
        when turns use it again, and the probe after the cool-down warms it)."""
        try:
            await server.client.health()
        except LlamaServerError:
            return
        _LOGGER.info("llama-server at %s answers again", server.url)
        server.down_since = None

    async def _probe(self, server: LlamaServer) -> None:
        try:
            new_process = await server.async_check()
        except LlamaServerError as err:
            if server.down_since is None:
                _LOGGER.warning("llama-server at %s does not answer: %s", server.url, err)
            server.mark_down(err)
            return
        was_down = server.down_since is not None or not server.breaker.allows_turns
        server.down_since = None
        server.breaker.record_probe_success()
        if not was_down and not new_process:
            return
        _LOGGER.info(
            "llama-server at %s is back or was replaced: using it again, warming it up",
            server.url,
        )
        server.warmed_prefixes.clear()  # its cache is empty: send every prefix again
        server.slot_prefixes.clear()
        self.entry.async_create_background_task(
            self.hass, self.warm_server(server), f"{DOMAIN} re-warm {server.url}"
        )

    def _update_issues(self) -> None:
        servers = self.pool.servers
        now = time.monotonic()
        for server in servers:
            issue_id = self.issue_id_for(server)
            if server.down_since is None or now - server.down_since < ISSUE_AFTER_SECONDS:
                ir.async_delete_issue(self.hass, DOMAIN, issue_id)
                continue
            ir.async_create_issue(
                self.hass,
                DOMAIN,
                issue_id,
                is_fixable=False,
                severity=ir.IssueSeverity.WARNING,
                translation_key=self._issue_key(server),
                translation_placeholders={"url": server.url},
            )

    def _issue_key(self, server: LlamaServer) -> str:
        """Which text: a backup's, or the main server's with or without backups answering."""
        if server.index > 0:
            return "backup_server_unreachable"
        others_answer = any(
            other is not server and other.down_since is None and other.detected_format
            for other in self.pool.servers
        )
        return "server_unreachable_others_answer" if others_answer else "server_unreachable"
