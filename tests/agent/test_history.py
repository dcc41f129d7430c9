"""The sliding history window over HA's chat log."""

import pytest
from homeassistant.components.conversation import (
    AssistantContent,
    SystemContent,
    ToolResultContent,
    UserContent,
)
from homeassistant.helpers.llm import ToolResult

from custom_components.heisenberg.history import conversation_turns, history_window
from custom_components.heisenberg.prompt_format import Turn


def _log(pairs: int) -> list[SystemContent | UserContent | AssistantContent]:
    messages: list[SystemContent | UserContent | AssistantContent] = [SystemContent("sys")]
    for index in range(pairs):
        messages.append(UserContent(f"q{index}"))
        messages.append(AssistantContent(agent_id="a", content=f"a{index}"))
    return messages


def test_keeps_recent_turns_in_order_and_never_more_than_n() -> None:
    assert history_window(_log(8), 3) == [Turn("q6", "a6"), Turn("q7", "a7")]
    for max_turns in range(1, 12):
        for completed in range(1, 40):
            window = history_window(_log(completed), max_turns)
            assert 1 <= len(window) <= max_turns
            assert window[-1] == Turn(f"q{completed - 1}", f"a{completed - 1}")
            numbers = [int(turn.user[1:]) for turn in window]
            assert numbers == list(range(numbers[0], completed))


@pytest.mark.parametrize("max_turns", [2, 3, 5, 8, 10])
def test_the_window_grows_at_its_end_and_jumps_only_now_and_then(max_turns: int) -> None:
    """What keeps llama-server's cache: between two jumps, each turn's history is the previous
    turn's history plus the previous turn. A jump keeps the newest turn (what a follow-up
    refers to) and, in larger windows, a few before it."""
    jumps = 0
    previous = history_window(_log(1), max_turns)
    for completed in range(2, 41):
        window = history_window(_log(completed), max_turns)
        if window[:-1] != previous:
            jumps += 1
            assert len(window) == window_start_kept(max_turns) + 1
        previous = window
    # Sliding one turn at a time would change the start on every turn past the window.
    assert jumps <= 40 // (max_turns - window_start_kept(max_turns)) + 1


def window_start_kept(max_turns: int) -> int:
    """Turns kept before the newest across a jump: none up to 4 remembered, then 1 in 4."""
    return (max_turns - 1) // 4


def test_fewer_turns_than_the_window() -> None:
    assert history_window(_log(2), 5) == [Turn("q0", "a0"), Turn("q1", "a1")]


def test_zero_turns_means_no_history() -> None:
    assert history_window(_log(4), 0) == []


def test_unanswered_user_message_is_dropped() -> None:
    messages = [*_log(1), UserContent("failed"), UserContent("q1"), AssistantContent("a", "a1")]
    assert conversation_turns(messages) == [Turn("q0", "a0"), Turn("q1", "a1")]


def test_tool_results_do_not_split_a_turn() -> None:
    messages = [
        SystemContent("sys"),
        UserContent("turn on the light"),
        AssistantContent(agent_id="a", content="One moment."),
        ToolResultContent(
            agent_id="a", tool_call_id="1", tool_name="HassTurnOn", result=ToolResult(data={})
        ),
        AssistantContent(agent_id="a", content="Done."),
    ]
    assert conversation_turns(messages) == [Turn("turn on the light", "One moment. Done.")]


def test_window_is_cut_at_turn_boundaries() -> None:
    window = history_window(_log(6), 2)
    assert all(turn.user.startswith("q") and turn.assistant.startswith("a") for turn in window)
    assert [turn.user[1:] for turn in window] == [turn.assistant[1:] for turn in window]
