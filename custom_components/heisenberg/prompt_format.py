"""Raw prompts in plain, ChatML and Llama 2 formats (no Home Assistant imports).

Why raw prompts: the same conversation always renders to the same bytes, so llama-server's
`cache_prompt` reuses the KV cache of everything already seen and a turn pays only for its new
tokens. The layout is ordered from the most stable to the least stable part:

    system instructions → persona examples → history → context note (date/time) → new message

Text from users and from the model is data: it is escaped so that it cannot end its message or
open a new role, whatever the format (see `escape_text`).
"""

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from enum import StrEnum


class PromptFormat(StrEnum):
    """How the conversation is laid out for the model."""

    AUTO = "auto"
    PLAIN = "plain"
    CHATML = "chatml"
    LLAMA2 = "llama2"


@dataclass(frozen=True, slots=True)
class Turn:
    """One exchange: what the user said and what the assistant answered."""

    user: str
    assistant: str


@dataclass(frozen=True, slots=True)
class PromptParts:
    """Everything a prompt is built from, most stable first."""

    system: str
    user_message: str
    examples: Sequence[Turn] = field(default_factory=tuple)
    history: Sequence[Turn] = field(default_factory=tuple)
    context_note: str = ""


ZERO_WIDTH_SPACE = "\u200b"

# Control sequences of the three formats, plus the special-token spelling used by common model
# families: llama-server parses special tokens inside prompt text, so any of these typed by a
# user would become a real control token. A zero-width space after the first character keeps
# the text readable (and speakable) while making it ordinary text to the tokenizer.
_CONTROL_SEQUENCE = re.compile(
    r"<\||\[/?INST\]|<</?SYS>>|</?s>|<(?:/?)(?:start_of_turn|end_of_turn|bos|eos|pad)>",
    re.IGNORECASE,
)
_LINE_BREAKS = re.compile(r"\s*[\r\n\u2028\u2029\x0b\x0c\x85]+\s*")
_PLAIN_ROLE_LABEL = re.compile(r"^(\s*)(system|user|assistant)(\s*):", re.IGNORECASE)


def escape_text(text: str) -> str:
    """Break every control sequence in `text` so the tokenizer reads it as plain text."""
    return _CONTROL_SEQUENCE.sub(lambda m: m.group(0)[0] + ZERO_WIDTH_SPACE + m.group(0)[1:], text)


def _plain(text: str) -> str:
    """Plain-format message: one line, so no text of it can start a line with a role label."""
    one_line = _LINE_BREAKS.sub(" ", escape_text(text).strip())
    # A message that itself starts with "User:" would read as a nested label to the model.
    return _PLAIN_ROLE_LABEL.sub(
        lambda m: f"{m.group(1)}{m.group(2)}{ZERO_WIDTH_SPACE}{m.group(3)}:", one_line
    )


def _text(text: str) -> str:
    return escape_text(text.strip())


# Lines that open an invented next exchange whatever the format (small models imitate the
# transcripts they were trained on). Stopping on them at the server saves generating what would
# be thrown away; the agent's SpokenAnswer catches every other spelling in the stream.
_INVENTED_TURN_STOPS = ["\nUser:", "\nUtilisateur", "\nQuestion", "\nHuman:", "\nQ:"]


def stop_sequences(fmt: PromptFormat) -> list[str]:
    """Where generation must stop so the model never speaks for the user."""
    match fmt:
        case PromptFormat.CHATML:
            own = ["<|im_end|>", "<|im_start|>", "<|endoftext|>"]
        case PromptFormat.LLAMA2:
            own = ["</s>", "[INST]"]
        case _:
            own = ["\nSystem:", "\nAssistant:"]
    return own + _INVENTED_TURN_STOPS


def build_prefix(fmt: PromptFormat, system: str, examples: Sequence[Turn] = ()) -> str:
    """The stable start of every prompt of an agent: what the warm-up puts in the cache.

    `build_prompt` output always starts with exactly these bytes (tested).
    """
    return _render(fmt, system, [*examples])


def build_note_start(fmt: PromptFormat, prefix: str, note_start: str) -> str:
    """A first turn's prompt (no history) from `build_prefix`'s `prefix` through the first
    words of its context note: the part of the note that stays the same all day is cached by
    the warm-up too. `build_prompt` output starts with exactly these bytes when its note
    starts with `note_start` (tested)."""
    return prefix + _note_opening(fmt, prefix) + _note_text(fmt, note_start)


def build_prompt(fmt: PromptFormat, parts: PromptParts) -> str:
    """The full raw prompt, ending where the assistant's answer begins."""
    prefix = _render(fmt, parts.system, [*parts.examples, *parts.history])
    opening = _note_opening(fmt, prefix)
    note = _note_text(fmt, parts.context_note) if parts.context_note.strip() else ""
    match fmt:
        case PromptFormat.CHATML:
            note = f"{opening}{note}<|im_end|>\n" if note else ""
            return (
                f"{prefix}{note}<|im_start|>user\n{_text(parts.user_message)}<|im_end|>\n"
                "<|im_start|>assistant\n"
            )
        case PromptFormat.LLAMA2:
            # The note shares the question's [INST] block, which is open by then either way.
            note = f"{note}\n\n" if note else ""
            return f"{prefix}{opening}{note}{_text(parts.user_message)} [/INST]"
        case _:
            note = f"{opening}{note}\n" if note else ""
            return f"{prefix}{note}User: {_plain(parts.user_message)}\nAssistant:"


def _note_opening(fmt: PromptFormat, prefix: str) -> str:
    """What comes between `prefix` and the context note's text."""
    match fmt:
        case PromptFormat.CHATML:
            return "<|im_start|>system\n"
        case PromptFormat.LLAMA2:
            return "" if _llama2_first_inst_open(prefix) else "<s>[INST] "
        case _:
            return "System: "


def _note_text(fmt: PromptFormat, note: str) -> str:
    return _plain(note) if fmt is PromptFormat.PLAIN else _text(note)


def _llama2_first_inst_open(prefix: str) -> bool:
    """Llama 2 puts the system block inside the first [INST]; is that one still open?"""
    return prefix.endswith("<</SYS>>\n\n")


def _render(fmt: PromptFormat, system: str, turns: list[Turn]) -> str:
    match fmt:
        case PromptFormat.CHATML:
            out = f"<|im_start|>system\n{_text(system)}<|im_end|>\n"
            for turn in turns:
                out += (
                    f"<|im_start|>user\n{_text(turn.user)}<|im_end|>\n"
                    f"<|im_start|>assistant\n{_text(turn.assistant)}<|im_end|>\n"
                )
            return out
        case PromptFormat.LLAMA2:
            # The server adds the BOS token itself; later turns open with a literal <s>.
            out = f"[INST] <<SYS>>\n{_text(system)}\n<</SYS>>\n\n"
            for index, turn in enumerate(turns):
                out += "" if index == 0 else "<s>[INST] "
                out += f"{_text(turn.user)} [/INST] {_text(turn.assistant)} </s>"
            return out
        case _:
            out = f"System: {_plain(system)}\n"
            for turn in turns:
                out += f"User: {_plain(turn.user)}\nAssistant: {_plain(turn.assistant)}\n"
            return out
