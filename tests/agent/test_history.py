"""The sliding history window over HA's chat log."""

import pytest
from homeassistant.components.conversation import (
    AssistantContent,
    SystemContent,
    ToolResultContent,
    UserContent,
)
from homeassistant.helpers.llm import ToolResult

from custom_components.heisenberg.history import (
    conversation_turns,
    history_window,
    language_thread,
)
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


# A bilingual evening at one satellite: English, then French, then English again.
SPOKEN = ["en", "en", "fr", "fr", "fr", "en", "fr", "en", "en", "fr"]


def _thread(asked: int, language: str, spoken: list[str] = SPOKEN) -> list[int]:
    """Which of the first `asked` turns a prompt in `language` shows (the next question's)."""
    turns = [Turn(f"q{n}", f"a{n}") for n in range(asked)]
    return [int(t.user[1:]) for t in language_thread(turns, spoken[:asked], language)]


def test_a_prompt_in_one_language_shows_only_the_turns_asked_in_it() -> None:
    # The first French question after two English turns: none of them.
    assert _thread(2, "fr") == []
    # Back to English after three French turns: its own turns only.
    assert _thread(5, "en") == [0, 1]
    assert _thread(9, "fr") == [2, 3, 4, 6]
    # In one language all along, everything.
    assert _thread(6, "en", ["en"] * 6) == [0, 1, 2, 3, 4, 5]
    # One language however a pipeline writes it.
    assert _thread(3, "fr-FR", ["fr", "en", "fr_CA"]) == [0, 2]
    # A question whose language is not known (HA's own matcher answered it) is in every one.
    assert _thread(3, "en", ["fr", None, "fr"]) == [1]  # type: ignore[list-item]


@pytest.mark.parametrize("language", ["en", "fr"])
def test_each_language_s_thread_only_grows_at_its_end(language: str) -> None:
    """What keeps each language's llama-server slot warm: the turns a prompt in a language
    shows are those its previous prompt showed, then the turns since."""
    asked_in = [n + 1 for n in range(len(SPOKEN) - 1) if SPOKEN[n + 1] == language]
    previous: list[int] = []
    for asked in asked_in:
        thread = _thread(asked, language)
        assert thread[: len(previous)] == previous
        assert all(SPOKEN[n] == language for n in thread)
        previous = thread


def test_the_window_applies_to_the_language_s_thread() -> None:
    log = _log(len(SPOKEN))
    languages = {f"q{n}": language for n, language in enumerate(SPOKEN)}
    window = history_window(log, 3, language="fr", turn_languages=languages)
    assert [turn.user for turn in window] == ["q6", "q9"]  # of q2 q3 q4 q6 q9: jumped
    assert history_window(log, 10, language="fr", turn_languages=languages) == [
        Turn(f"q{n}", f"a{n}") for n in (2, 3, 4, 6, 9)
    ]
