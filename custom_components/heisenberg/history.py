"""The sliding history window: a view of Home Assistant's chat log (no Home Assistant imports).

HA keeps each conversation's messages in its ChatLog; this module only reads them. A turn is a
user message and the assistant text that answered it; tool results and system messages are not
part of a turn, and a user message that got no answer (a failed turn) is dropped. Trimming
happens at turn boundaries, so the model never sees an answer without its question.

A turn in which the agent acted is shown as the calls the model wrote (`call_texts`, by HA tool
call id), not as the spoken confirmation: a model that sees "I turned on the kitchen light." as
an earlier answer learns to say it instead of calling, and the call names the device that
"turn it off again" refers to.
"""

from collections.abc import Iterable, Mapping
from typing import Any, Protocol

from .apologies import without_holding_phrase
from .prompt_format import Turn


class ChatMessage(Protocol):
    """What we read of HA's chat log contents (SystemContent, UserContent, ...).

    The text is read from a `content` attribute where there is one (tool results have none).
    """

    @property
    def role(self) -> str: ...


def conversation_turns(
    messages: Iterable[ChatMessage], call_texts: Mapping[str, str] | None = None
) -> list[Turn]:
    """The completed user/assistant turns, oldest first."""
    turns: list[Turn] = []
    user_text: str | None = None
    answer_parts: list[str] = []
    acted = False

    def close_turn() -> None:
        if user_text is not None and answer_parts:
            turns.append(Turn(user_text, " ".join(answer_parts)))

    for message in messages:
        text = without_holding_phrase((getattr(message, "content", None) or "").strip())
        calls = _call_texts(getattr(message, "tool_calls", None), call_texts or {})
        if message.role == "user":
            close_turn()
            user_text, answer_parts, acted = text, [], False
        elif message.role == "assistant" and user_text is not None and calls:
            answer_parts, acted = ([*answer_parts, calls] if acted else [calls]), True
        elif message.role == "assistant" and text and user_text is not None and not acted:
            answer_parts.append(text)
    close_turn()
    return turns


def _call_texts(tool_calls: Any, call_texts: Mapping[str, str]) -> str:
    """The model's own text of the calls HA ran for a message ('' when none is known)."""
    texts = [call_texts.get(getattr(call, "id", ""), "") for call in tool_calls or ()]
    return "\n".join(text for text in texts if text)


def history_window(
    messages: Iterable[ChatMessage], max_turns: int, call_texts: Mapping[str, str] | None = None
) -> list[Turn]:
    """The last `max_turns` completed turns (none when `max_turns` is 0)."""
    if max_turns <= 0:
        return []
    return conversation_turns(messages, call_texts)[-max_turns:]
