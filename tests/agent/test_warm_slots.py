"""Which slot each warm prefix goes to: a warm prefix stays where it is when another language
is added, and new prefixes take empty slots, stale ones, then copies."""

from typing import Any, cast

from custom_components.heisenberg.failover import cold_prefix_seconds
from custom_components.heisenberg.server_pool import LlamaServer
from custom_components.heisenberg.warm_up.slots import choose_slots


def _server(slots: int, warmed: dict[str, str], held: dict[int, str]) -> LlamaServer:
    server = LlamaServer(client=cast(Any, None), index=0)
    server.props = {"total_slots": slots}
    server.warmed_prefixes.update(warmed)
    server.slot_prefixes.update(held)
    return server


def test_a_language_added_later_takes_the_copy_not_the_warm_prefix() -> None:
    # English warmed at start, copied into slot 1; a French pipeline comes first now.
    server = _server(2, {"a/en": "EN"}, {0: "EN", 1: "EN"})
    assert choose_slots(server, ["a/fr", "a/en"]) == [1, 0]


def test_a_warm_prefix_keeps_its_slot_whatever_the_order() -> None:
    server = _server(2, {"a/en": "EN", "a/fr": "FR"}, {0: "FR", 1: "EN"})
    assert choose_slots(server, ["a/en", "a/fr"]) == [1, 0]


def test_a_new_version_of_a_prefix_goes_where_the_old_one_is() -> None:
    # After midnight both prefixes are warmed again: each over its own previous version.
    server = _server(
        2, {"a/en": "EN-monday", "a/fr": "FR-monday"}, {0: "FR-monday", 1: "EN-monday"}
    )
    assert choose_slots(server, ["a/en", "a/fr"]) == [1, 0]


def test_new_prefixes_take_empty_then_stale_slots() -> None:
    server = _server(3, {"a/en": "EN"}, {0: "OLD AGENT", 2: "EN"})
    assert choose_slots(server, ["b/en", "a/en", "c/en"]) == [1, 2, 0]


def test_more_prefixes_than_slots_share_them_and_one_slot_is_none() -> None:
    assert choose_slots(_server(2, {}, {}), ["a/en", "a/fr", "a/de"]) == [0, 1, 0]
    assert choose_slots(_server(1, {}, {}), ["a/en", "a/fr"]) == [None, None]


async def test_a_question_during_the_warm_up_gets_the_time_to_evaluate_its_cold_prefix() -> None:
    server = _server(2, {"a/en": "EN prefix"}, {0: "EN prefix"})
    server.prompt_rate, server.chars_per_token = 20.0, 4.0
    cold = "FR prefix " * 80  # 800 characters: 200 tokens, 10 s at 20 a second
    assert cold_prefix_seconds(server, cold) == 0.0  # no warm-up under way: no extra wait
    async with server.warming:
        assert 9.5 < cold_prefix_seconds(server, cold) < 10.5
        assert cold_prefix_seconds(server, "EN prefix and a question") == 0.0  # warm already


async def test_a_server_that_never_finished_a_warm_up_gets_no_extra_wait() -> None:
    server = _server(2, {}, {})
    async with server.warming:  # warming since its start, maybe hung
        assert cold_prefix_seconds(server, "FR prefix " * 80) == 0.0
