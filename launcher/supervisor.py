"""Keeps the back end serving when one of its processes dies: that one is restarted, the others
go on.

Before, a dead llama-server made the main job stop the Wyoming server too, and every satellite
got nothing at all — not even the agent's spoken apology. Now the voice servers keep serving
while the language model comes back (the agent apologises meanwhile), and a dead voice server
comes back without touching the model. Restarts back off (1 s, 2 s, 4 s ... 60 s) so a process
that cannot start does not spin; a process that then runs for a while is forgiven.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from .process import LaunchError, ManagedServer, describe_exit

FIRST_DELAY = 1.0
MAX_DELAY = 60.0
STABLE_SECONDS = 60.0  # a process that ran this long before dying starts over at FIRST_DELAY


@dataclass
class _Watch:
    server: ManagedServer
    started_at: float = field(default_factory=time.monotonic)
    delay: float = FIRST_DELAY
    restart_at: float | None = None  # when a restart is due (it is down until then)
    restarting: threading.Thread | None = None


class Supervisor:
    """Call `check()` every second or so; `close()` before stopping the servers."""

    def __init__(self, servers: Sequence[ManagedServer], say: Callable[[str], None]) -> None:
        self._watches = [_Watch(server) for server in servers]
        self._say = say
        self._closed = threading.Event()

    def check(self) -> None:
        now = time.monotonic()
        for watch in self._watches:
            if watch.restarting is not None:
                if watch.restarting.is_alive():
                    continue
                watch.restarting = None
            if watch.restart_at is None and not watch.server.is_running():
                self._schedule(watch, now)
            elif watch.restart_at is not None and now >= watch.restart_at:
                watch.restart_at = None
                watch.restarting = threading.Thread(
                    target=self._restart, args=(watch,), name=f"restart {watch.server.name}"
                )
                watch.restarting.start()

    def close(self) -> None:
        """No more restarts (the main job is stopping everything)."""
        self._closed.set()
        for watch in self._watches:
            if watch.restarting is not None:
                watch.restarting.join(timeout=1)

    def _schedule(self, watch: _Watch, now: float) -> None:
        server = watch.server
        if now - watch.started_at >= STABLE_SECONDS:
            watch.delay = FIRST_DELAY
        lines = "\n".join(f"    {line}" for line in server.last_log_lines())
        self._say(
            f"{server.name} stopped ({describe_exit(server.exit_code)}); restarting it in "
            f"{watch.delay:.0f} s, the others keep serving. Its last log lines:\n{lines}"
        )
        watch.restart_at = now + watch.delay
        watch.delay = min(MAX_DELAY, watch.delay * 2)

    def _restart(self, watch: _Watch) -> None:
        if self._closed.is_set():
            return
        server = watch.server
        server.stop()  # closes the old log handle; the process is already gone
        started = time.monotonic()
        try:
            server.start()
        except LaunchError as err:
            if not self._closed.is_set():
                self._say(f"{server.name} could not be restarted: {err}")
                watch.restart_at = time.monotonic() + watch.delay
                watch.delay = min(MAX_DELAY, watch.delay * 2)
            return
        watch.started_at = time.monotonic()
        if self._closed.is_set():
            server.stop()
            return
        self._say(
            f"{server.name} is back (pid {server.pid}, ready in {time.monotonic() - started:.1f} s)"
        )
