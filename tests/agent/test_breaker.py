"""The circuit breaker and the order a turn tries servers in: pure logic, a fake clock."""

from dataclasses import dataclass

import aiohttp

from custom_components.heisenberg.breaker import BreakerState, CircuitBreaker
from custom_components.heisenberg.failover import is_server_failure
from custom_components.heisenberg.llama_client import (
    CannotConnect,
    HttpError,
    MalformedStream,
    ServerLoading,
    ServerTimeout,
)
from custom_components.heisenberg.prompt_format import PromptFormat
from custom_components.heisenberg.server_pool import ServerPool


@dataclass
class FakeClock:
    now: float = 1000.0

    def __call__(self) -> float:
        return self.now


def breaker(clock: FakeClock) -> CircuitBreaker:
    return CircuitBreaker(cool_down=30.0, max_cool_down=120.0, clock=clock)


def test_a_failure_opens_the_breaker_for_the_cool_down_then_a_probe_decides() -> None:
    clock = FakeClock()
    b = breaker(clock)
    assert b.state is BreakerState.CLOSED and b.allows_turns and b.due_for_probe

    b.record_failure("refused")
    assert b.state is BreakerState.OPEN
    assert not b.allows_turns and not b.due_for_probe  # skipped, not even probed
    assert b.as_dict() == {
        "state": "open",
        "failures": 1,
        "seconds_until_probe": 30.0,
        "last_error": "refused",
    }

    clock.now += 29.9
    assert b.state is BreakerState.OPEN
    clock.now += 0.1
    # Half-open: turns still skip it, the next health probe checks it.
    assert b.state is BreakerState.HALF_OPEN
    assert not b.allows_turns and b.due_for_probe

    b.record_probe_success()
    assert b.state is BreakerState.CLOSED and b.allows_turns


def test_a_failed_half_open_probe_doubles_the_cool_down_up_to_the_cap() -> None:
    clock = FakeClock()
    b = breaker(clock)
    cool_downs = []
    for _ in range(5):
        b.record_failure("refused")  # the first failure, then each failed half-open probe
        cool_downs.append(b.current_cool_down)
        clock.now += b.current_cool_down
        assert b.state is BreakerState.HALF_OPEN
    assert cool_downs == [30.0, 60.0, 120.0, 120.0, 120.0]


def test_only_an_answered_turn_resets_the_count_of_failures() -> None:
    """A server whose /health passes but whose completions fail is let back in by each
    probe; its cool-down must still grow, or it costs every other turn a failed try."""
    clock = FakeClock()
    b = breaker(clock)
    b.record_failure("HTTP 500")
    clock.now += 30
    b.record_probe_success()
    b.record_failure("HTTP 500")  # fails its next turn again
    assert b.current_cool_down == 60.0

    clock.now += 60
    b.record_probe_success()
    b.record_success()  # answered a turn
    assert b.failures == 0 and b.last_error is None
    b.record_failure("HTTP 500")
    assert b.current_cool_down == 30.0


def test_which_errors_move_a_turn_to_the_next_server() -> None:
    assert is_server_failure(CannotConnect("refused"))
    assert is_server_failure(ServerTimeout("no first token"))
    assert is_server_failure(ServerLoading("loading"))
    assert is_server_failure(HttpError(500, "boom"))
    assert is_server_failure(HttpError(503, "busy"))
    assert is_server_failure(MalformedStream("ended before any text"))
    # The request's fault: another server would refuse it too.
    assert not is_server_failure(HttpError(400, "bad grammar"))


async def test_a_turn_tries_closed_servers_in_order_then_the_others_as_a_last_resort() -> None:
    async with aiohttp.ClientSession() as session:
        pool = ServerPool(
            session,
            ["http://gpu:8080", "http://cpu:8080", "http://spare:8080", "http://new:8080"],
            control_timeout=1.0,
        )
    gpu, cpu, spare, new = pool.servers
    for server in (gpu, cpu, spare):
        server.detected_format = PromptFormat.CHATML
    assert new not in pool.turn_order()  # never answered: its prompt format is unknown
    assert pool.turn_order() == [gpu, cpu, spare]
    assert [s.role for s in pool.servers] == ["main", "backup 1", "backup 2", "backup 3"]

    gpu.breaker.record_failure("refused")
    assert pool.turn_order() == [cpu, spare, gpu]
    assert pool.answering() == [cpu, spare]
    spare.breaker.record_failure("timeout")
    assert pool.turn_order() == [cpu, gpu, spare]

    gpu.breaker.record_probe_success()
    assert pool.turn_order() == [gpu, cpu, spare]
