"""The sliding history window: a view of Home Assistant's chat log (no Home Assistant imports).

HA keeps each conversation's messages in its ChatLog; this module only reads them. A turn is a
user message and the assistant text that answered it; tool results and system messages are not
part of a turn, and a user message that got no answer (a failed turn) is dropped. Trimming
happens at turn boundaries, so the model never sees an answer without its question.
"""

from collections.abc import Iterable
from typing import Protocol

from .prompt_format import Turn


class ChatMessage(Protocol):
    """What we read of HA's chat log contents (SystemContent, UserContent, ...).

    The text is read from a `content` attribute where there is one (tool results have none).
    """

    @property
    def role(self) -> str: ...


def conversation_turns(messages: Iterable[ChatMessage]) -> list[Turn]:
    """The completed user/assistant turns, oldest first."""
    turns: list[Turn] = []
    user_text: str | None = None
    answer_parts: list[str] = []

    def close_turn() -> None:
        if user_text is not None and answer_parts:
            turns.append(Turn(user_text, " ".join(answer_parts)))

    for message in messages:
        text = (getattr(message, "content", None) or "").strip()
        if message.role == "user":
            close_turn()
            user_text, answer_parts = text, []
        elif message.role == "assistant" and text and user_text is not None:
            # Several assistant messages in one turn happen around tool calls.
            answer_parts.append(text)
    close_turn()
    return turns


def history_window(messages: Iterable[ChatMessage], max_turns: int) -> list[Turn]:
    """The last `max_turns` completed turns (none when `max_turns` is 0)."""
    if max_turns <= 0:
        return []
    return conversation_turns(messages)[-max_turns:]
