"""A prompt that fits the llama-server slot it goes to (no Home Assistant imports).

llama-server refuses a prompt longer than its slot's context ("request (4177 tokens) exceeds the
available context size (4096 tokens)"), and a user then hears a generic apology. The agent knows
each server's slot size (`/props`) and how many characters its model's tokens take (learned
from the warm-up, which the server counts exactly), so it sizes the prompt before sending it:
the oldest exchanges of the history go first, then the devices shown for the request. What
cannot fit even then (a prefix larger than the slot: too many slots for `--ctx-size`) is found
at the warm-up and raised as a repair issue that names the fix.
"""

from dataclasses import dataclass, replace

from .prompt_format import PromptFormat, PromptParts, build_prompt

# Characters per token when the server has not counted any yet: English and French text with
# a chat format's markers runs at 3.5 to 4.5 for these models; less is the safe side.
DEFAULT_CHARS_PER_TOKEN = 3.0
# Kept free for the answer. Calls and spoken answers are far shorter (budgeted in
# `spoken_answer.py`); a longer answer is cut by llama-server, a refused prompt is no answer.
ANSWER_RESERVE = 160
# What a prefix must leave for a conversation (a few exchanges, the note, the question).
CONVERSATION_RESERVE = 384


@dataclass(frozen=True, slots=True)
class Fit:
    """The parts that fit, how many tokens they are estimated at, and whether they fit."""

    parts: PromptParts
    tokens: int
    fits: bool


def estimate_tokens(text: str, chars_per_token: float | None) -> int:
    """Tokens of `text`, from the characters a token of this model takes (rounded up)."""
    return tokens_for_chars(len(text), chars_per_token)


def tokens_for_chars(chars: int, chars_per_token: float | None) -> int:
    ratio = chars_per_token or DEFAULT_CHARS_PER_TOKEN
    return int(chars / ratio) + 1


def fit_prompt(
    fmt: PromptFormat,
    parts: PromptParts,
    context_tokens: int | None,
    chars_per_token: float | None,
    devices_note: str = "",
) -> Fit:
    """`parts` trimmed to fit `context_tokens` with room for the answer: the oldest exchanges
    first, then `devices_note` (a part of the context note) if it still does not fit."""
    budget = None if not context_tokens else context_tokens - ANSWER_RESERVE
    tokens = estimate_tokens(build_prompt(fmt, parts), chars_per_token)
    if budget is None or tokens <= budget:
        return Fit(parts, tokens, True)
    history = list(parts.history)
    while history and tokens > budget:
        history.pop(0)
        parts = replace(parts, history=tuple(history))
        tokens = estimate_tokens(build_prompt(fmt, parts), chars_per_token)
    if tokens > budget and devices_note and devices_note in parts.context_note:
        note = parts.context_note.replace(devices_note, "").strip()
        parts = replace(parts, context_note=note)
        tokens = estimate_tokens(build_prompt(fmt, parts), chars_per_token)
    return Fit(parts, tokens, tokens <= budget)


def prefix_fits(prefix_tokens: int, context_tokens: int | None) -> bool:
    """Whether a warmed prefix leaves a slot room for a conversation and an answer."""
    if not context_tokens:
        return True
    return prefix_tokens + CONVERSATION_RESERVE + ANSWER_RESERVE <= context_tokens
