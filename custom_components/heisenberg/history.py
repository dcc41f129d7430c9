"""The sliding history window: a view of Home Assistant's chat log (no Home Assistant imports).

HA keeps each conversation's messages in its ChatLog; this module only reads them. A turn is a
user message and the assistant text that answered it; tool results and system messages are not
part of a turn, and a user message that got no answer (a failed turn) is dropped. Trimming
happens at turn boundaries, so the model never sees an answer without its question.

The window is not slid one turn at a time. llama-server reuses its cache only for the prompt's
unchanged beginning, so dropping the oldest exchange from the front makes it evaluate the whole
history again on every turn once the window is full (measured: about 188 prompt tokens a turn
instead of 90 on the default model, a first word 2 to 3 s later). Instead the window starts at
a fixed turn and grows until it holds `max_turns`; then its start jumps forward, keeping only
the most recent exchanges (`window_start`). The history then only grows at its end between
jumps, and a jump costs what a turn used to cost.

A conversation in two languages (one satellite, a bilingual home) is shown per language: each
language's prompt has its own prefix and lives in its own llama-server slot, so a turn in French
after several English ones would evaluate all of them again after the French prefix (measured
50-150 tokens, 4-10 s, on every switch). A prompt in one language shows only the turns asked in
it (`language_thread`), which then only grows at its end, as in a conversation in one language.
Carrying the last turn of the other language across a switch was tried: each switch still
evaluated 41-58 tokens (4-6 s to the first word, a holding phrase), and the 1.5B model answered
French questions in English after it (`benchmarks/long_session.py`). A follow-up across a
switch of language, rare, loses what it refers to.

A turn in which the agent acted is shown as the calls the model wrote (`call_texts`, by HA tool
call id), not as the spoken confirmation: a model that sees "I turned on the kitchen light." as
an earlier answer learns to say it instead of calling, and the call names the device that
"turn it off again" refers to.
"""

import math
from collections.abc import Iterable, Mapping, Sequence
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
    messages: Iterable[ChatMessage],
    max_turns: int,
    call_texts: Mapping[str, str] | None = None,
    *,
    language: str | None = None,
    turn_languages: Mapping[str, str] | None = None,
) -> list[Turn]:
    """The completed turns the next prompt shows: at most `max_turns`, from a start that moves
    only now and then (`window_start`); none when `max_turns` is 0. With the turn's `language`
    and the language each earlier question was asked in (by its text), only that language's
    thread of the conversation (`language_thread`)."""
    if max_turns <= 0:
        return []
    turns = conversation_turns(messages, call_texts)
    if language is not None and turn_languages:
        turns = language_thread(turns, [turn_languages.get(t.user) for t in turns], language)
    return turns[window_start(len(turns), max_turns) :]


def language_thread(
    turns: Sequence[Turn], languages: Sequence[str | None], language: str
) -> list[Turn]:
    """The turns a prompt in `language` shows: those asked in it, or in a language not known
    (a turn HA's own matcher answered), which every language's prompt shows. Whether a turn is
    shown depends only on its own language: a language's thread only grows at its end."""
    own = base_language(language)
    return [
        turn
        for turn, asked in zip(turns, languages, strict=True)
        if asked is None or base_language(asked) == own
    ]


def base_language(language: str) -> str:
    """ "fr" of "fr-FR", "fr_CA" or "FR": pipelines of one language may say it differently."""
    return language.replace("_", "-").split("-")[0].lower()


def window_start(completed: int, max_turns: int) -> int:
    """The first of `completed` turns in the window. While they fit, 0; then the start jumps
    by `max_turns` - `kept` turns whenever the window would exceed `max_turns`, so it holds
    between `kept` + 1 and `max_turns` turns: the newest and `kept` before it (1 of the
    default 5; a quarter of a larger window). Only the turns kept across a jump are evaluated
    again."""
    if completed <= max_turns:
        return 0
    kept = (max_turns - 1) // 4
    step = max_turns - kept
    return math.ceil((completed - max_turns) / step) * step
