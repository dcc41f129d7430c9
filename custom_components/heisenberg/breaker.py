"""A circuit breaker for one llama-server (no Home Assistant imports).

A voice turn that waits for a dead server costs the user the wait: a refused connection is
quick, but a hung GPU box holds the turn for the whole first-token timeout. Once a server has
failed, turns skip it for a cool-down (OPEN); after the cool-down it is HALF_OPEN: turns still
skip it, and the next health probe (`server_watch.py`) decides. A probe that passes closes the
breaker; one that fails opens it again for twice as long (up to a cap), so a server that keeps
failing is tried less and less often, while one that comes back is used again within a probe.

The cool-down only resets once the server has really answered a turn (`record_success`): a
server whose /health passes but whose completions keep failing would otherwise be let back in
at every probe and cost every other turn a failed attempt.
"""

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

# Long enough that a flapping server is not retried on every turn, short enough that a server
# restarted by hand (or by scripts/run.sh's supervisor) is used again within a minute or so.
COOL_DOWN_SECONDS = 30.0
MAX_COOL_DOWN_SECONDS = 120.0


class BreakerState(StrEnum):
    """Whether turns may use the server."""

    CLOSED = "closed"  # healthy: turns use it
    OPEN = "open"  # failed recently: skipped, not even probed, until the cool-down ends
    HALF_OPEN = "half_open"  # cool-down over: skipped until a health probe lets it back in


@dataclass(slots=True)
class CircuitBreaker:
    """The breaker of one server; `clock` is injectable so tests need not wait."""

    cool_down: float = COOL_DOWN_SECONDS
    max_cool_down: float = MAX_COOL_DOWN_SECONDS
    clock: Callable[[], float] = field(default=time.monotonic, repr=False)
    # Failures since the server last answered a turn: each one doubles the cool-down.
    failures: int = 0
    opened_at: float | None = None
    last_error: str | None = None

    @property
    def state(self) -> BreakerState:
        if self.opened_at is None:
            return BreakerState.CLOSED
        if self.clock() - self.opened_at >= self.current_cool_down:
            return BreakerState.HALF_OPEN
        return BreakerState.OPEN

    @property
    def current_cool_down(self) -> float:
        """How long the server is skipped after its latest failure."""
        if self.failures <= 1:
            return min(self.cool_down, self.max_cool_down)
        # Capped exponent: a server down for days must not overflow the float.
        return min(self.cool_down * 2.0 ** min(self.failures - 1, 30), self.max_cool_down)

    @property
    def allows_turns(self) -> bool:
        """Whether a turn should try this server before the others."""
        return self.state is BreakerState.CLOSED

    @property
    def due_for_probe(self) -> bool:
        """Whether the health probe should check the server now (not during a cool-down)."""
        return self.state is not BreakerState.OPEN

    def record_failure(self, error: str) -> None:
        """The server failed a turn or a probe: skip it for a (longer) cool-down."""
        self.failures += 1
        self.opened_at = self.clock()
        self.last_error = error

    def record_probe_success(self) -> None:
        """A health probe passed: turns may use the server again (the count of failures stays
        until it answers a turn, so a relapse gets a longer cool-down)."""
        self.opened_at = None

    def record_success(self) -> None:
        """The server answered a turn: fully healthy again."""
        self.failures = 0
        self.opened_at = None
        self.last_error = None

    def as_dict(self) -> dict[str, Any]:
        """For diagnostics."""
        state = self.state
        left = None
        if state is BreakerState.OPEN and self.opened_at is not None:
            left = round(self.opened_at + self.current_cool_down - self.clock(), 1)
        return {
            "state": state.value,
            "failures": self.failures,
            "seconds_until_probe": left,
            "last_error": self.last_error,
        }


def new_breaker() -> CircuitBreaker:
    """A closed breaker with the module's cool-down (read at call time: tests shorten it)."""
    return CircuitBreaker(cool_down=COOL_DOWN_SECONDS, max_cool_down=MAX_COOL_DOWN_SECONDS)
