"""Raw prompts in plain, ChatML and Llama 2 formats (no Home Assistant imports).

Why raw prompts: the same conversation always renders to the same bytes, so llama-server's
`cache_prompt` reuses the KV cache of everything already seen and a turn pays only for its new
tokens. The layout is ordered from the most stable to the least stable part:

    system instructions → examples → conversation note → history → new message

The instructions and examples are the same for every conversation of an agent in a language
(the warm-up caches them); the conversation note (the date, the satellite's room) is the same
for a whole conversation; the history only grows at its end. So a turn's prompt starts with the
previous turn's prompt up to its question, and the question, its answer and the new question
are all a turn evaluates. The turn note (the clock, when the question may ask for it; a large
home's devices) changes every turn: it goes just before the question and is never kept in the
history, so the next turn evaluates that exchange again (while the answer is heard, see
`warm_up/next_turn.py`).

Text from users and from the model is data: it is escaped so that it cannot end its message or
open a new role, whatever the format (see `escape_text`).
"""

import re
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
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
    # The same for the whole conversation (the date, the satellite's room): before the history.
    conversation_note: str = ""
    # New every turn (the time): just before the message, never part of the history.
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
    return _Renderer(fmt, system).turns(examples).text


def build_note_start(fmt: PromptFormat, prefix: str, note_start: str) -> str:
    """A conversation's prompt from `build_prefix`'s `prefix` through the first words of its
    conversation note: the part of the note that stays the same all day is cached by the
    warm-up too. `build_prompt` output starts with exactly these bytes when its conversation
    note starts with `note_start` (tested)."""
    match fmt:
        case PromptFormat.CHATML:
            opening = "<|im_start|>system\n"
        case PromptFormat.LLAMA2:  # inside the next [INST] (still the first one, or a new one)
            opening = "" if prefix.endswith("<</SYS>>\n\n") else "<s>[INST] "
        case _:
            opening = "System: "
    return prefix + opening + _note_text(fmt, note_start)


def build_prompt(fmt: PromptFormat, parts: PromptParts) -> str:
    """The full raw prompt, ending where the assistant's answer begins."""
    renderer = _Renderer(fmt, parts.system).turns(parts.examples)
    renderer.note(parts.conversation_note).turns(parts.history)
    # The turn note right before the question: the history before it is all in the cache.
    # (Before the last exchange, it made that exchange be evaluated again: 61-68 tokens and
    # the holding phrase for "What time is it?". A counted duration, "and in two hours?",
    # gets no clock: see context_note.)
    return renderer.note(parts.context_note).question(parts.user_message)


# Stands for the next question while its opening is rendered: a private-use character, which
# neither escaping nor stripping touches and no user types.
_NEXT_QUESTION = "\ue000"


def build_next_opening(fmt: PromptFormat, parts: PromptParts) -> str:
    """The prompt of the conversation's next turn up to where its question's text begins
    (`parts` as that turn will have them: this turn in the history, no turn note). Evaluated
    while the user listens to the answer, it leaves the next turn only its own words and the
    assistant's opening to evaluate. A trailing space is left out: it joins the question's
    first word in one token."""
    prompt = build_prompt(fmt, replace(parts, user_message=_NEXT_QUESTION, context_note=""))
    return prompt[: prompt.index(_NEXT_QUESTION)].rstrip(" ")


def _note_text(fmt: PromptFormat, note: str) -> str:
    return _plain(note) if fmt is PromptFormat.PLAIN else _text(note)


class _Renderer:
    """Appends messages in one format. Llama 2 has no system role after the first message:
    a note goes inside the next [INST], before that user message."""

    def __init__(self, fmt: PromptFormat, system: str) -> None:
        self.fmt = fmt
        match fmt:
            case PromptFormat.CHATML:
                self.text = f"<|im_start|>system\n{_text(system)}<|im_end|>\n"
            case PromptFormat.LLAMA2:
                # The server adds the BOS token itself; later turns open with a literal <s>.
                self.text = f"[INST] <<SYS>>\n{_text(system)}\n<</SYS>>\n\n"
            case _:
                self.text = f"System: {_plain(system)}\n"
        self._inst_open = fmt is PromptFormat.LLAMA2

    def _open_inst(self) -> str:
        opening = "" if self._inst_open else "<s>[INST] "
        self._inst_open = True
        return opening

    def note(self, note: str) -> _Renderer:
        if not note.strip():
            return self
        match self.fmt:
            case PromptFormat.CHATML:
                self.text += f"<|im_start|>system\n{_text(note)}<|im_end|>\n"
            case PromptFormat.LLAMA2:
                self.text += f"{self._open_inst()}{_text(note)}\n\n"
            case _:
                self.text += f"System: {_plain(note)}\n"
        return self

    def turns(self, turns: Sequence[Turn]) -> _Renderer:
        for turn in turns:
            match self.fmt:
                case PromptFormat.CHATML:
                    self.text += (
                        f"<|im_start|>user\n{_text(turn.user)}<|im_end|>\n"
                        f"<|im_start|>assistant\n{_text(turn.assistant)}<|im_end|>\n"
                    )
                case PromptFormat.LLAMA2:
                    self.text += (
                        f"{self._open_inst()}{_text(turn.user)} [/INST] "
                        f"{_text(turn.assistant)} </s>"
                    )
                    self._inst_open = False
                case _:
                    self.text += f"User: {_plain(turn.user)}\nAssistant: {_plain(turn.assistant)}\n"
        return self

    def question(self, message: str) -> str:
        """The whole prompt, ending where the assistant's answer begins."""
        match self.fmt:
            case PromptFormat.CHATML:
                return (
                    f"{self.text}<|im_start|>user\n{_text(message)}<|im_end|>\n"
                    "<|im_start|>assistant\n"
                )
            case PromptFormat.LLAMA2:
                return f"{self.text}{self._open_inst()}{_text(message)} [/INST]"
            case _:
                return f"{self.text}User: {_plain(message)}\nAssistant:"
