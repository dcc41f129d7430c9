"""The sliding history window over HA's chat log."""

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


def test_keeps_the_last_n_turns_in_order() -> None:
    assert history_window(_log(8), 3) == [Turn("q5", "a5"), Turn("q6", "a6"), Turn("q7", "a7")]


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
