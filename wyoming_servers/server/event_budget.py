"""How fast one connection's events are read: a token bucket per connection.

Most events cost little to handle and get no reply (`detect`, `transcribe`, an audio chunk of
a stream that was refused, a chunk of a few bytes), so nothing in the protocol slows a client
that sends them at network speed: its read loop would take the event loop (and the GIL the
inference threads need) for as long as the client likes. Real clients send far fewer: a
satellite streams 16-32 chunks a second, and a recording sent faster than real time is held
back by the inference it needs long before this budget (a wake stream is processed at a few
hundred chunks a second). Beyond the budget the read loop waits, so TCP makes the sender wait
too; nothing is dropped and no error is sent.
"""

from __future__ import annotations

import asyncio
import time

# Sustained events per second per connection, and the burst allowed above it (a client's
# first second: a minute of audio in 1024-sample chunks is under 1000 events).
EVENTS_PER_SECOND = 500.0
BURST_EVENTS = 1000.0


class EventBudget:
    """A token bucket: `spend` one token per event, waiting when the bucket is empty."""

    def __init__(self, rate: float = EVENTS_PER_SECOND, burst: float = BURST_EVENTS) -> None:
        self.rate = rate
        self.burst = burst
        self._tokens = burst
        self._last = time.monotonic()

    async def spend(self) -> None:
        now = time.monotonic()
        self._tokens = min(self.burst, self._tokens + (now - self._last) * self.rate)
        self._last = now
        self._tokens -= 1.0
        if self._tokens < 0:
            # Waiting for the deficit to refill; the tokens then owed are already counted.
            await asyncio.sleep(-self._tokens / self.rate)
